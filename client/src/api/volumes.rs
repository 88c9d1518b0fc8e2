//! Volume endpoints: create, list, inspect, remove, prune, exists, and
//! export/import of a volume's contents as a tar archive.

use std::collections::BTreeMap;

use http::Method;
use serde::Serialize;
use serde_json::Value;

use crate::api::containers::{self, SpecGenerator};
use crate::api::containers::{filters_json, Filters};
use crate::api::images::{self, ImageListOptions};
use crate::api::{exists_request, PruneReport};
use crate::client::{path_segment, ApiRequest, Client};
use crate::error::{Error, Result};
use crate::stream::BodyReader;
use crate::version::ApiVersion;

fn volume_path(name: &str, rest: &str) -> String {
    format!("/volumes/{}{rest}", path_segment(name))
}

/// The body of `POST /libpod/volumes/create`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VolumeCreate {
    #[serde(rename = "Name", skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(rename = "Driver", skip_serializing_if = "String::is_empty")]
    pub driver: String,
    #[serde(rename = "Label", skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    #[serde(rename = "Options", skip_serializing_if = "BTreeMap::is_empty")]
    pub options: BTreeMap<String, String>,
}

/// Creates a volume and returns the engine's description of it.
pub async fn create(client: &Client, volume: &VolumeCreate) -> Result<Value> {
    let request = ApiRequest::libpod(Method::POST, "/volumes/create").json(volume)?;
    client.json(request).await
}

/// `GET /libpod/volumes/json`: each volume as the server sent it (field
/// order kept, so `--format json` prints it as podman does).
pub async fn list(client: &Client, filters: &Filters) -> Result<Vec<Value>> {
    let request = ApiRequest::libpod(Method::GET, "/volumes/json")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

/// `GET /libpod/volumes/{name}/json`, as the server sent it.
pub async fn inspect(client: &Client, name: &str) -> Result<Value> {
    client
        .json(ApiRequest::libpod(Method::GET, &volume_path(name, "/json")))
        .await
}

/// Removes a volume; `force` removes the containers using it first.
pub async fn remove(client: &Client, name: &str, force: bool, timeout: Option<u32>) -> Result<()> {
    let request = ApiRequest::libpod(Method::DELETE, &volume_path(name, ""))
        .flag("force", force)
        .query_opt("timeout", timeout);
    client.empty(request).await
}

/// Removes the volumes no container uses (matching `filters`).
pub async fn prune(client: &Client, filters: &Filters) -> Result<Vec<PruneReport>> {
    let request = ApiRequest::libpod(Method::POST, "/volumes/prune")
        .query_opt("filters", filters_json(filters));
    client.json(request).await
}

pub async fn exists(client: &Client, name: &str) -> Result<bool> {
    exists_request(
        client,
        ApiRequest::libpod(Method::GET, &volume_path(name, "/exists")),
    )
    .await
}

/// The first libpod API with `/volumes/{name}/export` and `/import`.
const VOLUME_ARCHIVE_API: ApiVersion = ApiVersion::new(5, 6, 0);

/// Where the helper container of older engines mounts the volume.
const HELPER_MOUNT: &str = "/berth-volume";

/// The volume's contents as an uncompressed tar stream (entries relative
/// to the volume's root). Engines older than podman 5.6 have no export
/// endpoint: there a stopped helper container that mounts the volume is
/// read through the container archive endpoint; [`VolumeExport::finish`]
/// removes it once the stream has been read.
pub async fn export(client: &Client, name: &str) -> Result<VolumeExport> {
    if client.server_api_version() >= VOLUME_ARCHIVE_API {
        let request = ApiRequest::libpod(Method::GET, &volume_path(name, "/export"));
        let response = client.send(request).await?;
        return Ok(VolumeExport {
            reader: BodyReader::new(response.into_body()),
            helper: None,
        });
    }
    let helper = Helper::create(client, name).await?;
    let request = ApiRequest::libpod(Method::GET, &format!("/containers/{}/archive", helper.id))
        .query("path", format!("{HELPER_MOUNT}/."));
    match client.send(request).await {
        Ok(response) => Ok(VolumeExport {
            reader: BodyReader::new(response.into_body()),
            helper: Some(helper),
        }),
        Err(err) => {
            helper.remove(client).await;
            Err(err)
        }
    }
}

/// A volume's tar stream; call [`VolumeExport::finish`] after reading it.
pub struct VolumeExport {
    pub reader: BodyReader,
    helper: Option<Helper>,
}

impl VolumeExport {
    /// Removes the helper container, if one was needed.
    pub async fn finish(self, client: &Client) {
        drop(self.reader);
        if let Some(helper) = self.helper {
            helper.remove(client).await;
        }
    }
}

/// Unpacks a tar archive into the volume (see [`export`] for how older
/// engines are served).
pub async fn import(client: &Client, name: &str, tar: bytes::Bytes) -> Result<()> {
    if client.server_api_version() >= VOLUME_ARCHIVE_API {
        let request = ApiRequest::libpod(Method::POST, &volume_path(name, "/import"))
            .body(tar, "application/x-tar");
        return client.empty(request).await;
    }
    let helper = Helper::create(client, name).await?;
    let request = ApiRequest::libpod(Method::PUT, &format!("/containers/{}/archive", helper.id))
        .query("path", HELPER_MOUNT)
        .body(tar, "application/x-tar");
    let result = client.empty(request).await;
    helper.remove(client).await;
    result
}

/// A created, never started container that mounts one volume.
struct Helper {
    id: String,
}

impl Helper {
    async fn create(client: &Client, volume: &str) -> Result<Helper> {
        // Fail like podman for a volume that does not exist.
        inspect(client, volume).await?;
        let images = images::list(client, &ImageListOptions::default()).await?;
        let Some(image) = images.iter().min_by_key(|image| image.size) else {
            return Err(Error::Api {
                status: 404,
                message: format!(
                    "this engine (API {}) has no volume archive endpoint, and berth needs an image on it to reach volume {volume:?} through a helper container: pull any image first",
                    client.server_api_version()
                ),
                cause: "no such image".into(),
            });
        };
        let spec = SpecGenerator {
            image: image.id.clone(),
            command: vec!["true".into()],
            volumes: vec![containers::NamedVolume {
                name: volume.to_string(),
                dest: HELPER_MOUNT.to_string(),
                options: Vec::new(),
            }],
            labels: [("io.berth.volume-helper".to_string(), volume.to_string())].into(),
            ..SpecGenerator::default()
        };
        let created = containers::create(client, &spec).await?;
        Ok(Helper { id: created.id })
    }

    /// Removes the helper; a failure leaves only a stopped container
    /// labelled `io.berth.volume-helper`, so it is not reported.
    async fn remove(self, client: &Client) {
        let options = containers::RemoveOptions {
            force: true,
            ..Default::default()
        };
        let _ = containers::remove(client, &self.id, &options).await;
    }
}
