//! `berth manifest inspect LIST`: the list as podman prints it (Docker's
//! schema 2 list, JSON indented by four spaces).

use berth_client::api::registry;

use crate::cli::registry::ManifestInspectArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::output::json;

pub async fn run(global: &GlobalArgs, args: &ManifestInspectArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let list = registry::inspect_manifest(&client, &args.list)
        .await
        .map_err(|err| {
            anyhow::anyhow!(
                "getting content of manifest list or image {}: {err}",
                args.list
            )
        })?;
    print_line(&json::to_string_pretty(&list, "    ")?)?;
    Ok(0)
}
