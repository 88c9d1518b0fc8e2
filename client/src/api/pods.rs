//! Pod endpoints: create, list, inspect, start, stop, restart, kill,
//! pause, unpause, remove, prune, top, stats, exists.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::api::containers::{filters_json, Filters, PortMapping, TopReport};
use crate::api::exists_request;
use crate::client::{path_segment, ApiRequest, Client};
use crate::error::{Error, Result};

fn pod_path(name: &str, rest: &str) -> String {
    format!("/pods/{}{rest}", path_segment(name))
}

/// One row of `GET /libpod/pods/json` (podman's `ListPodsReport`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ListPodsReport {
    pub cgroup: String,
    pub containers: Vec<ListPodContainer>,
    /// RFC 3339 creation time.
    pub created: String,
    pub id: String,
    pub infra_id: String,
    pub name: String,
    pub namespace: String,
    pub networks: Option<Vec<String>>,
    pub status: String,
    pub labels: Option<std::collections::BTreeMap<String, String>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ListPodContainer {
    pub id: String,
    pub names: String,
    pub status: String,
}

/// `GET /libpod/pods/json`, the pods matching `filters`.
pub async fn list(client: &Client, filters: &Filters) -> Result<Vec<ListPodsReport>> {
    let request =
        ApiRequest::libpod(Method::GET, "/pods/json").query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `GET /libpod/pods/json` as the server sent it (for `--format json`).
pub async fn list_raw(client: &Client, filters: &Filters) -> Result<Vec<Value>> {
    let request =
        ApiRequest::libpod(Method::GET, "/pods/json").query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `GET /libpod/pods/{name}/json`, as the server sent it.
pub async fn inspect(client: &Client, name: &str) -> Result<Value> {
    client
        .json(ApiRequest::libpod(Method::GET, &pod_path(name, "/json")))
        .await
}

pub async fn exists(client: &Client, name: &str) -> Result<bool> {
    exists_request(
        client,
        ApiRequest::libpod(Method::GET, &pod_path(name, "/exists")),
    )
    .await
}

/// The body of `POST /libpod/pods/create` (libpod's PodSpecGenerator): the
/// common fields typed, anything else through `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PodSpec {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub exit_policy: String,
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub labels: std::collections::BTreeMap<String, String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub no_infra: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared_namespaces: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub portmappings: Vec<PortMapping>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pod_create_command: Vec<String>,
    /// Any other PodSpecGenerator field (`infra_image`, `netns`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
struct IdResponse {
    #[serde(rename = "Id")]
    id: String,
}

/// Creates a pod and returns its id.
pub async fn create(client: &Client, spec: &PodSpec) -> Result<String> {
    let request = ApiRequest::libpod(Method::POST, "/pods/create").json(spec)?;
    let response: IdResponse = client.json(request).await?;
    Ok(response.id)
}

/// The outcome of an action on a pod: its id and the errors of the
/// containers the action failed on (podman's `Pod*Report`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PodActionReport {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Errs")]
    pub errs: Option<Vec<String>>,
}

/// One of the pod actions podman sends as `POST /pods/{name}/{action}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodAction<'a> {
    Start,
    /// Stop, killing after the timeout in seconds (server default when `None`).
    Stop(Option<u32>),
    Restart,
    /// Send a signal (a name like `KILL` or a number).
    Kill(&'a str),
    Pause,
    Unpause,
}

/// Runs `action` on a pod. A pod already in the wanted state answers 304
/// (an empty report with `name` as its id); a partial failure answers 409
/// with the per-container errors, returned in the report.
pub async fn act(client: &Client, name: &str, action: PodAction<'_>) -> Result<PodActionReport> {
    let request = match action {
        PodAction::Start => ApiRequest::libpod(Method::POST, &pod_path(name, "/start")),
        PodAction::Stop(timeout) => {
            ApiRequest::libpod(Method::POST, &pod_path(name, "/stop")).query_opt("timeout", timeout)
        }
        PodAction::Restart => ApiRequest::libpod(Method::POST, &pod_path(name, "/restart")),
        PodAction::Kill(signal) => {
            ApiRequest::libpod(Method::POST, &pod_path(name, "/kill")).query("signal", signal)
        }
        PodAction::Pause => ApiRequest::libpod(Method::POST, &pod_path(name, "/pause")),
        PodAction::Unpause => ApiRequest::libpod(Method::POST, &pod_path(name, "/unpause")),
    };
    match client.bytes(request).await {
        Ok(body) if body.iter().all(u8::is_ascii_whitespace) => Ok(PodActionReport {
            id: name.to_string(),
            errs: None,
        }),
        Ok(body) => serde_json::from_slice(&body).map_err(|error| Error::Decode {
            what: format!("POST /pods/{name}"),
            error,
        }),
        Err(err) => conflict_report(&err).ok_or(err),
    }
}

/// A 409 whose body is a pod report (`{"Errs":[...],"Id":...}`) rather
/// than an engine error: the client keeps such a body as the message.
fn conflict_report(err: &Error) -> Option<PodActionReport> {
    match err {
        Error::Api {
            status: 409,
            message,
            ..
        } => serde_json::from_str::<PodActionReport>(message)
            .ok()
            .filter(|report| !report.id.is_empty()),
        _ => None,
    }
}

/// One removed pod (podman's `PodRmReport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct PodRemoveReport {
    #[serde(rename = "Id")]
    pub id: String,
    #[serde(rename = "Err")]
    pub err: Option<String>,
}

/// Removes a pod; `force` stops and removes its containers first.
pub async fn remove(
    client: &Client,
    name: &str,
    force: bool,
    timeout: Option<u32>,
) -> Result<PodRemoveReport> {
    let request = ApiRequest::libpod(Method::DELETE, &pod_path(name, ""))
        .flag("force", force)
        .query_opt("timeout", timeout);
    client.json(request).await
}

/// Removes every stopped pod.
pub async fn prune(client: &Client) -> Result<Vec<PodRemoveReport>> {
    client
        .json(ApiRequest::libpod(Method::POST, "/pods/prune"))
        .await
}

/// `top` over all the pod's containers (podman's descriptors or ps options).
pub async fn top(client: &Client, name: &str, descriptors: &[String]) -> Result<TopReport> {
    let request = ApiRequest::libpod(Method::GET, &pod_path(name, "/top")).query_opt(
        "ps_args",
        (!descriptors.is_empty()).then(|| descriptors.join(",")),
    );
    client.json(request).await
}

/// One container's resource use in a pod (podman's `PodStatsReport`),
/// already formatted by the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PodStatsReport {
    #[serde(rename = "CPU")]
    pub cpu: String,
    #[serde(rename = "MemUsage")]
    pub mem_usage: String,
    #[serde(rename = "MemUsageBytes")]
    pub mem_usage_bytes: String,
    #[serde(rename = "Mem")]
    pub mem: String,
    #[serde(rename = "NetIO")]
    pub net_io: String,
    #[serde(rename = "BlockIO")]
    pub block_io: String,
    #[serde(rename = "PIDS")]
    pub pids: String,
    #[serde(rename = "Pod")]
    pub pod: String,
    #[serde(rename = "CID")]
    pub cid: String,
    #[serde(rename = "Name")]
    pub name: String,
}

/// Resource use of the containers of the named pods, or of all pods.
pub async fn stats(client: &Client, names: &[String], all: bool) -> Result<Vec<PodStatsReport>> {
    let mut request = ApiRequest::libpod(Method::GET, "/pods/stats").flag("all", all);
    for name in names {
        request = request.query("namesOrIDs", name);
    }
    client.json(request).await
}
