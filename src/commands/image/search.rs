//! `berth search TERM`: the engine searches the registry; results print in
//! podman's columns, `--format` templates or json.

use std::io::Write;

use berth_client::api::registry::{self, SearchOptions, SearchResult};
use serde::Serialize;

use crate::cli::registry::SearchArgs;
use crate::cli::GlobalArgs;
use crate::commands::registry::registry_auth;
use crate::output::{json, report};

/// One row, with podman's field names.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "entities.ImageSearchReport")]
#[allow(non_snake_case)]
struct Row {
    Index: String,
    Name: String,
    Description: String,
    Stars: i64,
    Official: String,
    Automated: String,
    Tag: String,
}

impl From<&SearchResult> for Row {
    fn from(result: &SearchResult) -> Self {
        Row {
            Index: result.index.clone(),
            Name: result.name.clone(),
            Description: result.description.clone(),
            Stars: result.stars,
            Official: result.official.clone(),
            Automated: result.automated.clone(),
            Tag: result.tag.clone(),
        }
    }
}

pub async fn run(global: &GlobalArgs, args: &SearchArgs) -> anyhow::Result<u8> {
    let mut filters = std::collections::BTreeMap::<String, Vec<String>>::new();
    for filter in &args.filters {
        let (key, value) = filter.split_once('=').unwrap_or((filter, "true"));
        filters
            .entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    let options = SearchOptions {
        limit: args.limit,
        filters,
        list_tags: args.list_tags,
        tls_verify: args.tls_verify,
        registry_auth: registry_auth(None, args.authfile.as_deref())?,
    };
    let client = crate::connection::connect(global).await?;
    let results = registry::search(&client, &args.term, &options).await?;
    let rows: Vec<Row> = results
        .iter()
        .map(|result| {
            let mut row = Row::from(result);
            if !args.no_trunc && row.Description.chars().count() > 44 {
                row.Description = row.Description.chars().take(44).collect::<String>() + "...";
            }
            row
        })
        .collect();
    if let Some(format) = args.format.as_deref().filter(|f| report::is_json(f)) {
        let _ = format;
        crate::commands::container::print_line(&json::to_string_pretty(&rows, "    ")?)?;
        return Ok(0);
    }
    let default_format = if args.list_tags {
        "{{range .}}{{.Name}}\t{{.Tag}}\n{{end -}}"
    } else if args.compatible {
        "{{range .}}{{.Name}}\t{{.Description}}\t{{.Stars}}\t{{.Official}}\t{{.Automated}}\n{{end -}}"
    } else {
        "{{range .}}{{.Name}}\t{{.Description}}\n{{end -}}"
    };
    let headers = report::headers_of::<Row>(&[]);
    let options = report::ListOptions {
        name: "search",
        format: args.format.as_deref(),
        default_format,
        noheading: false,
    };
    let mut out = report::render_list(std::io::stdout().lock(), &options, &headers, &rows)?;
    out.flush()?;
    Ok(0)
}
