//! `berth exec`: runs a process in a running container, attached (with a
//! tty when `-t`) or detached (`-d`, prints the session id); exits with
//! the process's code, 126/127 when it cannot be run.

use std::time::Duration;

use berth_client::api::exec::{self, ExecConfig};

use super::print_line;
use super::session::{self, LocalTerminal, SessionEnd, SessionOptions, TtyTarget};
use crate::cli::container::ExecArgs;
use crate::cli::GlobalArgs;
use crate::terminal::DetachKeys;

pub async fn run(global: &GlobalArgs, args: &ExecArgs) -> anyhow::Result<u8> {
    if args.args.is_empty() {
        anyhow::bail!("exec requires the name or ID of a container or the --latest flag");
    }
    if args.command().is_empty() {
        anyhow::bail!(
            "must provide a non-empty command to start an exec session: invalid argument"
        );
    }
    let detach_keys = DetachKeys::parse(&args.detach_keys).map_err(anyhow::Error::msg)?;
    let env = exec_env(args)?;
    if args.tty && args.interactive && !crate::terminal::stdin_is_terminal() {
        super::warn(
            "The input device is not a TTY. The --tty and --interactive flags might not work properly",
        );
    }
    let config = ExecConfig {
        attach_stdin: args.interactive && !args.detach,
        attach_stdout: !args.detach,
        attach_stderr: !args.detach,
        cmd: args.command().to_vec(),
        env,
        tty: args.tty,
        user: args.user.clone().unwrap_or_default(),
        working_dir: args.workdir.clone().unwrap_or_default(),
        detach_keys: args.detach_keys.clone(),
        privileged: args.privileged,
    };
    let client = crate::connection::connect(global).await?;
    let id = exec::create(&client, args.container(), &config)
        .await
        .map_err(super::engine_error)?;
    if args.detach {
        exec::start_detached(&client, &id, args.tty)
            .await
            .map_err(super::engine_error)?;
        print_line(&id)?;
        return Ok(0);
    }

    let options = SessionOptions {
        tty: args.tty,
        stdin: args.interactive,
        stdout: true,
        stderr: true,
        detach_keys,
        resize: Some(TtyTarget::Exec(id.clone())),
        proxy_signals_to: None,
    };
    let size = if args.tty {
        crate::terminal::window_size().map(|size| (size.rows, size.cols))
    } else {
        None
    };
    let stream = exec::start(&client, &id, args.tty, size)
        .await
        .map_err(super::engine_error)?;
    let terminal = LocalTerminal::prepare(&client, &options).await?;
    let end = session::pump(&client, stream, &options).await?;
    drop(terminal);
    match end {
        SessionEnd::Detached => Ok(0),
        SessionEnd::Signalled(signal) => {
            Ok(u8::try_from(128 + signal).unwrap_or(crate::exit::GENERIC_ERROR))
        }
        SessionEnd::Finished => {
            let code = finished_exit_code(&client, &id).await?;
            Ok(u8::try_from(code).unwrap_or(crate::exit::GENERIC_ERROR))
        }
    }
}

/// The exit code of an exec session whose output has ended; the engine
/// may need a moment to record it.
async fn finished_exit_code(client: &berth_client::Client, id: &str) -> anyhow::Result<i32> {
    let mut inspect = exec::inspect(client, id).await?;
    for _ in 0..50 {
        if !inspect.running {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        inspect = exec::inspect(client, id).await?;
    }
    Ok(inspect.exit_code)
}

/// `--env-file` entries, then `-e` (which wins), as `KEY=VALUE`.
fn exec_env(args: &ExecArgs) -> anyhow::Result<Vec<String>> {
    let mut env = std::collections::BTreeMap::new();
    let mut add = |entry: &str| match entry.split_once('=') {
        Some((key, value)) => {
            env.insert(key.to_string(), value.to_string());
        }
        None => {
            if let Ok(value) = std::env::var(entry) {
                env.insert(entry.to_string(), value);
            }
        }
    };
    for file in &args.env_file {
        let text = std::fs::read_to_string(file).map_err(|err| {
            anyhow::anyhow!(
                "parsing env file {file:?}: open {file}: {}",
                super::go_io_reason(&err)
            )
        })?;
        for line in text.lines().map(str::trim_start) {
            if !line.is_empty() && !line.starts_with('#') {
                add(line);
            }
        }
    }
    for entry in &args.env {
        add(entry);
    }
    Ok(env
        .into_iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect())
}
