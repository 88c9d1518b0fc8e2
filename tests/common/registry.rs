//! A real container registry for tests: Debian's `docker-registry`
//! (distribution 2.8) on 127.0.0.1 with its own storage, stopped by pid when
//! dropped, plus raw registry-v2 uploads (through `curl`) to push blobs and
//! manifests exactly as a test builds them.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use berth_images::hash::Sha256;

use super::process::ChildGuard;

pub const REGISTRY_BINARY: &str = "/usr/bin/docker-registry";

/// A running registry.
pub struct Registry {
    /// `127.0.0.1:PORT`
    pub host: String,
    /// With token auth: a token allowing pull and push, sent by the helpers.
    pub token: Option<String>,
    /// With htpasswd auth: `user:password`, sent by the helpers.
    pub basic: Option<String>,
    _dir: tempfile::TempDir,
    _process: ChildGuard,
}

impl Registry {
    /// Starts a registry, or `None` (after printing why) when the
    /// `docker-registry` package is not installed.
    pub fn start() -> Option<Self> {
        Self::start_with_auth(None)
    }

    /// Starts a registry that demands HTTP basic auth for `user` with
    /// `password` (an htpasswd file made with `htpasswd -B`).
    pub fn start_with_htpasswd(user: &str, password: &str) -> Option<Self> {
        Self::start_with_auth(Some(Auth::Htpasswd { user, password }))
    }

    /// Starts a registry that demands bearer tokens from `realm` (a URL the
    /// test serves, e.g. with `common::http`). The tokens are JWTs signed
    /// with a key made here (openssl); the registry trusts its certificate.
    /// Returns the registry; its `token` is what the realm must hand out.
    pub fn start_with_token_auth(realm: &str) -> Option<Self> {
        Self::start_with_auth(Some(Auth::Token { realm }))
    }

    fn start_with_auth(auth: Option<Auth<'_>>) -> Option<Self> {
        if !Path::new(REGISTRY_BINARY).exists() {
            eprintln!("skipped: {REGISTRY_BINARY} is missing (apt-get install docker-registry)");
            return None;
        }
        let dir = tempfile::tempdir().expect("registry dir");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let host = format!("127.0.0.1:{port}");
        let config = dir.path().join("config.yml");
        let mut text = format!(
            "version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\nhttp:\n  addr: {host}\n",
            dir.path().join("storage").display()
        );
        let token = match auth {
            Some(Auth::Token { realm }) => {
                let cert = dir.path().join("cert.pem");
                text.push_str(&format!(
                    "auth:\n  token:\n    realm: {realm}\n    service: {TOKEN_SERVICE}\n    issuer: {TOKEN_ISSUER}\n    rootcertbundle: {}\n",
                    cert.display()
                ));
                Some(signed_token(dir.path()))
            }
            Some(Auth::Htpasswd { user, password }) => {
                let file = dir.path().join("htpasswd");
                let out = Command::new("htpasswd")
                    .args(["-B", "-b", "-n", user, password])
                    .output()
                    .expect("running htpasswd (apt-get install apache2-utils)");
                assert!(out.status.success(), "htpasswd failed");
                std::fs::write(&file, &out.stdout).expect("writing htpasswd");
                text.push_str(&format!(
                    "auth:\n  htpasswd:\n    realm: berth-test\n    path: {}\n",
                    file.display()
                ));
                None
            }
            None => None,
        };
        let basic = match auth {
            Some(Auth::Htpasswd { user, password }) => Some(format!("{user}:{password}")),
            _ => None,
        };
        std::fs::write(&config, text).expect("writing the registry config");
        let process = ChildGuard::spawn(
            "docker-registry",
            Command::new(REGISTRY_BINARY)
                .arg("serve")
                .arg(&config)
                .stdout(Stdio::null())
                .stderr(Stdio::null()),
        );
        let registry = Registry {
            host,
            token,
            basic,
            _dir: dir,
            _process: process,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while registry.curl(&[
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            &registry.url("/v2/"),
        ]) != b"200"
        {
            assert!(Instant::now() < deadline, "the registry did not come up");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(registry)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.host)
    }

    fn curl(&self, args: &[&str]) -> Vec<u8> {
        let mut command = Command::new("curl");
        command.args(["-s", "-S"]);
        if let Some(token) = &self.token {
            command
                .arg("-H")
                .arg(format!("Authorization: Bearer {token}"));
        }
        if let Some(basic) = &self.basic {
            command.arg("-u").arg(basic);
        }
        let out = command.args(args).output().expect("running curl");
        out.stdout
    }

    /// Uploads `bytes` as a blob of `repository` and returns its digest.
    pub fn push_blob(&self, repository: &str, bytes: &[u8]) -> String {
        let digest = format!("sha256:{}", sha256_hex(bytes));
        let headers = String::from_utf8(self.curl(&[
            "-X",
            "POST",
            "-D",
            "-",
            "-o",
            "/dev/null",
            &self.url(&format!("/v2/{repository}/blobs/uploads/")),
        ]))
        .unwrap();
        let location = headers
            .lines()
            .find_map(|l| {
                l.strip_prefix("Location: ")
                    .or_else(|| l.strip_prefix("location: "))
            })
            .expect("an upload location")
            .trim()
            .to_string();
        let location = if location.starts_with('/') {
            self.url(&location)
        } else {
            location
        };
        let separator = if location.contains('?') { '&' } else { '?' };
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        let code = self.curl(&[
            "-X",
            "PUT",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "-H",
            "Content-Type: application/octet-stream",
            "--data-binary",
            &format!("@{}", file.path().display()),
            &format!("{location}{separator}digest={digest}"),
        ]);
        assert_eq!(code, b"201", "blob upload failed");
        digest
    }

    /// Puts a manifest (or index) under `reference` and returns its digest.
    pub fn put_manifest(
        &self,
        repository: &str,
        reference: &str,
        media_type: &str,
        bytes: &[u8],
    ) -> String {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), bytes).unwrap();
        let out = self.curl(&[
            "-X",
            "PUT",
            "-w",
            "\n%{http_code}",
            "-H",
            &format!("Content-Type: {media_type}"),
            "--data-binary",
            &format!("@{}", file.path().display()),
            &self.url(&format!("/v2/{repository}/manifests/{reference}")),
        ]);
        let out = String::from_utf8_lossy(&out);
        assert!(out.ends_with("201"), "manifest upload failed: {out}");
        format!("sha256:{}", sha256_hex(bytes))
    }
}

