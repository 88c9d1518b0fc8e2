//! `berth cp`: copies files between a container and the host (or between
//! two containers), the way podman's remote client does: the container
//! side through the engine's archive endpoints, the host side packed or
//! unpacked here as a tar stream (`-` is a tar on stdin or stdout). A path
//! that does not exist names the copy inside its parent directory; a file
//! copied onto a file (or a new name) is renamed on the way.

use std::io::{self, IsTerminal};
use std::path::{Path, PathBuf};

use berth_client::api::archive::{self, PathStat, PutArchiveOptions, StatOutcome};
use berth_client::archive::extract::{self, PutOptions};
use berth_client::archive::write::TarWriter;
use berth_client::{Client, RequestBody};

use crate::cli::archive::CpArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &CpArgs) -> anyhow::Result<u8> {
    let (source_container, source_path) = parse_location(&args.source);
    let (dest_container, dest_path) = parse_location(&args.destination);
    if source_path.is_empty() || dest_path.is_empty() {
        anyhow::bail!(
            "invalid arguments {:?}, {:?}: you must specify paths",
            args.source,
            args.destination
        );
    }
    let client = crate::connection::connect(global).await?;
    match (source_container, dest_container) {
        (Some(source), Some(dest)) => {
            container_to_container(&client, args, source, source_path, dest, dest_path).await
        }
        (Some(container), None) => {
            from_container(&client, args, container, source_path, dest_path).await
        }
        (None, container) => {
            to_container(
                &client,
                args,
                container.unwrap_or(""),
                dest_path,
                source_path,
            )
            .await
        }
    }?;
    Ok(0)
}

/// podman's `parseUserInput`: `CONTAINER:PATH`, unless the text starts
/// with `.` or `/` (always a host path).
fn parse_location(text: &str) -> (Option<&str>, &str) {
    if text.starts_with(['.', '/']) {
        return (None, text);
    }
    match text.split_once(':') {
        Some((container, path)) => (Some(container), path),
        None => (None, text),
    }
}

async fn must_exist(client: &Client, container: &str) -> anyhow::Result<()> {
    if !container.is_empty() && berth_client::api::containers::exists(client, container).await? {
        Ok(())
    } else {
        anyhow::bail!("container {container:?} does not exist")
    }
}

/// A path in a container: what it is, or that only its parent exists.
struct ContainerTarget {
    stat: PathStat,
    /// The path did not exist: the copy is named `base` inside the parent.
    new_name: Option<String>,
}

async fn stat_container(
    client: &Client,
    container: &str,
    path: &str,
) -> anyhow::Result<Option<PathStat>> {
    match archive::stat_path(client, container, path).await? {
        StatOutcome::Found(stat) => Ok(Some(stat)),
        StatOutcome::Missing(_) => Ok(None),
    }
}

fn missing_in_container(path: &str, container: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{path:?} could not be found on container {container}: no such file or directory"
    )
}

/// Where a copy into `container` at `path` lands.
async fn resolve_container_target(
    client: &Client,
    container: &str,
    path: &str,
) -> anyhow::Result<ContainerTarget> {
    if let Some(stat) = stat_container(client, container, path).await? {
        return Ok(ContainerTarget {
            stat,
            new_name: None,
        });
    }
    if path.ends_with('/') {
        return Err(missing_in_container(path, container));
    }
    let parent = parent_of(path);
    match stat_container(client, container, &parent).await? {
        Some(stat) => Ok(ContainerTarget {
            stat,
            new_name: Some(base_name(path)),
        }),
        None => Err(missing_in_container(path, container)),
    }
}

/// Go's `filepath.Dir` for `/`-separated paths.
fn parent_of(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rfind('/') {
        Some(0) => "/".into(),
        Some(slash) => trimmed[..slash].into(),
        None => ".".into(),
    }
}

/// Go's `filepath.Base`.
fn base_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/".into();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// A resolved host path (symlinks followed).
struct HostPath {
    resolved: PathBuf,
    is_dir: bool,
}

fn resolve_host(path: &str) -> io::Result<HostPath> {
    let resolved = std::fs::canonicalize(path)?;
    let is_dir = std::fs::metadata(&resolved)?.is_dir();
    Ok(HostPath { resolved, is_dir })
}

fn missing_on_host(path: &str, err: &io::Error) -> anyhow::Error {
    anyhow::anyhow!(
        "{path:?} could not be found on the host: {}",
        berth_client::transport::io_reason(err)
    )
}

/// Container to host (or to stdout for `-`).
async fn from_container(
    client: &Client,
    args: &CpArgs,
    container: &str,
    container_path: &str,
    host_path: &str,
) -> anyhow::Result<()> {
    must_exist(client, container).await?;
    let Some(source) = stat_container(client, container, container_path).await? else {
        return Err(missing_in_container(container_path, container));
    };
    if host_path == "-" {
        if io::stdout().is_terminal() {
            anyhow::bail!("refusing to write a tar archive to a terminal: redirect stdout");
        }
        let body = archive::get_archive(client, container, container_path).await?;
        return super::export::write_stream(body, None).await;
    }
    let (host, new_name) = match resolve_host(host_path) {
        Ok(host) => (host, None),
        Err(err) => {
            if host_path.ends_with('/') {
                return Err(missing_on_host(host_path, &err));
            }
            let parent = Path::new(host_path)
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            let parent = resolve_host(&parent.to_string_lossy())
                .map_err(|_| missing_on_host(host_path, &err))?;
            (parent, Some(base_name(host_path)))
        }
    };
    if source.is_dir() && !host.is_dir {
        anyhow::bail!("destination must be a directory when copying a directory");
    }
    let mut options = PutOptions {
        no_overwrite_dir_non_dir: !args.overwrite,
        owner: None,
        ..Default::default()
    };
    let source_base = base_name(&source.link_target);
    if let Some(name) = &new_name {
        options.rename.insert(source_base, name.clone());
    } else if !source.is_dir() && !host.is_dir {
        options
            .rename
            .insert(source_base, base_name(&host.resolved.to_string_lossy()));
    }
    let dir = if host.is_dir {
        host.resolved.clone()
    } else {
        host.resolved
            .parent()
            .unwrap_or(Path::new("/"))
            .to_path_buf()
    };
    let body = archive::get_archive(client, container, container_path).await?;
    let reader = tokio_util::io::SyncIoBridge::new(body);
    tokio::task::spawn_blocking(move || extract::put(&dir, reader, &options))
        .await
        .map_err(|err| anyhow::anyhow!("unpacking the archive: {err}"))??;
    Ok(())
}

