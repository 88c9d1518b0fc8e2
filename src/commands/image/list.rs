//! `berth images` / `image ls`: one row per image name (REPOSITORY, TAG,
//! IMAGE ID, CREATED, SIZE), `--digests`, `--history`, `--no-trunc`,
//! `--sort`, `--filter`, `-q`, `--format` templates over podman's
//! `imageReporter` fields and `--format json`.

use std::collections::BTreeMap;
use std::io::Write;

use berth_client::api::images::{self, ImageListOptions, ImageSummary};
use serde::Serialize;

use crate::cli::image::ImagesArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::{self, Timestamp};
use crate::output::report;

pub async fn run(global: &GlobalArgs, args: &ImagesArgs) -> anyhow::Result<u8> {
    if !args.filters.is_empty() && args.image.is_some() {
        anyhow::bail!("cannot specify an image and a filter(s)");
    }
    let mut filters = BTreeMap::<String, Vec<String>>::new();
    for filter in args
        .filters
        .iter()
        .flat_map(|f| f.split(','))
        .filter(|f| !f.is_empty())
    {
        // podman splits at every '=': the first part is the key.
        let mut parts = filter.split('=');
        let key = parts.next().unwrap_or_default().to_string();
        filters
            .entry(key)
            .or_default()
            .extend(parts.map(String::from));
    }
    if let Some(image) = &args.image {
        filters
            .entry("reference".into())
            .or_default()
            .push(image.clone());
    }
    let client = crate::connection::connect(global).await?;
    let summaries = images::list(
        &client,
        &ImageListOptions {
            all: args.all,
            filters,
        },
    )
    .await?;
    let now = Timestamp::now();
    let rows = rows(&summaries, args, &now);
    let stdout = std::io::stdout().lock();

    if args.format.as_deref().is_some_and(report::is_json) {
        return print_json(stdout, &rows);
    }
    if args.quiet {
        let mut out = std::io::BufWriter::new(stdout);
        let mut seen = std::collections::HashSet::new();
        for row in &rows {
            if seen.insert(row.ID.clone()) {
                writeln!(out, "{}", row.ID)?;
            }
        }
        out.flush()?;
        return Ok(0);
    }
    let options = report::ListOptions {
        name: "images",
        format: args.format.as_deref(),
        default_format: &default_format(args, summaries.iter().any(|s| s.read_only)),
        noheading: args.noheading,
    };
    drop(report::render_list(stdout, &options, &headers(), &rows)?);
    Ok(0)
}

fn default_format(args: &ImagesArgs, read_only: bool) -> String {
    let mut row = vec![
        "{{if .Repository}}{{.Repository}}{{else}}<none>{{end}}",
        "{{if .Tag}}{{.Tag}}{{else}}<none>{{end}}",
    ];
    if args.digests {
        row.push("{{.Digest}}");
    }
    row.extend(["{{.ID}}", "{{.Created}}", "{{.Size}}"]);
    if args.history {
        row.push("{{if .History}}{{.History}}{{else}}<none>{{end}}");
    }
    if read_only {
        row.push("{{.ReadOnly}}");
    }
    format!("{{{{range . }}}}{}\n{{{{end -}}}}", row.join("\t"))
}

fn headers() -> crate::output::template::Value {
    report::headers(
        [
            "Repository",
            "Tag",
            "ID",
            "ParentId",
            "RepoTags",
            "RepoDigests",
            "Created",
            "Size",
            "SharedSize",
            "VirtualSize",
            "Labels",
            "Containers",
            "ReadOnly",
            "Dangling",
            "Names",
            "Digest",
            "History",
        ],
        &[("ID", "IMAGE ID"), ("ReadOnly", "R/O")],
    )
}

/// podman's `sortImages`: a row per tagged name (or one `<none>` row),
/// then sorted by `--sort` (newest first by default).
fn rows(summaries: &[ImageSummary], args: &ImagesArgs, now: &Timestamp) -> Vec<ImageRow> {
    let mut rows = Vec::new();
    for summary in summaries {
        let tags = summary.repo_tags.clone().unwrap_or_default();
        let names: Vec<(String, String)> = tags.iter().map(|tag| split_repo_tag(tag)).collect();
        let tagged: Vec<&(String, String)> =
            names.iter().filter(|(_, tag)| tag != "<none>").collect();
        if !tagged.is_empty() {
            for (repository, tag) in tagged {
                rows.push(ImageRow::new(summary, repository, tag, args.no_trunc, now));
            }
        } else if let Some((repository, tag)) = names.first() {
            rows.push(ImageRow::new(summary, repository, tag, args.no_trunc, now));
        } else {
            rows.push(ImageRow::new(
                summary,
                "<none>",
                "<none>",
                args.no_trunc,
                now,
            ));
        }
    }
    match args.sort.as_str() {
        "id" => rows.sort_by(|a, b| a.ID.cmp(&b.ID)),
        "repository" => rows.sort_by(|a, b| a.Repository.cmp(&b.Repository)),
        "size" => rows.sort_by_key(|row| row.size),
        "tag" => rows.sort_by(|a, b| a.Tag.cmp(&b.Tag)),
        _ => rows.sort_by_key(|row| std::cmp::Reverse(row.created)),
    }
    rows
}

