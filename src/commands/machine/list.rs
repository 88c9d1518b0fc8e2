//! `berth machine list (ls)`: podman's columns (NAME, VM TYPE, CREATED,
//! LAST UP, CPUS, MEMORY, DISK SIZE), `--format` templates (fields include
//! `.Running`, `.Starting` and berth's `.State`), `--format json`, `-q` and
//! `-n`. States come from live processes, never from a stored flag.

use std::io::Write;
use std::time::SystemTime;

use berth_client::connection::ConnectionStore;
use berth_machine::config::{format_time, MachineConfig};
use berth_machine::state::{self, State, Status};
use serde::Serialize;

use super::{connections, store};
use crate::cli::machine::ListArgs;
use crate::output::humanize::{bytes_size, human_duration};
use crate::output::report::{self, headers_of, render_list, ListOptions};

/// One machine, as podman's reporter: human times and sizes for tables and
/// templates, RFC 3339 times and byte counts for JSON.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    name: String,
    default: bool,
    created: String,
    running: bool,
    starting: bool,
    last_up: String,
    stream: String,
    #[serde(rename = "VMType")]
    vm_type: String,
    #[serde(rename = "CPUs")]
    cpus: u32,
    memory: String,
    disk_size: String,
    port: u16,
    remote_username: String,
    identity_path: String,
    user_mode_networking: bool,
    state: String,
}

const DEFAULT_FORMAT: &str =
    "{{range .}}{{.Name}}\t{{.VMType}}\t{{.Created}}\t{{.LastUp}}\t{{.CPUs}}\t{{.Memory}}\t{{.DiskSize}}\n{{end -}}";

fn ago(time: SystemTime) -> String {
    let nanos = SystemTime::now()
        .duration_since(time)
        .map_or(0, |d| d.as_nanos() as i64);
    format!("{} ago", human_duration(nanos))
}

fn last_up_text(config: &MachineConfig, status: &Status) -> String {
    match status.state {
        State::Running | State::Degraded | State::Stopping => "Currently running".to_string(),
        State::Starting => "Currently starting".to_string(),
        State::Stopped => config.last_up.map_or("Never".to_string(), ago),
    }
}

pub fn run(args: &ListArgs) -> anyhow::Result<u8> {
    let store = store()?;
    let default_machine = ConnectionStore::from_env()
        .ok()
        .and_then(|connections| connections::default_machine(&connections));
    let mut machines: Vec<(MachineConfig, Status)> = store
        .list()?
        .into_iter()
        .map(|config| {
            let status = state::probe(&store.paths(&config.name));
            (config, status)
        })
        .collect();
    // Running machines first, then the most recently up.
    machines.sort_by(|(a, a_status), (b, b_status)| {
        b_status
            .state
            .is_alive()
            .cmp(&a_status.state.is_alive())
            .then(b.last_up.cmp(&a.last_up))
            .then(a.name.cmp(&b.name))
    });

    let mut stdout = std::io::stdout().lock();
    if args.quiet {
        for (config, _) in &machines {
            writeln!(stdout, "{}", config.name)?;
        }
        return Ok(0);
    }
    let json = args.format.as_deref().is_some_and(report::is_json);
    let rows: Vec<Row> = machines
        .iter()
        .map(|(config, status)| {
            let is_default = default_machine.as_deref() == Some(config.name.as_str());
            let memory = config.resources.memory * 1024 * 1024;
            let disk = config.resources.disk_size * 1024 * 1024 * 1024;
            let mut row = Row {
                name: config.name.clone(),
                default: is_default,
                created: format_time(config.created),
                running: status.state == State::Running,
                starting: status.state == State::Starting,
                last_up: config.last_up.map(format_time).unwrap_or_default(),
                stream: config.image.source.clone(),
                vm_type: "qemu".to_string(),
                cpus: config.resources.cpus,
                memory: memory.to_string(),
                disk_size: disk.to_string(),
                port: config.ssh.port,
                remote_username: config.ssh.remote_username.clone(),
                identity_path: config.ssh.identity_path.display().to_string(),
                user_mode_networking: false,
                state: status.state.to_string(),
            };
            if !json {
                if is_default && args.format.is_none() {
                    row.name.push('*');
                }
                row.created = ago(config.created);
                row.last_up = last_up_text(config, status);
                row.memory = bytes_size(memory as f64);
                row.disk_size = bytes_size(disk as f64);
            }
            row
        })
        .collect();
    if json {
        writeln!(
            stdout,
            "{}",
            crate::output::json::to_string_pretty(&rows, "    ")?
        )?;
        return Ok(0);
    }
    let headers = headers_of::<Row>(&[
        ("LastUp", "LAST UP"),
        ("VMType", "VM TYPE"),
        ("CPUs", "CPUS"),
        ("DiskSize", "DISK SIZE"),
    ]);
    let options = ListOptions {
        name: "list",
        format: args.format.as_deref(),
        default_format: DEFAULT_FORMAT,
        noheading: args.noheading,
    };
    let mut out = render_list(stdout, &options, &headers, &rows)?;
    out.flush()?;
    Ok(0)
}
