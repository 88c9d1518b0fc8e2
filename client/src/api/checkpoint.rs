//! Checkpoint and restore (`POST /containers/{id}/checkpoint`,
//! `POST /containers/{id}/restore`): CRIU images of running containers,
//! kept on the server or exported as a tar archive, and restored from
//! either.

use http::Method;
use serde_json::Value;

use crate::api::containers::container_path;
use crate::client::{ApiRequest, Client, RequestBody};
use crate::error::Result;
use crate::stream::BodyReader;

/// `container checkpoint` options, as the server's query parameters.
#[derive(Debug, Clone, Default)]
pub struct CheckpointOptions {
    pub keep: bool,
    pub leave_running: bool,
    pub tcp_established: bool,
    pub ignore_rootfs: bool,
    pub print_stats: bool,
    pub pre_checkpoint: bool,
    pub with_previous: bool,
    pub file_locks: bool,
    /// `--create-image NAME`: also commit the checkpoint as an image.
    pub create_image: Option<String>,
}

impl CheckpointOptions {
    fn request(&self, id: &str, export: bool) -> ApiRequest {
        ApiRequest::libpod(Method::POST, &container_path(id, "/checkpoint"))
            .flag("keep", self.keep)
            .flag("leaveRunning", self.leave_running)
            .flag("tcpEstablished", self.tcp_established)
            .flag("export", export)
            .flag("ignoreRootFS", self.ignore_rootfs)
            .flag("printStats", self.print_stats)
            .flag("preCheckpoint", self.pre_checkpoint)
            .flag("withPrevious", self.with_previous)
            .flag("fileLocks", self.file_locks)
            .query_opt("createImage", self.create_image.as_deref())
    }
}

/// Checkpoints a container on the server and returns its report
/// (`Id`, `runtime_checkpoint_duration`, `criu_statistics`, in the
/// server's field order).
pub async fn checkpoint(client: &Client, id: &str, options: &CheckpointOptions) -> Result<Value> {
    client.json(options.request(id, false)).await
}

/// Checkpoints a container and streams the exported archive back.
pub async fn checkpoint_export(
    client: &Client,
    id: &str,
    options: &CheckpointOptions,
) -> Result<BodyReader> {
    let response = client.send(options.request(id, true)).await?;
    Ok(BodyReader::new(response.into_body()))
}

/// `container restore` options, as the server's query parameters.
#[derive(Debug, Clone, Default)]
pub struct RestoreOptions {
    pub keep: bool,
    pub tcp_established: bool,
    pub ignore_rootfs: bool,
    pub ignore_volumes: bool,
    pub ignore_static_ip: bool,
    pub ignore_static_mac: bool,
    pub print_stats: bool,
    pub file_locks: bool,
    /// A new name for a container restored from an archive or image.
    pub name: Option<String>,
    /// An existing pod to restore into (archive or image only).
    pub pod: Option<String>,
    pub publish_ports: Vec<String>,
}

impl RestoreOptions {
    fn request(&self, id: &str) -> ApiRequest {
        let mut request = ApiRequest::libpod(Method::POST, &container_path(id, "/restore"))
            .flag("keep", self.keep)
            .flag("tcpEstablished", self.tcp_established)
            .flag("ignoreRootFS", self.ignore_rootfs)
            .flag("ignoreVolumes", self.ignore_volumes)
            .flag("ignoreStaticIP", self.ignore_static_ip)
            .flag("ignoreStaticMAC", self.ignore_static_mac)
            .flag("printStats", self.print_stats)
            .flag("fileLocks", self.file_locks)
            .query_opt("name", self.name.as_deref())
            .query_opt("pod", self.pod.as_deref());
        for port in &self.publish_ports {
            request = request.query("publishPorts", port);
        }
        request
    }
}

/// Restores a checkpointed container (or a checkpoint image) on the
/// server and returns its report (`Id`, `runtime_restore_duration`,
/// `criu_statistics`).
pub async fn restore(client: &Client, id: &str, options: &RestoreOptions) -> Result<Value> {
    client.json(options.request(id)).await
}

/// Restores a container from an exported checkpoint archive sent as the
/// request body.
pub async fn restore_import(
    client: &Client,
    archive: RequestBody,
    options: &RestoreOptions,
) -> Result<Value> {
    let request = options
        .request("import")
        .query("import", true)
        .stream(archive, "application/x-tar");
    client.json(request).await
}
