//! Image references and where their bytes come from: Fedora CoreOS stream
//! metadata, plain URLs, local files and OCI artifacts in a registry. A
//! reference resolves to a [`Plan`]: one location, the checksums known in
//! advance, and a key that names this exact content in the cache.

use std::fmt;
use std::path::{Path, PathBuf};

use reqwest::header::{CONTENT_LENGTH, ETAG, LAST_MODIFIED};
use reqwest::{Client, Url};
use serde_json::Value;

use crate::error::{ImageError, Result};
use crate::fetch::{get_text, status_error};
use crate::hash::Sha256;
use crate::{registry, Arch};

/// Where Fedora CoreOS publishes its stream metadata.
pub const DEFAULT_STREAM_BASE: &str = "https://builds.coreos.fedoraproject.org/streams";

/// A Fedora CoreOS update stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stable,
    Testing,
    Next,
}

impl Stream {
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Stable => "stable",
            Stream::Testing => "testing",
            Stream::Next => "next",
        }
    }
}

/// What `--image` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// `stream:stable`, `stream:testing`, `stream:next`.
    Stream(Stream),
    /// An `http://` or `https://` URL of a disk image.
    Url(Url),
    /// A local disk image (compressed or not).
    File(PathBuf),
    /// `docker://REGISTRY/REPOSITORY[:TAG|@DIGEST]`: a machine-os OCI artifact.
    Oci(registry::OciRef),
}

impl ImageRef {
    /// Parses `--image`. Paths are not checked here; [`crate::ImageCache::obtain`]
    /// reports a missing file.
    pub fn parse(text: &str) -> Result<Self> {
        let invalid = |reason: &str| ImageError::InvalidReference {
            reference: text.to_string(),
            reason: reason.to_string(),
        };
        if text.trim().is_empty() {
            return Err(invalid("it is empty"));
        }
        if let Some(name) = text.strip_prefix("stream:") {
            return match name {
                "stable" => Ok(ImageRef::Stream(Stream::Stable)),
                "testing" => Ok(ImageRef::Stream(Stream::Testing)),
                "next" => Ok(ImageRef::Stream(Stream::Next)),
                _ => Err(invalid("the stream must be stable, testing or next")),
            };
        }
        if let Some(rest) = text.strip_prefix("docker://") {
            return registry::OciRef::parse(rest)
                .map(ImageRef::Oci)
                .ok_or_else(|| {
                    invalid("expected docker://REGISTRY/REPOSITORY[:TAG|@sha256:DIGEST]")
                });
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return match scheme.to_ascii_lowercase().as_str() {
                "http" | "https" => Url::parse(text)
                    .map(ImageRef::Url)
                    .map_err(|err| invalid(&err.to_string())),
                "file" => Url::parse(text)
                    .ok()
                    .and_then(|url| url.to_file_path().ok())
                    .map(ImageRef::File)
                    .ok_or_else(|| invalid("not a usable file:// URL")),
                _ => Err(ImageError::UnsupportedScheme {
                    reference: text.to_string(),
                    scheme: scheme.to_string(),
                }),
            };
        }
        Ok(ImageRef::File(PathBuf::from(text)))
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Stream(stream) => write!(f, "stream:{}", stream.as_str()),
            ImageRef::Url(url) => write!(f, "{url}"),
            ImageRef::File(path) => write!(f, "{}", path.display()),
            ImageRef::Oci(oci) => write!(f, "docker://{oci}"),
        }
    }
}

/// Where the bytes are.
#[derive(Debug, Clone)]
pub(crate) enum Location {
    Http { url: Url, bearer: Option<String> },
    File(PathBuf),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Http { url, .. } => write!(f, "{url}"),
            Location::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// A resolved reference: what to fetch and how to check it.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// The reference as the user wrote it.
    pub origin: String,
    /// A short description for progress output.
    pub label: String,
    /// Hex sha256 naming this exact content (checksum, digest or validators).
    pub key: String,
    pub location: Location,
    pub compressed_sha256: Option<String>,
    pub uncompressed_sha256: Option<String>,
}

/// Resolves `image` for `arch`, asking the network where needed.
pub(crate) async fn resolve(
    client: &Client,
    image: &ImageRef,
    arch: Arch,
    stream_base: &str,
) -> Result<Plan> {
    let origin = image.to_string();
    match image {
        ImageRef::Stream(stream) => {
            resolve_stream(client, *stream, arch, stream_base, origin).await
        }
        ImageRef::Url(url) => resolve_url(client, url, origin).await,
        ImageRef::File(path) => resolve_file(path, origin),
        ImageRef::Oci(oci) => {
            let artifact = registry::resolve(client, oci, arch).await?;
            Ok(Plan {
                label: format!("{oci} ({})", arch.oci_name()),
                key: key_of(&["oci", &artifact.digest]),
                compressed_sha256: artifact.digest.strip_prefix("sha256:").map(str::to_string),
                uncompressed_sha256: None,
                location: Location::Http {
                    url: artifact.blob_url,
                    bearer: artifact.token,
                },
                origin,
            })
        }
    }
}

