//! `berth network exists NAME`: exit 0 when the network exists, 1 when not.

use crate::cli::network::NetworkExistsArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &NetworkExistsArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let found = berth_client::api::networks::exists(&client, &args.name).await?;
    Ok(if found { 0 } else { 1 })
}
