//! `berth run`: pull the image if the policy asks for it, create the
//! container, then either start it in the background (`-d`, prints the id)
//! or attach, start and wait, exiting with the container's own code.

use std::io::Write;
use std::time::Duration;

use berth_client::api::containers;
use berth_client::Client;

use super::session::{self, AttachFailure, Outcome, SessionOptions, TtyTarget};
use super::{engine_error, print_line};
use crate::cli::container::{CreateFlags, RunArgs};
use crate::cli::GlobalArgs;
use crate::terminal::DetachKeys;

pub async fn run(global: &GlobalArgs, args: &RunArgs) -> anyhow::Result<u8> {
    let flags = &args.flags;
    let detach_keys = DetachKeys::parse(&args.detach_keys).map_err(anyhow::Error::msg)?;
    let streams = attach_streams(flags)?;
    if flags.tty && flags.interactive && !crate::terminal::stdin_is_terminal() {
        super::warn(
            "The input device is not a TTY. The --tty and --interactive flags might not work properly",
        );
    }
    let spec = super::spec::build(
        flags,
        args.image(),
        args.command(),
        std::env::args().collect(),
        &|name: &str| std::env::var(name).ok(),
    )?;
    let client = crate::connection::connect(global).await?;
    let id = super::create::create_container(&client, flags, args.image(), &spec).await?;
    // A machine's agent forwards published ports (a pod's too); it says which it cannot.
    let agent_control =
        (!flags.shared.publish.is_empty() || flags.publish_all || flags.pod.is_some())
            .then(|| crate::connection::machine_agent_control(global))
            .flatten();

    if args.detach {
        if let Err(err) = containers::start(&client, &id, None).await {
            if flags.rm {
                remove_quietly(&client, &id).await;
            }
            return Err(engine_error(err));
        }
        super::warn_unforwarded_ports(agent_control, id.clone(), Duration::ZERO).await;
        print_line(&id)?;
        return Ok(0);
    }

    if !streams.stdout && !streams.stderr {
        print_line(&id)?;
    }
    let options = SessionOptions {
        tty: flags.tty,
        stdin: streams.stdin,
        stdout: streams.stdout,
        stderr: streams.stderr,
        detach_keys,
        resize: Some(TtyTarget::Container(id.clone())),
        proxy_signals_to: args.sig_proxy.then(|| id.clone()),
    };
    // Asked before the start, answered once the container runs.
    let port_warnings = tokio::spawn(super::warn_unforwarded_ports(
        agent_control,
        id.clone(),
        Duration::from_secs(30),
    ));
    let outcome = session::attach_and_wait(&client, &id, &options, &args.detach_keys, true).await;
    port_warnings.abort();
    match outcome {
        Ok(Outcome::Exited(code)) => Ok(exit_status(code)),
        Ok(Outcome::Detached) => Ok(0),
        Ok(Outcome::Signalled(signal)) => Ok(exit_status(128 + signal)),
        Err(AttachFailure::Engine(err)) => {
            if flags.rm {
                remove_quietly(&client, &id).await;
            }
            Err(engine_error(err))
        }
        Err(AttachFailure::Session(err)) => Err(err),
    }
}

/// Which standard streams to attach: all but stdin by default, stdin with
/// `-i`, or exactly those named with `-a`.
pub struct Streams {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

pub fn attach_streams(flags: &CreateFlags) -> anyhow::Result<Streams> {
    if flags.attach.is_empty() {
        return Ok(Streams {
            stdin: flags.interactive,
            stdout: true,
            stderr: true,
        });
    }
    let mut streams = Streams {
        stdin: flags.interactive,
        stdout: false,
        stderr: false,
    };
    for stream in &flags.attach {
        match stream.to_ascii_lowercase().as_str() {
            "stdin" => streams.stdin = true,
            "stdout" => streams.stdout = true,
            "stderr" => streams.stderr = true,
            _ => anyhow::bail!(
                "invalid stream {stream:?} for --attach - must be one of stdin, stdout, or stderr: invalid argument"
            ),
        }
    }
    Ok(streams)
}

/// A container exit status as a process exit code.
fn exit_status(code: i32) -> u8 {
    u8::try_from(code).unwrap_or(crate::exit::GENERIC_ERROR)
}

/// Removes a container that failed to start (`--rm`); a failure here is
/// not worth more than the error already being reported.
async fn remove_quietly(client: &Client, id: &str) {
    let options = containers::RemoveOptions {
        force: true,
        volumes: true,
        ..Default::default()
    };
    if let Err(err) = containers::remove(client, id, &options).await {
        if !err.is_not_found() {
            let _ = writeln!(std::io::stderr(), "Error: removing container {id}: {err}");
        }
    }
}