async fn resolve_stream(
    client: &Client,
    stream: Stream,
    arch: Arch,
    base: &str,
    origin: String,
) -> Result<Plan> {
    let name = format!("{}.json", stream.as_str());
    let (metadata_url, text) = if base.starts_with("http://") || base.starts_with("https://") {
        let url = Url::parse(&format!("{}/{name}", base.trim_end_matches('/'))).map_err(|err| {
            ImageError::StreamMetadata {
                url: base.to_string(),
                reason: format!("not a valid base URL: {err}"),
            }
        })?;
        let text = get_text(client.get(url.clone()), &url).await?;
        (url, text)
    } else {
        let path = Path::new(base).join(&name);
        let text =
            std::fs::read_to_string(&path).map_err(|err| ImageError::io("reading", &path, err))?;
        let url = Url::from_file_path(std::path::absolute(&path).unwrap_or(path.clone())).map_err(
            |()| ImageError::StreamMetadata {
                url: path.display().to_string(),
                reason: "not an absolute path".into(),
            },
        )?;
        (url, text)
    };
    let disk = stream_disk(&metadata_url, &text, arch)?;
    let location = metadata_url
        .join(&disk.location)
        .map_err(|err| ImageError::StreamMetadata {
            url: metadata_url.to_string(),
            reason: format!("bad disk location {:?}: {err}", disk.location),
        })?;
    let location = if location.scheme() == "file" {
        Location::File(
            location
                .to_file_path()
                .map_err(|()| ImageError::StreamMetadata {
                    url: metadata_url.to_string(),
                    reason: format!("bad disk location {:?}", disk.location),
                })?,
        )
    } else {
        Location::Http {
            url: location,
            bearer: None,
        }
    };
    Ok(Plan {
        origin,
        label: format!(
            "Fedora CoreOS {} {} ({})",
            stream.as_str(),
            disk.release,
            arch.stream_name()
        ),
        key: key_of(&["sha256", &disk.sha256]),
        location,
        compressed_sha256: Some(disk.sha256),
        uncompressed_sha256: disk.uncompressed_sha256,
    })
}

/// The qcow2.xz disk entry of a stream document.
#[derive(Debug, PartialEq, Eq)]
struct StreamDisk {
    release: String,
    location: String,
    sha256: String,
    uncompressed_sha256: Option<String>,
}

/// Picks `architectures[arch].artifacts.qemu.formats["qcow2.xz"].disk`.
fn stream_disk(url: &Url, text: &str, arch: Arch) -> Result<StreamDisk> {
    let malformed = |reason: String| ImageError::StreamMetadata {
        url: url.to_string(),
        reason,
    };
    let doc: Value =
        serde_json::from_str(text).map_err(|err| malformed(format!("not JSON: {err}")))?;
    let architectures = doc
        .get("architectures")
        .and_then(Value::as_object)
        .ok_or_else(|| malformed("no \"architectures\" object".into()))?;
    let no_arch = |what| ImageError::NoArchitecture {
        url: url.to_string(),
        arch: arch.stream_name().to_string(),
        what,
        available: architectures.keys().cloned().collect::<Vec<_>>().join(", "),
    };
    let qemu = architectures
        .get(arch.stream_name())
        .ok_or_else(|| no_arch("entry"))?
        .pointer("/artifacts/qemu")
        .ok_or_else(|| no_arch("qemu artifact"))?;
    let disk = qemu
        .get("formats")
        .and_then(|formats| formats.get("qcow2.xz"))
        .and_then(|format| format.get("disk"))
        .ok_or_else(|| no_arch("qemu qcow2.xz disk"))?;
    let field = |name: &str| disk.get(name).and_then(Value::as_str).map(str::to_string);
    let location = field("location")
        .ok_or_else(|| malformed("the qcow2.xz disk has no \"location\"".into()))?;
    let sha256 = field("sha256")
        .filter(|sha| is_sha256_hex(sha))
        .ok_or_else(|| malformed("the qcow2.xz disk has no valid \"sha256\"".into()))?;
    let uncompressed_sha256 = field("uncompressed-sha256").filter(|sha| is_sha256_hex(sha));
    let release = qemu
        .get("release")
        .and_then(Value::as_str)
        .unwrap_or("(unknown release)")
        .to_string();
    Ok(StreamDisk {
        release,
        location,
        sha256: sha256.to_ascii_lowercase(),
        uncompressed_sha256: uncompressed_sha256.map(|sha| sha.to_ascii_lowercase()),
    })
}

