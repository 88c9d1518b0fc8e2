//! Kubernetes YAML endpoints: play (`POST /play/kube`), tear down
//! (`DELETE /play/kube`) and generate (`GET /generate/kube`).

use bytes::Bytes;
use http::Method;
use serde::Deserialize;

use crate::api::pods::{PodActionReport, PodRemoveReport};
use crate::client::{ApiRequest, Client};
use crate::error::Result;

/// `kube play` options sent as query parameters.
#[derive(Debug, Clone, Default)]
pub struct PlayOptions {
    /// `--network` (repeatable).
    pub networks: Vec<String>,
    pub log_driver: Option<String>,
    pub log_options: Vec<String>,
    /// `--start`; the server starts the pods when unset.
    pub start: Option<bool>,
    pub no_hosts: bool,
    pub userns: Option<String>,
    pub annotations: std::collections::BTreeMap<String, String>,
    pub static_ips: Vec<String>,
    pub static_macs: Vec<String>,
    pub quiet: bool,
    pub tls_verify: Option<bool>,
    /// Base64 `X-Registry-Auth` for pulling the images.
    pub registry_auth: Option<String>,
}

/// What `kube play` / `kube down` did (podman's `PlayKubeReport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PlayReport {
    pub pods: Option<Vec<PlayPod>>,
    pub volumes: Option<Vec<PlayVolume>>,
    pub stop_report: Option<Vec<PodActionReport>>,
    pub rm_report: Option<Vec<PodRemoveReport>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PlayPod {
    #[serde(rename = "ID")]
    pub id: String,
    pub containers: Option<Vec<String>>,
    pub init_containers: Option<Vec<String>>,
    pub logs: Option<Vec<String>>,
    pub container_errors: Option<Vec<String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PlayVolume {
    pub name: String,
}

/// Creates the pods, containers, volumes, ... that `yaml` describes.
pub async fn play(client: &Client, yaml: Bytes, options: &PlayOptions) -> Result<PlayReport> {
    let mut request = ApiRequest::libpod(Method::POST, "/play/kube")
        .query_opt("logDriver", options.log_driver.as_deref())
        .query_opt("start", options.start)
        .flag("noHosts", options.no_hosts)
        .flag("quiet", options.quiet)
        .query_opt("userns", options.userns.as_deref())
        .query_opt("tlsVerify", options.tls_verify);
    for network in &options.networks {
        request = request.query("network", network);
    }
    for option in &options.log_options {
        request = request.query("logOptions", option);
    }
    for ip in &options.static_ips {
        request = request.query("staticIPs", ip);
    }
    for mac in &options.static_macs {
        request = request.query("staticMACs", mac);
    }
    if !options.annotations.is_empty() {
        request = request.query(
            "annotations",
            serde_json::to_string(&options.annotations).unwrap_or_default(),
        );
    }
    if let Some(auth) = &options.registry_auth {
        request = request.header("X-Registry-Auth", auth.clone());
    }
    let request = request.body(yaml, "application/x-yaml");
    client.json(request).await
}

/// Stops and removes the pods that `yaml` describes.
pub async fn down(client: &Client, yaml: Bytes) -> Result<PlayReport> {
    let request = ApiRequest::libpod(Method::DELETE, "/play/kube").body(yaml, "application/x-yaml");
    client.json(request).await
}

/// Kubernetes YAML for the named containers or pods (`service` adds a
/// Service object).
pub async fn generate(client: &Client, names: &[String], service: bool) -> Result<Bytes> {
    let mut request = ApiRequest::libpod(Method::GET, "/generate/kube").query("service", service);
    for name in names {
        request = request.query("names", name);
    }
    client.bytes(request).await
}
