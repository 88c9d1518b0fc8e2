//! Image endpoints: list, inspect, remove, tag, untag, pull (with progress),
//! history, exists, tree, and scp (a copy made by the server).

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::containers::Filters;
use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;
use crate::stream::{BodyReader, JsonLines};

fn image_path(name: &str, rest: &str) -> String {
    format!("/images/{}{rest}", path_segment(name))
}

/// One row of `GET /libpod/images/json` (podman's `ImageSummary`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ImageSummary {
    pub id: String,
    pub parent_id: String,
    pub repo_tags: Option<Vec<String>>,
    pub repo_digests: Option<Vec<String>>,
    /// Unix seconds.
    pub created: i64,
    pub size: i64,
    pub shared_size: i64,
    pub virtual_size: i64,
    pub labels: Option<BTreeMap<String, String>>,
    pub containers: i64,
    pub read_only: bool,
    pub dangling: bool,
    pub names: Option<Vec<String>>,
    pub digest: String,
    pub history: Option<Vec<String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `images` options.
#[derive(Debug, Clone, Default)]
pub struct ImageListOptions {
    /// Include intermediate images (`-a`).
    pub all: bool,
    pub filters: Filters,
}

pub async fn list(client: &Client, options: &ImageListOptions) -> Result<Vec<ImageSummary>> {
    let request = ApiRequest::libpod(Method::GET, "/images/json")
        .flag("all", options.all)
        .query_opt(
            "filters",
            (!options.filters.is_empty())
                .then(|| serde_json::to_string(&options.filters).unwrap_or_default()),
        );
    client.json(request).await
}

/// `GET /libpod/images/{name}/json`, as the server sent it.
pub async fn inspect(client: &Client, name: &str) -> Result<Value> {
    client
        .json(ApiRequest::libpod(Method::GET, &image_path(name, "/json")))
        .await
}

pub async fn exists(client: &Client, name: &str) -> Result<bool> {
    let request = ApiRequest::libpod(Method::GET, &image_path(name, "/exists"));
    match client.empty(request).await {
        Ok(()) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// `rmi` options.
#[derive(Debug, Clone, Default)]
pub struct ImageRemoveOptions {
    pub all: bool,
    pub force: bool,
    pub ignore: bool,
}

/// The outcome of a batch removal; `exit_code` is podman's (0, 1 no such
/// image, 2 image in use).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ImageRemoveReport {
    pub deleted: Option<Vec<String>>,
    pub untagged: Option<Vec<String>>,
    pub errors: Option<Vec<String>>,
    pub exit_code: i32,
}

/// Removes `names` (or all images with `all`) in one request, like podman's
/// remote client.
pub async fn remove(
    client: &Client,
    names: &[String],
    options: &ImageRemoveOptions,
) -> Result<ImageRemoveReport> {
    let mut request = ApiRequest::libpod(Method::DELETE, "/images/remove")
        .flag("all", options.all)
        .flag("force", options.force)
        .flag("ignore", options.ignore);
    for name in names {
        request = request.query("images", name);
    }
    client.json(request).await
}

/// Removes dangling images (with `all`, every image no container uses;
/// with `external`, also those only external containers use) that match
/// `filters`.
pub async fn prune(
    client: &Client,
    all: bool,
    external: bool,
    filters: &Filters,
) -> Result<Vec<crate::api::PruneReport>> {
    let request = ApiRequest::libpod(Method::POST, "/images/prune")
        .flag("all", all)
        .flag("external", external)
        .query_opt("filters", crate::api::containers::filters_json(filters));
    client.json(request).await
}

/// Splits `repo[:tag]` the way podman does (a port in the registry host is
/// not a tag); the tag defaults to `latest`.
pub fn split_reference(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |slash| slash + 1);
    match reference[name_start..].rfind(':') {
        Some(colon) => {
            let at = name_start + colon;
            (&reference[..at], &reference[at + 1..])
        }
        None => (reference, "latest"),
    }
}

/// Adds `target` (`repo[:tag]`) as a name of `image`.
pub async fn tag(client: &Client, image: &str, target: &str) -> Result<()> {
    let (repo, tag) = split_reference(target);
    let request = ApiRequest::libpod(Method::POST, &image_path(image, "/tag"))
        .query("repo", repo)
        .query("tag", tag);
    client.empty(request).await
}

