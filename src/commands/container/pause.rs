//! `berth pause` / `berth unpause CONTAINER...`: freezes or thaws every
//! process of the containers; prints each name as given (ids with `--all`
//! or `--filter`).

use berth_client::api::maintenance;

use super::{check_all_exist, container_ids_where, finish_with_errors, print_line};
use crate::cli::housekeeping::PauseArgs;
use crate::cli::GlobalArgs;

/// Which of the two verbs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Pause,
    Unpause,
}

pub async fn run(global: &GlobalArgs, args: &PauseArgs, action: Action) -> anyhow::Result<u8> {
    let selects_many = args.all || !args.filters.is_empty();
    if selects_many && !args.containers.is_empty() {
        anyhow::bail!("--all, --latest and containers cannot be used together");
    }
    if !selects_many && args.containers.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if selects_many {
        // --all selects the containers the verb applies to: running ones
        // to pause, paused ones to unpause.
        let wanted = match action {
            Action::Pause => "running",
            Action::Unpause => "paused",
        };
        container_ids_where(&client, &args.filters, |state| !args.all || state == wanted).await?
    } else {
        check_all_exist(&client, &args.containers).await?;
        args.containers.clone()
    };
    let mut errors = Vec::new();
    for target in &targets {
        let result = match action {
            Action::Pause => maintenance::pause(&client, target).await,
            Action::Unpause => maintenance::unpause(&client, target).await,
        };
        match result {
            Ok(()) => print_line(target)?,
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}
