//! Endpoints that move files and images as archives, all streamed: a
//! container's paths (`cp`: stat, get, put), a container's filesystem
//! (`export`), images (`save` = export, `load`, `import`), and the two that
//! turn a container into an image or describe its changes (`commit`, `diff`).

use std::collections::BTreeMap;

use http::{Method, StatusCode};
use serde::{Deserialize, Serialize};

use crate::client::{path_segment, ApiRequest, Client, RequestBody};
use crate::error::{Error, Result};
use crate::stream::BodyReader;

fn container_path(id: &str, rest: &str) -> String {
    format!("/containers/{}{rest}", path_segment(id))
}

/// What `HEAD /containers/{id}/archive` says about a path (podman's
/// `define.FileInfo`, sent base64-encoded in `X-Docker-Container-Path-Stat`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    /// Go's `os.FileMode` bits (directory is bit 31, symlink bit 27).
    pub mode: u32,
    pub mtime: String,
    /// The path with symlinks resolved inside the container.
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

/// Go's `os.ModeDir`.
const GO_MODE_DIR: u32 = 1 << 31;

impl PathStat {
    pub fn is_dir(&self) -> bool {
        self.mode & GO_MODE_DIR != 0
    }
}

/// The outcome of a stat: found, missing (with what the server knew, e.g.
/// a dangling symlink's target), or another failure.
#[derive(Debug)]
pub enum StatOutcome {
    Found(PathStat),
    Missing(Option<PathStat>),
}

/// `HEAD /containers/{id}/archive?path=`.
pub async fn stat_path(client: &Client, id: &str, path: &str) -> Result<StatOutcome> {
    let request =
        ApiRequest::libpod(Method::HEAD, &container_path(id, "/archive")).query("path", path);
    let (status, headers) = client.head(request).await?;
    let stat = headers
        .get("X-Docker-Container-Path-Stat")
        .and_then(|value| value.to_str().ok())
        .and_then(decode_stat);
    match status {
        StatusCode::OK => stat.map(StatOutcome::Found).ok_or_else(|| Error::Api {
            status: 200,
            message: format!("no stat information for {path:?}"),
            cause: String::new(),
        }),
        StatusCode::NOT_FOUND => Ok(StatOutcome::Missing(stat)),
        status => Err(Error::Api {
            status: status.as_u16(),
            message: status.to_string(),
            cause: String::new(),
        }),
    }
}

fn decode_stat(header: &str) -> Option<PathStat> {
    let bytes = data_encoding::BASE64URL
        .decode(header.as_bytes())
        .or_else(|_| data_encoding::BASE64URL_NOPAD.decode(header.as_bytes()))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// `GET /containers/{id}/archive?path=`: the path as a tar stream.
pub async fn get_archive(client: &Client, id: &str, path: &str) -> Result<BodyReader> {
    let request =
        ApiRequest::libpod(Method::GET, &container_path(id, "/archive")).query("path", path);
    let response = client.send(request).await?;
    Ok(BodyReader::new(response.into_body()))
}

/// How `put_archive` unpacks.
#[derive(Debug, Clone, Default)]
pub struct PutArchiveOptions {
    /// Give the files the container's primary uid/gid.
    pub chown: bool,
    /// `{old first component: new name}`.
    pub rename: BTreeMap<String, String>,
    pub no_overwrite_dir_non_dir: bool,
}

/// `PUT /containers/{id}/archive?path=`: unpacks a tar stream into `path`.
pub async fn put_archive(
    client: &Client,
    id: &str,
    path: &str,
    options: &PutArchiveOptions,
    archive: RequestBody,
) -> Result<()> {
    let mut request = ApiRequest::libpod(Method::PUT, &container_path(id, "/archive"))
        .query("path", path)
        .query("chown", options.chown)
        .query("noOverwriteDirNonDir", options.no_overwrite_dir_non_dir);
    if !options.rename.is_empty() {
        request = request.query(
            "rename",
            serde_json::to_string(&options.rename).unwrap_or_default(),
        );
    }
    client
        .empty(request.stream(archive, "application/x-tar"))
        .await
}

/// `GET /containers/{id}/export`: the container's filesystem as a tar.
pub async fn export_container(client: &Client, id: &str) -> Result<BodyReader> {
    let request = ApiRequest::libpod(Method::GET, &container_path(id, "/export"));
    Ok(BodyReader::new(client.send(request).await?.into_body()))
}

/// `save` options.
#[derive(Debug, Clone, Default)]
pub struct ExportImagesOptions {
    /// `docker-archive`, `oci-archive`, `oci-dir`, `docker-dir`.
    pub format: String,
    /// Compress layers (directory formats only).
    pub compress: bool,
    pub oci_accept_uncompressed_layers: bool,
}

/// `GET /images/export?references=...`: one archive of all `references`.
pub async fn export_images(
    client: &Client,
    references: &[String],
    options: &ExportImagesOptions,
) -> Result<BodyReader> {
    let mut request = ApiRequest::libpod(Method::GET, "/images/export")
        .query("format", &options.format)
        .query("compress", options.compress)
        .query(
            "ociAcceptUncompressedLayers",
            options.oci_accept_uncompressed_layers,
        );
    for reference in references {
        request = request.query("references", reference);
    }
    Ok(BodyReader::new(client.send(request).await?.into_body()))
}

/// `POST /images/load`'s answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct LoadReport {
    pub names: Vec<String>,
}

