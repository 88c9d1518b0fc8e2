//! `berth pod start|stop|restart|kill|pause|unpause`: the action on each
//! named pod (or all), printing the ids of the pods it worked on and the
//! errors of the containers it failed on, podman's way.

use std::time::Duration;

use berth_client::api::pods::{self, PodAction};

use super::{check_selection, find_pods, read_pod_id_files};
use crate::cli::pod::{PodKillArgs, PodSelectArgs, PodStopArgs};
use crate::cli::GlobalArgs;
use crate::commands::container::kill::parse_signal;
use crate::commands::container::{finish_with_errors, print_line, warn_unforwarded_ports};

pub async fn run(
    global: &GlobalArgs,
    select: &PodSelectArgs,
    id_files: &[String],
    action: PodAction<'_>,
) -> anyhow::Result<u8> {
    act_on_pods(global, select, id_files, action, false).await
}

/// Runs `action` on the selected pods; `ignore_missing` (`stop --ignore`)
/// leaves out the names that match no pod.
async fn act_on_pods(
    global: &GlobalArgs,
    select: &PodSelectArgs,
    id_files: &[String],
    action: PodAction<'_>,
    ignore_missing: bool,
) -> anyhow::Result<u8> {
    let mut names = select.names.clone();
    names.extend(read_pod_id_files(id_files)?);
    check_selection(select.all, &names)?;
    let client = crate::connection::connect(global).await?;
    let targets = find_pods(&client, select.all, &names, ignore_missing).await?;
    // A machine's agent forwards the pods' published ports; it says which it cannot.
    let agent_control = matches!(action, PodAction::Start | PodAction::Restart)
        .then(|| crate::connection::machine_agent_control(global))
        .flatten();
    let mut errors = Vec::new();
    for pod in &targets {
        // podman only unpauses pods that are paused (or degraded).
        if action == PodAction::Unpause && !matches!(pod.status.as_str(), "Paused" | "Degraded") {
            continue;
        }
        match pods::act(&client, &pod.id, action).await {
            Ok(report) => match report.errs.filter(|errs| !errs.is_empty()) {
                None => {
                    warn_unforwarded_ports(
                        agent_control.clone(),
                        report.id.clone(),
                        Duration::ZERO,
                    )
                    .await;
                    print_line(&report.id)?
                }
                Some(errs) => errors.extend(errs.into_iter().map(anyhow::Error::msg)),
            },
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}

pub async fn run_kill(global: &GlobalArgs, args: &PodKillArgs) -> anyhow::Result<u8> {
    let signal = parse_signal(&args.signal)?;
    run(global, &args.select, &[], PodAction::Kill(&signal)).await
}

pub async fn run_stop(global: &GlobalArgs, args: &PodStopArgs) -> anyhow::Result<u8> {
    act_on_pods(
        global,
        &args.select,
        &args.pod_id_files,
        PodAction::Stop(args.time),
        args.ignore,
    )
    .await
}
