//! `berth secret rm [-a] SECRET...`: removes secrets and prints their ids.

use crate::cli::secret::SecretRmArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{finish_with_errors, print_line};

pub async fn run(global: &GlobalArgs, args: &SecretRmArgs) -> anyhow::Result<u8> {
    if args.all != args.names.is_empty() {
        anyhow::bail!("`berth secret rm` requires one argument, or the --all flag");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all {
        berth_client::api::secrets::list(&client, &Default::default())
            .await?
            .iter()
            .filter_map(|secret| secret["ID"].as_str().map(String::from))
            .collect()
    } else {
        args.names.clone()
    };
    let mut errors = Vec::new();
    for name in &targets {
        let id = match berth_client::api::secrets::inspect(&client, name).await {
            Ok(secret) => secret["ID"].as_str().unwrap_or_default().to_string(),
            Err(err) if err.is_not_found() => {
                // podman's wording, trailing space included.
                errors.push(anyhow::anyhow!(
                    "no secret with name or id {name:?}: no such secret "
                ));
                continue;
            }
            Err(err) => return Err(err.into()),
        };
        match berth_client::api::secrets::remove(&client, name).await {
            Ok(()) => print_line(&id)?,
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}
