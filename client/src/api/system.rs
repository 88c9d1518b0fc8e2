//! System endpoints: `/version`, `/info`, `/system/df` and `/system/prune`.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{ApiRequest, Client};
use crate::error::Result;

/// `GET /libpod/version`: the Docker-style version report.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct VersionReport {
    #[serde(rename = "Platform")]
    pub platform: Platform,
    #[serde(rename = "Components")]
    pub components: Vec<Component>,
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "ApiVersion")]
    pub api_version: String,
    #[serde(rename = "MinAPIVersion")]
    pub min_api_version: String,
    #[serde(rename = "GitCommit")]
    pub git_commit: String,
    #[serde(rename = "GoVersion")]
    pub go_version: String,
    #[serde(rename = "Os")]
    pub os: String,
    #[serde(rename = "Arch")]
    pub arch: String,
    #[serde(rename = "KernelVersion")]
    pub kernel_version: String,
    #[serde(rename = "BuildTime")]
    pub build_time: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Platform {
    #[serde(rename = "Name")]
    pub name: String,
}

/// One component; podman's engine is the one named "Podman Engine".
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Component {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Version")]
    pub version: String,
    #[serde(rename = "Details")]
    pub details: serde_json::Map<String, Value>,
}

impl VersionReport {
    /// The "Podman Engine" component, if the server reported one.
    pub fn engine(&self) -> Option<&Component> {
        self.components.iter().find(|c| c.name == "Podman Engine")
    }
}

impl Component {
    /// A string detail such as `APIVersion`, `GoVersion`, `BuildTime`, `Os`, `Arch`.
    pub fn detail(&self, key: &str) -> &str {
        self.details.get(key).and_then(Value::as_str).unwrap_or("")
    }
}

pub async fn version(client: &Client) -> Result<VersionReport> {
    client
        .json(ApiRequest::libpod(Method::GET, "/version"))
        .await
}

/// `GET /libpod/info`: host, store, registries and version, as the server
/// sent it (field order kept for printing).
pub async fn info(client: &Client) -> Result<Value> {
    client.json(ApiRequest::libpod(Method::GET, "/info")).await
}

/// `GET /libpod/system/df`: disk use of images, containers and volumes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct DfReport {
    pub images: Vec<DfImage>,
    pub containers: Vec<DfContainer>,
    pub volumes: Vec<DfVolume>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct DfImage {
    pub repository: String,
    pub tag: String,
    #[serde(rename = "ImageID")]
    pub image_id: String,
    /// RFC 3339.
    pub created: String,
    pub size: i64,
    pub shared_size: i64,
    pub unique_size: i64,
    pub containers: i64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct DfContainer {
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    pub image: String,
    pub command: Option<Vec<String>>,
    pub local_volumes: i64,
    pub size: i64,
    #[serde(rename = "RWSize")]
    pub rw_size: i64,
    /// RFC 3339.
    pub created: String,
    pub status: String,
    pub names: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct DfVolume {
    pub volume_name: String,
    pub links: i64,
    pub size: i64,
    pub reclaimable_size: i64,
}

pub async fn df(client: &Client) -> Result<DfReport> {
    client
        .json(ApiRequest::libpod(Method::GET, "/system/df"))
        .await
}

/// What `system prune` removed, per kind of object.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct SystemPruneReport {
    pub pod_prune_report: Option<Vec<crate::api::pods::PodRemoveReport>>,
    pub container_prune_reports: Option<Vec<crate::api::PruneReport>>,
    pub image_prune_reports: Option<Vec<crate::api::PruneReport>>,
    pub network_prune_reports: Option<Vec<crate::api::networks::NetworkRemoveReport>>,
    pub volume_prune_reports: Option<Vec<crate::api::PruneReport>>,
    pub reclaimed_space: u64,
}

/// Removes stopped containers, unused pods, networks, dangling (or, with
/// `all`, unused) images and, with `volumes`, unused volumes.
pub async fn prune(
    client: &Client,
    all: bool,
    volumes: bool,
    filters: &crate::api::containers::Filters,
) -> Result<SystemPruneReport> {
    let request = ApiRequest::libpod(Method::POST, "/system/prune")
        .flag("all", all)
        .flag("volumes", volumes)
        .query_opt("filters", crate::api::containers::filters_json(filters));
    client.json(request).await
}
