//! `berth volume import VOLUME SOURCE`: unpacks a tar archive (a file or
//! `-` for stdin) into an existing volume. podman's remote client refuses
//! this command; berth sends the archive to the engine.

use std::io::Read;

use crate::cli::volume::VolumeImportArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &VolumeImportArgs) -> anyhow::Result<u8> {
    let tar = if args.source == "-" {
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        data
    } else {
        std::fs::read(&args.source).map_err(|err| {
            anyhow::anyhow!(
                "open {}: {}",
                args.source,
                crate::commands::container::go_io_reason(&err)
            )
        })?
    };
    let client = crate::connection::connect(global).await?;
    berth_client::api::volumes::import(&client, &args.name, tar.into()).await?;
    Ok(0)
}