/// Removes `target` from `image`'s names; `None` removes all of them.
pub async fn untag(client: &Client, image: &str, target: Option<&str>) -> Result<()> {
    let mut request = ApiRequest::libpod(Method::POST, &image_path(image, "/untag"));
    if let Some(target) = target {
        let (repo, tag) = split_reference(target);
        request = request.query("repo", repo).query("tag", tag);
    }
    client.empty(request).await
}

/// `pull` options.
#[derive(Debug, Clone, Default)]
pub struct PullOptions {
    pub reference: String,
    /// `always`, `missing`, `newer`, `never`.
    pub policy: Option<String>,
    pub all_tags: bool,
    pub arch: Option<String>,
    pub os: Option<String>,
    pub variant: Option<String>,
    pub tls_verify: Option<bool>,
    /// Base64 JSON credentials for `X-Registry-Auth`.
    pub registry_auth: Option<String>,
}

/// One line of pull progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PullEvent {
    /// A progress message ("Copying blob ...").
    pub stream: Option<String>,
    pub error: Option<String>,
    /// The pulled image ids, in the final event.
    pub images: Option<Vec<String>>,
    pub id: Option<String>,
}

/// Starts a pull; read its progress with [`PullProgress::next`]. A failed
/// pull ends with an event whose `error` is set.
pub async fn pull(client: &Client, options: &PullOptions) -> Result<PullProgress> {
    let mut request = ApiRequest::libpod(Method::POST, "/images/pull")
        .query("reference", &options.reference)
        .query_opt("policy", options.policy.as_deref())
        .flag("allTags", options.all_tags)
        .query_opt("Arch", options.arch.as_deref())
        .query_opt("OS", options.os.as_deref())
        .query_opt("Variant", options.variant.as_deref())
        .query_opt("tlsVerify", options.tls_verify);
    if let Some(auth) = &options.registry_auth {
        request = request.header("X-Registry-Auth", auth.clone());
    }
    let response = client.send(request).await?;
    Ok(PullProgress {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}

/// The progress stream of a pull.
pub struct PullProgress {
    lines: JsonLines<BodyReader>,
}

impl PullProgress {
    /// The next event, or `None` when the pull is over.
    pub async fn next(&mut self) -> Result<Option<PullEvent>> {
        self.lines
            .next()
            .await
            .map_err(|error| crate::Error::Stream {
                what: "image pull".into(),
                error,
            })
    }
}

/// One layer of `history`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct HistoryEntry {
    pub id: String,
    /// Unix seconds.
    pub created: i64,
    pub created_by: String,
    pub tags: Option<Vec<String>>,
    pub size: i64,
    pub comment: String,
}

pub async fn history(client: &Client, name: &str) -> Result<Vec<HistoryEntry>> {
    client
        .json(ApiRequest::libpod(
            Method::GET,
            &image_path(name, "/history"),
        ))
        .await
}

/// `GET /images/{name}/tree`: the server's text drawing of the image's
/// layers, or with `what_requires` of the images built on it.
pub async fn tree(client: &Client, name: &str, what_requires: bool) -> Result<String> {
    #[derive(Deserialize)]
    struct TreeReport {
        #[serde(rename = "Tree", default)]
        tree: String,
    }
    let request = ApiRequest::libpod(Method::GET, &image_path(name, "/tree"))
        .flag("whatrequires", what_requires);
    let report: TreeReport = client.json(request).await?;
    Ok(report.tree)
}

/// `POST /images/scp/{name}`: the server copies its image to
/// `destination` (a connection of the server's, `NAME::[IMAGE]`) and
/// answers with the name it loaded there.
pub async fn scp(
    client: &Client,
    name: &str,
    destination: Option<&str>,
    quiet: bool,
) -> Result<String> {
    #[derive(Deserialize)]
    struct ScpReport {
        #[serde(rename = "Id", default)]
        id: String,
    }
    let request = ApiRequest::libpod(
        Method::POST,
        &image_path("scp", &format!("/{}", path_segment(name))),
    )
    .query_opt("destination", destination)
    .query("quiet", quiet);
    let report: ScpReport = client.json(request).await?;
    Ok(report.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_not_the_port() {
        assert_eq!(split_reference("busybox"), ("busybox", "latest"));
        assert_eq!(
            split_reference("localhost/busybox:test"),
            ("localhost/busybox", "test")
        );
        assert_eq!(
            split_reference("localhost:5000/bb"),
            ("localhost:5000/bb", "latest")
        );
        assert_eq!(
            split_reference("localhost:5000/bb:v1"),
            ("localhost:5000/bb", "v1")
        );
    }
}