/// How the registry checks its clients.
#[derive(Clone, Copy)]
enum Auth<'a> {
    Token { realm: &'a str },
    Htpasswd { user: &'a str, password: &'a str },
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(bytes);
    hash.finish_hex()
}

const TOKEN_SERVICE: &str = "berth-test-registry";
const TOKEN_ISSUER: &str = "berth-test-issuer";

/// Makes an RSA key and self-signed certificate in `dir` and returns a JWT
/// (RS256, certificate in `x5c`) granting pull and push on every repository
/// used by the tests, valid for an hour.
fn signed_token(dir: &Path) -> String {
    let key = dir.join("key.pem");
    let cert = dir.join("cert.pem");
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=berth-test-token",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("running openssl");
    assert!(status.success(), "openssl req failed");
    let der = Command::new("openssl")
        .args(["x509", "-outform", "DER", "-in"])
        .arg(&cert)
        .output()
        .expect("running openssl")
        .stdout;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let header = serde_json::json!({"typ": "JWT", "alg": "RS256", "x5c": [base64(&der, false)]});
    let claims = serde_json::json!({
        "iss": TOKEN_ISSUER, "sub": "berth-test", "aud": TOKEN_SERVICE,
        "exp": now + 3600, "nbf": now - 60, "iat": now, "jti": format!("berth-{now}"),
        "access": [{"type": "repository", "name": "podman/machine-os", "actions": ["pull", "push"]}],
    });
    let signing_input = format!(
        "{}.{}",
        base64(header.to_string().as_bytes(), true),
        base64(claims.to_string().as_bytes(), true)
    );
    let input_file = dir.join("jwt-input");
    std::fs::write(&input_file, &signing_input).unwrap();
    let signature = Command::new("openssl")
        .args(["dgst", "-sha256", "-sign"])
        .arg(&key)
        .arg(&input_file)
        .output()
        .expect("running openssl")
        .stdout;
    format!("{signing_input}.{}", base64(&signature, true))
}

/// Base64 (standard alphabet with padding, or URL-safe without).
fn base64(bytes: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8; 64] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
        if !url_safe {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}
