//! `berth secret ls`: podman's ID / NAME / DRIVER / CREATED / UPDATED
//! table, `--format` templates, `-q`, `--filter`.

use serde::Serialize;

use crate::cli::secret::SecretLsArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{filter_map, split_commas};
use crate::output::humanize::{time_ago, Timestamp};
use crate::output::{json, report};

pub async fn run(global: &GlobalArgs, args: &SecretLsArgs) -> anyhow::Result<u8> {
    let filters = filter_map(&split_commas(&args.list.filters))?;
    let client = crate::connection::connect(global).await?;
    let listed = berth_client::api::secrets::list(&client, &filters).await?;
    let now = Timestamp::now();
    let rows: Vec<SecretRow> = listed
        .iter()
        .map(|secret| {
            let ago = |key: &str| {
                let time = Timestamp::parse_rfc3339(secret[key].as_str().unwrap_or_default())
                    .unwrap_or(Timestamp::from_unix(0));
                time_ago(&time, &now)
            };
            SecretRow {
                ID: secret["ID"].as_str().unwrap_or_default().to_string(),
                Name: secret["Spec"]["Name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                Driver: secret["Spec"]["Driver"]["Name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                CreatedAt: ago("CreatedAt"),
                UpdatedAt: ago("UpdatedAt"),
            }
        })
        .collect();
    if args.list.quiet && args.list.format.is_none() {
        for row in &rows {
            print_line(&row.ID)?;
        }
        return Ok(0);
    }
    if args.list.format.as_deref().is_some_and(report::is_json) {
        // podman 4.3 prints the word `json` here; later podmans the rows.
        print_line(&json::to_string_pretty(&rows, "    ")?)?;
        return Ok(0);
    }
    let options = report::ListOptions {
        name: "ls",
        format: args.list.format.as_deref(),
        default_format:
            "{{range .}}{{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.CreatedAt}}\t{{.UpdatedAt}}\n{{end -}}",
        noheading: args.list.noheading,
    };
    let headers =
        report::headers_of::<SecretRow>(&[("CreatedAt", "created"), ("UpdatedAt", "updated")]);
    drop(report::render_list(
        std::io::stdout().lock(),
        &options,
        &headers,
        &rows,
    )?);
    Ok(0)
}

/// podman's `SecretListReport`.
#[derive(Debug, Default, Serialize)]
#[serde(rename = "*entities.SecretListReport")]
#[allow(non_snake_case)]
struct SecretRow {
    ID: String,
    Name: String,
    Driver: String,
    CreatedAt: String,
    UpdatedAt: String,
}
