//! `berth container ...` (and the top-level `run`, `ps`, `rm`, ...): one
//! file per verb, plus what they share: podman's exit codes for engine
//! errors, its "print every error but the last" rule, and looking names up
//! before acting on several containers.

pub mod attach;
pub mod checkpoint;
pub mod clone;
pub mod commit;
pub mod cp;
pub mod create;
pub mod diff;
pub mod exec;
pub mod export;
pub mod healthcheck;
pub mod init;
pub mod inspect;
pub mod kill;
pub mod logs;
pub mod pause;
pub mod port;
pub mod prune;
pub mod ps;
pub mod rename;
pub mod restart;
pub mod restore;
pub mod rm;
pub mod run;
mod session;
pub mod spec;
pub mod start;
pub mod stats;
pub mod stop;
pub mod top;
pub mod update;
pub mod wait;

use std::io::Write;

use berth_client::Client;

use crate::cli::container::ContainerCommand;
use crate::cli::GlobalArgs;
use crate::commands::objects::{refuse_remote, refuse_remote_min, refuse_remote_named};
use crate::exit::ExitError;

pub async fn run(global: &GlobalArgs, command: ContainerCommand) -> anyhow::Result<u8> {
    match command {
        ContainerCommand::Attach(args) => attach::run(global, &args).await,
        ContainerCommand::Checkpoint(args) => checkpoint::run(global, &args).await,
        ContainerCommand::Clone(args) => clone::run(global, &args).await,
        ContainerCommand::Restore(args) => restore::run(global, &args).await,
        ContainerCommand::Commit(args) => commit::run(global, &args).await,
        ContainerCommand::Cp(args) => cp::run(global, &args).await,
        ContainerCommand::Diff(args) => diff::run(global, &args, "container").await,
        ContainerCommand::Export(args) => export::run(global, &args).await,
        ContainerCommand::Init(args) => init::run(global, &args).await,
        ContainerCommand::Pause(args) => pause::run(global, &args, pause::Action::Pause).await,
        ContainerCommand::Rename(args) => rename::run(global, &args).await,
        ContainerCommand::Stats(args) => stats::run(global, &args).await,
        ContainerCommand::Unpause(args) => pause::run(global, &args, pause::Action::Unpause).await,
        ContainerCommand::Update(args) => update::run(global, &args).await,
        ContainerCommand::Create(args) => create::run(global, &args).await,
        ContainerCommand::Exec(args) => exec::run(global, &args).await,
        ContainerCommand::Inspect(args) => inspect::run_containers(global, &args).await,
        ContainerCommand::Kill(args) => kill::run(global, &args).await,
        ContainerCommand::List(args) => ps::run(global, &args).await,
        ContainerCommand::Logs(args) => logs::run(global, &args).await,
        ContainerCommand::Port(args) => port::run(global, &args).await,
        ContainerCommand::Restart(args) => restart::run(global, &args).await,
        ContainerCommand::Rm(args) => rm::run(global, &args).await,
        ContainerCommand::Run(args) => run::run(global, &args).await,
        ContainerCommand::Start(args) => start::run(global, &args).await,
        ContainerCommand::Stop(args) => stop::run(global, &args).await,
        ContainerCommand::Top(args) => top::run(global, &args).await,
        ContainerCommand::Prune(args) => prune::run(global, &args).await,
        ContainerCommand::Wait(args) => wait::run(global, &args).await,
        ContainerCommand::Exists(args) => {
            let client = crate::connection::connect(global).await?;
            let found =
                berth_client::api::containers::exists_with(&client, &args.container, args.external)
                    .await?;
            Ok(if found { 0 } else { 1 })
        }
        ContainerCommand::Cleanup(args) => refuse_remote_named("container cleanup", &args.args),
        ContainerCommand::Mount(_) => refuse_remote("container mount"),
        ContainerCommand::Runlabel(args) => refuse_remote_min("container runlabel", &args.args, 2),
        ContainerCommand::Unmount(args) => refuse_remote_named("container unmount", &args.args),
    }
}

/// podman's exit code for an engine error: 127 when the OCI runtime could
/// not find the command, 126 when it could not invoke it, else 125.
pub fn engine_exit_code(err: &berth_client::Error) -> u8 {
    match err {
        berth_client::Error::Api { message, cause, .. } => oci_exit_code(cause)
            .or_else(|| oci_exit_code(message))
            .unwrap_or(crate::exit::GENERIC_ERROR),
        _ => crate::exit::GENERIC_ERROR,
    }
}

/// 127 / 126 for the OCI runtime's "not found" / "permission denied".
pub fn oci_exit_code(text: &str) -> Option<u8> {
    if text.contains("OCI runtime attempted to invoke a command that was not found") {
        Some(127)
    } else if text.contains("OCI permission denied") {
        Some(126)
    } else {
        None
    }
}

/// An engine error that carries podman's exit code for it.
pub fn engine_error(err: berth_client::Error) -> anyhow::Error {
    let code = engine_exit_code(&err);
    if code == crate::exit::GENERIC_ERROR {
        err.into()
    } else {
        ExitError {
            code,
            message: err.to_string(),
        }
        .into()
    }
}

