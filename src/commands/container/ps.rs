//! `berth ps`: the container list with podman's columns, `--format`
//! templates over podman's `psReporter` fields, `--format json`, `-q`,
//! `--size`, `--pod`, `--last`, `--filter`, `--sort` and `--no-trunc`.

use std::collections::BTreeMap;
use std::io::Write;

use berth_client::api::containers::{self, ListContainer, ListOptions};
use serde::Serialize;

use super::parse_filters;
use crate::cli::container::PsArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::{self, Timestamp};
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &PsArgs) -> anyhow::Result<u8> {
    if args.quiet && args.size {
        anyhow::bail!("quiet conflicts with size and namespace");
    }
    let filters = parse_filters(&split_commas(&args.filters))?;
    let client = crate::connection::connect(global).await?;
    let options = ListOptions {
        all: args.all,
        limit: (args.last >= 0).then_some(args.last),
        size: args.size,
        pod: args.pod,
        filters,
    };
    let mut listed = containers::list(&client, &options).await?;
    sort(&mut listed, &args.sort);
    let now = Timestamp::now();
    let stdout = std::io::stdout().lock();

    if let Some(format) = args.format.as_deref().filter(|f| report::is_json(f)) {
        let _ = format;
        return print_json(stdout, &listed, &now);
    }
    if args.quiet && args.format.is_none() {
        let mut out = std::io::BufWriter::new(stdout);
        for container in &listed {
            writeln!(out, "{}", short_id(&container.id, args.no_trunc))?;
        }
        out.flush()?;
        return Ok(0);
    }
    let rows: Vec<PsRow> = listed
        .iter()
        .map(|container| PsRow::new(container, args.no_trunc, &now))
        .collect();
    let format = args
        .format
        .as_ref()
        .map(|format| format.replace(".Namespaces.", "."));
    let options = report::ListOptions {
        name: "ps",
        format: format.as_deref(),
        default_format: &default_format(args),
        noheading: args.noheading,
    };
    let out = report::render_list(stdout, &options, &headers(), &rows)?;
    drop(out);
    Ok(0)
}

/// `--filter a=b,c=d` is a string slice in podman: commas separate filters.
fn split_commas(filters: &[String]) -> Vec<String> {
    filters
        .iter()
        .flat_map(|filter| filter.split(','))
        .filter(|filter| !filter.is_empty())
        .map(String::from)
        .collect()
}

/// podman's default columns, with POD ID / PODNAME for `--pod` and SIZE
/// for `--size`.
fn default_format(args: &PsArgs) -> String {
    let mut row = String::from(
        "{{.ID}}\t{{.Image}}\t{{.Command}}\t{{.CreatedHuman}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}",
    );
    if args.pod {
        row.push_str("\t{{.Pod}}\t{{.PodName}}");
    }
    if args.size {
        row.push_str("\t{{.Size}}");
    }
    format!("{{{{range .}}}}{row}\n{{{{end -}}}}")
}

/// Column headers: every `ListContainer` field, then podman's overrides.
fn headers() -> crate::output::template::Value {
    report::headers(
        [
            "AutoRemove",
            "Command",
            "Created",
            "CreatedAt",
            "Exited",
            "ExitedAt",
            "ExitCode",
            "ID",
            "Image",
            "ImageID",
            "IsInfra",
            "Labels",
            "Mounts",
            "Names",
            "Namespaces",
            "Networks",
            "Pid",
            "Pod",
            "PodName",
            "Ports",
            "Size",
            "StartedAt",
            "State",
            "Status",
        ],
        &[
            ("Cgroup", "cgroupns"),
            ("CreatedHuman", "created"),
            ("ID", "container id"),
            ("IPC", "ipc"),
            ("MNT", "mnt"),
            ("NET", "net"),
            ("Networks", "networks"),
            ("PIDNS", "pidns"),
            ("Pod", "pod id"),
            ("PodName", "podname"),
            ("RunningFor", "running for"),
            ("UTS", "uts"),
            ("User", "userns"),
        ],
    )
}

