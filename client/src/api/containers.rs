//! Container endpoints: list, create, start, stop, restart, kill, remove,
//! logs, wait, inspect, top, attach, resize, exists.

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;
use crate::stream::{BodyReader, Demux, Upgraded};

/// Query filters as podman sends them: `{"name":["web"],"status":["running"]}`.
pub type Filters = BTreeMap<String, Vec<String>>;

pub(crate) fn filters_json(filters: &Filters) -> Option<String> {
    (!filters.is_empty()).then(|| serde_json::to_string(filters).unwrap_or_default())
}

pub(crate) fn container_path(id: &str, rest: &str) -> String {
    format!("/containers/{}{rest}", path_segment(id))
}

/// A published port (libpod's `PortMapping`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortMapping {
    pub host_ip: String,
    pub container_port: u16,
    pub host_port: u16,
    pub range: u16,
    pub protocol: String,
}

/// Sizes reported with `size=true`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ContainerSize {
    #[serde(rename = "rootFsSize")]
    pub root_fs_size: i64,
    #[serde(rename = "rwSize")]
    pub rw_size: i64,
}

/// One row of `GET /libpod/containers/json` (podman's `ListContainer`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ListContainer {
    pub auto_remove: bool,
    pub command: Option<Vec<String>>,
    /// RFC 3339 creation time.
    pub created: String,
    pub created_at: String,
    pub exited: bool,
    pub exited_at: i64,
    pub exit_code: i32,
    pub id: String,
    pub image: String,
    #[serde(rename = "ImageID")]
    pub image_id: String,
    pub is_infra: bool,
    pub labels: Option<BTreeMap<String, String>>,
    pub mounts: Option<Vec<String>>,
    pub names: Vec<String>,
    pub namespaces: Value,
    pub networks: Option<Vec<String>>,
    pub pid: i64,
    pub pod: String,
    pub pod_name: String,
    pub ports: Option<Vec<PortMapping>>,
    pub size: Option<ContainerSize>,
    pub started_at: i64,
    pub state: String,
    pub status: String,
    /// Fields of newer servers, kept.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// `ps` options.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    pub all: bool,
    /// `--last N` / `-n`.
    pub limit: Option<i64>,
    pub size: bool,
    /// Include pod names (`--pod`).
    pub pod: bool,
    pub filters: Filters,
}

pub async fn list(client: &Client, options: &ListOptions) -> Result<Vec<ListContainer>> {
    let request = ApiRequest::libpod(Method::GET, "/containers/json")
        .flag("all", options.all)
        .query_opt("limit", options.limit)
        .flag("size", options.size)
        .flag("pod", options.pod)
        .query_opt("filters", filters_json(&options.filters));
    client.json(request).await
}

/// An OCI mount as libpod's SpecGenerator takes it (`-v /a:/b`, `--mount`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Mount {
    pub destination: String,
    #[serde(rename = "type", skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub source: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// A named volume (`-v name:/path`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct NamedVolume {
    pub name: String,
    pub dest: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

/// The body of `POST /libpod/containers/create` (libpod's SpecGenerator):
/// the common fields typed, anything else through `other`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SpecGenerator {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    pub image: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub command: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<Vec<String>>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "is_false")]
    pub terminal: bool,
    #[serde(skip_serializing_if = "is_false")]
    pub stdin: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub work_dir: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub hostname: String,
    #[serde(skip_serializing_if = "is_false")]
    pub remove: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub portmappings: Vec<PortMapping>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mounts: Vec<Mount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<NamedVolume>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub restart_policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_tries: Option<u32>,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub pod: String,
    /// Any other SpecGenerator field (`cap_add`, `annotations`, ...).
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct CreateResponse {
    pub id: String,
    pub warnings: Option<Vec<String>>,
}

pub async fn create(client: &Client, spec: &SpecGenerator) -> Result<CreateResponse> {
    let request = ApiRequest::libpod(Method::POST, "/containers/create").json(spec)?;
    client.json(request).await
}

/// Starts a container; an already running one is not an error (304).
/// Returns false when it was already running.
pub async fn start(client: &Client, id: &str, detach_keys: Option<&str>) -> Result<bool> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/start"))
        .query_opt("detachKeys", detach_keys);
    let status = client.status(request).await?;
    Ok(status != http::StatusCode::NOT_MODIFIED)
}

/// Stops a container, killing it after `timeout` seconds (server default when `None`).
pub async fn stop(client: &Client, id: &str, timeout: Option<u32>) -> Result<()> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/stop"))
        .query_opt("timeout", timeout);
    client.empty(request).await
}

pub async fn restart(client: &Client, id: &str, timeout: Option<u32>) -> Result<()> {
    let request =
        ApiRequest::libpod(Method::POST, &container_path(id, "/restart")).query_opt("t", timeout);
    client.empty(request).await
}

/// Sends `signal` (a name like `KILL`/`SIGTERM` or a number).
pub async fn kill(client: &Client, id: &str, signal: &str) -> Result<()> {
    let request =
        ApiRequest::libpod(Method::POST, &container_path(id, "/kill")).query("signal", signal);
    client.empty(request).await
}

