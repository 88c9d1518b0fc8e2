//! `berth network ls`: podman's NETWORK ID / NAME / DRIVER table, sorted
//! by name, `--format` templates over its network fields, `--format json`,
//! `-q`, `--no-trunc`, `--filter`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::cli::network::NetworkLsArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{filter_map, print_json_list};
use crate::output::humanize::Timestamp;
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &NetworkLsArgs) -> anyhow::Result<u8> {
    let filters = filter_map(&args.list.filters)?;
    let client = crate::connection::connect(global).await?;
    let mut listed = berth_client::api::networks::list(&client, &filters).await?;
    listed.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    if args.list.quiet {
        for network in &listed {
            print_line(network["name"].as_str().unwrap_or_default())?;
        }
        return Ok(0);
    }
    if args.list.format.as_deref().is_some_and(report::is_json) {
        return print_json_list(&listed);
    }
    let rows: Vec<NetworkRow> = listed
        .iter()
        .map(|network| NetworkRow::new(network, args.no_trunc))
        .collect();
    let options = report::ListOptions {
        name: "ls",
        format: args.list.format.as_deref(),
        default_format: "{{range .}}{{.ID}}\t{{.Name}}\t{{.Driver}}\n{{end -}}",
        noheading: args.list.noheading,
    };
    let headers = report::headers_of::<NetworkRow>(&[
        ("Name", "name"),
        ("Driver", "driver"),
        ("Labels", "labels"),
        ("ID", "network id"),
    ]);
    drop(report::render_list(
        std::io::stdout().lock(),
        &options,
        &headers,
        &rows,
    )?);
    Ok(0)
}

/// podman's `ListPrintReports` (a network whose `Labels` is `k=v,...`
/// and whose `ID` is truncated) as a template sees it.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "network.ListPrintReports")]
#[allow(non_snake_case)]
struct NetworkRow {
    Name: String,
    ID: String,
    Driver: String,
    NetworkInterface: String,
    Created: String,
    Subnets: Vec<Value>,
    IPv6Enabled: bool,
    Internal: bool,
    DNSEnabled: bool,
    Labels: String,
    Options: BTreeMap<String, String>,
    IPAMOptions: BTreeMap<String, String>,
}

impl NetworkRow {
    fn new(network: &Value, no_trunc: bool) -> Self {
        let text = |key: &str| network[key].as_str().unwrap_or_default().to_string();
        let map = |key: &str| -> BTreeMap<String, String> {
            serde_json::from_value(network[key].clone()).unwrap_or_default()
        };
        let id = text("id");
        let labels: Vec<String> = map("labels")
            .into_iter()
            .map(|(key, value)| format!("{key}={value}"))
            .collect();
        NetworkRow {
            Name: text("name"),
            ID: if no_trunc {
                id
            } else {
                id.chars().take(12).collect()
            },
            Driver: text("driver"),
            NetworkInterface: text("network_interface"),
            Created: Timestamp::parse_rfc3339(&text("created"))
                .unwrap_or(Timestamp::from_unix(0))
                .go_string(),
            Subnets: network["subnets"].as_array().cloned().unwrap_or_default(),
            IPv6Enabled: network["ipv6_enabled"].as_bool().unwrap_or_default(),
            Internal: network["internal"].as_bool().unwrap_or_default(),
            DNSEnabled: network["dns_enabled"].as_bool().unwrap_or_default(),
            Labels: labels.join(","),
            Options: map("options"),
            IPAMOptions: map("ipam_options"),
        }
    }
}