/// podman's `--sort` orders (stable, ascending).
fn sort(containers: &mut [ListContainer], key: &str) {
    let created = |c: &ListContainer| {
        Timestamp::parse_rfc3339(&c.created).map_or((0, 0), |t| (t.secs, t.nanos))
    };
    match key {
        "id" => containers.sort_by(|a, b| a.id.cmp(&b.id)),
        "image" => containers.sort_by(|a, b| a.image.cmp(&b.image)),
        "command" => containers.sort_by_key(|c| c.command.clone().unwrap_or_default().join(" ")),
        "runningfor" => containers.sort_by_key(|c| c.started_at),
        "status" => containers.sort_by(|a, b| a.state.cmp(&b.state)),
        "size" => containers.sort_by_key(|c| c.size.as_ref().map_or(0, |s| s.root_fs_size)),
        "names" => containers.sort_by_key(|c| c.names.first().cloned().unwrap_or_default()),
        _ => containers.sort_by_key(created),
    }
}

fn short_id(id: &str, no_trunc: bool) -> &str {
    if no_trunc {
        id
    } else {
        &id[..id.len().min(12)]
    }
}

/// The row a `ps` template sees: podman's `psReporter`, whose methods
/// (truncated ids, human times, joined names) shadow the raw fields.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "containers.psReporter")]
#[allow(non_snake_case)]
struct PsRow {
    AutoRemove: bool,
    Command: String,
    Created: String,
    CreatedAt: String,
    CreatedHuman: String,
    Exited: bool,
    ExitedAt: i64,
    ExitCode: i32,
    ID: String,
    Image: String,
    ImageID: String,
    IsInfra: bool,
    Labels: BTreeMap<String, String>,
    Mounts: Vec<String>,
    Names: String,
    Namespaces: NamespacesRow,
    Networks: String,
    Pid: i64,
    Pod: String,
    PodName: String,
    Ports: String,
    RunningFor: String,
    Size: String,
    StartedAt: i64,
    State: String,
    Status: String,
    Cgroup: String,
    IPC: String,
    MNT: String,
    NET: String,
    PIDNS: String,
    User: String,
    UTS: String,
}

#[derive(Debug, Default, Serialize)]
#[serde(rename = "entities.ListContainerNamespaces")]
#[allow(non_snake_case)]
struct NamespacesRow {
    MNT: String,
    Cgroup: String,
    IPC: String,
    NET: String,
    PIDNS: String,
    UTS: String,
    User: String,
}

impl PsRow {
    fn new(container: &ListContainer, no_trunc: bool, now: &Timestamp) -> Self {
        let created =
            Timestamp::parse_rfc3339(&container.created).unwrap_or(Timestamp::from_unix(0));
        let command = container.command.clone().unwrap_or_default().join(" ");
        let command = if !no_trunc && command.len() > 17 {
            format!("{}...", truncate_bytes(&command, 17))
        } else {
            command
        };
        let namespace = |key: &str| {
            container.namespaces[key]
                .as_str()
                .unwrap_or_default()
                .to_string()
        };
        let namespaces = NamespacesRow {
            MNT: namespace("Mnt"),
            Cgroup: namespace("Cgroup"),
            IPC: namespace("Ipc"),
            NET: namespace("Net"),
            PIDNS: namespace("Pidns"),
            UTS: namespace("Uts"),
            User: namespace("User"),
        };
        let state = humanize::container_status(
            &container.state,
            container.started_at,
            container.exited_at,
            container.exit_code,
            "",
            now,
        );
        let status = if container.status.is_empty() {
            state.clone()
        } else {
            format!("{state} ({})", container.status)
        };
        let ports: Vec<humanize::PortMapping> = container
            .ports
            .iter()
            .flatten()
            .map(|port| humanize::PortMapping {
                host_ip: port.host_ip.clone(),
                container_port: port.container_port,
                host_port: port.host_port,
                range: port.range,
                protocol: port.protocol.clone(),
            })
            .collect();
        let created_human = humanize::time_ago(&created, now);
        PsRow {
            AutoRemove: container.auto_remove,
            Command: command,
            Created: created.go_string(),
            CreatedAt: created.go_string(),
            CreatedHuman: created_human.clone(),
            Exited: container.exited,
            ExitedAt: container.exited_at,
            ExitCode: container.exit_code,
            ID: short_id(&container.id, no_trunc).to_string(),
            Image: container.image.clone(),
            ImageID: short_id(&container.image_id, no_trunc).to_string(),
            IsInfra: container.is_infra,
            Labels: container.labels.clone().unwrap_or_default(),
            Mounts: container.mounts.clone().unwrap_or_default(),
            Names: container.names.first().cloned().unwrap_or_default(),
            Cgroup: namespaces.Cgroup.clone(),
            IPC: namespaces.IPC.clone(),
            MNT: namespaces.MNT.clone(),
            NET: namespaces.NET.clone(),
            PIDNS: namespaces.PIDNS.clone(),
            User: namespaces.User.clone(),
            UTS: namespaces.UTS.clone(),
            Namespaces: namespaces,
            Networks: container.networks.clone().unwrap_or_default().join(","),
            Pid: container.pid,
            Pod: if container.pod.is_empty() {
                String::new()
            } else {
                short_id(&container.pod, no_trunc).to_string()
            },
            PodName: container.pod_name.clone(),
            Ports: humanize::ports(&ports),
            RunningFor: created_human,
            Size: container
                .size
                .as_ref()
                .map(|size| humanize::container_size(size.rw_size, size.root_fs_size))
                .unwrap_or_default(),
            StartedAt: container.started_at,
            State: state,
            Status: status,
        }
    }
}

