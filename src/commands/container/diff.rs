//! `berth diff` (`container diff`, `image diff`): the paths that changed
//! against the parent layer (or a second container/image), as podman's
//! `C /etc` lines or its `--format json` object.

use berth_client::api::archive;

use super::print_line;
use crate::cli::archive::DiffArgs;
use crate::cli::GlobalArgs;
use crate::output::json;

/// `kind` is the engine's diff type: `all` (top-level `diff`),
/// `container` or `image`.
pub async fn run(global: &GlobalArgs, args: &DiffArgs, kind: &str) -> anyhow::Result<u8> {
    if let Some(format) = &args.format {
        if format != "json" {
            anyhow::bail!("only supported value for '--format' is 'json'");
        }
    }
    let Some(name) = &args.name else {
        let command = match kind {
            "all" => "diff".to_string(),
            group => format!("{group} diff"),
        };
        anyhow::bail!("\"berth {command}\" requires a name, id, or the \"--latest\" flag");
    };
    let client = crate::connection::connect(global).await?;
    let changes = archive::changes(&client, name, args.parent.as_deref(), kind).await?;
    if args.format.is_some() {
        let paths = |kind: u8| -> Vec<&str> {
            changes
                .iter()
                .filter(|change| change.kind == kind)
                .map(|change| change.path.as_str())
                .collect()
        };
        let report = ChangesJson {
            changed: paths(0),
            added: paths(1),
            deleted: paths(2),
        };
        let style = json::Style {
            indent: Some("     "),
            escape_html: true,
        };
        print_line(&json::to_string_styled(&report, style)?)?;
        return Ok(0);
    }
    for change in &changes {
        let letter = match change.kind {
            0 => 'C',
            1 => 'A',
            _ => 'D',
        };
        print_line(&format!("{letter} {}", change.path))?;
    }
    Ok(0)
}

/// podman's `ChangesReportJSON`.
#[derive(serde::Serialize)]
struct ChangesJson<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changed: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    added: Vec<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    deleted: Vec<&'a str>,
}
