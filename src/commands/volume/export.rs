//! `berth volume export VOLUME [-o FILE]`: the volume's contents as a tar
//! archive. podman's remote client refuses this command; berth streams
//! it from the engine (through a helper container on engines older than
//! podman 5.6, which have no volume archive endpoint).

use std::io::IsTerminal;

use tokio::io::AsyncWriteExt;

use crate::cli::volume::VolumeExportArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &VolumeExportArgs) -> anyhow::Result<u8> {
    if args.output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("expected at least one output file or redirect: refusing to write a tar archive to a terminal");
    }
    let client = crate::connection::connect(global).await?;
    let mut export = berth_client::api::volumes::export(&client, &args.name).await?;
    let copied = match &args.output {
        Some(path) => {
            let partial = format!("{path}.partial");
            let result = async {
                let mut file = tokio::fs::File::create(&partial).await?;
                tokio::io::copy(&mut export.reader, &mut file).await?;
                file.sync_all().await?;
                tokio::fs::rename(&partial, path).await
            }
            .await;
            if result.is_err() {
                let _ = tokio::fs::remove_file(&partial).await;
            }
            result.map_err(|err| anyhow::anyhow!("writing {path}: {err}"))
        }
        None => {
            let mut stdout = tokio::io::stdout();
            let result = tokio::io::copy(&mut export.reader, &mut stdout).await;
            let flushed = stdout.flush().await;
            result.and(flushed).map(drop).map_err(anyhow::Error::from)
        }
    };
    export.finish(&client).await;
    copied?;
    Ok(0)
}
