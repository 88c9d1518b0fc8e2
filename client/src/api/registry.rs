//! Registry endpoints: push an image, search a registry, and manifest lists
//! (create, inspect, add/remove/annotate entries, push, exists). Credentials
//! travel in `X-Registry-Auth` (see [`crate::auth`]).

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};

use crate::client::{path_segment, ApiRequest, Client};
use crate::error::{Error, Result};
use crate::stream::{BodyReader, JsonLines};

/// What `push` and `manifest push` send besides the names.
#[derive(Debug, Clone, Default)]
pub struct PushOptions {
    /// `oci`, `v2s2` or `v2s1`.
    pub format: Option<String>,
    pub compress: bool,
    pub compression_format: Option<String>,
    pub remove_signatures: bool,
    pub tls_verify: Option<bool>,
    /// Push every image of a manifest list.
    pub all: bool,
    /// Base64 credentials for `X-Registry-Auth`.
    pub registry_auth: Option<String>,
}

/// One line of push progress.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PushEvent {
    pub stream: Option<String>,
    pub error: Option<String>,
    /// The pushed manifest's digest (`manifest push`, last line).
    #[serde(rename = "Id")]
    pub id: Option<String>,
}

/// A stream of [`PushEvent`]s.
pub struct PushProgress {
    lines: JsonLines<BodyReader>,
}

impl PushProgress {
    pub async fn next(&mut self) -> Result<Option<PushEvent>> {
        self.lines.next().await.map_err(|error| Error::Stream {
            what: "image push".into(),
            error,
        })
    }
}

fn push_request(mut request: ApiRequest, options: &PushOptions) -> ApiRequest {
    request = request
        .query_opt("format", options.format.as_deref())
        .flag("compress", options.compress)
        .query_opt("compressionFormat", options.compression_format.as_deref())
        .flag("removeSignatures", options.remove_signatures)
        .query_opt("tlsVerify", options.tls_verify)
        .flag("all", options.all)
        .query("quiet", false);
    if let Some(auth) = &options.registry_auth {
        request = request.header("X-Registry-Auth", auth.clone());
    }
    request
}

/// `POST /images/{name}/push?destination=`.
pub async fn push(
    client: &Client,
    source: &str,
    destination: &str,
    options: &PushOptions,
) -> Result<PushProgress> {
    let path = format!("/images/{}/push", path_segment(source));
    let request = push_request(ApiRequest::libpod(Method::POST, &path), options)
        .query("destination", destination);
    let response = client.send(request).await?;
    Ok(PushProgress {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}

/// One search result (podman's `ImageSearchReport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchResult {
    #[serde(rename = "Index")]
    pub index: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "Stars")]
    pub stars: i64,
    #[serde(rename = "Official")]
    pub official: String,
    #[serde(rename = "Automated")]
    pub automated: String,
    #[serde(rename = "Tag")]
    pub tag: String,
}

/// `search` options.
#[derive(Debug, Clone, Default)]
pub struct SearchOptions {
    pub limit: Option<u32>,
    pub filters: BTreeMap<String, Vec<String>>,
    pub list_tags: bool,
    pub tls_verify: Option<bool>,
    pub registry_auth: Option<String>,
}

/// `GET /images/search?term=`.
pub async fn search(
    client: &Client,
    term: &str,
    options: &SearchOptions,
) -> Result<Vec<SearchResult>> {
    let mut request = ApiRequest::libpod(Method::GET, "/images/search")
        .query("term", term)
        .query_opt("limit", options.limit)
        .flag("listTags", options.list_tags)
        .query_opt("tlsVerify", options.tls_verify);
    if !options.filters.is_empty() {
        request = request.query(
            "filters",
            serde_json::to_string(&options.filters).unwrap_or_default(),
        );
    }
    if let Some(auth) = &options.registry_auth {
        request = request.header("X-Registry-Auth", auth.clone());
    }
    client
        .json::<Option<Vec<SearchResult>>>(request)
        .await
        .map(Option::unwrap_or_default)
}

fn manifest_path(name: &str, rest: &str) -> String {
    format!("/manifests/{}{rest}", path_segment(name))
}

#[derive(Deserialize)]
struct IdResponse {
    #[serde(rename = "Id")]
    id: String,
}

