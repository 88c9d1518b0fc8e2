//! `berth machine info`: the host side of machines, in podman's shape
//! (`Host` with arch, machine counts and dirs, `Version`), as YAML by
//! default, or `--format json` / a Go template.

use berth_client::connection::ConnectionStore;
use berth_machine::host::{Arch, HostOs, HostProfile};
use berth_machine::paths;
use berth_machine::state::{self, State};
use serde_json::json;

use super::{connections, store};
use crate::cli::machine::InfoArgs;
use crate::output::report;

pub fn run(args: &InfoArgs) -> anyhow::Result<u8> {
    let store = store()?;
    let machines = store.list()?;
    let profile = HostProfile::current();
    let default_machine = ConnectionStore::from_env()
        .ok()
        .and_then(|connections| connections::default_machine(&connections))
        .unwrap_or_default();
    let mut current = String::new();
    let mut current_state = String::new();
    for config in &machines {
        let status = state::probe(&store.paths(&config.name));
        if status.state != State::Stopped && current.is_empty() {
            current = config.name.clone();
            current_state = match status.state {
                State::Running => "Running".to_string(),
                other => other.to_string(),
            };
        }
    }
    let dirs = store.dirs();
    let info = json!({
        "Host": {
            "Arch": match profile.arch { Arch::X86_64 => "amd64", Arch::Aarch64 => "arm64" },
            "CurrentMachine": current,
            "DefaultMachine": default_machine,
            "EventsDir": dirs.runtime.display().to_string(),
            "MachineConfigDir": paths::configs_dir(dirs).display().to_string(),
            "MachineImageDir": dirs.data.join("machines").display().to_string(),
            "MachineState": current_state,
            "NumberOfMachines": machines.len(),
            "OS": match profile.os { HostOs::Linux => "linux", HostOs::MacOs => "darwin", HostOs::Windows => "windows" },
            "VMType": "qemu",
        },
        "Version": {
            "APIVersion": env!("CARGO_PKG_VERSION"),
            "Version": env!("CARGO_PKG_VERSION"),
            "Os": std::env::consts::OS,
            "OsArch": format!("{}/{}", std::env::consts::OS, std::env::consts::ARCH),
        },
    });
    let text = match args.format.as_deref() {
        None => crate::commands::system::yaml::to_yaml(&info),
        Some(format) if report::is_json(format) => {
            format!(
                "{}\n",
                crate::output::json::to_string_pretty(&info, "    ")?
            )
        }
        Some(format) => {
            let (template, _) = report::parse_template("info", format)?;
            let mut text = template.execute(&info)?;
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text
        }
    };
    print!("{text}");
    Ok(0)
}
