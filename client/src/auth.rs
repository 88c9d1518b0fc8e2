//! Registry credentials the way podman keeps them: `auth.json` files
//! (`{"auths": {"registry[/namespace]": {"auth": base64("user:pass")}}}`),
//! looked up in podman's order (`--authfile` / `REGISTRY_AUTH_FILE`, else
//! `$XDG_RUNTIME_DIR/containers/auth.json`, then
//! `$XDG_CONFIG_HOME/containers/auth.json` and Docker's `config.json`),
//! written only to the first of them, atomically under a lock, mode 0600;
//! and sent to the engine as the base64url JSON `X-Registry-Auth` header.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Errors reading or writing an auth file; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("reading {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("{} is not a valid auth file ({error}); fix or remove it", path.display())]
    Corrupt {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("writing {}: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
    #[error("locking {}: {error}", path.display())]
    Lock { path: PathBuf, error: io::Error },
    #[error("cannot find a place for auth.json: set XDG_RUNTIME_DIR, HOME or --authfile")]
    NoAuthFile,
    #[error("checking authfile: stat {}: no such file or directory", path.display())]
    MissingAuthFile { path: PathBuf },
}

/// A user name and password.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// One entry of `auths`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AuthEntry {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    auth: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    identitytoken: String,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

/// An auth file's contents; fields berth does not use are kept.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct AuthFileContents {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(flatten)]
    other: BTreeMap<String, Value>,
}

/// The auth files to read, the first one also written.
#[derive(Debug, Clone)]
pub struct AuthFiles {
    paths: Vec<PathBuf>,
}

impl AuthFiles {
    /// podman's files: `authfile` (the flag, else `REGISTRY_AUTH_FILE`)
    /// alone when given, else the default list.
    pub fn from_env(authfile: Option<&Path>) -> Result<Self, AuthError> {
        let env = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
        if let Some(path) = authfile
            .map(Path::to_path_buf)
            .or_else(|| env("REGISTRY_AUTH_FILE").map(PathBuf::from))
        {
            return Ok(AuthFiles { paths: vec![path] });
        }
        let home = env("HOME").map(PathBuf::from);
        let config_dir = env("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|home| home.join(".config")));
        let mut paths = Vec::new();
        if cfg!(target_os = "linux") {
            if let Some(runtime) = env("XDG_RUNTIME_DIR") {
                paths.push(PathBuf::from(runtime).join("containers/auth.json"));
            }
        }
        if let Some(config) = config_dir {
            paths.push(config.join("containers/auth.json"));
        }
        match env("DOCKER_CONFIG") {
            Some(dir) => paths.push(PathBuf::from(dir).join("config.json")),
            None => {
                if let Some(home) = &home {
                    paths.push(home.join(".docker/config.json"));
                }
            }
        }
        if paths.is_empty() {
            return Err(AuthError::NoAuthFile);
        }
        Ok(AuthFiles { paths })
    }

    /// Exactly this file.
    pub fn at(path: impl Into<PathBuf>) -> Self {
        AuthFiles {
            paths: vec![path.into()],
        }
    }

    /// The file that logins are written to.
    pub fn primary(&self) -> &Path {
        &self.paths[0]
    }

    /// Fails like podman when an explicitly named auth file is missing.
    pub fn check_exists(path: &Path) -> Result<(), AuthError> {
        if path.exists() {
            Ok(())
        } else {
            Err(AuthError::MissingAuthFile {
                path: path.to_path_buf(),
            })
        }
    }

    /// The credentials for `key` (`registry` or `registry/namespace/repo`):
    /// the most specific entry wins, the earlier file first.
    pub fn credentials(&self, key: &str) -> Result<Option<Credentials>, AuthError> {
        for path in &self.paths {
            let contents = read(path)?;
            let mut candidate = key.to_string();
            loop {
                if let Some(found) = contents
                    .auths
                    .iter()
                    .find(|(name, _)| normalize_key(name) == candidate)
                    .and_then(|(_, entry)| decode_entry(entry))
                {
                    return Ok(Some(found));
                }
                match candidate.rfind('/') {
                    Some(slash) => candidate.truncate(slash),
                    None => break,
                }
            }
        }
        Ok(None)
    }

    /// Every stored credential, keyed like the files (earlier files win).
    pub fn all_credentials(&self) -> Result<BTreeMap<String, Credentials>, AuthError> {
        let mut all = BTreeMap::new();
        for path in self.paths.iter().rev() {
            for (name, entry) in read(path)?.auths {
                if let Some(credentials) = decode_entry(&entry) {
                    all.insert(normalize_key(&name), credentials);
                }
            }
        }
        Ok(all)
    }

    /// Stores `credentials` for `key` in the primary file.
    pub fn store(&self, key: &str, credentials: &Credentials) -> Result<(), AuthError> {
        let auth = data_encoding::BASE64
            .encode(format!("{}:{}", credentials.username, credentials.password).as_bytes());
        self.edit(|contents| {
            contents.auths.insert(
                key.to_string(),
                AuthEntry {
                    auth,
                    ..AuthEntry::default()
                },
            );
            true
        })
        .map(drop)
    }

    /// Removes `key` from the primary file; false when it was not there.
    pub fn remove(&self, key: &str) -> Result<bool, AuthError> {
        self.edit(|contents| contents.auths.remove(key).is_some())
    }

    /// Removes every credential from the primary file.
    pub fn remove_all(&self) -> Result<(), AuthError> {
        self.edit(|contents| {
            contents.auths.clear();
            true
        })
        .map(drop)
    }

    /// Changes the primary file under its lock; writes only when `change`
    /// says it changed something.
    fn edit(&self, change: impl FnOnce(&mut AuthFileContents) -> bool) -> Result<bool, AuthError> {
        let path = self.primary();
        let dir = crate::atomic::parent_dir(path);
        create_private_dir(&dir).map_err(|error| AuthError::Write {
            path: dir.clone(),
            error,
        })?;
        let _lock =
            crate::atomic::lock(path).map_err(|(path, error)| AuthError::Lock { path, error })?;
        let mut contents = read(path)?;
        if !change(&mut contents) {
            return Ok(false);
        }
        let text = go_indent_json(&contents);
        crate::atomic::replace(path, text.as_bytes(), Some(0o600)).map_err(|error| {
            AuthError::Write {
                path: path.to_path_buf(),
                error,
            }
        })?;
        Ok(true)
    }
}

fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)
}

