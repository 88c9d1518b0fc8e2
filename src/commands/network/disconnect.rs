//! `berth network disconnect [-f] NETWORK CONTAINER`.

use crate::cli::network::NetworkDisconnectArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &NetworkDisconnectArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    berth_client::api::networks::disconnect(&client, &args.network, &args.container, args.force)
        .await?;
    Ok(0)
}
