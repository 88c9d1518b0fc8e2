//! `berth machine image ls|prune|pull`: the base-image cache. `ls` shows each
//! cached base and the machines whose disks use it (a table like `podman
//! images`, Go templates, `--format json`, `-q`, `--noheading`, printed
//! through `crate::output`); `prune` removes the bases
//! no machine disk is backed by (read from the disks' qcow2 headers, so it
//! cannot go stale); `pull` fills the cache ahead of `machine init`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, UNIX_EPOCH};

use anyhow::Context;
use berth_images::{CachedBase, ImageCache, ImageRef};
use berth_machine::config::format_time;
use berth_machine::dirs::BerthDirs;
use berth_machine::host::{self, HostProfile};
use serde::Serialize;

use crate::cli::machine::image::{ListArgs, MachineImageCommand, PruneArgs, PullArgs};
use crate::output::humanize::{image_size, time_ago, Timestamp};
use crate::output::json;
use crate::output::report::{self, headers_of, render_list, ListOptions};
use crate::progress::Progress;

pub async fn run(command: MachineImageCommand) -> anyhow::Result<u8> {
    let dirs = BerthDirs::current().context("finding berth's directories")?;
    match command {
        MachineImageCommand::List(args) => list(&dirs, &args),
        MachineImageCommand::Prune(args) => prune(&dirs, &args),
        MachineImageCommand::Pull(args) => pull(&dirs, &args).await,
    }
}

/// The image cache in berth's data directory.
pub(crate) fn image_cache(dirs: &BerthDirs) -> ImageCache {
    ImageCache::new(dirs.data.join("images"))
}

/// Where machine disks live; every `*.qcow2` below counts for "in use".
pub(crate) fn machines_dir(dirs: &BerthDirs) -> PathBuf {
    dirs.data.join("machines")
}

/// The image architecture for the host's.
pub(crate) fn image_arch(arch: host::Arch) -> berth_images::Arch {
    match arch {
        host::Arch::X86_64 => berth_images::Arch::X86_64,
        host::Arch::Aarch64 => berth_images::Arch::Aarch64,
    }
}

async fn pull(dirs: &BerthDirs, args: &PullArgs) -> anyhow::Result<u8> {
    let image = ImageRef::parse(&args.image)?;
    let progress = Progress::new(args.quiet);
    let arch = image_arch(HostProfile::current().arch);
    let base = image_cache(dirs).obtain(&image, arch, &progress).await?;
    drop(progress);
    println!("{}", base.digest);
    Ok(0)
}

/// One cached base for `ls --format json`: byte counts, an RFC 3339 time
/// and the machines as a list.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    digest: String,
    source: String,
    label: String,
    format: String,
    compression: String,
    virtual_size: u64,
    disk_usage: u64,
    created: String,
    path: PathBuf,
    used_by: Vec<String>,
}

/// One cached base for tables and templates: human sizes and ages, like
/// `podman images`.
#[derive(Default, Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    #[serde(rename = "ID")]
    id: String,
    digest: String,
    source: String,
    label: String,
    format: String,
    compression: String,
    virtual_size: String,
    disk_usage: String,
    created: String,
    path: String,
    used_by: String,
}

const DEFAULT_FORMAT: &str = "{{range .}}{{.ID}}\t{{.Source}}\t{{.Format}}\t{{.VirtualSize}}\t{{.DiskUsage}}\t{{.Created}}\t{{.UsedBy}}\n{{end -}}";

fn list(dirs: &BerthDirs, args: &ListArgs) -> anyhow::Result<u8> {
    let users = machines_by_base(&machines_dir(dirs));
    let bases: Vec<(CachedBase, Vec<String>)> = image_cache(dirs)
        .list()?
        .into_iter()
        .map(|base| {
            let canonical = std::fs::canonicalize(&base.path).unwrap_or(base.path.clone());
            let used_by = users.get(&canonical).cloned().unwrap_or_default();
            (base, used_by)
        })
        .collect();
    let mut stdout = std::io::stdout().lock();
    if args.format.as_deref().is_some_and(report::is_json) {
        let entries: Vec<Entry> = bases.into_iter().map(entry).collect();
        writeln!(stdout, "{}", json::to_string_pretty(&entries, "    ")?)?;
        return Ok(0);
    }
    if args.quiet && args.format.is_none() {
        for (base, _) in &bases {
            writeln!(stdout, "{}", base.digest)?;
        }
        return Ok(0);
    }
    let now = Timestamp::now();
    let rows: Vec<Row> = bases
        .into_iter()
        .map(|(base, used_by)| row(base, used_by, &now))
        .collect();
    let headers = headers_of::<Row>(&[
        ("VirtualSize", "VIRTUAL SIZE"),
        ("DiskUsage", "DISK USAGE"),
        ("UsedBy", "USED BY"),
    ]);
    let options = ListOptions {
        name: "ls",
        format: args.format.as_deref(),
        default_format: DEFAULT_FORMAT,
        noheading: args.noheading,
    };
    let mut out = render_list(stdout, &options, &headers, &rows)?;
    out.flush()?;
    Ok(0)
}

fn entry((base, used_by): (CachedBase, Vec<String>)) -> Entry {
    Entry {
        digest: base.digest,
        source: base.source,
        label: base.label,
        format: base.format.as_str().to_string(),
        compression: base.compression.name().to_string(),
        virtual_size: base.virtual_size,
        disk_usage: base.disk_usage,
        created: format_time(UNIX_EPOCH + Duration::from_secs(base.created)),
        path: base.path,
        used_by,
    }
}

fn row(base: CachedBase, used_by: Vec<String>, now: &Timestamp) -> Row {
    Row {
        id: base.digest[..12.min(base.digest.len())].to_string(),
        digest: base.digest,
        source: base.source,
        label: base.label,
        format: base.format.as_str().to_string(),
        compression: base.compression.name().to_string(),
        virtual_size: image_size(base.virtual_size as f64),
        disk_usage: image_size(base.disk_usage as f64),
        created: time_ago(&Timestamp::from_unix(base.created as i64), now),
        path: base.path.display().to_string(),
        used_by: used_by.join(","),
    }
}

/// Base path -> names of the machines (directories under `machines`) whose
/// qcow2 disks are backed by it.
fn machines_by_base(machines: &Path) -> BTreeMap<PathBuf, Vec<String>> {
    let mut users: BTreeMap<PathBuf, Vec<String>> = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(machines) else {
        return users;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        for base in berth_images::backing_files_under(&entry.path()) {
            let names = users.entry(base).or_default();
            if !names.contains(&name) {
                names.push(name.clone());
            }
        }
    }
    users
}

fn prune(dirs: &BerthDirs, args: &PruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        eprint!(
            "WARNING! This will remove every cached machine base image that no machine uses.\n\
             Are you sure you want to continue? [y/N] "
        );
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !answer.trim().eq_ignore_ascii_case("y") {
            return Ok(0);
        }
    }
    let in_use = berth_images::backing_files_under(&machines_dir(dirs));
    let removed = image_cache(dirs).prune(&in_use)?;
    let mut out = std::io::stdout().lock();
    for base in removed {
        writeln!(out, "{}", base.digest)?;
    }
    Ok(0)
}
