//! `POST /libpod/build`: the context goes up as a tar stream (see
//! [`crate::archive`] and [`crate::body`]), the build's output comes back
//! as JSON lines (`{"stream": ...}`, finally `{"error": ...}` on failure).

use std::collections::BTreeMap;

use http::Method;
use serde::Deserialize;

use crate::client::{ApiRequest, Client, RequestBody};
use crate::error::Result;
use crate::stream::{BodyReader, JsonLines};

/// What `podman build` sends as query parameters.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// Containerfiles, relative to the context (or absolute paths that the
    /// context archive also carries, as podman does for outside files).
    pub dockerfiles: Vec<String>,
    pub tags: Vec<String>,
    pub build_args: BTreeMap<String, String>,
    /// `KEY=VALUE` labels.
    pub labels: Vec<String>,
    /// `KEY=VALUE` annotations.
    pub annotations: Vec<String>,
    pub target: Option<String>,
    pub no_cache: bool,
    /// buildah's pull policy name: `missing`, `always`, `never`, `newer`.
    pub pull_policy: String,
    pub layers: bool,
    pub squash: bool,
    pub quiet: bool,
    /// Remove intermediate containers after a successful build.
    pub rm: bool,
    pub force_rm: bool,
    /// `OS/ARCH[/VARIANT]` values.
    pub platforms: Vec<String>,
    /// The manifest type, e.g. `application/vnd.oci.image.manifest.v1+json`.
    pub output_format: String,
    pub tls_verify: Option<bool>,
    /// Any further parameter, sent as given (`extrahosts`, `cpuquota`, ...).
    pub extra: Vec<(String, String)>,
    /// Base64 credentials for `X-Registry-Auth` (pulling base images).
    pub registry_auth: Option<String>,
}

/// One line of build output.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct BuildEvent {
    pub stream: Option<String>,
    pub error: Option<String>,
}

/// Starts a build with `context` (a tar stream) and returns its output.
pub async fn build(
    client: &Client,
    options: &BuildOptions,
    context: RequestBody,
) -> Result<BuildProgress> {
    let mut request = ApiRequest::libpod(Method::POST, "/build");
    for tag in &options.tags {
        request = request.query("t", tag);
    }
    if !options.dockerfiles.is_empty() {
        request = request.query("dockerfile", json(&options.dockerfiles));
    }
    if !options.build_args.is_empty() {
        request = request.query("buildargs", json(&options.build_args));
    }
    if !options.labels.is_empty() {
        request = request.query("labels", json(&options.labels));
    }
    if !options.annotations.is_empty() {
        request = request.query("annotations", json(&options.annotations));
    }
    request = request
        .query_opt("target", options.target.as_deref())
        .query("pullpolicy", &options.pull_policy)
        .query("rm", if options.rm { "1" } else { "0" })
        .query("outputformat", &options.output_format)
        .query_opt("tlsVerify", options.tls_verify);
    for (flag, on) in [
        ("nocache", options.no_cache),
        ("layers", options.layers),
        ("squash", options.squash),
        ("q", options.quiet),
        ("forcerm", options.force_rm),
    ] {
        if on {
            request = request.query(flag, "1");
        }
    }
    for platform in &options.platforms {
        request = request.query("platform", platform);
    }
    for (key, value) in &options.extra {
        request = request.query(key, value);
    }
    if let Some(auth) = &options.registry_auth {
        request = request.header("X-Registry-Auth", auth.clone());
    }
    let request = request.stream(context, "application/x-tar");
    let response = client.send(request).await?;
    Ok(BuildProgress {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}

/// The output stream of a build.
pub struct BuildProgress {
    lines: JsonLines<BodyReader>,
}

impl BuildProgress {
    /// The next line of output, or `None` when the build is over.
    pub async fn next(&mut self) -> Result<Option<BuildEvent>> {
        self.lines
            .next()
            .await
            .map_err(|error| crate::Error::Stream {
                what: "image build".into(),
                error,
            })
    }
}

/// JSON text of a query value (lists and maps), as podman encodes them.
fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}
