//! Secret endpoints: create, list, inspect, remove.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::containers::{filters_json, Filters};
use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;

fn secret_path(name: &str, rest: &str) -> String {
    format!("/secrets/{}{rest}", path_segment(name))
}

/// `secret create` options; the data is the request body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SecretCreate {
    pub name: String,
    pub driver: Option<String>,
    pub driver_options: BTreeMap<String, String>,
    pub labels: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SecretCreateResponse {
    #[serde(rename = "ID")]
    pub id: String,
}

/// Stores `data` as a secret and returns its id.
pub async fn create(client: &Client, secret: &SecretCreate, data: Bytes) -> Result<String> {
    // podman sends map options as JSON objects in the query.
    let map_param = |map: &BTreeMap<String, String>| {
        (!map.is_empty()).then(|| serde_json::to_string(map).unwrap_or_default())
    };
    let request = ApiRequest::libpod(Method::POST, "/secrets/create")
        .query("name", &secret.name)
        .query_opt("driver", secret.driver.as_deref())
        .query_opt("driveropts", map_param(&secret.driver_options))
        .query_opt("labels", map_param(&secret.labels))
        .body(data, "application/octet-stream");
    let response: SecretCreateResponse = client.json(request).await?;
    Ok(response.id)
}

/// `GET /libpod/secrets/json`, each secret as the server sent it.
pub async fn list(client: &Client, filters: &Filters) -> Result<Vec<Value>> {
    let request = ApiRequest::libpod(Method::GET, "/secrets/json")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `GET /libpod/secrets/{name}/json`, as the server sent it.
pub async fn inspect(client: &Client, name: &str) -> Result<Value> {
    client
        .json(ApiRequest::libpod(Method::GET, &secret_path(name, "/json")))
        .await
}

pub async fn remove(client: &Client, name: &str) -> Result<()> {
    client
        .empty(ApiRequest::libpod(Method::DELETE, &secret_path(name, "")))
        .await
}