/// The first `len` bytes of `text`, backed off to a character boundary.
fn truncate_bytes(text: &str, len: usize) -> &str {
    let mut end = len.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `ps --format json`: podman's `ListContainer` list with `CreatedAt` and
/// `Status` made human and `Created` as Unix seconds, last.
fn print_json(
    mut out: impl Write,
    listed: &[ListContainer],
    now: &Timestamp,
) -> anyhow::Result<u8> {
    let entries: Vec<JsonEntry> = listed.iter().map(|c| JsonEntry::new(c, now)).collect();
    let text = crate::output::json::to_string_pretty(&entries, "  ")?;
    // podman's JSON library prints a struct whose fields are all omitted
    // as an empty indented block rather than `{}`.
    let text = text.replace("\"Namespaces\": {},", "\"Namespaces\": {\n      \n    },");
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(0)
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct JsonEntry {
    AutoRemove: bool,
    Command: Option<Vec<String>>,
    CreatedAt: String,
    Exited: bool,
    ExitedAt: i64,
    ExitCode: i32,
    Id: String,
    Image: String,
    ImageID: String,
    IsInfra: bool,
    Labels: Option<BTreeMap<String, String>>,
    Mounts: Option<Vec<String>>,
    Names: Vec<String>,
    Namespaces: serde_json::Value,
    Networks: Option<Vec<String>>,
    Pid: i64,
    Pod: String,
    PodName: String,
    Ports: Option<Vec<containers::PortMapping>>,
    Size: Option<containers::ContainerSize>,
    StartedAt: i64,
    State: String,
    Status: String,
    Created: i64,
}

impl JsonEntry {
    fn new(container: &ListContainer, now: &Timestamp) -> Self {
        let created =
            Timestamp::parse_rfc3339(&container.created).unwrap_or(Timestamp::from_unix(0));
        let row = PsRow::new(container, true, now);
        JsonEntry {
            AutoRemove: container.auto_remove,
            Command: container.command.clone(),
            CreatedAt: humanize::time_ago(&created, now),
            Exited: container.exited,
            ExitedAt: container.exited_at,
            ExitCode: container.exit_code,
            Id: container.id.clone(),
            Image: container.image.clone(),
            ImageID: container.image_id.clone(),
            IsInfra: container.is_infra,
            Labels: container.labels.clone(),
            Mounts: container.mounts.clone(),
            Names: container.names.clone(),
            Namespaces: container.namespaces.clone(),
            Networks: container.networks.clone(),
            Pid: container.pid,
            Pod: container.pod.clone(),
            PodName: container.pod_name.clone(),
            Ports: container.ports.clone(),
            Size: container.size.clone(),
            StartedAt: container.started_at,
            State: container.state.clone(),
            Status: row.Status,
            Created: created.secs,
        }
    }
}
