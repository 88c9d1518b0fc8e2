//! `berth rename CONTAINER NAME`: renames a container (no output, like podman).

use berth_client::api::maintenance;

use crate::cli::housekeeping::RenameArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &RenameArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    maintenance::rename(&client, &args.container, &args.name).await?;
    Ok(0)
}