/// `POST /images/load` with an archive (any format podman reads).
pub async fn load(client: &Client, archive: RequestBody) -> Result<LoadReport> {
    let request =
        ApiRequest::libpod(Method::POST, "/images/load").stream(archive, "application/x-tar");
    client.json(request).await
}

/// `import` options.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Dockerfile instructions (`CMD ["/bin/sh"]`).
    pub changes: Vec<String>,
    pub message: Option<String>,
    pub reference: Option<String>,
    /// Let the server download the tarball from this URL (no body sent).
    pub url: Option<String>,
    pub os: Option<String>,
    pub arch: Option<String>,
    pub variant: Option<String>,
}

/// `POST /images/import`'s answer: the new image id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct ImportReport {
    #[serde(rename = "Id")]
    pub id: String,
}

/// `POST /images/import` with a tarball (or, with `url`, none).
pub async fn import(
    client: &Client,
    options: &ImportOptions,
    tarball: Option<RequestBody>,
) -> Result<ImportReport> {
    let mut request = ApiRequest::libpod(Method::POST, "/images/import")
        .query_opt("message", options.message.as_deref())
        .query_opt("reference", options.reference.as_deref())
        .query_opt("url", options.url.as_deref())
        .query_opt("os", options.os.as_deref())
        .query_opt("arch", options.arch.as_deref())
        .query_opt("variant", options.variant.as_deref());
    for change in &options.changes {
        request = request.query("changes", change);
    }
    if let Some(tarball) = tarball {
        request = request.stream(tarball, "application/x-tar");
    }
    client.json(request).await
}

/// `commit` options.
#[derive(Debug, Clone, Default)]
pub struct CommitOptions {
    pub author: Option<String>,
    pub changes: Vec<String>,
    pub comment: Option<String>,
    /// `oci` or `docker`.
    pub format: Option<String>,
    pub pause: bool,
    pub squash: bool,
    pub repo: Option<String>,
    pub tag: Option<String>,
    pub include_volumes: bool,
}

/// `POST /commit?container=`: returns the new image's id.
pub async fn commit(client: &Client, container: &str, options: &CommitOptions) -> Result<String> {
    #[derive(Deserialize)]
    struct IdResponse {
        #[serde(rename = "Id")]
        id: String,
    }
    let mut request = ApiRequest::libpod(Method::POST, "/commit")
        .query("container", container)
        .query_opt("author", options.author.as_deref())
        .query_opt("comment", options.comment.as_deref())
        .query_opt("format", options.format.as_deref())
        .query("pause", options.pause)
        .flag("squash", options.squash)
        .query_opt("repo", options.repo.as_deref())
        .query_opt("tag", options.tag.as_deref())
        .flag("includeVolumes", options.include_volumes);
    for change in &options.changes {
        request = request.query("changes", change);
    }
    let answer: IdResponse = client.json(request).await?;
    Ok(answer.id)
}

/// One changed path (`diff`): kind 0 modified, 1 added, 2 deleted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct Change {
    pub path: String,
    pub kind: u8,
}

/// `GET /containers|images/{name}/changes`: what changed against the
/// parent (or `parent`); `kind` is `all`, `container` or `image`.
pub async fn changes(
    client: &Client,
    name: &str,
    parent: Option<&str>,
    kind: &str,
) -> Result<Vec<Change>> {
    let group = if kind == "image" {
        "images"
    } else {
        "containers"
    };
    let path = format!("/{group}/{}/changes", path_segment(name));
    let request = ApiRequest::libpod(Method::GET, &path)
        .query_opt("parent", parent)
        .query("diffType", kind);
    client.json(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_headers_decode() {
        let json = br#"{"name":"etc","size":4096,"mode":2147484141,"mtime":"2026-11-28T04:00:00Z","linkTarget":"/etc"}"#;
        let header = data_encoding::BASE64URL.encode(json);
        let stat = decode_stat(&header).unwrap();
        assert!(stat.is_dir());
        assert_eq!(stat.link_target, "/etc");
    }
}