/// podman's `OutputErrors.PrintErrors`: every error but the last is printed
/// as `Error: ...`; the last one is returned (and printed by `main`).
pub fn finish_with_errors(mut errors: Vec<anyhow::Error>) -> anyhow::Result<u8> {
    let Some(last) = errors.pop() else {
        return Ok(0);
    };
    for err in errors {
        eprintln!("Error: {err:#}");
    }
    Err(last)
}

/// Warns (on stderr) about the published ports of the container `target`
/// names that the machine agent serving this connection cannot forward to
/// the host, e.g. because another program holds the host port. Asks only a
/// live berth machine's agent; waits up to `wait` for the container to
/// run. Not being able to ask is not worth an error.
pub async fn warn_unforwarded_ports(
    control: Option<std::path::PathBuf>,
    target: String,
    wait: std::time::Duration,
) {
    let Some(control) = control else {
        return;
    };
    let limit = wait + std::time::Duration::from_secs(10);
    let asked = berth_machine::agent::control::port_warnings(&control, &target, wait);
    if let Ok(Ok(warnings)) = tokio::time::timeout(limit, asked).await {
        for warning in warnings {
            warn(&warning);
        }
    }
}

/// A warning in logrus's text format, as podman prints them on stderr.
pub fn warn(message: &str) {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() {
        eprintln!("WARN[0000] {message}");
    } else {
        let now = chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        eprintln!("time=\"{now}\" level=warning msg=\"{message}\"");
    }
}

/// Prints one line on stdout (a closed pipe surfaces as an error that
/// `main` treats as success).
pub fn print_line(text: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()
}

/// Checks that every named container exists before any is acted on, as
/// podman does when it is given several: one missing name stops the whole
/// command with podman's "no such container" error.
pub async fn check_all_exist(client: &Client, names: &[String]) -> anyhow::Result<()> {
    if names.len() < 2 {
        return Ok(());
    }
    for name in names {
        if !berth_client::api::containers::exists(client, name).await? {
            return Err(no_such_container(name));
        }
    }
    Ok(())
}

/// podman's error for a missing container.
pub fn no_such_container(name: &str) -> anyhow::Error {
    anyhow::anyhow!("no container with name or ID {name:?} found: no such container")
}

/// The ids of all containers (`--all`), optionally only those matching
/// podman filters, kept when `keep_state` accepts their state ("running",
/// "exited", ...).
pub async fn container_ids_where(
    client: &Client,
    filters: &[String],
    keep_state: impl Fn(&str) -> bool,
) -> anyhow::Result<Vec<String>> {
    let options = berth_client::api::containers::ListOptions {
        all: true,
        filters: parse_filters(filters)?,
        ..Default::default()
    };
    let containers = berth_client::api::containers::list(client, &options).await?;
    Ok(containers
        .into_iter()
        .filter(|c| keep_state(&c.state))
        .map(|c| c.id)
        .collect())
}

/// `--filter key=value` flags as the API's filter map.
pub fn parse_filters(filters: &[String]) -> anyhow::Result<berth_client::api::containers::Filters> {
    let mut map = berth_client::api::containers::Filters::new();
    for filter in filters {
        let Some((key, value)) = filter.split_once('=') else {
            anyhow::bail!("invalid filter {filter:?}");
        };
        map.entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    Ok(map)
}

/// Container names from `--cidfile` files (the first line of each).
pub fn read_cidfiles(files: &[String]) -> anyhow::Result<Vec<String>> {
    files
        .iter()
        .map(|file| {
            let content = std::fs::read_to_string(file).map_err(|err| {
                anyhow::anyhow!("reading CIDFile: open {file}: {}", go_io_reason(&err))
            })?;
            Ok(content.lines().next().unwrap_or_default().to_string())
        })
        .collect()
}

/// An I/O error's reason as Go prints it ("no such file or directory").
pub fn go_io_reason(err: &std::io::Error) -> String {
    berth_client::transport::io_reason(err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oci_errors_map_to_126_and_127() {
        let not_found = berth_client::parse_api_error(
            409,
            br#"{"cause":"OCI runtime attempted to invoke a command that was not found","message":"preparing container x for attach: ... not found","response":409}"#,
        );
        assert_eq!(engine_exit_code(&not_found), 127);
        let denied = berth_client::parse_api_error(
            500,
            br#"{"cause":"OCI permission denied","message":"x: OCI permission denied","response":500}"#,
        );
        assert_eq!(engine_exit_code(&denied), 126);
        let other = berth_client::parse_api_error(500, b"boom");
        assert_eq!(engine_exit_code(&other), 125);
    }

    #[test]
    fn filters_group_by_key() {
        let map =
            parse_filters(&["name=a".into(), "name=b".into(), "status=exited".into()]).unwrap();
        assert_eq!(map["name"], ["a", "b"]);
        assert_eq!(map["status"], ["exited"]);
        assert!(parse_filters(&["bad".into()]).is_err());
    }
}
