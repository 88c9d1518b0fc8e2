//! `berth secret inspect [--format F | --pretty] SECRET...`: the secrets
//! as JSON (four-space indent, like podman), a template, or podman's
//! human-readable layout.

use std::io::Write;

use serde_json::Value;

use crate::cli::secret::SecretInspectArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::Timestamp;
use crate::output::json::{encode_ordered, Style};
use crate::output::report::{Formatter, Origin, Report};

const PRETTY_TEMPLATE: &str = "ID:              {{.ID}}
Name:              {{.Spec.Name}}
{{- if .Spec.Labels }}
Labels:
{{- range $k, $v := .Spec.Labels }}
 - {{ $k }}{{if $v }}={{ $v }}{{ end }}
{{- end }}{{ end }}
Driver:            {{.Spec.Driver.Name}}
Created at:        {{.CreatedAt}}
Updated at:        {{.UpdatedAt}}";

pub async fn run(global: &GlobalArgs, args: &SecretInspectArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for name in &args.names {
        match berth_client::api::secrets::inspect(&client, name).await {
            Ok(secret) => found.push(secret),
            Err(err) if err.is_not_found() => errors.push(format!("no such secret {name:?}")),
            Err(err) => return Err(err.into()),
        }
    }
    let mut stdout = std::io::stdout().lock();
    let template = if args.pretty {
        Some(PRETTY_TEMPLATE)
    } else {
        args.format.as_deref()
    };
    match template {
        Some(template) => {
            for secret in &mut found {
                for key in ["CreatedAt", "UpdatedAt"] {
                    if let Some(time) = secret[key].as_str().and_then(Timestamp::parse_rfc3339) {
                        secret[key] = Value::String(time.go_string());
                    }
                }
            }
            let formatter = Formatter::parse("inspect", Origin::User, template)?;
            let mut report = Report::new(&mut stdout, formatter);
            let result = report.execute(&found);
            report.flush()?;
            result?;
        }
        None => {
            let style = Style {
                indent: Some("    "),
                escape_html: true,
            };
            writeln!(stdout, "{}", encode_ordered(&Value::from(found), style)?)?;
        }
    }
    stdout.flush()?;
    let Some((first, rest)) = errors.split_first() else {
        return Ok(0);
    };
    for err in rest {
        eprintln!("error inspecting secret: {err}");
    }
    anyhow::bail!("inspecting secret: {first}")
}
