//! `berth stop`: stops containers (SIGTERM, then SIGKILL after `-t`
//! seconds) and prints each one as the user named it.

use berth_client::api::containers;

use super::{check_all_exist, container_ids_where, finish_with_errors, print_line};
use crate::cli::container::StopArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &StopArgs) -> anyhow::Result<u8> {
    if args.all && !args.containers.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && args.filters.is_empty() && args.containers.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all || !args.filters.is_empty() {
        container_ids_where(&client, &args.filters, |_| true).await?
    } else {
        check_all_exist(&client, &args.containers).await?;
        args.containers.clone()
    };
    let mut errors = Vec::new();
    for target in &targets {
        match containers::stop(&client, target, Some(args.time)).await {
            Ok(()) => print_line(target)?,
            // Stopping a stopped container is fine, as in podman.
            Err(err) if err.to_string().contains("container already stopped") => {
                print_line(target)?
            }
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}
