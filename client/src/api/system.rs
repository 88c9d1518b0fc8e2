//! System endpoints: `/version` and `/info`.

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
