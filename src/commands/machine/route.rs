//! Where a machine connection really goes: when the machine's agent is up
//! and serves this connection's socket, straight to the agent's local API
//! socket (no SSH handshake per command); otherwise over SSH as recorded.

use std::path::PathBuf;

use berth_machine::config::MachineStore;
use berth_machine::dirs::BerthDirs;
use berth_machine::fsutil::FileLock;

use super::connections::served_name;

/// The machine a connection name belongs to (`NAME` or `NAME-root`), if any.
fn machine_of(store: &MachineStore, connection: &str) -> Option<String> {
    [Some(connection), connection.strip_suffix("-root")]
        .into_iter()
        .flatten()
        .find(|name| berth_machine::config::validate_name(name).is_ok() && store.exists(name))
        .map(str::to_string)
}

/// The live agent's API socket for machine connection `connection`, when
/// that agent serves exactly this connection's guest socket.
pub fn agent_socket(connection: &str) -> Option<PathBuf> {
    let store = MachineStore::new(BerthDirs::current().ok()?);
    let name = machine_of(&store, connection)?;
    let config = store.load(&name).ok()?;
    if served_name(&config) != connection {
        return None;
    }
    let paths = store.paths(&name);
    let live = FileLock::is_held(&paths.agent_lock).unwrap_or(false);
    (live && paths.api_socket.exists()).then_some(paths.api_socket)
}
