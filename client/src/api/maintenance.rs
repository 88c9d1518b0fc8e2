//! Container housekeeping: rename, update (cgroup resources), init, pause, unpause, the health check, and resource
//! statistics (one report or a stream of them).

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{path_segment, ApiRequest, Client};
use crate::error::{Error, Result};
use crate::stream::{BodyReader, JsonLines};

fn container_path(id: &str, rest: &str) -> String {
    format!("/containers/{}{rest}", path_segment(id))
}

/// `POST /containers/{id}/rename?name=`.
pub async fn rename(client: &Client, id: &str, name: &str) -> Result<()> {
    let request =
        ApiRequest::libpod(Method::POST, &container_path(id, "/rename")).query("name", name);
    client.empty(request).await
}

/// `POST /containers/{id}/update` with OCI `LinuxResources` (JSON).
pub async fn update(client: &Client, id: &str, resources: &Value) -> Result<()> {
    let request =
        ApiRequest::libpod(Method::POST, &container_path(id, "/update")).json(resources)?;
    client.empty(request).await
}

/// `POST /containers/{id}/init`; returns false when it was initialized already (304).
pub async fn init(client: &Client, id: &str) -> Result<bool> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/init"));
    let status = client.status(request).await?;
    Ok(status != http::StatusCode::NOT_MODIFIED)
}

pub async fn pause(client: &Client, id: &str) -> Result<()> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/pause"));
    client.empty(request).await
}

pub async fn unpause(client: &Client, id: &str) -> Result<()> {
    let request = ApiRequest::libpod(Method::POST, &container_path(id, "/unpause"));
    client.empty(request).await
}

/// The result of running a container's health check.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default)]
pub struct HealthCheckResults {
    /// `healthy`, `unhealthy` or `starting`.
    #[serde(rename = "Status")]
    pub status: String,
}

/// `GET /containers/{id}/healthcheck`.
pub async fn healthcheck(client: &Client, id: &str) -> Result<HealthCheckResults> {
    let request = ApiRequest::libpod(Method::GET, &container_path(id, "/healthcheck"));
    client.json(request).await
}

/// One container's statistics (libpod's `define.ContainerStats`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "PascalCase")]
pub struct ContainerStats {
    #[serde(rename = "AvgCPU")]
    pub avg_cpu: f64,
    #[serde(rename = "ContainerID")]
    pub container_id: String,
    pub name: String,
    #[serde(rename = "PerCPU")]
    pub per_cpu: Option<Vec<u64>>,
    #[serde(rename = "CPU")]
    pub cpu: f64,
    #[serde(rename = "CPUNano")]
    pub cpu_nano: u64,
    #[serde(rename = "CPUSystemNano")]
    pub cpu_system_nano: u64,
    pub system_nano: u64,
    pub mem_usage: u64,
    pub mem_limit: u64,
    pub mem_perc: f64,
    pub net_input: u64,
    pub net_output: u64,
    pub block_input: u64,
    pub block_output: u64,
    #[serde(rename = "PIDs")]
    pub pids: u64,
    /// Nanoseconds (Go's `time.Duration`).
    pub up_time: i64,
    pub duration: u64,
}

/// One report of a stats stream: every requested container, or an error.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct StatsReport {
    #[serde(rename = "Error")]
    pub error: Option<Value>,
    #[serde(rename = "Stats")]
    pub stats: Option<Vec<ContainerStats>>,
}

/// `GET /containers/stats`: reports for `containers` (all running ones when
/// empty, every one with `all`), every `interval` seconds while `stream`,
/// else just one.
pub async fn stats(
    client: &Client,
    containers: &[String],
    all: bool,
    stream: bool,
    interval: u32,
) -> Result<StatsStream> {
    let mut request = ApiRequest::libpod(Method::GET, "/containers/stats")
        .flag("all", all)
        .query("stream", stream)
        .query("interval", interval);
    for container in containers {
        request = request.query("containers", container);
    }
    let response = client.send(request).await?;
    Ok(StatsStream {
        lines: JsonLines::new(BodyReader::new(response.into_body())),
    })
}

/// A stream of [`StatsReport`]s.
pub struct StatsStream {
    lines: JsonLines<BodyReader>,
}

impl StatsStream {
    pub async fn next(&mut self) -> Result<Option<StatsReport>> {
        self.lines.next().await.map_err(|error| Error::Stream {
            what: "container stats".into(),
            error,
        })
    }
}
