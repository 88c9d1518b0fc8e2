//! Network endpoints: create, list, inspect, remove, connect, disconnect,
//! prune, exists.

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::api::containers::{filters_json, Filters};
use crate::api::exists_request;
use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;

fn network_path(name: &str, rest: &str) -> String {
    format!("/networks/{}{rest}", path_segment(name))
}

/// The body of `POST /libpod/networks/create` (netavark's `Network`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NetworkCreate {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub driver: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub network_interface: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subnets: Vec<Subnet>,
    pub ipv6_enabled: bool,
    pub internal: bool,
    pub dns_enabled: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ipam_options: BTreeMap<String, String>,
}

/// One subnet of a network, with its gateway and lease range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Subnet {
    pub subnet: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lease_range: Option<LeaseRange>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct LeaseRange {
    pub start_ip: String,
    pub end_ip: String,
}

/// Creates a network and returns it as the engine completed it.
pub async fn create(client: &Client, network: &NetworkCreate) -> Result<Value> {
    let request = ApiRequest::libpod(Method::POST, "/networks/create").json(network)?;
    client.json(request).await
}

/// `GET /libpod/networks/json`, each network as the server sent it.
pub async fn list(client: &Client, filters: &Filters) -> Result<Vec<Value>> {
    let request = ApiRequest::libpod(Method::GET, "/networks/json")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `GET /libpod/networks/{name}/json`, as the server sent it.
pub async fn inspect(client: &Client, name: &str) -> Result<Value> {
    client
        .json(ApiRequest::libpod(
            Method::GET,
            &network_path(name, "/json"),
        ))
        .await
}

/// One removed (or pruned) network and what kept it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct NetworkRemoveReport {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Err", alias = "Error")]
    pub err: Option<String>,
}

/// Removes a network; `force` removes the containers using it first.
pub async fn remove(
    client: &Client,
    name: &str,
    force: bool,
    timeout: Option<u32>,
) -> Result<Vec<NetworkRemoveReport>> {
    let request = ApiRequest::libpod(Method::DELETE, &network_path(name, ""))
        .flag("force", force)
        .query_opt("timeout", timeout);
    client.json(request).await
}

/// Per-container options of `network connect`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ConnectOptions {
    pub container: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub static_ips: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub static_mac: Option<String>,
    pub interface_name: String,
}

pub async fn connect(client: &Client, network: &str, options: &ConnectOptions) -> Result<()> {
    let request =
        ApiRequest::libpod(Method::POST, &network_path(network, "/connect")).json(options)?;
    client.empty(request).await
}

pub async fn disconnect(
    client: &Client,
    network: &str,
    container: &str,
    force: bool,
) -> Result<()> {
    let body = serde_json::json!({ "Container": container, "Force": force });
    let request =
        ApiRequest::libpod(Method::POST, &network_path(network, "/disconnect")).json(&body)?;
    client.empty(request).await
}

/// Removes the networks no container uses (matching `filters`).
pub async fn prune(client: &Client, filters: &Filters) -> Result<Vec<NetworkRemoveReport>> {
    let request = ApiRequest::libpod(Method::POST, "/networks/prune")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

pub async fn exists(client: &Client, name: &str) -> Result<bool> {
    exists_request(
        client,
        ApiRequest::libpod(Method::GET, &network_path(name, "/exists")),
    )
    .await
}
