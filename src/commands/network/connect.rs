//! `berth network connect NETWORK CONTAINER`: adds a container to a
//! network, with optional aliases, static addresses and MAC.

use berth_client::api::networks::{self, ConnectOptions};

use crate::cli::network::NetworkConnectArgs;
use crate::cli::GlobalArgs;
use crate::commands::objects::check_mac;

pub async fn run(global: &GlobalArgs, args: &NetworkConnectArgs) -> anyhow::Result<u8> {
    if let Some(mac) = &args.mac_address {
        check_mac(mac)?;
    }
    let mut static_ips: Vec<String> = args.ip.iter().map(ToString::to_string).collect();
    static_ips.extend(args.ip6.iter().map(ToString::to_string));
    let options = ConnectOptions {
        container: args.container.clone(),
        static_ips,
        aliases: args.aliases.clone(),
        static_mac: args.mac_address.clone(),
        interface_name: String::new(),
    };
    let client = crate::connection::connect(global).await?;
    networks::connect(&client, &args.network, &options).await?;
    Ok(0)
}
