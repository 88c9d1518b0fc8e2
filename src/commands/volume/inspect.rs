//! `berth volume inspect [--all] [--format F] VOLUME...`.

use crate::cli::volume::VolumeInspectArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::inspect::{inspect, Kind};

pub async fn run(global: &GlobalArgs, args: &VolumeInspectArgs) -> anyhow::Result<u8> {
    if args.all != args.names.is_empty() {
        anyhow::bail!("provide one or more volume names or use --all");
    }
    let names = if args.all {
        let client = crate::connection::connect(global).await?;
        let listed = berth_client::api::volumes::list(&client, &Default::default()).await?;
        let names: Vec<String> = listed
            .iter()
            .filter_map(|volume| volume["Name"].as_str().map(String::from))
            .collect();
        if names.is_empty() {
            // podman prints an empty list.
            crate::commands::container::print_line("[]")?;
            return Ok(0);
        }
        names
    } else {
        args.names.clone()
    };
    inspect(global, Kind::Volume, &names, &args.format, false).await
}
