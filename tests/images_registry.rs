//! `docker://` image references against a real registry (Debian's
//! docker-registry on loopback) holding a podman machine-os style artifact:
//! an OCI index whose `disktype=qemu` entry for linux/amd64 names a manifest
//! with one zstd layer.

mod common;

use std::process::{Command, Output};

use common::env::TestEnv;
use common::http::HttpServer;
use common::registry::{sha256_hex, Registry};

const INDEX: &str = "application/vnd.oci.image.index.v1+json";
const MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
const REPO: &str = "podman/machine-os";

fn disk() -> Vec<u8> {
    let mut raw = vec![0u8; 3 << 20];
    for (i, byte) in raw.iter_mut().enumerate().take(1 << 20) {
        *byte = (i * 7 % 253) as u8;
    }
    raw
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disk.raw");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("zstd")
        .args(["-q", "-c"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

/// Pushes the disk as a machine-os artifact; returns the layer digest.
fn push_artifact(registry: &Registry, layer: &[u8]) -> String {
    let config = b"{}";
    let config_digest = registry.push_blob(REPO, config);
    let layer_digest = registry.push_blob(REPO, layer);
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": [{"mediaType": "application/zstd", "digest": layer_digest, "size": layer.len(),
                    "annotations": {"org.opencontainers.image.title": "podman-machine.x86_64.qemu.raw.zst"}}],
    })
    .to_string();
    let manifest_digest = registry.put_manifest(
        REPO,
        &format!("sha256:{}", sha256_hex(manifest.as_bytes())),
        MANIFEST,
        manifest.as_bytes(),
    );
    let entry = |arch: &str, disktype: &str| {
        serde_json::json!({"mediaType": MANIFEST, "digest": manifest_digest, "size": manifest.len(),
            "platform": {"architecture": arch, "os": "linux"}, "annotations": {"disktype": disktype}})
    };
    let index = serde_json::json!({"schemaVersion": 2, "mediaType": INDEX,
        "manifests": [entry("amd64", "applehv"), entry("arm64", "qemu"), entry("amd64", "qemu")]})
    .to_string();
    registry.put_manifest(REPO, "5.3", INDEX, index.as_bytes());
    let arm_only = serde_json::json!({"schemaVersion": 2, "mediaType": INDEX,
        "manifests": [entry("arm64", "qemu"), entry("amd64", "applehv")]})
    .to_string();
    registry.put_manifest(REPO, "armonly", INDEX, arm_only.as_bytes());
    layer_digest
}

fn pull(env: &TestEnv, image: &str) -> Output {
    env.run_berth(&["machine", "image", "pull", image])
}

#[test]
fn pulls_the_qemu_disk_of_a_machine_os_artifact() {
    let Some(registry) = Registry::start() else {
        return;
    };
    let raw = disk();
    push_artifact(&registry, &zstd(&raw));
    let env = TestEnv::new();

    let image = format!("docker://{}/{REPO}:5.3", registry.host);
    let out = pull(&env, &image);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        sha256_hex(&raw)
    );
    let ls = env.run_berth(&[
        "machine",
        "image",
        "ls",
        "--format",
        "{{.Source}} {{.Format}} {{.Compression}}",
    ]);
    assert_eq!(
        String::from_utf8_lossy(&ls.stdout).trim(),
        format!("{image} raw zstd")
    );
    // The same artifact again comes from the cache.
    let again = pull(&env, &image);
    assert!(String::from_utf8_lossy(&again.stderr).contains("Using cached"));

    let out = pull(&env, &format!("docker://{}/{REPO}:armonly", registry.host));
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no qemu disk for linux/amd64 (available: arm64)"),
        "{stderr}"
    );

    let out = pull(
        &env,
        &format!("docker://{}/{REPO}:nosuchtag", registry.host),
    );
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("answered HTTP 404"), "{stderr}");
}

#[test]
fn gets_an_anonymous_bearer_token_when_the_registry_asks() {
    let tokens = HttpServer::start(None);
    let Some(registry) = Registry::start_with_token_auth(&tokens.url("/token")) else {
        return;
    };
    let token = registry.token.clone().unwrap();
    tokens.add("/token", serde_json::json!({ "token": token }).to_string());
    let raw = disk();
    push_artifact(&registry, &zstd(&raw));
    let env = TestEnv::new();

    let out = pull(&env, &format!("docker://{}/{REPO}:5.3", registry.host));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        sha256_hex(&raw)
    );
    assert!(
        !tokens.gets("/token").is_empty(),
        "berth never asked the realm for a token"
    );
}
