//! `berth machine inspect [NAME...]`: podman's inspect fields
//! (`ConfigDir`, `ConnectionInfo.PodmanSocket.Path`, `Created`, `Image`,
//! `LastUp`, `Name`, `Resources`, `SSHConfig`, `State`, `Rootful`, ...) as
//! JSON indented by four spaces, or through `--format`.

use std::io::Write;

use berth_machine::config::{format_time, MachineConfig, MachineStore};
use berth_machine::state;
use serde::Serialize;

use super::{load, machine_name, store};
use crate::cli::machine::InspectArgs;
use crate::output::report::{render_list, ListOptions};

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct PathValue {
    path: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ConnectionInfo {
    podman_socket: PathValue,
    podman_pipe: Option<PathValue>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImageInfo {
    ignition_file_path: String,
    image_stream: String,
    image_path: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ResourcesInfo {
    #[serde(rename = "CPUs")]
    cpus: u32,
    disk_size: u64,
    memory: u64,
    #[serde(rename = "USBs")]
    usbs: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SshInfo {
    identity_path: String,
    port: u16,
    remote_username: String,
    /// berth: the pinned host key every SSH connection checks.
    host_key: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Inspect {
    config_dir: PathValue,
    connection_info: ConnectionInfo,
    created: String,
    image: ImageInfo,
    last_up: String,
    name: String,
    resources: ResourcesInfo,
    #[serde(rename = "SSHConfig")]
    ssh_config: SshInfo,
    state: String,
    user_mode_networking: bool,
    rootful: bool,
    rosetta: bool,
}

fn inspect(store: &MachineStore, config: &MachineConfig) -> Inspect {
    let paths = store.paths(&config.name);
    let status = state::probe(&paths);
    Inspect {
        config_dir: PathValue {
            path: paths
                .config
                .parent()
                .map(|dir| dir.display().to_string())
                .unwrap_or_default(),
        },
        connection_info: ConnectionInfo {
            podman_socket: PathValue {
                path: paths.api_socket.display().to_string(),
            },
            podman_pipe: None,
        },
        created: format_time(config.created),
        image: ImageInfo {
            ignition_file_path: config.ignition_path.display().to_string(),
            image_stream: config.image.source.clone(),
            image_path: config.image.path.display().to_string(),
        },
        last_up: config.last_up.map(format_time).unwrap_or_default(),
        name: config.name.clone(),
        resources: ResourcesInfo {
            cpus: config.resources.cpus,
            disk_size: config.resources.disk_size,
            memory: config.resources.memory,
            usbs: Vec::new(),
        },
        ssh_config: SshInfo {
            identity_path: config.ssh.identity_path.display().to_string(),
            port: config.ssh.port,
            remote_username: config.ssh.remote_username.clone(),
            host_key: config.ssh.host_key.clone(),
        },
        state: status.state.to_string(),
        user_mode_networking: false,
        rootful: config.rootful,
        rosetta: false,
    }
}

pub fn run(args: &InspectArgs) -> anyhow::Result<u8> {
    let store = store()?;
    let names: Vec<String> = if args.names.is_empty() {
        vec![machine_name(None)]
    } else {
        args.names.clone()
    };
    let mut reports = Vec::new();
    let mut first_error = None;
    for name in &names {
        match load(&store, name) {
            Ok(config) => reports.push(inspect(&store, &config)),
            Err(err) => {
                eprintln!("Error: {err:#}");
                first_error.get_or_insert(err);
            }
        }
    }
    let mut stdout = std::io::stdout().lock();
    match args.format.as_deref() {
        Some(format) if !crate::output::report::is_json(format) => {
            let options = ListOptions {
                name: "inspect",
                format: Some(format),
                default_format: "",
                noheading: true,
            };
            let mut out = render_list(stdout, &options, &serde_json::Value::Null.into(), &reports)?;
            out.flush()?;
        }
        _ => {
            writeln!(
                stdout,
                "{}",
                crate::output::json::to_string_pretty(&reports, "    ")?
            )?;
        }
    }
    match first_error {
        // podman reports every missing machine, then exits 125.
        Some(_) => Ok(crate::exit::GENERIC_ERROR),
        None => Ok(0),
    }
}
