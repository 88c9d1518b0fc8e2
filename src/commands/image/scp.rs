//! `berth image scp IMAGE [HOST::]`: as in podman's remote client, the
//! engine makes the copy, to one of its own connections, and berth prints
//! what was loaded there. (Copies between the user's own hosts go through
//! `save` and `load`.)

use crate::cli::image::ImageScpArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(global: &GlobalArgs, args: &ImageScpArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    // podman's client sends a destination only when it is longer than one
    // character; the engine then asks for one.
    let destination = args.destination.as_deref().filter(|d| d.len() > 1);
    let loaded =
        berth_client::api::images::scp(&client, &args.image, destination, args.quiet).await?;
    print_line(&format!("Loaded Image(s): {loaded}"))?;
    Ok(0)
}
