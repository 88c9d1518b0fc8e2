//! `berth image tree [--whatrequires] IMAGE`: the engine draws the image's
//! layer hierarchy; berth prints it as podman does (with a closing newline).

use crate::cli::image::ImageTreeArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(global: &GlobalArgs, args: &ImageTreeArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let tree = berth_client::api::images::tree(&client, &args.image, args.whatrequires).await?;
    print_line(&tree)?;
    Ok(0)
}
