//! `berth generate systemd {CONTAINER|POD}`: systemd units made by the
//! engine (for the engine's host), printed, written as `NAME.service`
//! files in the current directory (`--files`), or as JSON.

use std::collections::BTreeMap;
use std::io::Write;

use berth_client::api::systemd::{self, SystemdOptions};

use crate::cli::kube::GenerateSystemdArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{go_io_reason, print_line, warn};
use crate::output::report::is_json;

pub async fn run(global: &GlobalArgs, args: &GenerateSystemdArgs) -> anyhow::Result<u8> {
    warn("The generated units should be placed on your remote system");
    // Checked before anything is written (podman checks it last).
    let json = is_json(&args.format);
    if !json && !args.format.is_empty() {
        anyhow::bail!("unknown --format argument: {}", args.format);
    }
    let options = options(args, &std::env::vars().collect::<Vec<_>>())?;
    let client = crate::connection::connect(global).await?;
    let mut units = systemd::generate(&client, &args.target, &options).await?;
    if args.files {
        let cwd = std::env::current_dir()
            .map_err(|err| anyhow::anyhow!("getting current working directory: {err}"))?;
        for (name, content) in units.iter_mut() {
            let path = cwd.join(format!("{name}.service"));
            std::fs::write(&path, content.as_bytes()).map_err(|err| {
                anyhow::anyhow!("open {}: {}", path.display(), go_io_reason(&err))
            })?;
            // The unit's path takes the place of its text in the output.
            *content = path.display().to_string();
            if !json {
                content.push('\n');
            }
        }
    }
    if json {
        print_json(&units)?;
    } else {
        let mut stdout = std::io::stdout().lock();
        for content in units.values() {
            stdout.write_all(content.as_bytes())?;
        }
        stdout.flush()?;
    }
    Ok(0)
}

/// The request's options from the flags, after podman's checks; `env` is
/// the process environment, for `-e KEY` and `-e PREFIX*`.
fn options(args: &GenerateSystemdArgs, env: &[(String, String)]) -> anyhow::Result<SystemdOptions> {
    if args.new == Some(false) && args.template {
        anyhow::bail!("--template cannot be set with --new=false");
    }
    let stop_timeout = match (args.stop_timeout, args.time) {
        (Some(_), Some(_)) => {
            anyhow::bail!("stop-timeout and time are redundant and cannot be used together")
        }
        (stop, time) => stop.or(time),
    };
    Ok(SystemdOptions {
        use_name: args.use_names,
        new: args.new.unwrap_or(false) || args.template,
        no_header: args.no_header,
        template: args.template,
        container_prefix: Some(args.container_prefix.clone()),
        pod_prefix: Some(args.pod_prefix.clone()),
        separator: Some(args.separator.clone()),
        restart_policy: args.restart_policy.clone(),
        restart_sec: args.restart_sec,
        start_timeout: args.start_timeout,
        stop_timeout,
        wants: args.wants.clone(),
        after: args.after.clone(),
        requires: args.requires.clone(),
        env: parse_env(&args.env, env)?,
    })
}

/// podman's `env.ParseSlice`: `KEY=VALUE`, `KEY` (the value from the
/// environment, skipped when unset) and `PREFIX*` (every variable whose
/// name starts with PREFIX), as sorted `KEY=VALUE` lines.
fn parse_env(flags: &[String], env: &[(String, String)]) -> anyhow::Result<Vec<String>> {
    let mut variables = BTreeMap::new();
    for flag in flags {
        let (key, value) = match flag.split_once('=') {
            Some((key, value)) => (key, Some(value)),
            None => (flag.as_str(), None),
        };
        if key.chars().any(char::is_whitespace) {
            anyhow::bail!("parsing environment variables: name {key:?} has white spaces, poorly formatted name");
        }
        match (value, key.strip_suffix('*')) {
            (Some(value), _) => {
                variables.insert(key.to_string(), value.to_string());
            }
            (None, Some(prefix)) => {
                variables.extend(
                    env.iter()
                        .filter(|(name, _)| name.starts_with(prefix))
                        .cloned(),
                );
            }
            (None, None) => {
                if let Some((_, value)) = env.iter().find(|(name, _)| name == key) {
                    variables.insert(key.to_string(), value.clone());
                }
            }
        }
    }
    Ok(variables
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect())
}

/// podman's `json.MarshalIndent(units, "", " ")`.
fn print_json(units: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let text = crate::output::json::to_string_pretty(units, " ")?;
    print_line(&text)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> Vec<(String, String)> {
        vec![
            ("HOME".to_string(), "/root".to_string()),
            ("LC_ALL".to_string(), "C".to_string()),
            ("LC_TIME".to_string(), "C.UTF-8".to_string()),
        ]
    }

    #[test]
    fn env_flags_take_values_from_the_environment() {
        let flags = ["B=2", "HOME", "UNSET", "LC_*", "A=x=y"].map(String::from);
        assert_eq!(
            parse_env(&flags, &env()).unwrap(),
            ["A=x=y", "B=2", "HOME=/root", "LC_ALL=C", "LC_TIME=C.UTF-8"]
        );
        let err = parse_env(&["BAD KEY=1".to_string()], &env()).unwrap_err();
        assert!(err.to_string().contains("has white spaces"), "{err}");
    }
}
