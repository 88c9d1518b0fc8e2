//! `berth machine agent NAME` (hidden): the machine's host agent, run
//! detached by `berth machine start`. It runs on its own multi-threaded
//! runtime; settings come from the environment:
//!
//! - `BERTH_ACCEL`: the accelerator (kvm, hvf, whpx, tcg), beating the config;
//! - `BERTH_VOLUME_DRIVER`: how volumes are shared (virtiofs, 9p, auto),
//!   beating the config's `VolumeDriver`;
//! - `BERTH_BOOT_TIMEOUT`: seconds the guest may take to be ready;
//! - `BERTH_STOP_TIMEOUT`: seconds the guest may take to power down.

use std::time::Duration;

use anyhow::Context;
use berth_machine::agent::{self, AgentOptions, DEFAULT_STOP_TIMEOUT};
use berth_machine::dirs::BerthDirs;
use berth_machine::host::HostProfile;

use crate::cli::machine::AgentArgs;

/// Seconds from an environment variable.
pub(super) fn env_seconds(name: &str) -> anyhow::Result<Option<Duration>> {
    match std::env::var(name) {
        Ok(text) if !text.trim().is_empty() => {
            let secs: f64 = text
                .trim()
                .parse()
                .with_context(|| format!("{name}={text:?} is not a number of seconds"))?;
            Ok(Some(Duration::from_secs_f64(secs.max(0.0))))
        }
        _ => Ok(None),
    }
}

pub async fn run(args: AgentArgs) -> anyhow::Result<u8> {
    let options = AgentOptions {
        dirs: BerthDirs::current().context("finding berth's directories")?,
        name: args.name,
        profile: HostProfile::current(),
        accel_override: std::env::var("BERTH_ACCEL").ok(),
        volume_driver_override: std::env::var(berth_machine::qemu::virtiofs::DRIVER_ENV).ok(),
        path_var: std::env::var("PATH").ok(),
        boot_timeout: env_seconds("BERTH_BOOT_TIMEOUT")?,
        stop_timeout: env_seconds("BERTH_STOP_TIMEOUT")?.unwrap_or(DEFAULT_STOP_TIMEOUT),
        echo_events: args.events_stdout,
    };
    tokio::task::spawn_blocking(move || agent::run_blocking(options))
        .await
        .context("running the agent")??;
    Ok(0)
}
