//! `berth restart`: stops (after `-t` seconds) and starts containers again.

use berth_client::api::containers;

use super::{check_all_exist, container_ids_where, finish_with_errors, print_line};
use crate::cli::container::RestartArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &RestartArgs) -> anyhow::Result<u8> {
    if args.all && !args.containers.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && args.filters.is_empty() && args.containers.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all || args.running || !args.filters.is_empty() {
        container_ids_where(&client, &args.filters, |state| {
            !args.running || state == "running"
        })
        .await?
    } else {
        check_all_exist(&client, &args.containers).await?;
        args.containers.clone()
    };
    let mut errors = Vec::new();
    for target in &targets {
        match containers::restart(&client, target, Some(args.time)).await {
            Ok(()) => print_line(target)?,
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}
