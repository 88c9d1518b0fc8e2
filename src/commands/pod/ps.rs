//! `berth pod ps`: podman's POD ID / NAME / STATUS / CREATED / INFRA ID /
//! # OF CONTAINERS table (with `--ctr-ids`, `--ctr-names`, `--ctr-status`,
//! `--ns`), `--format` templates over its `ListPodReporter`, `--format
//! json`, `-q`, `--filter`, `--sort`, `--no-trunc`.

use std::collections::BTreeMap;

use berth_client::api::pods::ListPodsReport;
use serde::Serialize;

use crate::cli::pod::PodPsArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{filter_map, print_json_list, split_commas};
use crate::output::humanize::{time_ago, Timestamp};
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &PodPsArgs) -> anyhow::Result<u8> {
    if args.list.quiet && args.list.format.as_deref().is_some_and(|f| !f.is_empty()) {
        anyhow::bail!("quiet and format cannot be used together");
    }
    let filters = filter_map(&split_commas(&args.list.filters))?;
    let client = crate::connection::connect(global).await?;
    let json = args.list.format.as_deref().is_some_and(report::is_json);
    // `--format json` prints the engine's objects as they came.
    let mut raw = if json {
        berth_client::api::pods::list_raw(&client, &filters).await?
    } else {
        Vec::new()
    };
    let mut listed: Vec<ListPodsReport> = if json {
        raw.iter()
            .map(|pod| serde_json::from_value(pod.clone()).unwrap_or_default())
            .collect()
    } else {
        berth_client::api::pods::list(&client, &filters).await?
    };
    let order = sort_order(&listed, &args.sort)?;
    if json {
        raw = order.iter().map(|&i| raw[i].clone()).collect();
        return print_json_list(&raw);
    }
    listed = order.iter().map(|&i| listed[i].clone()).collect();
    if args.list.quiet {
        for pod in &listed {
            print_line(&pod.id)?;
        }
        return Ok(0);
    }
    let now = Timestamp::now();
    let rows: Vec<PodRow> = listed
        .iter()
        .map(|pod| PodRow::new(pod, args.no_trunc, &now))
        .collect();
    let options = report::ListOptions {
        name: "ps",
        format: args.list.format.as_deref(),
        default_format: &default_format(args),
        noheading: args.list.noheading,
    };
    let headers = report::headers(
        ["ListPodsReport"],
        &[
            ("Id", "POD ID"),
            ("Name", "NAME"),
            ("Status", "STATUS"),
            ("Labels", "LABELS"),
            ("NumberOfContainers", "# OF CONTAINERS"),
            ("Created", "CREATED"),
            ("InfraID", "INFRA ID"),
            ("ContainerIds", "IDS"),
            ("ContainerNames", "NAMES"),
            ("ContainerStatuses", "STATUS"),
            ("Cgroup", "CGROUP"),
            ("Namespace", "NAMESPACES"),
        ],
    );
    drop(report::render_list(
        std::io::stdout().lock(),
        &options,
        &headers,
        &rows,
    )?);
    Ok(0)
}

/// podman's default columns for the flags given.
fn default_format(args: &PodPsArgs) -> String {
    let mut row = vec![
        "{{.Id}}",
        "{{.Name}}",
        "{{.Status}}",
        "{{.Created}}",
        "{{.InfraID}}",
    ];
    if args.ctr_ids {
        row.push("{{.ContainerIds}}");
    }
    if args.ctr_names {
        row.push("{{.ContainerNames}}");
    }
    if args.ctr_status {
        row.push("{{.ContainerStatuses}}");
    }
    if args.namespace {
        row.extend(["{{.Cgroup}}", "{{.Namespace}}"]);
    }
    if !args.ctr_status && !args.ctr_names && !args.ctr_ids {
        row.push("{{.NumberOfContainers}}");
    }
    format!("{{{{range . }}}}{}\n{{{{end -}}}}", row.join("\t"))
}

/// The order podman's `--sort` gives (newest first for `created`).
fn sort_order(pods: &[ListPodsReport], key: &str) -> anyhow::Result<Vec<usize>> {
    let mut order: Vec<usize> = (0..pods.len()).collect();
    let created = |pod: &ListPodsReport| {
        Timestamp::parse_rfc3339(&pod.created).map_or((0, 0), |t| (t.secs, t.nanos))
    };
    match key {
        "created" => order.sort_by(|&a, &b| created(&pods[b]).cmp(&created(&pods[a]))),
        "id" => order.sort_by(|&a, &b| pods[a].id.cmp(&pods[b].id)),
        "name" => order.sort_by(|&a, &b| pods[a].name.cmp(&pods[b].name)),
        "number" => order.sort_by_key(|&i| pods[i].containers.len()),
        "status" => order.sort_by(|&a, &b| pods[a].status.cmp(&pods[b].status)),
        _ => anyhow::bail!("invalid option for --sort, options are: id, names, or number"),
    }
    Ok(order)
}

/// podman's `ListPodReporter`: the pod with its methods (truncated ids,
/// human creation time, joined container columns) shadowing the fields.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "pods.ListPodReporter")]
#[allow(non_snake_case)]
struct PodRow {
    Cgroup: String,
    Created: String,
    Id: String,
    ID: String,
    InfraId: String,
    InfraID: String,
    Name: String,
    Namespace: String,
    Networks: String,
    Status: String,
    Labels: BTreeMap<String, String>,
    NumberOfContainers: usize,
    ContainerIds: String,
    ContainerNames: String,
    ContainerStatuses: String,
}

impl PodRow {
    fn new(pod: &ListPodsReport, no_trunc: bool, now: &Timestamp) -> Self {
        let short = |id: &str| -> String {
            if no_trunc {
                id.to_string()
            } else {
                id.chars().take(12).collect()
            }
        };
        let created = Timestamp::parse_rfc3339(&pod.created).unwrap_or(Timestamp::from_unix(0));
        let join = |part: fn(&berth_client::api::pods::ListPodContainer) -> String| {
            pod.containers
                .iter()
                .map(part)
                .collect::<Vec<_>>()
                .join(",")
        };
        PodRow {
            Cgroup: pod.cgroup.clone(),
            Created: time_ago(&created, now),
            Id: short(&pod.id),
            ID: short(&pod.id),
            InfraId: short(&pod.infra_id),
            InfraID: short(&pod.infra_id),
            Name: pod.name.clone(),
            Namespace: pod.namespace.clone(),
            Networks: pod.networks.clone().unwrap_or_default().join(","),
            Status: pod.status.clone(),
            Labels: pod.labels.clone().unwrap_or_default(),
            NumberOfContainers: pod.containers.len(),
            ContainerIds: if no_trunc {
                join(|c| c.id.clone())
            } else {
                join(|c| c.id.chars().take(12).collect())
            },
            ContainerNames: join(|c| c.names.clone()),
            ContainerStatuses: join(|c| c.status.clone()),
        }
    }
}
