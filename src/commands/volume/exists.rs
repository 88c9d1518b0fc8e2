//! `berth volume exists NAME`: exit 0 when the volume exists, 1 when not.

use crate::cli::volume::VolumeExistsArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &VolumeExistsArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let found = berth_client::api::volumes::exists(&client, &args.name).await?;
    Ok(if found { 0 } else { 1 })
}
