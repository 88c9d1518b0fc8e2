//! `berth network inspect [--format F] NETWORK...`.

use crate::cli::network::NetworkInspectArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::inspect::{inspect, Kind};

pub async fn run(global: &GlobalArgs, args: &NetworkInspectArgs) -> anyhow::Result<u8> {
    inspect(global, Kind::Network, &args.names, &args.format, false).await
}
