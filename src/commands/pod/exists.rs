//! `berth pod exists POD`: exit 0 when the pod exists, 1 when not.

use crate::cli::pod::PodExistsArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &PodExistsArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let found = berth_client::api::pods::exists(&client, &args.name).await?;
    Ok(if found { 0 } else { 1 })
}