/// `rm` options.
#[derive(Debug, Clone, Default)]
pub struct RemoveOptions {
    pub force: bool,
    /// Remove anonymous volumes too (`-v`).
    pub volumes: bool,
    /// Seconds to wait before killing a running container with `force`.
    pub timeout: Option<u32>,
    pub ignore: bool,
    pub depend: bool,
}

/// One removed container (podman's `RmReport`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct RemoveReport {
    pub id: String,
    pub err: Option<String>,
    /// The name or id the container was asked for by.
    pub raw_input: String,
}

pub async fn remove(
    client: &Client,
    id: &str,
    options: &RemoveOptions,
) -> Result<Vec<RemoveReport>> {
    let request = ApiRequest::libpod(Method::DELETE, &container_path(id, ""))
        .flag("force", options.force)
        .flag("v", options.volumes)
        .query_opt("timeout", options.timeout)
        .flag("ignore", options.ignore)
        .flag("depend", options.depend);
    client.json(request).await
}

/// Removes the containers that are not running and match `filters`.
pub async fn prune(client: &Client, filters: &Filters) -> Result<Vec<crate::api::PruneReport>> {
    let request = ApiRequest::libpod(Method::POST, "/containers/prune")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `logs` options; `stdout` and `stderr` are both requested unless disabled.
#[derive(Debug, Clone)]
pub struct LogsOptions {
    pub follow: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub since: Option<String>,
    pub until: Option<String>,
    pub timestamps: bool,
    /// `--tail N`; `None` means all lines.
    pub tail: Option<i64>,
}

impl Default for LogsOptions {
    fn default() -> Self {
        LogsOptions {
            follow: false,
            stdout: true,
            stderr: true,
            since: None,
            until: None,
            timestamps: false,
            tail: None,
        }
    }
}

/// The container's log as a multiplexed stream of stdout/stderr frames.
pub async fn logs(client: &Client, id: &str, options: &LogsOptions) -> Result<Demux<BodyReader>> {
    let request = ApiRequest::libpod(Method::GET, &container_path(id, "/logs"))
        .flag("follow", options.follow)
        .flag("stdout", options.stdout)
        .flag("stderr", options.stderr)
        .query_opt("since", options.since.as_deref())
        .query_opt("until", options.until.as_deref())
        .flag("timestamps", options.timestamps)
        .query_opt("tail", options.tail);
    let response = client.send(request).await?;
    Ok(Demux::new(BodyReader::new(response.into_body())))
}

/// Waits for the container to reach one of `conditions` (default: stopped /
/// exited) and returns its exit code.
pub async fn wait(client: &Client, id: &str, conditions: &[&str]) -> Result<i32> {
    let mut request = ApiRequest::libpod(Method::POST, &container_path(id, "/wait"));
    for condition in conditions {
        request = request.query("condition", condition);
    }
    client.json(request).await
}

/// `GET /libpod/containers/{id}/json`, as the server sent it.
pub async fn inspect(client: &Client, id: &str, size: bool) -> Result<Value> {
    let request = ApiRequest::libpod(Method::GET, &container_path(id, "/json")).flag("size", size);
    client.json(request).await
}

/// True when a container with this name or id exists.
pub async fn exists(client: &Client, id: &str) -> Result<bool> {
    exists_with(client, id, false).await
}

/// `GET /containers/{id}/exists`, counting containers of other tools in
/// the engine's storage too when `external` (`container exists --external`).
pub async fn exists_with(client: &Client, id: &str, external: bool) -> Result<bool> {
    let mut request = ApiRequest::libpod(Method::GET, &container_path(id, "/exists"));
    if external {
        request = request.query("external", true);
    }
    match client.empty(request).await {
        Ok(()) => Ok(true),
        Err(err) if err.is_not_found() => Ok(false),
        Err(err) => Err(err),
    }
}

/// `top`'s table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct TopReport {
    pub processes: Vec<Vec<String>>,
    pub titles: Vec<String>,
}

/// Runs `top` with podman's descriptors (`pid`, `user`, `args`, ...) or ps
/// options; empty means podman's default set.
pub async fn top(client: &Client, id: &str, descriptors: &[String]) -> Result<TopReport> {
    let request = ApiRequest::libpod(Method::GET, &container_path(id, "/top")).query_opt(
        "ps_args",
        (!descriptors.is_empty()).then(|| descriptors.join(",")),
    );
    client.json(request).await
}

/// `attach` options.
#[derive(Debug, Clone, Default)]
pub struct AttachOptions {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    /// Replay the log before streaming.
    pub logs: bool,
    pub detach_keys: Option<String>,
}

/// Attaches to a container: a hijacked connection whose read side carries
/// its output (multiplexed unless the container has a tty) and whose write
/// side is its stdin.
pub async fn attach(client: &Client, id: &str, options: &AttachOptions) -> Result<Upgraded> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/attach"))
        .query("stream", true)
        .flag("stdin", options.stdin)
        .flag("stdout", options.stdout)
        .flag("stderr", options.stderr)
        .flag("logs", options.logs)
        .query_opt("detachKeys", options.detach_keys.as_deref());
    client.upgrade(request).await
}

/// Sets the container's tty size.
pub async fn resize(client: &Client, id: &str, height: u16, width: u16) -> Result<()> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/resize"))
        .query("h", height)
        .query("w", width)
        .query("running", true);
    client.empty(request).await
}
