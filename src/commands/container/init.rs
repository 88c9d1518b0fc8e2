//! `berth init CONTAINER...`: creates the containers in the OCI runtime
//! without starting them; prints each name as given (ids with `--all`).

use berth_client::api::maintenance;

use super::{check_all_exist, container_ids_where, finish_with_errors, print_line};
use crate::cli::housekeeping::InitArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &InitArgs) -> anyhow::Result<u8> {
    if args.all && !args.containers.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && args.containers.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all {
        container_ids_where(&client, &[], |state| {
            matches!(state, "created" | "configured" | "exited" | "stopped")
        })
        .await?
    } else {
        check_all_exist(&client, &args.containers).await?;
        args.containers.clone()
    };
    let mut errors = Vec::new();
    for target in &targets {
        match maintenance::init(&client, target).await {
            Ok(true) => print_line(target)?,
            // 304: podman reports it as an improper state, by full id.
            Ok(false) => {
                let info = berth_client::api::containers::inspect(&client, target, false).await?;
                let id = info.get("Id").and_then(|id| id.as_str()).unwrap_or(target);
                errors.push(anyhow::anyhow!(
                    "container {id} has already been created in runtime: container state improper"
                ));
            }
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}
