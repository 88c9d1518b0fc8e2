//! `berth version`: the client's and the server's versions, in podman's
//! layout (`Client:` and `Server:` blocks, or `--format json|TEMPLATE`).

use std::io::Write;

use berth_client::api::system::VersionReport;
use serde::Serialize;

use crate::cli::system::VersionArgs;
use crate::cli::GlobalArgs;
use crate::output::template::Value;
use crate::output::{json, report};

/// One side of `version`, with podman's JSON field names.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SideVersion {
    #[serde(rename = "APIVersion")]
    pub api_version: String,
    pub version: String,
    pub go_version: String,
    pub git_commit: String,
    pub built_time: String,
    pub built: i64,
    pub os_arch: String,
    pub os: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionOutput {
    pub client: SideVersion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub server: Option<SideVersion>,
}

pub async fn run(global: &GlobalArgs, args: &VersionArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let report = berth_client::api::system::version(&client).await?;
    let output = VersionOutput {
        client: client_version(),
        server: Some(server_version(&report)),
    };
    let text = match args.format.as_deref() {
        None | Some("") => render_text(&output),
        // podman prints `json.Marshal(versions)`: compact, one line.
        Some(format) if report::is_json(format) => {
            let value = Value::from_serialize(&output)?;
            let style = json::Style {
                indent: None,
                escape_html: true,
            };
            json::encode(&value, style)? + "\n"
        }
        Some(format) => {
            let (template, _) = report::parse_template("version", format)?;
            template.execute(&output)?
        }
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(0)
}

/// berth itself: its version and the libpod API it speaks.
fn client_version() -> SideVersion {
    let os = go_os();
    SideVersion {
        api_version: berth_client::MIN_LIBPOD_API.to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        git_commit: crate::build_info::GIT_COMMIT.to_string(),
        os_arch: format!("{os}/{}", go_arch()),
        os: os.to_string(),
        ..SideVersion::default()
    }
}

/// The server side as podman's remote client derives it from the
/// "Podman Engine" component.
fn server_version(report: &VersionReport) -> SideVersion {
    let Some(engine) = report.engine() else {
        return SideVersion {
            version: report.version.clone(),
            api_version: report.api_version.clone(),
            go_version: report.go_version.clone(),
            os_arch: format!("{}/{}", report.os, report.arch),
            os: report.os.clone(),
            ..SideVersion::default()
        };
    };
    let built = chrono::DateTime::parse_from_rfc3339(engine.detail("BuildTime"))
        .map(|time| time.timestamp())
        .unwrap_or(0);
    SideVersion {
        api_version: engine.detail("APIVersion").to_string(),
        version: engine.version.clone(),
        go_version: engine.detail("GoVersion").to_string(),
        git_commit: engine.detail("GitCommit").to_string(),
        built_time: ansic_local(built),
        built,
        os_arch: format!("{}/{}", engine.detail("Os"), engine.detail("Arch")),
        os: engine.detail("Os").to_string(),
    }
}

/// Go's `time.ANSIC` layout in local time: `Thu Jan  1 00:00:00 1970`.
fn ansic_local(unix: i64) -> String {
    use chrono::TimeZone;
    match chrono::Local.timestamp_opt(unix, 0).single() {
        Some(time) => time.format("%a %b %e %H:%M:%S %Y").to_string(),
        None => String::new(),
    }
}

fn render_text(output: &VersionOutput) -> String {
    let mut text = String::new();
    render_side(&mut text, "berth", &output.client);
    if let Some(server) = &output.server {
        text.push('\n');
        render_side(&mut text, "Podman Engine", server);
    }
    text
}

fn render_side(text: &mut String, title: &str, side: &SideVersion) {
    let heading = if title == "berth" {
        "Client:"
    } else {
        "Server:"
    };
    let mut line = |key: &str, value: &str| text.push_str(&format!("{key:<14}{value}\n"));
    line(heading, title);
    line("Version:", &side.version);
    line("API Version:", &side.api_version);
    if !side.go_version.is_empty() {
        line("Go Version:", &side.go_version);
    }
    if !side.git_commit.is_empty() {
        line("Git Commit:", &side.git_commit);
    }
    if !side.built_time.is_empty() {
        line("Built:", &side.built_time);
    }
    line("OS/Arch:", &side.os_arch);
}

/// The host OS in Go's spelling (`GOOS`).
fn go_os() -> &'static str {
    match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    }
}

/// The host architecture in Go's spelling (`GOARCH`).
fn go_arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_layout_matches_podman() {
        let output = VersionOutput {
            client: SideVersion {
                api_version: "4.0.0".into(),
                version: "0.1.0".into(),
                os_arch: "linux/amd64".into(),
                ..Default::default()
            },
            server: Some(SideVersion {
                api_version: "4.3.1".into(),
                version: "4.3.1".into(),
                go_version: "go1.19.8".into(),
                built_time: "Thu Jan  1 00:00:00 1970".into(),
                os_arch: "linux/amd64".into(),
                ..Default::default()
            }),
        };
        assert_eq!(
            render_text(&output),
            "Client:       berth\nVersion:      0.1.0\nAPI Version:  4.0.0\nOS/Arch:      linux/amd64\n\n\
             Server:       Podman Engine\nVersion:      4.3.1\nAPI Version:  4.3.1\nGo Version:   go1.19.8\n\
             Built:        Thu Jan  1 00:00:00 1970\nOS/Arch:      linux/amd64\n"
        );
    }
}
