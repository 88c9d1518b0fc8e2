//! `berth attach`: joins the terminal to a running container's streams
//! until it exits (its exit code) or the user detaches (ctrl-p ctrl-q).

use berth_client::api::containers;

use super::session::{self, AttachFailure, Outcome, SessionOptions, TtyTarget};
use crate::cli::container::AttachArgs;
use crate::cli::GlobalArgs;
use crate::terminal::DetachKeys;

pub async fn run(global: &GlobalArgs, args: &AttachArgs) -> anyhow::Result<u8> {
    let detach_keys = DetachKeys::parse(&args.detach_keys).map_err(anyhow::Error::msg)?;
    let client = crate::connection::connect(global).await?;
    let inspect = containers::inspect(&client, &args.container, false).await?;
    let id = inspect["Id"]
        .as_str()
        .unwrap_or(&args.container)
        .to_string();
    let state = inspect["State"]["Status"].as_str().unwrap_or_default();
    if state != "running" {
        anyhow::bail!("you can only attach to running containers");
    }
    let tty = inspect["Config"]["Tty"].as_bool().unwrap_or(false);
    let open_stdin = inspect["Config"]["OpenStdin"].as_bool().unwrap_or(false);
    let options = SessionOptions {
        tty,
        stdin: !args.no_stdin && open_stdin,
        stdout: true,
        stderr: true,
        detach_keys,
        resize: Some(TtyTarget::Container(id.clone())),
        proxy_signals_to: args.sig_proxy.then(|| id.clone()),
    };
    match session::attach_and_wait(&client, &id, &options, &args.detach_keys, false).await {
        Ok(Outcome::Exited(code)) => Ok(u8::try_from(code).unwrap_or(crate::exit::GENERIC_ERROR)),
        Ok(Outcome::Detached) => Ok(0),
        Ok(Outcome::Signalled(signal)) => {
            Ok(u8::try_from(128 + signal).unwrap_or(crate::exit::GENERIC_ERROR))
        }
        Err(AttachFailure::Engine(err)) => Err(super::engine_error(err)),
        Err(AttachFailure::Session(err)) => Err(err),
    }
}
