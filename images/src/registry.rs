//! podman machine-os OCI artifacts, pulled anonymously through the registry
//! v2 API: the manifest index names one manifest per disk type and platform
//! (annotation `disktype=qemu`, os linux, the host architecture), whose single
//! layer is the zstd-compressed disk. A registry that answers 401 gets a
//! bearer token from the realm in its `WWW-Authenticate` challenge.

use std::fmt;

use reqwest::header::{ACCEPT, WWW_AUTHENTICATE};
use reqwest::{Client, StatusCode, Url};
use serde_json::Value;

use crate::error::{ImageError, Result};
use crate::fetch::{get_text, success_text};
use crate::source::is_sha256_hex;
use crate::Arch;

const MANIFEST_TYPES: &str = "application/vnd.oci.image.index.v1+json, \
    application/vnd.oci.image.manifest.v1+json, \
    application/vnd.docker.distribution.manifest.list.v2+json, \
    application/vnd.docker.distribution.manifest.v2+json";

/// `REGISTRY/REPOSITORY[:TAG|@DIGEST]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OciRef {
    pub registry: String,
    pub repository: String,
    /// A tag, or a digest (`sha256:...`).
    pub reference: String,
}

impl OciRef {
    pub fn parse(text: &str) -> Option<Self> {
        let (registry, rest) = text.split_once('/')?;
        if registry.is_empty() || rest.is_empty() {
            return None;
        }
        let (repository, reference) = if let Some((repo, digest)) = rest.split_once('@') {
            (repo, digest.to_string())
        } else {
            match rest.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, tag.to_string()),
                _ => (rest, "latest".to_string()),
            }
        };
        let valid = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"._-/:".contains(&b))
        };
        if !valid(repository) || !valid(&reference) || repository.contains(':') {
            return None;
        }
        Some(OciRef {
            registry: registry.to_string(),
            repository: repository.to_ascii_lowercase(),
            reference,
        })
    }

    /// Plain HTTP for registries on loopback (like podman's defaults for a
    /// local registry), HTTPS everywhere else.
    fn base_url(&self) -> String {
        let host = self
            .registry
            .rsplit_once(':')
            .map_or(self.registry.as_str(), |(h, _)| h);
        let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
        let scheme = if loopback { "http" } else { "https" };
        let registry = if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        };
        format!("{scheme}://{registry}/v2/{}", self.repository)
    }
}

impl fmt::Display for OciRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let separator = if self.reference.contains(':') {
            '@'
        } else {
            ':'
        };
        write!(
            f,
            "{}/{}{separator}{}",
            self.registry, self.repository, self.reference
        )
    }
}

/// The disk layer of an artifact.
pub(crate) struct Artifact {
    pub blob_url: Url,
    /// `sha256:<hex>` of the compressed layer.
    pub digest: String,
    pub token: Option<String>,
}

/// Finds the qemu disk layer of `oci` for `arch`.
pub(crate) async fn resolve(client: &Client, oci: &OciRef, arch: Arch) -> Result<Artifact> {
    let error = |reason: String| ImageError::Registry {
        reference: format!("docker://{oci}"),
        reason,
    };
    let base = oci.base_url();
    let mut session = Session {
        client,
        token: None,
        oci,
    };
    let top = session
        .manifest(&format!("{base}/manifests/{}", oci.reference))
        .await?;
    let manifest = if top.get("manifests").is_some() {
        let digest = pick_disk_manifest(&top, arch).map_err(error)?;
        session
            .manifest(&format!("{base}/manifests/{digest}"))
            .await?
    } else {
        top
    };
    let layers = manifest
        .get("layers")
        .and_then(Value::as_array)
        .ok_or_else(|| error("the manifest has no layers".into()))?;
    let [layer] = layers.as_slice() else {
        return Err(error(format!(
            "the disk manifest has {} layers, expected exactly one (the compressed disk)",
            layers.len()
        )));
    };
    let digest = layer
        .get("digest")
        .and_then(Value::as_str)
        .filter(|d| d.strip_prefix("sha256:").is_some_and(is_sha256_hex))
        .ok_or_else(|| error("the disk layer has no sha256 digest".into()))?
        .to_string();
    let blob_url = Url::parse(&format!("{base}/blobs/{digest}"))
        .map_err(|err| error(format!("bad blob URL: {err}")))?;
    Ok(Artifact {
        blob_url,
        digest,
        token: session.token,
    })
}

