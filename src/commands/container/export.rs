//! `berth export CONTAINER`: the container's filesystem as a tar, streamed
//! to `-o FILE` (written whole or not at all) or to a redirected stdout.

use std::io::IsTerminal;
use std::path::PathBuf;

use berth_client::api::archive;
use tokio::io::{AsyncRead, AsyncWriteExt};

use crate::cli::archive::ExportArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &ExportArgs) -> anyhow::Result<u8> {
    let output = args.output.as_deref().filter(|o| !o.is_empty());
    if output.is_none() && std::io::stdout().is_terminal() {
        anyhow::bail!("refusing to export to terminal. Use -o flag or redirect");
    }
    let output = output.map(OutputFile::create).transpose()?;
    let client = crate::connection::connect(global).await?;
    let body = archive::export_container(&client, &args.container).await?;
    write_stream(body, output).await?;
    Ok(0)
}

/// A file being written: a temporary sibling, renamed over the real name
/// only when complete and removed if dropped before that.
pub struct OutputFile {
    path: PathBuf,
    temp: PathBuf,
    file: Option<std::fs::File>,
}

impl OutputFile {
    /// Opens the temporary file at once, so that a bad path fails before
    /// the engine is asked for anything (with podman's `open PATH` error).
    pub fn create(path: &str) -> anyhow::Result<Self> {
        let target = PathBuf::from(path);
        let dir = match target.parent() {
            Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target
            .file_name()
            .ok_or_else(|| anyhow::anyhow!("open {path}: is a directory"))?;
        let mut temp_name = std::ffi::OsString::from(".");
        temp_name.push(name);
        temp_name.push(format!(".berth-{}", std::process::id()));
        let temp = dir.join(temp_name);
        let file = std::fs::File::create(&temp).map_err(|err| {
            anyhow::anyhow!("open {path}: {}", berth_client::transport::io_reason(&err))
        })?;
        Ok(OutputFile {
            path: target,
            temp,
            file: Some(file),
        })
    }
}

impl Drop for OutputFile {
    fn drop(&mut self) {
        if self.file.is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Copies `reader` to `output` (renamed into place when complete) or to stdout.
pub async fn write_stream(
    mut reader: impl AsyncRead + Unpin,
    output: Option<OutputFile>,
) -> anyhow::Result<()> {
    let Some(mut output) = output else {
        let mut stdout = tokio::io::stdout();
        tokio::io::copy(&mut reader, &mut stdout).await?;
        stdout.flush().await?;
        return Ok(());
    };
    let Some(file) = output.file.as_ref().and_then(|f| f.try_clone().ok()) else {
        anyhow::bail!("writing {}: the file is gone", output.path.display());
    };
    let result = async {
        let mut file = tokio::fs::File::from_std(file);
        tokio::io::copy(&mut reader, &mut file).await?;
        file.sync_all().await?;
        tokio::fs::rename(&output.temp, &output.path).await
    }
    .await;
    result.map_err(|err| {
        anyhow::Error::new(err).context(format!("writing {}", output.path.display()))
    })?;
    // Renamed: nothing to clean up any more.
    output.file = None;
    Ok(())
}
