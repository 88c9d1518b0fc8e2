//! `berth history IMAGE`: the image's layers (ID, CREATED, CREATED BY,
//! SIZE, COMMENT), `--no-trunc`, `-H=false`, `-q`, `--format` and json.

use std::io::Write;

use berth_client::api::images::{self, HistoryEntry};
use serde::Serialize;

use crate::cli::image::HistoryArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::{self, Timestamp};
use crate::output::report::{self, Formatter, Origin, Report};

pub async fn run(global: &GlobalArgs, args: &HistoryArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let layers = images::history(&client, &args.image).await?;
    let mut stdout = std::io::stdout().lock();

    if args.format.as_deref().is_some_and(report::is_json) {
        if layers.is_empty() {
            writeln!(stdout, "[]")?;
        } else {
            let entries: Vec<JsonLayer> = layers.iter().map(JsonLayer::new).collect();
            let text = crate::output::json::encode(
                &crate::output::template::Value::from_serialize(&entries)?,
                crate::output::json::Style {
                    indent: None,
                    escape_html: true,
                },
            )?;
            writeln!(stdout, "{text}")?;
        }
        stdout.flush()?;
        return Ok(0);
    }

    let now = Timestamp::now();
    let rows: Vec<HistoryRow> = layers
        .iter()
        .map(|layer| HistoryRow::new(layer, args, &now))
        .collect();
    let formatter = if args.quiet {
        Formatter::parse("history", Origin::User, "{{range .}}{{.ID}}\n{{end -}}")?
    } else if let Some(format) = &args.format {
        Formatter::parse("history", Origin::User, format)?
    } else {
        Formatter::parse(
            "history",
            Origin::Podman,
            "{{range .}}{{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}\n{{end -}}",
        )?
    };
    let headers = formatter.render_headers();
    let mut report = Report::new(stdout, formatter);
    let result = (|| {
        if headers {
            report.execute_value(&report::headers(
                ["ID", "Created", "CreatedBy", "Size", "Comment", "Tags"],
                &[("CreatedBy", "CREATED BY")],
            ))?;
        }
        report.execute(&rows)
    })();
    report.flush()?;
    result?;
    Ok(0)
}

/// podman's `historyReporter`.
#[derive(Debug, Serialize)]
#[serde(rename = "images.historyReporter")]
#[allow(non_snake_case)]
struct HistoryRow {
    ID: String,
    Created: String,
    CreatedAt: String,
    CreatedSince: String,
    CreatedBy: String,
    Tags: Vec<String>,
    Size: String,
    Comment: String,
}

impl HistoryRow {
    fn new(layer: &HistoryEntry, args: &HistoryArgs, now: &Timestamp) -> Self {
        let created = Timestamp::from_unix(layer.created);
        let created_text = if args.human {
            humanize::time_ago(&created, now)
        } else {
            super::list::rfc3339_utc(layer.created)
        };
        let created_by = if !args.no_trunc && layer.created_by.len() > 45 {
            let mut end = 42;
            while !layer.created_by.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}...", &layer.created_by[..end])
        } else {
            layer.created_by.clone()
        };
        let id = if !args.no_trunc && layer.id.len() >= 12 {
            layer.id[..12].to_string()
        } else {
            layer.id.clone()
        };
        HistoryRow {
            ID: id,
            CreatedSince: created_text.clone(),
            Created: created_text,
            CreatedAt: created.go_string(),
            CreatedBy: created_by,
            Tags: layer.tags.clone().unwrap_or_default(),
            Size: humanize::image_size(layer.size as f64),
            Comment: layer.comment.clone(),
        }
    }
}

/// One layer of `history --format json`, as podman encodes it.
#[derive(Serialize)]
struct JsonLayer {
    id: String,
    created: String,
    #[serde(rename = "CreatedBy")]
    created_by: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    tags: Option<Vec<String>>,
    size: i64,
    #[serde(skip_serializing_if = "String::is_empty")]
    comment: String,
    #[serde(rename = "Created")]
    created_again: String,
}

impl JsonLayer {
    fn new(layer: &HistoryEntry) -> Self {
        let created = super::list::rfc3339_utc(layer.created);
        JsonLayer {
            id: layer.id.clone(),
            created: created.clone(),
            created_by: layer.created_by.clone(),
            tags: layer.tags.clone().filter(|tags| !tags.is_empty()),
            size: layer.size,
            comment: layer.comment.clone(),
            created_again: created,
        }
    }
}
