//! From the global flags to a connected engine: podman's precedence
//! (`--connection`, `--url`, `CONTAINER_CONNECTION`, `CONTAINER_HOST` +
//! `CONTAINER_SSHKEY`, the default connection, the default socket) via
//! `berth_client::connection::resolve`, then `_ping`.
//!
//! This is the one place where the binary turns a destination into a
//! client; machine connections are redirected here to a live machine
//! agent's local socket, or else pinned to the machine's own host key.

use berth_client::connection::{
    resolve, ConnectionConfig, ConnectionEnv, ConnectionFlags, ConnectionStore, Destination,
};
use berth_client::Client;

use crate::cli::GlobalArgs;

/// The connection flags of the command line.
pub fn flags(global: &GlobalArgs) -> ConnectionFlags {
    ConnectionFlags {
        connection: global.connection.clone(),
        url: global.url.clone(),
        identity: global.identity.clone(),
    }
}

/// The destination the global flags, environment and configuration select.
pub fn destination(global: &GlobalArgs) -> anyhow::Result<Destination> {
    Ok(routed_destination(global)?.0)
}

/// The control socket of the live machine agent that serves the selected
/// connection, if it is one of berth's machines and up.
pub fn machine_agent_control(global: &GlobalArgs) -> Option<std::path::PathBuf> {
    routed_destination(global).ok()?.1?.agent_control
}

/// The destination, and the route of berth's machine behind it.
fn routed_destination(
    global: &GlobalArgs,
) -> anyhow::Result<(
    Destination,
    Option<crate::commands::machine::route::MachineRoute>,
)> {
    let flags = flags(global);
    let env = ConnectionEnv::from_process();
    // Only a named connection or the default needs the config files; --url
    // and CONTAINER_HOST work even when they are unreadable.
    let needs_config = flags.connection.is_some()
        || (flags.url.is_none()
            && (env.container_connection.is_some() || env.container_host.is_none()));
    let config = if needs_config {
        let store = ConnectionStore::from_env()?;
        ConnectionConfig::load(&store)?
    } else {
        ConnectionConfig::default()
    };
    let mut destination = resolve(&flags, &env, &config)?;
    let route = destination
        .name
        .as_deref()
        .filter(|_| destination.is_machine)
        .and_then(crate::commands::machine::route::route);
    if let Some(route) = &route {
        match &route.agent_socket {
            Some(socket) => destination.uri = format!("unix://{}", socket.display()),
            None => destination.known_hosts = Some(route.known_hosts.clone()),
        }
    }
    Ok((destination, route))
}

/// Connects to the selected engine and checks its API version. When it
/// cannot be reached, prints podman's hint before the error (which keeps
/// podman's wording).
pub async fn connect(global: &GlobalArgs) -> anyhow::Result<Client> {
    let destination = destination(global)?;
    Client::connect(&destination).await.map_err(|err| {
        if err.is_connect() {
            eprintln!("{CANNOT_CONNECT_HINT}");
        }
        err.into()
    })
}

const CANNOT_CONNECT_HINT: &str = "Cannot connect to Podman. Please verify your connection to the Linux system using `berth system connection list`, or try `berth machine init` and `berth machine start` to manage a new Linux VM";
