//! `berth save IMAGE...`: one archive of the images (docker-archive by
//! default, oci-archive, or the directory formats), streamed from the
//! engine to `-o FILE` (written whole or not at all) or a redirected stdout.

use std::io::IsTerminal;

use berth_client::api::archive::{self, ExportImagesOptions};
use berth_client::archive::extract::{self, PutOptions};

use crate::cli::archive::SaveArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::export::{write_stream, OutputFile};

pub async fn run(global: &GlobalArgs, args: &SaveArgs) -> anyhow::Result<u8> {
    let format = args.format.as_str();
    if !matches!(
        format,
        "docker-archive" | "oci-archive" | "oci-dir" | "docker-dir"
    ) {
        anyhow::bail!("format value must be one of oci-dir oci-archive docker-dir docker-archive");
    }
    let is_dir = format.ends_with("-dir");
    if args.images.len() > 1 && format != "docker-archive" {
        anyhow::bail!("multi-image archives must use format of docker-archive");
    }
    let output = args.output.as_deref().filter(|o| !o.is_empty());
    if output.is_none() {
        if is_dir {
            anyhow::bail!("output is required when saving to a directory");
        }
        if std::io::stdout().is_terminal() {
            anyhow::bail!("refusing to save to terminal. Use -o flag or redirect");
        }
    }
    let options = ExportImagesOptions {
        format: format.to_string(),
        compress: args.compress,
        oci_accept_uncompressed_layers: args.uncompressed,
    };
    let file = match output {
        Some(path) if !is_dir => Some(OutputFile::create(path)?),
        _ => None,
    };
    let client = crate::connection::connect(global).await?;
    let body = archive::export_images(&client, &args.images, &options).await?;
    match output {
        // The directory formats arrive as a tar of the directory.
        Some(dir) if is_dir => {
            let dir = std::path::PathBuf::from(dir);
            std::fs::create_dir_all(&dir)
                .map_err(|err| anyhow::anyhow!("creating {}: {err}", dir.display()))?;
            let reader = tokio_util::io::SyncIoBridge::new(body);
            tokio::task::spawn_blocking(move || extract::put(&dir, reader, &PutOptions::default()))
                .await
                .map_err(|err| anyhow::anyhow!("unpacking the archive: {err}"))??;
        }
        _ => write_stream(body, file).await?,
    }
    Ok(0)
}
