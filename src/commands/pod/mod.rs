//! `berth pod ...`: one file per verb, plus what they share: finding the
//! pods a command names (all of them must exist before any is acted on,
//! as podman's remote client does it) and printing the outcome of an
//! action on several pods.

pub mod action;
pub mod clone;
pub mod create;
pub mod exists;
pub mod logs;
pub mod prune;
pub mod ps;
pub mod rm;
pub mod stats;
pub mod top;

use berth_client::api::pods::{self, ListPodsReport};
use berth_client::Client;

use crate::cli::pod::PodCommand;
use crate::cli::GlobalArgs;
use crate::commands::container::go_io_reason;
use crate::commands::container::inspect::{inspect, Kind};

pub async fn run(global: &GlobalArgs, command: PodCommand) -> anyhow::Result<u8> {
    use berth_client::api::pods::PodAction;
    match command {
        PodCommand::Clone(args) => clone::run(global, &args).await,
        PodCommand::Create(args) => create::run(global, &args).await,
        PodCommand::Exists(args) => exists::run(global, &args).await,
        PodCommand::Inspect(args) => {
            inspect(global, Kind::PodLegacy, &args.names, &args.format, false).await
        }
        PodCommand::Kill(args) => action::run_kill(global, &args).await,
        PodCommand::Logs(args) => logs::run(global, &args).await,
        PodCommand::Pause(args) => action::run(global, &args, &[], PodAction::Pause).await,
        PodCommand::Prune(args) => prune::run(global, &args).await,
        PodCommand::Ps(args) => ps::run(global, &args).await,
        PodCommand::Restart(args) => action::run(global, &args, &[], PodAction::Restart).await,
        PodCommand::Rm(args) => rm::run(global, &args).await,
        PodCommand::Start(args) => {
            action::run(global, &args.select, &args.pod_id_files, PodAction::Start).await
        }
        PodCommand::Stats(args) => stats::run(global, &args).await,
        PodCommand::Stop(args) => action::run_stop(global, &args).await,
        PodCommand::Top(args) => top::run(global, &args).await,
        PodCommand::Unpause(args) => action::run(global, &args, &[], PodAction::Unpause).await,
    }
}

/// podman's `getPodsByContext`: every pod with `all`, else the named pods
/// (looked up by inspect, then matched by full id so that a name cannot
/// be mistaken for an id prefix). A missing pod is an error before
/// anything is done, unless `skip_missing` (then it is left out).
pub async fn find_pods(
    client: &Client,
    all: bool,
    names: &[String],
    skip_missing: bool,
) -> anyhow::Result<Vec<ListPodsReport>> {
    if all && !names.is_empty() {
        anyhow::bail!("cannot look up specific pods and all");
    }
    let listed = pods::list(client, &Default::default()).await?;
    if all {
        return Ok(listed);
    }
    let mut found = Vec::new();
    for name in names {
        let id = match pods::inspect(client, name).await {
            Ok(pod) => pod["Id"].as_str().unwrap_or_default().to_string(),
            Err(err) if err.is_not_found() => String::new(),
            Err(err) => return Err(err.into()),
        };
        match listed.iter().find(|pod| pod.id == id) {
            Some(pod) => found.push(pod.clone()),
            None if skip_missing => {}
            None => return Err(no_such_pod(name)),
        }
    }
    Ok(found)
}

/// podman's error for a pod that does not exist.
pub fn no_such_pod(name: &str) -> anyhow::Error {
    anyhow::anyhow!("unable to find pod {name:?}: no such pod")
}

/// podman's `ReadPodIDFiles`: the first line of each file.
pub fn read_pod_id_files(files: &[String]) -> anyhow::Result<Vec<String>> {
    files
        .iter()
        .map(|file| {
            let content = std::fs::read_to_string(file).map_err(|err| {
                anyhow::anyhow!("reading pod ID file: open {file}: {}", go_io_reason(&err))
            })?;
            Ok(content.split('\n').next().unwrap_or_default().to_string())
        })
        .collect()
}

/// podman's `CheckAllLatestAndPodIDFile`: names or `--all`, not both.
pub fn check_selection(all: bool, names: &[String]) -> anyhow::Result<()> {
    match (all, names.is_empty()) {
        (true, false) => anyhow::bail!("no arguments are needed with --all"),
        (false, true) => anyhow::bail!("you must provide at least one name or id"),
        _ => Ok(()),
    }
}
