//! `berth export CONTAINER`: the container's filesystem as a tar, streamed
//! to `-o FILE` (written whole or not at all) or to a redirected stdout.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use berth_client::api::archive;
use berth_client::stream::BodyReader;

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
        Self::create_with(path, false)
    }

    /// [`OutputFile::create`] for contents only the user may read (mode
    /// 0600 on Unix, as podman writes checkpoint archives: they hold the
    /// container's memory).
    pub fn create_private(path: &str) -> anyhow::Result<Self> {
        Self::create_with(path, true)
    }

    fn create_with(path: &str, private: bool) -> anyhow::Result<Self> {
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
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        #[cfg(not(unix))]
        let _ = private;
        let file = options.open(&temp).map_err(|err| {
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

/// Copies a response body to `output` (renamed into place when complete)
/// or to stdout. The body's pieces go as they arrive to a writer thread,
/// which writes them whole with blocking calls: the async runtime would
/// hand every 8 KiB write to a thread of its own.
pub async fn write_stream(mut body: BodyReader, output: Option<OutputFile>) -> anyhow::Result<()> {
    let file = match &output {
        Some(output) => match output.file.as_ref().and_then(|f| f.try_clone().ok()) {
            Some(file) => Some(file),
            None => anyhow::bail!("writing {}: the file is gone", output.path.display()),
        },
        None => None,
    };
    let (chunks, mut pending) = tokio::sync::mpsc::channel::<bytes::Bytes>(8);
    let writer = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        match file {
            Some(mut file) => {
                while let Some(chunk) = pending.blocking_recv() {
                    file.write_all(&chunk)?;
                }
                file.sync_all()
            }
            None => {
                let mut stdout = std::io::stdout().lock();
                while let Some(chunk) = pending.blocking_recv() {
                    stdout.write_all(&chunk)?;
                }
                stdout.flush()
            }
        }
    });
    let mut read_error = None;
    loop {
        match body.next_chunk().await {
            Ok(Some(chunk)) => {
                // A closed channel means the writer failed: its error says why.
                if chunks.send(chunk).await.is_err() {
                    break;
                }
            }
            Ok(None) => break,
            Err(err) => {
                read_error = Some(err);
                break;
            }
        }
    }
    drop(chunks);
    let written = writer
        .await
        .map_err(|err| anyhow::anyhow!("writing the archive: {err}"))?;
    let path = output
        .as_ref()
        .map(|output| output.path.display().to_string());
    let place = |err: std::io::Error| match &path {
        Some(path) => anyhow::Error::new(err).context(format!("writing {path}")),
        None => anyhow::Error::new(err),
    };
    written.map_err(place)?;
    if let Some(err) = read_error {
        return Err(place(err));
    }
    if let Some(mut output) = output {
        std::fs::rename(&output.temp, &output.path).map_err(place)?;
        // Renamed: nothing to clean up any more.
        output.file = None;
    }
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::OutputFile;

    #[test]
    fn private_output_files_are_for_the_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ck.tar");
        let private = OutputFile::create_private(path.to_str().unwrap()).unwrap();
        let mode = std::fs::metadata(&private.temp)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        drop(private);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            0,
            "dropped unfinished"
        );
    }
}
