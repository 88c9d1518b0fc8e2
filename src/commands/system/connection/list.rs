//! `berth system connection list (ls)`: every connection from the
//! connections file and containers.conf, sorted by name, in podman 5's
//! columns (Name, URI, Identity, Default, ReadWrite) or `--format`.

use std::collections::BTreeMap;
use std::io::Write;

use berth_client::connection::{Connection, ConnectionConfig, ConnectionStore};
use serde::Serialize;

use crate::cli::system::ConnectionListArgs;
use crate::output::template::Value;
use crate::output::{json, report};

/// One connection as templates see it (podman's `config.Connection`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row<'a> {
    name: &'a str,
    #[serde(rename = "URI")]
    uri: &'a str,
    identity: &'a str,
    is_machine: bool,
    default: bool,
    read_write: bool,
}

/// The same in `--format json`, where podman omits an empty identity and
/// a false IsMachine.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct JsonRow<'a> {
    name: &'a str,
    #[serde(rename = "URI")]
    uri: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    identity: &'a str,
    #[serde(skip_serializing_if = "is_false")]
    is_machine: bool,
    default: bool,
    read_write: bool,
}

fn is_false(value: &bool) -> bool {
    !*value
}

impl<'a> From<&'a Connection> for Row<'a> {
    fn from(connection: &'a Connection) -> Self {
        Row {
            name: &connection.name,
            uri: &connection.uri,
            identity: &connection.identity,
            is_machine: connection.is_machine,
            default: connection.default,
            read_write: connection.read_write,
        }
    }
}

impl<'a> From<&Row<'a>> for JsonRow<'a> {
    fn from(row: &Row<'a>) -> Self {
        JsonRow {
            name: row.name,
            uri: row.uri,
            identity: row.identity,
            is_machine: row.is_machine,
            default: row.default,
            read_write: row.read_write,
        }
    }
}

const DEFAULT_FORMAT: &str =
    "{{range .}}{{.Name}}\t{{.URI}}\t{{.Identity}}\t{{.Default}}\t{{.ReadWrite}}\n{{end -}}";

pub fn run(store: &ConnectionStore, args: &ConnectionListArgs) -> anyhow::Result<u8> {
    let config = ConnectionConfig::load(store)?;
    let connections = config.all();
    let mut stdout = std::io::stdout().lock();
    if args.quiet {
        for connection in &connections {
            writeln!(stdout, "{}", connection.name)?;
        }
        return Ok(0);
    }
    let rows: Vec<Row> = connections.iter().map(Row::from).collect();
    if args.format.as_deref().is_some_and(report::is_json) {
        let json_rows: Vec<JsonRow> = rows.iter().map(JsonRow::from).collect();
        writeln!(stdout, "{}", json::to_string_pretty(&json_rows, "    ")?)?;
        return Ok(0);
    }
    // podman's header line names the fields as they are, not upper-cased.
    let headers: BTreeMap<String, Value> = [
        "Name",
        "URI",
        "Identity",
        "Default",
        "ReadWrite",
        "IsMachine",
    ]
    .iter()
    .map(|field| (field.to_string(), Value::String(field.to_string())))
    .collect();
    let options = report::ListOptions {
        name: "list",
        format: args.format.as_deref(),
        default_format: DEFAULT_FORMAT,
        noheading: false,
    };
    let mut stdout = report::render_list(
        stdout,
        &options,
        &Value::List(vec![Value::Map(headers)]),
        &rows,
    )?;
    stdout.flush()?;
    Ok(0)
}
