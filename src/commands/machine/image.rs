//! `berth machine image ls|prune|pull`: the base-image cache. `ls` shows each
//! cached base and the machines whose disks use it; `prune` removes the bases
//! no machine disk is backed by (read from the disks' qcow2 headers, so it
//! cannot go stale); `pull` fills the cache ahead of `machine init`.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use berth_images::{CachedBase, ImageCache, ImageRef};
use berth_machine::dirs::BerthDirs;
use berth_machine::host::{self, HostProfile};
use serde::Serialize;

use crate::cli::machine::image::{ListArgs, MachineImageCommand, PruneArgs, PullArgs};
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

/// One row of `ls`: the cached base and the machines using it.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct Row {
    digest: String,
    source: String,
    label: String,
    format: String,
    compression: String,
    virtual_size: u64,
    disk_usage: u64,
    created: u64,
    path: PathBuf,
    used_by: Vec<String>,
}

fn list(dirs: &BerthDirs, args: &ListArgs) -> anyhow::Result<u8> {
    let users = machines_by_base(&machines_dir(dirs));
    let rows: Vec<Row> = image_cache(dirs)
        .list()?
        .into_iter()
        .map(|base| row(base, &users))
        .collect();
    let mut out = std::io::stdout().lock();
    if args.quiet {
        for row in &rows {
            writeln!(out, "{}", row.digest)?;
        }
        return Ok(0);
    }
    match args.format.as_deref() {
        Some("json") => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        Some(template) if template != "table" => {
            let (header, template) = match template.strip_prefix("table ") {
                Some(rest) => (!args.noheading, rest),
                None => (false, template),
            };
            let template = template.replace("\\t", "\t").replace("\\n", "\n");
            if header {
                writeln!(out, "{}", render(&template, None)?)?;
            }
            for row in &rows {
                writeln!(out, "{}", render(&template, Some(row))?)?;
            }
        }
        _ => {
            let mut table = vec![];
            if !args.noheading {
                table.push(
                    [
                        "DIGEST",
                        "SOURCE",
                        "FORMAT",
                        "VIRTUAL SIZE",
                        "DISK USAGE",
                        "CREATED",
                        "USED BY",
                    ]
                    .map(String::from)
                    .to_vec(),
                );
            }
            for row in &rows {
                table.push(vec![
                    row.digest[..12.min(row.digest.len())].to_string(),
                    row.source.clone(),
                    row.format.clone(),
                    human_size(row.virtual_size),
                    human_size(row.disk_usage),
                    human_age(row.created),
                    row.used_by.join(","),
                ]);
            }
            write_table(&mut out, &table)?;
        }
    }
    Ok(0)
}

fn row(base: CachedBase, users: &BTreeMap<PathBuf, Vec<String>>) -> Row {
    let canonical = std::fs::canonicalize(&base.path).unwrap_or(base.path.clone());
    Row {
        used_by: users.get(&canonical).cloned().unwrap_or_default(),
        digest: base.digest,
        source: base.source,
        label: base.label,
        format: base.format.as_str().to_string(),
        compression: base.compression.name().to_string(),
        virtual_size: base.virtual_size,
        disk_usage: base.disk_usage,
        created: base.created,
        path: base.path,
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

/// Fills `{{.Field}}` placeholders; with no row, gives the header line.
fn render(template: &str, row: Option<&Row>) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let end = rest[start..]
            .find("}}")
            .with_context(|| format!("unterminated {{{{ in --format {template:?}"))?;
        let field = rest[start + 2..start + end].trim();
        let name = field.strip_prefix('.').with_context(|| {
            format!("unsupported template action {field:?}: use {{{{.Field}}}}")
        })?;
        out.push_str(&match row {
            None => header_of(name),
            Some(row) => field_value(row, name)?,
        });
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

fn header_of(name: &str) -> String {
    let mut header = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            header.push(' ');
        }
        header.push(c.to_ascii_uppercase());
    }
    header
}

fn field_value(row: &Row, name: &str) -> anyhow::Result<String> {
    Ok(match name {
        "Digest" => row.digest.clone(),
        "Source" => row.source.clone(),
        "Label" => row.label.clone(),
        "Format" => row.format.clone(),
        "Compression" => row.compression.clone(),
        "VirtualSize" => human_size(row.virtual_size),
        "DiskUsage" => human_size(row.disk_usage),
        "Created" => human_age(row.created),
        "Path" => row.path.display().to_string(),
        "UsedBy" => row.used_by.join(","),
        _ => anyhow::bail!(
            "template: can't evaluate field {name}: use Digest, Source, Label, Format, Compression, VirtualSize, DiskUsage, Created, Path or UsedBy"
        ),
    })
}

fn write_table(out: &mut impl Write, rows: &[Vec<String>]) -> std::io::Result<()> {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if c + 1 < row.len() {
                line.push_str(&" ".repeat(widths[c] - cell.chars().count() + 2));
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// Sizes the way podman prints them (decimal units, 4 significant digits).
fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    let digits = if value >= 100.0 {
        1
    } else if value >= 10.0 {
        2
    } else {
        3
    };
    let text = format!("{value:.digits$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} {}", UNITS[unit])
}

/// "5 minutes ago", like podman's CREATED column.
fn human_age(created: u64) -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
        .as_secs();
    let seconds = now.saturating_sub(created);
    let (minute, hour, day) = (60, 3600, 86400);
    let text = match seconds {
        0 => "Less than a second".to_string(),
        s if s < minute => format!("{s} second{}", if s == 1 { "" } else { "s" }),
        s if s < 2 * minute => "About a minute".to_string(),
        s if s < hour => format!("{} minutes", s / minute),
        s if s < 2 * hour => "About an hour".to_string(),
        s if s < 2 * day => format!("{} hours", s / hour),
        s if s < 14 * day => format!("{} days", s / day),
        s if s < 60 * day => format!("{} weeks", s / (7 * day)),
        s if s < 730 * day => format!("{} months", s / (30 * day)),
        s => format!("{} years", s / (365 * day)),
    };
    format!("{text} ago")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_like_podman() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(999), "999 B");
        assert_eq!(human_size(1_073_741_824), "1.074 GB");
        assert_eq!(human_size(20_000_000_000), "20 GB");
        assert_eq!(human_size(123_456_789), "123.5 MB");
    }

    #[test]
    fn templates_fill_fields_and_headers() {
        let row = Row {
            digest: "abc".into(),
            source: "stream:stable".into(),
            label: "l".into(),
            format: "qcow2".into(),
            compression: "xz".into(),
            virtual_size: 1000,
            disk_usage: 0,
            created: 0,
            path: PathBuf::from("/x"),
            used_by: vec!["a".into(), "b".into()],
        };
        assert_eq!(
            render("{{.Digest}} {{ .UsedBy }}", Some(&row)).unwrap(),
            "abc a,b"
        );
        assert_eq!(
            render("{{.VirtualSize}}\t{{.Format}}", None).unwrap(),
            "VIRTUAL SIZE\tFORMAT"
        );
        assert!(render("{{.Nope}}", Some(&row)).is_err());
    }
}