/// The digest of the index entry for a qemu disk on linux/`arch`.
fn pick_disk_manifest(index: &Value, arch: Arch) -> std::result::Result<String, String> {
    let entries = index
        .get("manifests")
        .and_then(Value::as_array)
        .ok_or("the index has no manifests")?;
    let text = |entry: &Value, pointer: &str| {
        entry
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let qemu: Vec<&Value> = entries
        .iter()
        .filter(|entry| text(entry, "/annotations/disktype").as_deref() == Some("qemu"))
        .collect();
    if qemu.is_empty() {
        return Err("the index has no entry with annotation disktype=qemu: is this a podman machine-os image?".into());
    }
    qemu.iter()
        .find(|entry| {
            text(entry, "/platform/os").as_deref() == Some("linux")
                && text(entry, "/platform/architecture").as_deref() == Some(arch.oci_name())
        })
        .and_then(|entry| text(entry, "/digest"))
        .ok_or_else(|| {
            let available: Vec<String> = qemu
                .iter()
                .filter_map(|entry| text(entry, "/platform/architecture"))
                .collect();
            format!(
                "no qemu disk for linux/{} (available: {})",
                arch.oci_name(),
                available.join(", ")
            )
        })
}

struct Session<'a> {
    client: &'a Client,
    token: Option<String>,
    oci: &'a OciRef,
}

impl Session<'_> {
    fn error(&self, reason: String) -> ImageError {
        ImageError::Registry {
            reference: format!("docker://{}", self.oci),
            reason,
        }
    }

    async fn manifest(&mut self, url: &str) -> Result<Value> {
        let url = Url::parse(url).map_err(|err| self.error(format!("bad URL {url}: {err}")))?;
        let mut retried = false;
        loop {
            let mut request = self.client.get(url.clone()).header(ACCEPT, MANIFEST_TYPES);
            if let Some(token) = &self.token {
                request = request.bearer_auth(token);
            }
            let response = request
                .send()
                .await
                .map_err(|err| ImageError::http(&url, &err))?;
            if response.status() == StatusCode::UNAUTHORIZED && !retried {
                let challenge = response
                    .headers()
                    .get(WWW_AUTHENTICATE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_string();
                self.token = Some(self.fetch_token(&challenge).await?);
                retried = true;
                continue;
            }
            let text = success_text(response, &url).await?;
            return serde_json::from_str(&text)
                .map_err(|err| self.error(format!("the manifest at {url} is not JSON: {err}")));
        }
    }

    /// Asks the challenge's realm for an anonymous pull token.
    async fn fetch_token(&self, challenge: &str) -> Result<String> {
        let params = parse_bearer_challenge(challenge).ok_or_else(|| {
            self.error(format!(
                "authentication required, with an unusable challenge {challenge:?}"
            ))
        })?;
        let realm = params
            .iter()
            .find(|(k, _)| k == "realm")
            .map(|(_, v)| v.clone())
            .ok_or_else(|| self.error("the bearer challenge names no realm".into()))?;
        let mut url = Url::parse(&realm)
            .map_err(|err| self.error(format!("bad token realm {realm}: {err}")))?;
        {
            let mut query = url.query_pairs_mut();
            if let Some((_, service)) = params.iter().find(|(k, _)| k == "service") {
                query.append_pair("service", service);
            }
            let scope = params
                .iter()
                .find(|(k, _)| k == "scope")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| format!("repository:{}:pull", self.oci.repository));
            query.append_pair("scope", &scope);
        }
        let text = get_text(self.client.get(url.clone()), &url).await?;
        let body: Value = serde_json::from_str(&text)
            .map_err(|err| self.error(format!("the token from {url} is not JSON: {err}")))?;
        body.get("token")
            .or_else(|| body.get("access_token"))
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| self.error(format!("the answer from {url} has no token")))
    }
}

