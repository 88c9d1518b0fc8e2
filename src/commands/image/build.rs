//! `berth build [CONTEXT]`: packs the context directory into a tar stream
//! (without what `.containerignore` / `.dockerignore` exclude, plus any
//! Containerfile from outside it or from stdin) that is sent while it is
//! written, and prints the engine's build output as it arrives.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use berth_client::api::build;
use berth_client::archive::ignore::{parse_ignore_file, PatternMatcher};
use berth_client::archive::write::TarWriter;

use super::build_query;
use crate::cli::build::BuildArgs;
use crate::cli::GlobalArgs;

/// Where a Containerfile read from stdin goes in the context archive.
const STDIN_CONTAINERFILE: &str = "/.berth-stdin/Containerfile";

pub async fn run(global: &GlobalArgs, args: &BuildArgs) -> anyhow::Result<u8> {
    let context_arg = args.context.as_deref().unwrap_or(".");
    let context = std::fs::canonicalize(context_arg).map_err(|err| {
        anyhow::anyhow!(
            "stat {context_arg}: {}",
            berth_client::transport::io_reason(&err)
        )
    })?;
    if !context.is_dir() {
        anyhow::bail!("context must be a directory: {context_arg:?}");
    }
    build_query::check_flags(args)?;
    let mut plan = ContextPlan::new(&context, args)?;
    // Build output goes to --logfile instead of stdout, as with podman.
    let mut output: Box<dyn Write> = match &args.logfile {
        Some(path) => Box::new(open_logfile(path)?),
        None => Box::new(std::io::stdout()),
    };
    let secrets = build_query::remote_secrets(&args.secrets)?;
    plan.extra_files.extend(secrets.files);
    let options = build_query::build_options(args, plan.containerfiles.clone(), secrets.specs)?;
    let client = crate::connection::connect(global).await?;

    let (writer, body) = berth_client::body::writer_body();
    let abort = writer.abort_handle();
    let packer = tokio::task::spawn_blocking(move || {
        let packed = plan.write(writer);
        if let Err(err) = &packed {
            abort.fail(std::io::Error::other(err.to_string()));
        }
        packed
    });

    let mut progress = match build::build(&client, &options, body).await {
        Ok(progress) => progress,
        Err(err) => {
            // A failure to read the context explains a refused request best.
            if let Ok(Err(packing)) = packer.await {
                return Err(packing);
            }
            return Err(err.into());
        }
    };
    let mut last_id = None;
    let mut failure = None;
    while let Some(event) = progress.next().await? {
        if let Some(error) = event.error.filter(|e| !e.is_empty()) {
            failure = Some(error);
            continue;
        }
        if let Some(text) = event.stream.filter(|s| !s.is_empty()) {
            if let Some(id) = image_id_line(&text) {
                last_id = Some(id.to_string());
            }
            if !args.quiet {
                output.write_all(text.as_bytes())?;
                output.flush()?;
            }
        }
    }
    if let Ok(Err(packing)) = packer.await {
        return Err(packing);
    }
    if let Some(error) = failure {
        // A failed RUN ends the build with its status, as with podman.
        return Err(crate::exit::ExitError {
            code: run_exit_status(&error).unwrap_or(crate::exit::GENERIC_ERROR),
            message: error,
        }
        .into());
    }
    let Some(id) = last_id else {
        anyhow::bail!("the engine finished the build without naming the image");
    };
    if args.quiet {
        writeln!(output, "{id}")?;
        output.flush()?;
    }
    if let Some(file) = &args.iidfile {
        std::fs::write(file, format!("sha256:{id}"))
            .map_err(|err| anyhow::anyhow!("writing {file}: {err}"))?;
    }
    Ok(0)
}

/// `--logfile`: created (or truncated) for the owner only, as podman does.
fn open_logfile(path: &str) -> anyhow::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|err| anyhow::anyhow!("open {path}: {}", berth_client::transport::io_reason(&err)))
}

/// N of an engine error ending in "exit status N" (a failed `RUN`).
fn run_exit_status(error: &str) -> Option<u8> {
    let rest = &error[error.rfind("exit status ")? + "exit status ".len()..];
    rest.trim_end().parse().ok().filter(|code| *code != 0)
}

/// A line that is just an image id (64 hex digits), as the build output ends.
fn image_id_line(text: &str) -> Option<&str> {
    let line = text.trim_end();
    (line.len() == 64 && line.bytes().all(|b| b.is_ascii_hexdigit())).then_some(line)
}

