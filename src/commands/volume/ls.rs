//! `berth volume ls`: podman's DRIVER / VOLUME NAME table, `--format`
//! templates over its `VolumeListReport` fields, `--format json`, `-q`,
//! `--filter`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::cli::volume::VolumeLsArgs;
use crate::cli::GlobalArgs;
use crate::commands::objects::{filter_map, print_json_list, split_commas};
use crate::output::humanize::Timestamp;
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &VolumeLsArgs) -> anyhow::Result<u8> {
    if args.list.quiet && args.list.format.is_some() {
        anyhow::bail!("quiet and format flags cannot be used together");
    }
    let filters = filter_map(&split_commas(&args.list.filters))?;
    let client = crate::connection::connect(global).await?;
    let listed = berth_client::api::volumes::list(&client, &filters).await?;
    if args.list.format.as_deref().is_some_and(report::is_json) {
        return print_json_list(&listed);
    }
    if listed.is_empty() {
        return Ok(0);
    }
    let rows: Vec<VolumeRow> = listed.iter().map(VolumeRow::new).collect();
    let format = match (&args.list.format, args.list.quiet) {
        (Some(format), _) => Some(format.as_str()),
        (None, true) => Some("{{.Name}}\n"),
        (None, false) => None,
    };
    let options = report::ListOptions {
        name: "ls",
        format,
        default_format: "{{range .}}{{.Driver}}\t{{.Name}}\n{{end -}}",
        noheading: args.list.noheading,
    };
    let headers = report::headers_of::<VolumeRow>(&[("Name", "volume name")]);
    drop(report::render_list(
        std::io::stdout().lock(),
        &options,
        &headers,
        &rows,
    )?);
    Ok(0)
}

/// podman's `VolumeListReport` as a template sees it.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "*entities.VolumeListReport")]
#[allow(non_snake_case)]
pub(crate) struct VolumeRow {
    Name: String,
    Driver: String,
    Mountpoint: String,
    CreatedAt: String,
    Status: BTreeMap<String, Value>,
    Labels: BTreeMap<String, String>,
    Scope: String,
    Options: BTreeMap<String, String>,
    UID: i64,
    GID: i64,
    Anonymous: bool,
    MountCount: u64,
    NeedsCopyUp: bool,
    NeedsChown: bool,
    Timeout: u64,
    StorageID: String,
}

impl VolumeRow {
    pub(crate) fn new(volume: &Value) -> Self {
        let text = |key: &str| volume[key].as_str().unwrap_or_default().to_string();
        let map = |key: &str| -> BTreeMap<String, String> {
            serde_json::from_value(volume[key].clone()).unwrap_or_default()
        };
        VolumeRow {
            Name: text("Name"),
            Driver: text("Driver"),
            Mountpoint: text("Mountpoint"),
            CreatedAt: Timestamp::parse_rfc3339(&text("CreatedAt"))
                .unwrap_or(Timestamp::from_unix(0))
                .go_string(),
            Status: serde_json::from_value(volume["Status"].clone()).unwrap_or_default(),
            Labels: map("Labels"),
            Scope: text("Scope"),
            Options: map("Options"),
            UID: volume["UID"].as_i64().unwrap_or_default(),
            GID: volume["GID"].as_i64().unwrap_or_default(),
            Anonymous: volume["Anonymous"].as_bool().unwrap_or_default(),
            MountCount: volume["MountCount"].as_u64().unwrap_or_default(),
            NeedsCopyUp: volume["NeedsCopyUp"].as_bool().unwrap_or_default(),
            NeedsChown: volume["NeedsChown"].as_bool().unwrap_or_default(),
            Timeout: volume["Timeout"].as_u64().unwrap_or_default(),
            StorageID: text("StorageID"),
        }
    }
}
