//! `berth machine stop [NAME]`: asks the agent to power the guest down
//! (`systemctl poweroff` over SSH and QMP `system_powerdown`, a hard kill
//! after the stop timeout) and waits until it has exited; a QEMU left
//! without its agent is stopped directly.

use std::time::Duration;

use berth_machine::agent::control;
use berth_machine::agent::DEFAULT_STOP_TIMEOUT;
use berth_machine::fsutil::FileLock;

use super::agent::env_seconds;
use super::{load, machine_name, store};
use crate::cli::machine::StopArgs;

pub async fn run(args: &StopArgs) -> anyhow::Result<u8> {
    let name = machine_name(args.name.as_deref());
    let store = store()?;
    load(&store, &name)?;
    stop_machine(&store.paths(&name)).await?;
    println!("Machine \"{name}\" stopped successfully");
    Ok(0)
}

/// Stops whatever of the machine is alive; a stopped machine is fine.
pub(super) async fn stop_machine(paths: &berth_machine::paths::MachinePaths) -> anyhow::Result<()> {
    let stop_timeout = env_seconds("BERTH_STOP_TIMEOUT")?.unwrap_or(DEFAULT_STOP_TIMEOUT);
    if FileLock::is_held(&paths.agent_lock)? {
        // The agent powers down within its stop timeout, then kills.
        control::stop_agent(paths, stop_timeout + Duration::from_secs(30)).await?;
    }
    if let Some(pid) = control::stop_orphan_qemu(paths, stop_timeout).await? {
        eprintln!("stopped QEMU (pid {pid}), which ran without its agent");
    }
    Ok(())
}
