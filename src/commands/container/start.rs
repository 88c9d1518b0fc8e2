//! `berth start`: starts containers (printing each as named), or with
//! `-a` attaches to one, starts it and exits with its code.

use berth_client::api::containers;
use serde_json::Value;

use super::session::{self, AttachFailure, Outcome, SessionOptions, TtyTarget};
use super::{check_all_exist, container_ids_where, finish_with_errors, print_line};
use crate::cli::container::StartArgs;
use crate::cli::GlobalArgs;
use crate::terminal::DetachKeys;

pub async fn run(global: &GlobalArgs, args: &StartArgs) -> anyhow::Result<u8> {
    if args.containers.is_empty() && !args.all && args.filters.is_empty() {
        anyhow::bail!("start requires at least one argument");
    }
    if args.containers.len() > 1 && args.attach {
        anyhow::bail!("you cannot start and attach multiple containers at once");
    }
    if !args.containers.is_empty() && args.all {
        anyhow::bail!("either start all containers or the container(s) provided in the arguments");
    }
    if args.attach && args.all {
        anyhow::bail!("you cannot start and attach all containers at once");
    }
    let sig_proxy = args.sig_proxy.unwrap_or(args.attach);
    if sig_proxy && !args.attach {
        anyhow::bail!("you cannot use sig-proxy without --attach: invalid argument");
    }
    let detach_keys = DetachKeys::parse(&args.detach_keys).map_err(anyhow::Error::msg)?;
    let client = crate::connection::connect(global).await?;

    if args.attach {
        let name = &args.containers[0];
        let inspect = containers::inspect(&client, name, false).await?;
        let id = inspect["Id"].as_str().unwrap_or(name).to_string();
        let tty = inspect["Config"]["Tty"].as_bool().unwrap_or(false);
        let running = inspect["State"]["Running"].as_bool().unwrap_or(false);
        let auto_remove = inspect["HostConfig"]["AutoRemove"] == Value::Bool(true);
        let options = SessionOptions {
            tty,
            stdin: args.interactive,
            stdout: true,
            stderr: true,
            detach_keys,
            resize: Some(TtyTarget::Container(id.clone())),
            proxy_signals_to: sig_proxy.then(|| id.clone()),
        };
        return match session::attach_and_wait(&client, &id, &options, &args.detach_keys, !running)
            .await
        {
            Ok(Outcome::Exited(_)) if running => Ok(0),
            Ok(Outcome::Exited(code)) => {
                Ok(u8::try_from(code).unwrap_or(crate::exit::GENERIC_ERROR))
            }
            Ok(Outcome::Detached) => Ok(0),
            Ok(Outcome::Signalled(signal)) => {
                Ok(u8::try_from(128 + signal).unwrap_or(crate::exit::GENERIC_ERROR))
            }
            Err(AttachFailure::Engine(err)) => {
                if auto_remove {
                    let _ = containers::remove(&client, &id, &Default::default()).await;
                }
                Err(anyhow::anyhow!("unable to start container {id}: {err}"))
            }
            Err(AttachFailure::Session(err)) => Err(err),
        };
    }

    let targets: Vec<String> = if args.all || !args.filters.is_empty() {
        container_ids_where(&client, &args.filters, |state| state != "running").await?
    } else {
        check_all_exist(&client, &args.containers).await?;
        args.containers.clone()
    };
    let agent_control = crate::connection::machine_agent_control(global);
    let mut errors = Vec::new();
    for target in &targets {
        match containers::start(&client, target, Some(&args.detach_keys)).await {
            Ok(true) => {
                super::warn_unforwarded_ports(
                    agent_control.clone(),
                    target.clone(),
                    std::time::Duration::ZERO,
                )
                .await;
                print_line(target)?
            }
            // Already running: podman neither starts nor lists it.
            Ok(false) => {}
            Err(err) if err.is_not_found() => errors.push(err.into()),
            Err(err) => errors.push(anyhow::anyhow!(
                "unable to start container {target:?}: {err}"
            )),
        }
    }
    finish_with_errors(errors)
}