/// `repo:tag` into its parts; a digest-only or untagged name has tag `<none>`.
fn split_repo_tag(name: &str) -> (String, String) {
    if name == "<none>:<none>" {
        return ("<none>".into(), "<none>".into());
    }
    let name = name.split('@').next().unwrap_or(name);
    let slash = name.rfind('/').map_or(0, |at| at + 1);
    match name[slash..].rfind(':') {
        Some(colon) => {
            let at = slash + colon;
            (name[..at].to_string(), name[at + 1..].to_string())
        }
        None => (name.to_string(), "<none>".to_string()),
    }
}

/// What an `images` template sees: podman's `imageReporter` (Repository,
/// Tag and the summary's fields, with ID, Created, Size and History as
/// its methods print them).
#[derive(Debug, Serialize)]
#[serde(rename = "images.imageReporter")]
#[allow(non_snake_case)]
struct ImageRow {
    Repository: String,
    Tag: String,
    ID: String,
    ParentId: String,
    RepoTags: Vec<String>,
    RepoDigests: Vec<String>,
    Created: String,
    CreatedAt: String,
    CreatedSince: String,
    CreatedTime: String,
    Size: String,
    SharedSize: i64,
    VirtualSize: i64,
    Labels: BTreeMap<String, String>,
    Containers: i64,
    ReadOnly: bool,
    Dangling: bool,
    Names: Vec<String>,
    Digest: String,
    History: String,
    #[serde(skip)]
    summary: ImageSummary,
    #[serde(skip)]
    created: i64,
    #[serde(skip)]
    size: i64,
}

impl ImageRow {
    fn new(
        summary: &ImageSummary,
        repository: &str,
        tag: &str,
        no_trunc: bool,
        now: &Timestamp,
    ) -> Self {
        let created = Timestamp::from_unix(summary.created);
        let human = humanize::time_ago(&created, now);
        let id = if !no_trunc && summary.id.len() >= 12 {
            summary.id[..12].to_string()
        } else {
            format!("sha256:{}", summary.id)
        };
        ImageRow {
            Repository: repository.to_string(),
            Tag: tag.to_string(),
            ID: id,
            ParentId: summary.parent_id.clone(),
            RepoTags: summary.repo_tags.clone().unwrap_or_default(),
            RepoDigests: summary.repo_digests.clone().unwrap_or_default(),
            Created: human.clone(),
            CreatedAt: created.go_string(),
            CreatedSince: human,
            CreatedTime: created.go_string(),
            Size: humanize::image_size(summary.size as f64),
            SharedSize: summary.shared_size,
            VirtualSize: summary.virtual_size,
            Labels: summary.labels.clone().unwrap_or_default(),
            Containers: summary.containers,
            ReadOnly: summary.read_only,
            Dangling: summary.dangling,
            Names: summary.names.clone().unwrap_or_default(),
            Digest: summary.digest.clone(),
            History: summary.history.clone().unwrap_or_default().join(", "),
            summary: summary.clone(),
            created: summary.created,
            size: summary.size,
        }
    }
}

/// `images --format json`: the summaries (one per row) with `RepoTags`
/// cleared, `Created` as Unix seconds and `CreatedAt` in RFC 3339.
fn print_json(mut out: impl Write, rows: &[ImageRow]) -> anyhow::Result<u8> {
    let entries: Vec<JsonImage> = rows.iter().map(JsonImage::new).collect();
    let text = crate::output::json::to_string_pretty(&entries, "    ")?;
    writeln!(out, "{text}")?;
    out.flush()?;
    Ok(0)
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct JsonImage {
    Id: String,
    ParentId: String,
    RepoTags: Option<Vec<String>>,
    RepoDigests: Option<Vec<String>>,
    Size: i64,
    SharedSize: i64,
    VirtualSize: i64,
    Labels: Option<BTreeMap<String, String>>,
    Containers: i64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    ReadOnly: bool,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    Dangling: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    Names: Option<Vec<String>>,
    #[serde(skip_serializing_if = "String::is_empty")]
    Digest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    History: Option<Vec<String>>,
    Created: i64,
    CreatedAt: String,
}

impl JsonImage {
    fn new(row: &ImageRow) -> Self {
        let summary = &row.summary;
        JsonImage {
            Id: summary.id.clone(),
            ParentId: summary.parent_id.clone(),
            RepoTags: None,
            RepoDigests: summary.repo_digests.clone(),
            Size: summary.size,
            SharedSize: summary.shared_size,
            VirtualSize: summary.virtual_size,
            Labels: summary.labels.clone(),
            Containers: summary.containers,
            ReadOnly: summary.read_only,
            Dangling: summary.dangling,
            Names: summary.names.clone().filter(|names| !names.is_empty()),
            Digest: summary.digest.clone(),
            History: summary
                .history
                .clone()
                .filter(|history| !history.is_empty()),
            Created: summary.created,
            CreatedAt: rfc3339_utc(summary.created),
        }
    }
}

/// Unix seconds as RFC 3339 in UTC (`2026-11-28T02:39:44Z`).
pub fn rfc3339_utc(secs: i64) -> String {
    chrono::DateTime::from_timestamp(secs, 0)
        .map(|time| time.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repo_tags_split_like_podman() {
        assert_eq!(
            split_repo_tag("localhost/busybox:test"),
            ("localhost/busybox".into(), "test".into())
        );
        assert_eq!(
            split_repo_tag("localhost:5000/bb"),
            ("localhost:5000/bb".into(), "<none>".into())
        );
        assert_eq!(
            split_repo_tag("<none>:<none>"),
            ("<none>".into(), "<none>".into())
        );
        assert_eq!(rfc3339_utc(1795833584), "2026-11-28T02:39:44Z");
    }
}
