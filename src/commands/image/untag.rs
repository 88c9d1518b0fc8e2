//! `berth untag IMAGE [NAME...]`: removes names from a local image (all
//! of them when none is given).

use crate::cli::image::UntagArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &UntagArgs) -> anyhow::Result<u8> {
    for name in &args.names {
        super::tag::check_reference(name)?;
    }
    let client = crate::connection::connect(global).await?;
    if args.names.is_empty() {
        berth_client::api::images::untag(&client, &args.image, None).await?;
    }
    for name in &args.names {
        berth_client::api::images::untag(&client, &args.image, Some(name)).await?;
    }
    Ok(0)
}
