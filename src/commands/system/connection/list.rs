//! `berth system connection list (ls)`: every connection from the
//! connections file and containers.conf, sorted by name, in podman 5's
//! columns (Name, URI, Identity, Default, ReadWrite) or `--format`.

use std::io::Write;

use berth_client::connection::{Connection, ConnectionConfig, ConnectionStore};
use serde::Serialize;

use crate::cli::system::ConnectionListArgs;
use crate::commands::system::format;

/// One connection as podman 5 prints it in JSON.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row<'a> {
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

const DEFAULT_FORMAT: &str =
    "table {{.Name}}\t{{.URI}}\t{{.Identity}}\t{{.Default}}\t{{.ReadWrite}}";

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
    let values = rows
        .iter()
        .map(|row| {
            // Templates see every field, also the ones JSON omits when empty.
            let mut value = serde_json::to_value(row)?;
            value["Identity"] = row.identity.into();
            value["IsMachine"] = row.is_machine.into();
            Ok(value)
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let headers = serde_json::json!({
        "Name": "Name", "URI": "URI", "Identity": "Identity", "Default": "Default",
        "ReadWrite": "ReadWrite", "IsMachine": "IsMachine",
    });
    let format = args.format.as_deref().unwrap_or(DEFAULT_FORMAT);
    let text = format::render_rows(format, &values, &headers, || json_indented(&rows))?;
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(0)
}

/// JSON indented by four spaces, as podman's `MarshalIndent(rows, "", "    ")`.
fn json_indented<T: Serialize>(value: &T) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    match value.serialize(&mut serializer) {
        Ok(()) => String::from_utf8(out).unwrap_or_default(),
        Err(_) => String::new(),
    }
}
