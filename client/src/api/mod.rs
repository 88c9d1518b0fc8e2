//! Typed endpoints of the libpod API, one module per group, with their serde
//! models. Each function takes the [`Client`](crate::Client) and returns
//! decoded data; inspect-style answers are `serde_json::Value` with the
//! server's field order kept, so they print exactly as podman prints them.

pub mod archive;
pub mod build;
pub mod checkpoint;
pub mod containers;
pub mod events;
pub mod exec;
pub mod images;
pub mod kube;
pub mod maintenance;
pub mod networks;
pub mod pods;
pub mod registry;
pub mod secrets;
pub mod system;
pub mod systemd;
pub mod volumes;

use serde::{Deserialize, Serialize};

use crate::client::{ApiRequest, Client};
use crate::error::Result;

/// One pruned object (podman's `reports.PruneReport`): its id, the error
/// that kept it, and the bytes freed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct PruneReport {
    pub id: String,
    pub err: Option<String>,
    pub size: u64,
}

/// Sends an `.../exists` request: 204 is true, 404 false.
pub(crate) async fn exists_request(client: &Client, request: ApiRequest) -> Result<bool> {
    match client.empty(request).await {
        Ok(()) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}