/// What goes into the context archive.
struct ContextPlan {
    root: PathBuf,
    excludes: PatternMatcher,
    /// Containerfiles from outside the context: (archive name, contents).
    extra_files: Vec<(String, Vec<u8>)>,
    /// The Containerfile names sent to the engine.
    containerfiles: Vec<String>,
}

impl ContextPlan {
    fn new(root: &Path, args: &BuildArgs) -> anyhow::Result<Self> {
        let mut containerfiles = Vec::new();
        let mut extra_files = Vec::new();
        let mut keep = Vec::new();
        if args.files.is_empty() {
            let found = ["Containerfile", "Dockerfile"]
                .into_iter()
                .find(|name| root.join(name).is_file());
            let Some(name) = found else {
                anyhow::bail!(
                    "no Containerfile or Dockerfile specified or found in context directory, {}: no such file or directory",
                    root.display()
                );
            };
            containerfiles.push(name.to_string());
            keep.push(format!("!{name}"));
        }
        for file in &args.files {
            if file == "-" {
                let mut text = Vec::new();
                std::io::stdin().read_to_end(&mut text).map_err(|err| {
                    anyhow::anyhow!("reading the Containerfile from stdin: {err}")
                })?;
                extra_files.push((STDIN_CONTAINERFILE.trim_start_matches('/').into(), text));
                containerfiles.push(STDIN_CONTAINERFILE.into());
                continue;
            }
            if file.starts_with("http://") || file.starts_with("https://") {
                containerfiles.push(file.clone());
                continue;
            }
            let path = std::fs::canonicalize(file).map_err(|err| {
                anyhow::anyhow!(
                    "the specified Containerfile or Dockerfile does not exist, {file}: {}",
                    berth_client::transport::io_reason(&err)
                )
            })?;
            match path.strip_prefix(root) {
                Ok(relative) => {
                    let relative = relative.to_string_lossy().into_owned();
                    keep.push(format!("!{relative}"));
                    containerfiles.push(relative);
                }
                Err(_) => {
                    let text = std::fs::read(&path)
                        .map_err(|err| anyhow::anyhow!("reading {}: {err}", path.display()))?;
                    let name = path.to_string_lossy().into_owned();
                    extra_files.push((name.trim_start_matches('/').to_string(), text));
                    containerfiles.push(name);
                }
            }
        }
        let mut patterns = read_ignore_patterns(root, args.ignorefile.as_deref())?;
        patterns.extend(keep);
        let excludes = PatternMatcher::new(&patterns)?;
        Ok(ContextPlan {
            root: root.to_path_buf(),
            excludes,
            extra_files,
            containerfiles,
        })
    }

    /// Writes the archive (on a blocking thread).
    fn write(self, writer: berth_client::body::BodyWriter) -> anyhow::Result<()> {
        let mut tar = TarWriter::new(writer);
        tar.append_context(&self.root, &self.excludes)?;
        for (name, data) in &self.extra_files {
            tar.append_bytes(name, data)?;
        }
        tar.finish()?.finish()?;
        Ok(())
    }
}

/// `--ignorefile`, else the context's `.containerignore`, else its
/// `.dockerignore`, else nothing.
fn read_ignore_patterns(root: &Path, ignorefile: Option<&str>) -> anyhow::Result<Vec<String>> {
    if let Some(file) = ignorefile {
        let text = std::fs::read_to_string(file).map_err(|err| {
            anyhow::anyhow!("open {file}: {}", berth_client::transport::io_reason(&err))
        })?;
        return Ok(parse_ignore_file(&text));
    }
    for name in [".containerignore", ".dockerignore"] {
        match std::fs::read_to_string(root.join(name)) {
            Ok(text) => return Ok(parse_ignore_file(&text)),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {}
            Err(err) => anyhow::bail!("reading {}: {err}", root.join(name).display()),
        }
    }
    Ok(Vec::new())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_runs_keep_their_status() {
        assert_eq!(
            run_exit_status(
                "building at STEP \"RUN exit 3\": while running runtime: exit status 3\n"
            ),
            Some(3)
        );
        assert_eq!(run_exit_status("no such image"), None);
        assert_eq!(
            image_id_line(&format!("{}\n", "a".repeat(64))),
            Some("a".repeat(64).as_str())
        );
        assert_eq!(image_id_line("--> 99bf5a0658b\n"), None);
    }
}
