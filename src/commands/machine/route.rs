//! Where a machine connection really goes: when the machine's agent is up
//! and serves this connection's socket, straight to the agent's local API
//! socket (no SSH handshake per command); otherwise over SSH as recorded,
//! with the host key checked against the machine's own pinned known_hosts
//! file (never the user's `~/.ssh/known_hosts`).

use std::path::PathBuf;

use berth_machine::config::MachineStore;
use berth_machine::dirs::BerthDirs;
use berth_machine::fsutil::FileLock;

use super::connections::served_name;

/// How to reach a machine connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineRoute {
    /// The live agent's API socket, when it serves exactly this connection.
    pub agent_socket: Option<PathBuf>,
    /// That agent's control socket (set with `agent_socket`).
    pub agent_control: Option<PathBuf>,
    /// The machine's known_hosts file, holding only its pinned host key.
    pub known_hosts: PathBuf,
}

/// The machine a connection name belongs to (`NAME` or `NAME-root`), if any.
fn machine_of(store: &MachineStore, connection: &str) -> Option<String> {
    [Some(connection), connection.strip_suffix("-root")]
        .into_iter()
        .flatten()
        .find(|name| berth_machine::config::validate_name(name).is_ok() && store.exists(name))
        .map(str::to_string)
}

/// The route for machine connection `connection`; `None` when no machine
/// of berth's has that connection.
pub fn route(connection: &str) -> Option<MachineRoute> {
    let store = MachineStore::new(BerthDirs::current().ok()?);
    let name = machine_of(&store, connection)?;
    let config = store.load(&name).ok()?;
    let paths = store.paths(&name);
    let live = FileLock::is_held(&paths.agent_lock).unwrap_or(false);
    let served = served_name(&config) == connection && live && paths.api_socket.exists();
    Some(MachineRoute {
        agent_socket: served.then_some(paths.api_socket),
        agent_control: served.then_some(paths.control_socket),
        known_hosts: paths.known_hosts,
    })
}
