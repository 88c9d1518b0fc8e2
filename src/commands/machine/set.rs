//! `berth machine set [NAME]`: changes a stopped machine's CPUs, memory,
//! disk size (grow only) and rootful setting. Switching `--rootful` moves the
//! default connection between `NAME` and `NAME-root` when it was one of the
//! machine's, as podman does. A running machine is refused: its resources
//! are fixed for a run.

use berth_client::connection::ConnectionStore;
use berth_machine::state;

use super::{connections, init, load, machine_name, store, user_error};
use crate::cli::machine::SetArgs;

pub fn run(args: &SetArgs) -> anyhow::Result<u8> {
    let name = machine_name(args.name.as_deref());
    let store = store()?;
    let lock = store.lock(&name)?;
    let mut config = load(&store, &name)?;
    let paths = store.paths(&name);
    if state::probe(&paths).state.is_alive() {
        return Err(user_error(format!(
            "cannot change the settings of machine \"{name}\" while it is running: \
             stop it first with `berth machine stop {name}`"
        )));
    }

    let mut resources = config.resources.clone();
    if let Some(cpus) = args.cpus {
        resources.cpus = cpus;
    }
    if let Some(memory) = args.memory {
        resources.memory = memory;
    }
    if let Some(disk_size) = args.disk_size {
        if disk_size < config.resources.disk_size {
            return Err(user_error(format!(
                "new disk size must be larger than the current disk size: {} GiB \
                 (a disk can only grow)",
                config.resources.disk_size
            )));
        }
        resources.disk_size = disk_size;
    }
    init::check_resources(&resources).map_err(|err| user_error(err.to_string()))?;
    if resources.disk_size != config.resources.disk_size {
        berth_images::grow_disk(&config.image.path, resources.disk_size << 30)?;
    }
    config.resources = resources;

    let rootful_changed = args
        .rootful
        .is_some_and(|rootful| rootful != config.rootful);
    if let Some(rootful) = args.rootful {
        config.rootful = rootful;
    }
    store.save(&lock, &config)?;
    if rootful_changed {
        connections::switch_default(&ConnectionStore::from_env()?, &config)?;
    }
    Ok(0)
}
