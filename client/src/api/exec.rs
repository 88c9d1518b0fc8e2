//! Exec sessions: create, start (hijacked stream or detached), inspect, resize.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{path_segment, ApiRequest, Client};
use crate::error::Result;
use crate::stream::Upgraded;

/// The body of `POST /libpod/containers/{id}/exec`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ExecConfig {
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub cmd: Vec<String>,
    /// `KEY=value` entries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env: Vec<String>,
    pub tty: bool,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub user: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub working_dir: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub detach_keys: String,
    pub privileged: bool,
}

/// Creates an exec session in `container` and returns its id.
pub async fn create(client: &Client, container: &str, config: &ExecConfig) -> Result<String> {
    #[derive(Deserialize)]
    struct Created {
        #[serde(rename = "Id")]
        id: String,
    }
    let path = format!("/containers/{}/exec", path_segment(container));
    let request = ApiRequest::libpod(Method::POST, &path).json(config)?;
    let created: Created = client.json(request).await?;
    Ok(created.id)
}

#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct StartBody {
    detach: bool,
    tty: bool,
    #[serde(rename = "h", skip_serializing_if = "Option::is_none")]
    height: Option<u16>,
    #[serde(rename = "w", skip_serializing_if = "Option::is_none")]
    width: Option<u16>,
}

/// Starts an exec session attached: the hijacked stream carries its output
/// (multiplexed unless `tty`) and takes its stdin. `size` is the initial
/// terminal size (height, width).
pub async fn start(
    client: &Client,
    id: &str,
    tty: bool,
    size: Option<(u16, u16)>,
) -> Result<Upgraded> {
    let body = StartBody {
        detach: false,
        tty,
        height: size.map(|(height, _)| height),
        width: size.map(|(_, width)| width),
    };
    let path = format!("/exec/{}/start", path_segment(id));
    let request = ApiRequest::libpod(Method::POST, &path).json(&body)?;
    client.upgrade(request).await
}

/// Starts an exec session in the background (`exec -d`).
pub async fn start_detached(client: &Client, id: &str, tty: bool) -> Result<()> {
    let body = StartBody {
        detach: true,
        tty,
        height: None,
        width: None,
    };
    let path = format!("/exec/{}/start", path_segment(id));
    client
        .empty(ApiRequest::libpod(Method::POST, &path).json(&body)?)
        .await
}

/// `GET /libpod/exec/{id}/json`: the fields callers need, the rest kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ExecInspect {
    #[serde(rename = "ID")]
    pub id: String,
    pub running: bool,
    pub exit_code: i32,
    pub pid: i64,
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

pub async fn inspect(client: &Client, id: &str) -> Result<ExecInspect> {
    let path = format!("/exec/{}/json", path_segment(id));
    client.json(ApiRequest::libpod(Method::GET, &path)).await
}

/// Sets the exec session's tty size.
pub async fn resize(client: &Client, id: &str, height: u16, width: u16) -> Result<()> {
    let path = format!("/exec/{}/resize", path_segment(id));
    let request = ApiRequest::libpod(Method::POST, &path)
        .query("h", height)
        .query("w", width);
    client.empty(request).await
}
