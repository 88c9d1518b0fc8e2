//! A machine's two connections in podman's connections file: `NAME` (the
//! guest user's rootless socket) and `NAME-root` (root's socket), both SSH
//! to the forwarded port, marked as machine connections. The first machine's
//! becomes the default (`NAME-root` for a rootful machine).

use berth_client::connection::{ConnectionStore, StoredDestination};
use berth_machine::config::{guest_podman_socket, MachineConfig};

/// `NAME-root`.
pub fn root_name(machine: &str) -> String {
    format!("{machine}-root")
}

/// The connection the machine's API socket serves (by its rootful setting).
pub fn served_name(config: &MachineConfig) -> String {
    if config.rootful {
        root_name(&config.name)
    } else {
        config.name.clone()
    }
}

fn destinations(config: &MachineConfig) -> [(String, StoredDestination); 2] {
    let identity = config.ssh.identity_path.display().to_string();
    let port = config.ssh.port;
    let user = &config.ssh.remote_username;
    [
        (
            config.name.clone(),
            StoredDestination {
                uri: format!(
                    "ssh://{user}@127.0.0.1:{port}{}",
                    guest_podman_socket(false, config.uid)
                ),
                identity: identity.clone(),
                is_machine: true,
                ..Default::default()
            },
        ),
        (
            root_name(&config.name),
            StoredDestination {
                uri: format!(
                    "ssh://root@127.0.0.1:{port}{}",
                    guest_podman_socket(true, config.uid)
                ),
                identity,
                is_machine: true,
                ..Default::default()
            },
        ),
    ]
}

/// Adds (or updates) the machine's connections. With `make_default`, or
/// when there is no default connection yet, the served one becomes the default.
pub fn add(
    store: &ConnectionStore,
    config: &MachineConfig,
    make_default: bool,
) -> anyhow::Result<()> {
    store.edit(|file| {
        let become_default = make_default || file.connection.default.is_empty();
        for (name, destination) in destinations(config) {
            file.add(&name, destination, false);
        }
        if become_default {
            file.set_default(&served_name(config))?;
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// Rewrites the machine's connections after its SSH port changed, keeping
/// the default where it was.
pub fn update_port(store: &ConnectionStore, config: &MachineConfig) -> anyhow::Result<()> {
    store.edit(|file| {
        for (name, destination) in destinations(config) {
            if let Some(existing) = file.connection.connections.get_mut(&name) {
                existing.uri = destination.uri;
            }
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// After the rootful setting changed: when the default connection was one
/// of the machine's, it becomes the one the machine now serves.
pub fn switch_default(store: &ConnectionStore, config: &MachineConfig) -> anyhow::Result<()> {
    store.edit(|file| {
        let default = file.connection.default.clone();
        if default == config.name || default == root_name(&config.name) {
            file.set_default(&served_name(config))?;
        }
        Ok::<_, anyhow::Error>(())
    })
}

/// Removes both connections (the default is cleared if it was one of them).
pub fn remove(store: &ConnectionStore, machine: &str) -> anyhow::Result<()> {
    store.edit(|file| {
        file.remove(machine);
        file.remove(&root_name(machine));
        Ok::<_, anyhow::Error>(())
    })
}

/// The name of the machine the default connection points at, if it is one.
pub fn default_machine(store: &ConnectionStore) -> Option<String> {
    let file = store.load().ok()?;
    let default = file.connection.default.clone();
    let destination = file.connection.connections.get(&default)?;
    if !destination.is_machine {
        return None;
    }
    Some(
        default
            .strip_suffix("-root")
            .map_or(default.clone(), str::to_string),
    )
}