/// `POST /manifests/{name}?images=...`: a new list, returns its id.
pub async fn create_manifest(
    client: &Client,
    name: &str,
    images: &[String],
    all: bool,
    amend: bool,
) -> Result<String> {
    let mut request = ApiRequest::libpod(Method::POST, &manifest_path(name, ""))
        .flag("all", all)
        .flag("amend", amend);
    for image in images {
        request = request.query("images", image);
    }
    Ok(client.json::<IdResponse>(request).await?.id)
}

/// `GET /manifests/{name}/exists`.
pub async fn manifest_exists(client: &Client, name: &str) -> Result<bool> {
    let request = ApiRequest::libpod(Method::GET, &manifest_path(name, "/exists"));
    match client.empty(request).await {
        Ok(()) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// A manifest list as podman's remote client shows it (Docker's schema 2
/// list: annotations are not part of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManifestList {
    #[serde(rename = "schemaVersion")]
    pub schema_version: i64,
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub manifests: Option<Vec<ManifestDescriptor>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ManifestDescriptor {
    #[serde(rename = "mediaType")]
    pub media_type: String,
    pub size: i64,
    pub digest: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub urls: Vec<String>,
    pub platform: Platform,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Platform {
    pub architecture: String,
    pub os: String,
    #[serde(rename = "os.version", skip_serializing_if = "String::is_empty")]
    pub os_version: String,
    #[serde(rename = "os.features", skip_serializing_if = "Vec::is_empty")]
    pub os_features: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub variant: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub features: Vec<String>,
}

/// `GET /manifests/{name}/json`.
pub async fn inspect_manifest(client: &Client, name: &str) -> Result<ManifestList> {
    let request = ApiRequest::libpod(Method::GET, &manifest_path(name, "/json"));
    client.json(request).await
}

/// The body of `PUT /manifests/{name}` (libpod's `ManifestModifyOptions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ManifestModify {
    /// `update` (add), `remove` or `annotate`.
    pub operation: String,
    pub images: Vec<String>,
    pub all: bool,
    /// `KEY=VALUE` entries.
    pub annotation: Vec<String>,
    pub arch: String,
    pub features: Vec<String>,
    pub os: String,
    pub os_features: Vec<String>,
    pub os_version: String,
    pub variant: String,
}

/// `PUT /manifests/{name}`: returns the list's id; the server's per-image
/// errors become one error.
pub async fn modify_manifest(
    client: &Client,
    name: &str,
    body: &ManifestModify,
    tls_verify: Option<bool>,
    registry_auth: Option<&str>,
) -> Result<String> {
    #[derive(Deserialize, Default)]
    #[serde(default)]
    struct Report {
        #[serde(rename = "Id")]
        id: String,
        errors: Option<Vec<serde_json::Value>>,
    }
    let mut request = ApiRequest::libpod(Method::PUT, &manifest_path(name, ""))
        .query_opt("tlsVerify", tls_verify)
        .json(body)?;
    if let Some(auth) = registry_auth {
        request = request.header("X-Registry-Auth", auth.to_string());
    }
    let (status, bytes) = client.bytes_any_status(request).await?;
    // Failures of single images come back as a report with `errors`
    // (status 400 or 409); other failures in podman's error shape.
    if let Ok(report) = serde_json::from_slice::<Report>(&bytes) {
        let errors = report.errors.unwrap_or_default();
        if !errors.is_empty() {
            let texts: Vec<String> = errors
                .iter()
                .map(|e| e.as_str().map_or_else(|| e.to_string(), str::to_string))
                .collect();
            return Err(Error::Api {
                status: status.as_u16(),
                message: texts.join("\n"),
                cause: String::new(),
            });
        }
        if status.is_success() || status.is_redirection() {
            return Ok(report.id);
        }
    }
    Err(crate::parse_api_error(status.as_u16(), &bytes))
}

/// `POST /manifests/{name}/registry/{destination}`: pushes the list (and
/// its images with `all`); returns the progress, whose last event carries
/// the digest.
pub async fn push_manifest(
    client: &Client,
    name: &str,
    destination: &str,
    options: &PushOptions,
) -> Result<PushProgress> {
    let path = format!(
        "/manifests/{}/registry/{}",
        path_segment(name),
        path_segment(destination)
    );
    let request = push_request(ApiRequest::libpod(Method::POST, &path), options);
    let response = client.send(request).await?;
    Ok(PushProgress {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}
