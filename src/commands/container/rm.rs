//! `berth rm`: removes containers. Exit codes as podman's: 1 when a named
//! container does not exist, 2 when one is running (without `-f`), 125
//! otherwise; `-f` makes a missing container no error.

use berth_client::api::containers::{self, RemoveOptions};

use super::{container_ids_where, print_line, read_cidfiles};
use crate::cli::container::RmArgs;
use crate::cli::GlobalArgs;
use crate::exit::ExitError;

pub async fn run(global: &GlobalArgs, args: &RmArgs) -> anyhow::Result<u8> {
    if args.time.is_some() && !args.force {
        anyhow::bail!("--force option must be specified to use the --time option");
    }
    let mut names = args.containers.clone();
    names.extend(read_cidfiles(&args.cidfile)?);
    if args.all && !names.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && args.filters.is_empty() && names.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all || !args.filters.is_empty() {
        container_ids_where(&client, &args.filters, |_| true).await?
    } else {
        names
    };
    let options = RemoveOptions {
        force: args.force,
        volumes: args.volumes,
        timeout: args.time,
        ignore: args.ignore,
        // podman removes dependents too when removing everything.
        depend: args.depend || args.all,
    };
    let mut removed = std::collections::HashSet::new();
    let mut errors: Vec<String> = Vec::new();
    let mut code = 0u8;
    for target in &targets {
        if removed.contains(target) {
            continue;
        }
        match containers::remove(&client, target, &options).await {
            Ok(reports) => {
                for report in reports {
                    removed.insert(report.id.clone());
                    match report.err {
                        Some(err) if !err.is_empty() => {
                            if args.force && err.contains(NO_SUCH_CONTAINER) {
                                continue;
                            }
                            code = rm_exit_code(code, &err);
                            errors.push(err);
                        }
                        _ if !report.raw_input.is_empty() => print_line(&report.raw_input)?,
                        _ => print_line(&report.id)?,
                    }
                }
            }
            Err(err) => {
                let text = err.to_string();
                if args.force && text.contains(NO_SUCH_CONTAINER) {
                    continue;
                }
                code = rm_exit_code(code, &text);
                errors.push(text);
            }
        }
    }
    let Some(last) = errors.pop() else {
        return Ok(0);
    };
    for err in errors {
        eprintln!("Error: {err}");
    }
    Err(ExitError {
        code: if code == 0 {
            crate::exit::GENERIC_ERROR
        } else {
            code
        },
        message: last,
    }
    .into())
}

const NO_SUCH_CONTAINER: &str = "no such container";

/// podman's `setExitCode` for rm: 1 for a missing container (kept once
/// set), 2 for a container in the wrong state.
fn rm_exit_code(current: u8, error: &str) -> u8 {
    if current == 1 {
        return 1;
    }
    if error.contains(NO_SUCH_CONTAINER) {
        1
    } else if error.contains("container state improper") {
        2
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_wins_over_running() {
        let code = rm_exit_code(
            0,
            "cannot remove container x as it is running - ...: container state improper",
        );
        assert_eq!(code, 2);
        let code = rm_exit_code(
            code,
            "no container with name or ID \"n\" found: no such container",
        );
        assert_eq!(code, 1);
        assert_eq!(rm_exit_code(1, "container state improper"), 1);
        assert_eq!(rm_exit_code(0, "boom"), 0);
    }
}