/// A URL's key includes the server's validators, so a changed file at the
/// same URL is fetched again; a server without HEAD support keys by URL alone.
async fn resolve_url(client: &Client, url: &Url, origin: String) -> Result<Plan> {
    let response = client
        .head(url.clone())
        .send()
        .await
        .map_err(|err| ImageError::http(url, &err))?;
    let status = response.status();
    let mut validators = vec!["url".to_string(), url.to_string()];
    if status.is_success() {
        for name in [ETAG, LAST_MODIFIED, CONTENT_LENGTH] {
            if let Some(value) = response.headers().get(&name).and_then(|v| v.to_str().ok()) {
                validators.push(format!("{name}: {value}"));
            }
        }
    } else if status.as_u16() != 405 && status.as_u16() != 501 {
        return Err(status_error(url, status));
    }
    let parts: Vec<&str> = validators.iter().map(String::as_str).collect();
    Ok(Plan {
        origin,
        label: url
            .path_segments()
            .and_then(|mut segments| segments.next_back())
            .filter(|name| !name.is_empty())
            .unwrap_or(url.as_str())
            .to_string(),
        key: key_of(&parts),
        location: Location::Http {
            url: url.clone(),
            bearer: None,
        },
        compressed_sha256: None,
        uncompressed_sha256: None,
    })
}

/// A local file's key is its absolute path, size and modification time.
fn resolve_file(path: &Path, origin: String) -> Result<Plan> {
    let absolute =
        std::path::absolute(path).map_err(|err| ImageError::io("resolving", path, err))?;
    let metadata =
        std::fs::metadata(&absolute).map_err(|err| ImageError::io("reading", &absolute, err))?;
    if !metadata.is_file() {
        return Err(ImageError::BadFile {
            path: absolute,
            reason: "it is not a regular file".into(),
        });
    }
    let modified = metadata
        .modified()
        .ok()
        .and_then(|time| time.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |since| since.as_nanos());
    let path_text = absolute.display().to_string();
    Ok(Plan {
        origin,
        label: absolute.file_name().map_or(path_text.clone(), |name| {
            name.to_string_lossy().into_owned()
        }),
        key: key_of(&[
            "file",
            &path_text,
            &metadata.len().to_string(),
            &modified.to_string(),
        ]),
        location: Location::File(absolute),
        compressed_sha256: None,
        uncompressed_sha256: None,
    })
}

pub(crate) fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// sha256 of the parts, one per line.
fn key_of(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update(b"\n");
    }
    hash.finish_hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_kind_of_reference() {
        assert_eq!(
            ImageRef::parse("stream:next").unwrap(),
            ImageRef::Stream(Stream::Next)
        );
        assert!(matches!(
            ImageRef::parse("https://x/a.qcow2.xz").unwrap(),
            ImageRef::Url(_)
        ));
        assert_eq!(
            ImageRef::parse("/tmp/a.raw").unwrap(),
            ImageRef::File(PathBuf::from("/tmp/a.raw"))
        );
        assert_eq!(
            ImageRef::parse("file:///tmp/a.raw").unwrap(),
            ImageRef::File(PathBuf::from("/tmp/a.raw"))
        );
        let ImageRef::Oci(oci) = ImageRef::parse("docker://quay.io/podman/machine-os:5.3").unwrap()
        else {
            panic!("not oci");
        };
        assert_eq!(oci.to_string(), "quay.io/podman/machine-os:5.3");
    }

    #[test]
    fn bad_references_name_the_problem() {
        let err = ImageRef::parse("ftp://host/a.xz").unwrap_err();
        assert!(matches!(err, ImageError::UnsupportedScheme { .. }));
        assert!(err.to_string().contains("\"ftp\""), "{err}");
        assert!(ImageRef::parse("stream:beta")
            .unwrap_err()
            .to_string()
            .contains("stable, testing or next"));
        assert!(ImageRef::parse("").is_err());
        assert!(ImageRef::parse("docker://").is_err());
    }

    const STREAM: &str = r#"{
      "stream": "stable",
      "architectures": {
        "x86_64": {"artifacts": {"qemu": {"release": "40.1",
          "formats": {"qcow2.xz": {"disk": {"location": "fcos.qcow2.xz",
            "sha256": "AA00000000000000000000000000000000000000000000000000000000000000",
            "uncompressed-sha256": "bb00000000000000000000000000000000000000000000000000000000000000"}}}}}}
      }
    }"#;

    #[test]
    fn stream_metadata_gives_the_disk_for_the_arch() {
        let url = Url::parse("http://127.0.0.1/streams/stable.json").unwrap();
        let disk = stream_disk(&url, STREAM, Arch::X86_64).unwrap();
        assert_eq!(disk.location, "fcos.qcow2.xz");
        assert_eq!(disk.release, "40.1");
        assert!(disk.sha256.starts_with("aa00"));
        assert!(disk.uncompressed_sha256.unwrap().starts_with("bb00"));

        let err = stream_disk(&url, STREAM, Arch::Aarch64).unwrap_err();
        assert!(matches!(err, ImageError::NoArchitecture { .. }));
        assert!(err.to_string().contains("available: x86_64"), "{err}");

        let err = stream_disk(&url, "{not json", Arch::X86_64).unwrap_err();
        assert!(
            err.to_string()
                .contains("malformed Fedora CoreOS stream metadata"),
            "{err}"
        );
        let err = stream_disk(&url, r#"{"architectures": {"x86_64": {"artifacts": {"qemu": {"formats": {"qcow2.xz": {"disk": {"location": "x"}}}}}}}}"#, Arch::X86_64).unwrap_err();
        assert!(err.to_string().contains("sha256"), "{err}");
    }
}