/// `Bearer realm="...",service="...",scope="..."` -> its parameters.
fn parse_bearer_challenge(header: &str) -> Option<Vec<(String, String)>> {
    let rest = header.trim();
    let rest = rest
        .strip_prefix("Bearer ")
        .or_else(|| rest.strip_prefix("bearer "))?;
    let mut params = Vec::new();
    let mut chars = rest.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| *c == ',' || c.is_whitespace()) {
            chars.next();
        }
        let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
        if key.is_empty() {
            break;
        }
        let value: String = if chars.peek() == Some(&'"') {
            chars.next();
            let mut value = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => value.extend(chars.next()),
                    '"' => break,
                    c => value.push(c),
                }
            }
            value
        } else {
            chars.by_ref().take_while(|c| *c != ',').collect()
        };
        params.push((key.trim().to_string(), value));
    }
    Some(params)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_oci_references() {
        let r = OciRef::parse("127.0.0.1:5000/podman/machine-os:5.3").unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "podman/machine-os");
        assert_eq!(r.reference, "5.3");
        assert_eq!(r.base_url(), "http://127.0.0.1:5000/v2/podman/machine-os");
        let r = OciRef::parse("quay.io/podman/machine-os").unwrap();
        assert_eq!(r.reference, "latest");
        assert_eq!(r.base_url(), "https://quay.io/v2/podman/machine-os");
        let digest = format!("sha256:{}", "a".repeat(64));
        let r = OciRef::parse(&format!("quay.io/x@{digest}")).unwrap();
        assert_eq!(r.reference, digest);
        assert_eq!(r.to_string(), format!("quay.io/x@{digest}"));
        assert!(OciRef::parse("justaname").is_none());
        assert!(OciRef::parse("quay.io/").is_none());
    }

    #[test]
    fn parses_bearer_challenges() {
        let params = parse_bearer_challenge(
            r#"Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull""#,
        )
        .unwrap();
        assert_eq!(
            params,
            vec![
                (
                    "realm".to_string(),
                    "https://auth.example/token".to_string()
                ),
                ("service".to_string(), "registry.example".to_string()),
                ("scope".to_string(), "repository:a/b:pull".to_string()),
            ]
        );
        assert!(parse_bearer_challenge("Basic realm=x").is_none());
    }

    #[test]
    fn picks_the_qemu_disk_for_the_arch() {
        let index: Value = serde_json::json!({"manifests": [
            {"digest": "sha256:1", "platform": {"os": "linux", "architecture": "amd64"}, "annotations": {"disktype": "applehv"}},
            {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "arm64"}, "annotations": {"disktype": "qemu"}},
            {"digest": "sha256:3", "platform": {"os": "linux", "architecture": "amd64"}, "annotations": {"disktype": "qemu"}},
        ]});
        assert_eq!(
            pick_disk_manifest(&index, Arch::X86_64).unwrap(),
            "sha256:3"
        );
        assert_eq!(
            pick_disk_manifest(&index, Arch::Aarch64).unwrap(),
            "sha256:2"
        );
        let only_arm = serde_json::json!({"manifests": [
            {"digest": "sha256:2", "platform": {"os": "linux", "architecture": "arm64"}, "annotations": {"disktype": "qemu"}}]});
        assert!(pick_disk_manifest(&only_arm, Arch::X86_64)
            .unwrap_err()
            .contains("available: arm64"));
    }
}