fn read(path: &Path) -> Result<AuthFileContents, AuthError> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            return Ok(AuthFileContents::default())
        }
        Err(error) => {
            return Err(AuthError::Read {
                path: path.to_path_buf(),
                error,
            })
        }
    };
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(AuthFileContents::default());
    }
    serde_json::from_slice(&text).map_err(|error| AuthError::Corrupt {
        path: path.to_path_buf(),
        error,
    })
}

/// Keys written as URLs (`https://index.docker.io/v1/`) are stored by
/// Docker; they name the host.
fn normalize_key(key: &str) -> String {
    let stripped = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"));
    match stripped {
        Some(rest) => rest.split('/').next().unwrap_or(rest).to_string(),
        None => key.to_string(),
    }
}

fn decode_entry(entry: &AuthEntry) -> Option<Credentials> {
    let decoded = data_encoding::BASE64.decode(entry.auth.as_bytes()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (username, password) = text.split_once(':')?;
    Some(Credentials {
        username: username.to_string(),
        password: password.trim_matches('\0').to_string(),
    })
}

/// Go's `json.MarshalIndent(v, "", "\t")` for this shape (sorted keys).
fn go_indent_json(contents: &AuthFileContents) -> String {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"\t");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    // A BTreeMap of the whole thing keeps Go's sorted key order.
    let value: BTreeMap<String, Value> = match serde_json::to_value(contents) {
        Ok(Value::Object(map)) => map.into_iter().collect(),
        _ => BTreeMap::new(),
    };
    let _ = value.serialize(&mut serializer);
    String::from_utf8(out).unwrap_or_default()
}

/// `X-Registry-Auth` for one user (`--creds`, `--username`): base64url of
/// `{"username":...,"password":...}`.
pub fn single_auth_header(credentials: &Credentials) -> String {
    let json = serde_json::json!({
        "username": credentials.username,
        "password": credentials.password,
    });
    data_encoding::BASE64URL.encode(json.to_string().as_bytes())
}

/// `X-Registry-Auth` with every stored credential (`{"registry": {...}}`),
/// as podman's remote client sends it.
pub fn multi_auth_header(all: &BTreeMap<String, Credentials>) -> String {
    let map: serde_json::Map<String, Value> = all
        .iter()
        .map(|(key, credentials)| {
            (
                key.clone(),
                serde_json::json!({
                    "username": credentials.username,
                    "password": credentials.password,
                }),
            )
        })
        .collect();
    data_encoding::BASE64URL.encode(Value::Object(map).to_string().as_bytes())
}

/// `--creds USER[:PASSWORD]` split like podman (`USER` alone has an empty password).
pub fn parse_creds(creds: &str) -> Credentials {
    let (username, password) = creds.split_once(':').unwrap_or((creds, ""));
    Credentials {
        username: username.to_string(),
        password: password.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_lookup_and_remove() {
        let dir = tempfile::tempdir().unwrap();
        let files = AuthFiles::at(dir.path().join("sub/auth.json"));
        let creds = Credentials {
            username: "user".into(),
            password: "p:ss".into(),
        };
        files.store("127.0.0.1:5000", &creds).unwrap();
        let text = std::fs::read_to_string(files.primary()).unwrap();
        assert_eq!(
            text,
            "{\n\t\"auths\": {\n\t\t\"127.0.0.1:5000\": {\n\t\t\t\"auth\": \"dXNlcjpwOnNz\"\n\t\t}\n\t}\n}"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(files.primary())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(
            files.credentials("127.0.0.1:5000/ns/repo").unwrap(),
            Some(creds.clone())
        );
        assert_eq!(files.credentials("other:1").unwrap(), None);
        assert!(files.remove("127.0.0.1:5000").unwrap());
        assert!(!files.remove("127.0.0.1:5000").unwrap());
        assert!(files.all_credentials().unwrap().is_empty());
    }

    #[test]
    fn unknown_fields_survive_and_corrupt_files_are_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        std::fs::write(&path, r#"{"credsStore":"desktop","auths":{}}"#).unwrap();
        let files = AuthFiles::at(&path);
        files.store("r", &parse_creds("a:b")).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"credsStore\": \"desktop\""), "{text}");
        std::fs::write(&path, "{not json").unwrap();
        assert!(matches!(
            files.store("r", &parse_creds("a:b")),
            Err(AuthError::Corrupt { .. })
        ));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{not json");
    }

    #[test]
    fn headers_are_base64url_json() {
        let header = single_auth_header(&parse_creds("u:p"));
        let json = data_encoding::BASE64URL.decode(header.as_bytes()).unwrap();
        assert_eq!(json, br#"{"username":"u","password":"p"}"#);
        let all = BTreeMap::from([("r".to_string(), parse_creds("u:p"))]);
        let json = data_encoding::BASE64URL
            .decode(multi_auth_header(&all).as_bytes())
            .unwrap();
        assert_eq!(json, br#"{"r":{"username":"u","password":"p"}}"#);
        assert_eq!(
            normalize_key("https://index.docker.io/v1/"),
            "index.docker.io"
        );
    }
}