/// Host (or stdin for `-`) to a container.
async fn to_container(
    client: &Client,
    args: &CpArgs,
    container: &str,
    container_path: &str,
    host_path: &str,
) -> anyhow::Result<()> {
    must_exist(client, container).await?;
    let from_stdin = host_path == "-";
    let host = if from_stdin {
        None
    } else {
        Some(resolve_host(host_path).map_err(|err| missing_on_host(host_path, &err))?)
    };
    let target = resolve_container_target(client, container, container_path).await?;
    let body: RequestBody = match &host {
        None => {
            if !target.stat.is_dir() || target.new_name.is_some() {
                anyhow::bail!("destination must be a directory when copying from stdin");
            }
            berth_client::body::blocking_reader_body(std::io::stdin())
        }
        Some(host) => {
            if host.is_dir && !target.stat.is_dir() && target.new_name.is_none() {
                anyhow::bail!("destination must be a directory when copying a directory");
            }
            let contents_only = host.is_dir && (host_path.ends_with("/.") || host_path == ".");
            let name = match &target.new_name {
                Some(name) => name.clone(),
                None if !host.is_dir && !target.stat.is_dir() => {
                    base_name(&target.stat.link_target)
                }
                None => base_name(&host.resolved.to_string_lossy()),
            };
            pack_host_path(
                host.resolved.clone(),
                name,
                contents_only && target.new_name.is_none(),
            )
        }
    };
    // Into an existing directory, or into the parent of a new name; a file
    // onto a file replaces it from the file's directory.
    let dir = if target.stat.is_dir() || target.new_name.is_some() {
        target.stat.link_target.clone()
    } else {
        parent_of(&target.stat.link_target)
    };
    let options = PutArchiveOptions {
        chown: args.archive,
        no_overwrite_dir_non_dir: !args.overwrite,
        ..Default::default()
    };
    archive::put_archive(client, container, &dir, &options, body).await?;
    Ok(())
}

/// A tar of `path` named `name` (or of its contents), produced on a
/// blocking thread while it is sent.
fn pack_host_path(path: PathBuf, name: String, contents_only: bool) -> RequestBody {
    let (writer, body) = berth_client::body::writer_body();
    let abort = writer.abort_handle();
    tokio::task::spawn_blocking(move || {
        let mut tar = TarWriter::new(writer).keep_owners();
        let packed = if contents_only {
            tar.append_dir_contents(&path)
        } else {
            tar.append_path(&path, &name)
        };
        match packed.and_then(|()| tar.finish()) {
            Ok(writer) => {
                if let Err(err) = writer.finish() {
                    abort.fail(err);
                }
            }
            // Fail the request rather than send a truncated archive.
            Err(err) => abort.fail(io::Error::other(err.to_string())),
        }
    });
    body
}

/// One container to another: the source's archive is streamed into the
/// destination without touching the host's disk.
async fn container_to_container(
    client: &Client,
    args: &CpArgs,
    source: &str,
    source_path: &str,
    dest: &str,
    dest_path: &str,
) -> anyhow::Result<()> {
    must_exist(client, source).await?;
    must_exist(client, dest).await?;
    let Some(stat) = stat_container(client, source, source_path).await? else {
        return Err(missing_in_container(source_path, source));
    };
    let target = resolve_container_target(client, dest, dest_path).await?;
    if stat.is_dir() && !target.stat.is_dir() {
        anyhow::bail!("destination must be a directory when copying a directory");
    }
    let mut options = PutArchiveOptions {
        chown: args.archive,
        no_overwrite_dir_non_dir: !args.overwrite,
        ..Default::default()
    };
    let source_base = base_name(&stat.link_target);
    let dir = match &target.new_name {
        Some(name) => {
            options.rename.insert(source_base, name.clone());
            target.stat.link_target.clone()
        }
        None if !target.stat.is_dir() => {
            options
                .rename
                .insert(source_base, base_name(&target.stat.link_target));
            parent_of(&target.stat.link_target)
        }
        None => target.stat.link_target.clone(),
    };
    let body = archive::get_archive(client, source, source_path).await?;
    let body = berth_client::body::reader_body(body);
    archive::put_archive(client, dest, &dir, &options, body).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_parse_like_podman() {
        assert_eq!(parse_location("c:/etc"), (Some("c"), "/etc"));
        assert_eq!(parse_location("/tmp/a:b"), (None, "/tmp/a:b"));
        assert_eq!(parse_location("./x:y"), (None, "./x:y"));
        assert_eq!(parse_location("file"), (None, "file"));
        assert_eq!(parse_location("-"), (None, "-"));
    }

    #[test]
    fn paths_split_like_go() {
        assert_eq!(parent_of("/a/b"), "/a");
        assert_eq!(parent_of("/a"), "/");
        assert_eq!(parent_of("a"), ".");
        assert_eq!(base_name("/a/b/"), "b");
        assert_eq!(base_name("/"), "/");
    }
}
