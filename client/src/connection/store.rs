//! podman 5's `podman-connections.json`: the read-write list of named
//! connections and farms, shared with podman itself.
//!
//! Every change goes through [`ConnectionStore::edit`]: it takes an exclusive
//! lock on a sibling `.lock` file, re-reads the file, applies the change and
//! replaces the file atomically (write a temp file, fsync, rename), so
//! parallel writers lose nothing and a crash never leaves half a file. A file
//! that does not parse is reported and never overwritten. Fields berth does
//! not know (newer podman's TLS settings, ...) are kept as they were.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The file's name; podman keeps it next to the user's containers.conf.
pub const CONNECTIONS_FILE: &str = "podman-connections.json";

/// Errors reading or writing the connections file; each names the file.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("reading {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("{} is not a valid connections file ({error}); fix or remove it, berth will not overwrite it", path.display())]
    Corrupt {
        path: PathBuf,
        error: serde_json::Error,
    },
    #[error("writing {}: {error}", path.display())]
    Write { path: PathBuf, error: io::Error },
    #[error("locking {}: {error}", path.display())]
    Lock { path: PathBuf, error: io::Error },
    #[error("cannot find the user's config directory: set HOME or XDG_CONFIG_HOME")]
    NoConfigDir,
}

/// One named destination, as stored (podman's `config.Destination`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StoredDestination {
    #[serde(rename = "URI")]
    pub uri: String,
    #[serde(rename = "Identity", default, skip_serializing_if = "String::is_empty")]
    pub identity: String,
    #[serde(rename = "IsMachine", default, skip_serializing_if = "is_false")]
    pub is_machine: bool,
    /// Fields of newer podman versions, kept untouched.
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// The `Connection` section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionSection {
    #[serde(rename = "Default", default, skip_serializing_if = "String::is_empty")]
    pub default: String,
    #[serde(
        rename = "Connections",
        default,
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub connections: BTreeMap<String, StoredDestination>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The `Farm` section (farms are listed by podman; berth keeps them intact).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FarmSection {
    #[serde(rename = "Default", default, skip_serializing_if = "String::is_empty")]
    pub default: String,
    #[serde(rename = "List", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub list: BTreeMap<String, Vec<String>>,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConnectionsFile {
    #[serde(rename = "Connection", default)]
    pub connection: ConnectionSection,
    #[serde(rename = "Farm", default)]
    pub farm: FarmSection,
    #[serde(flatten)]
    pub other: Map<String, Value>,
}

/// The changes `system connection ...` and machines make, with podman's
/// semantics.
impl ConnectionsFile {
    /// Adds or replaces `name`. The first connection becomes the default,
    /// as does any added with `make_default`.
    pub fn add(&mut self, name: &str, destination: StoredDestination, make_default: bool) {
        if make_default || self.connection.connections.is_empty() {
            self.connection.default = name.to_string();
        }
        self.connection
            .connections
            .insert(name.to_string(), destination);
    }

    /// Removes `name` (and from every farm); a missing name is not an
    /// error, like podman. Returns whether it existed.
    pub fn remove(&mut self, name: &str) -> bool {
        let existed = self.connection.connections.remove(name).is_some();
        if self.connection.default == name {
            self.connection.default.clear();
        }
        for members in self.farm.list.values_mut() {
            members.retain(|member| member != name);
        }
        existed
    }

    /// Removes every connection and empties every farm.
    pub fn remove_all(&mut self) {
        self.connection.connections.clear();
        self.connection.default.clear();
        for members in self.farm.list.values_mut() {
            members.clear();
        }
    }

    /// Renames `old` to `new`, keeping it the default if it was.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), NotDefined> {
        let destination = self
            .connection
            .connections
            .remove(old)
            .ok_or_else(|| NotDefined(old.to_string()))?;
        self.connection
            .connections
            .insert(new.to_string(), destination);
        if self.connection.default == old {
            self.connection.default = new.to_string();
        }
        Ok(())
    }

    /// Makes `name` the default connection.
    pub fn set_default(&mut self, name: &str) -> Result<(), NotDefined> {
        if !self.connection.connections.contains_key(name) {
            return Err(NotDefined(name.to_string()));
        }
        self.connection.default = name.to_string();
        Ok(())
    }
}

/// A connection name that is not in the connections file.
#[derive(Debug, thiserror::Error)]
#[error("{0:?} destination is not defined. See \"berth system connection add ...\" to create a connection")]
pub struct NotDefined(pub String);

/// The connections file at one path.
#[derive(Debug, Clone)]
pub struct ConnectionStore {
    path: PathBuf,
}

impl ConnectionStore {
    pub fn at(path: impl Into<PathBuf>) -> Self {
        ConnectionStore { path: path.into() }
    }

    /// podman's location: `PODMAN_CONNECTIONS_CONF`, else
    /// `$XDG_CONFIG_HOME/containers/podman-connections.json`, else
    /// `$HOME/.config/containers/...` (`%APPDATA%\containers\...` on Windows).
    pub fn from_env() -> Result<Self, StoreError> {
        if let Some(path) = std::env::var_os("PODMAN_CONNECTIONS_CONF") {
            return Ok(Self::at(path));
        }
        let dir = super::user_containers_dir().ok_or(StoreError::NoConfigDir)?;
        Ok(Self::at(dir.join(CONNECTIONS_FILE)))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file; a missing file is an empty one.
    pub fn load(&self) -> Result<ConnectionsFile, StoreError> {
        let text = match fs::read(&self.path) {
            Ok(text) => text,
            Err(err) if err.kind() == io::ErrorKind::NotFound => {
                return Ok(ConnectionsFile::default())
            }
            Err(error) => {
                return Err(StoreError::Read {
                    path: self.path.clone(),
                    error,
                })
            }
        };
        // podman writes an empty file in some versions before the first add.
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(ConnectionsFile::default());
        }
        serde_json::from_slice(&text).map_err(|error| StoreError::Corrupt {
            path: self.path.clone(),
            error,
        })
    }

    /// Changes the file under an exclusive lock: re-reads it, lets `change`
    /// modify it and, if `change` succeeds, replaces the file atomically.
    /// `E` lets callers return their own errors (e.g. "no such connection").
    pub fn edit<T, E>(
        &self,
        change: impl FnOnce(&mut ConnectionsFile) -> Result<T, E>,
    ) -> Result<T, E>
    where
        E: From<StoreError>,
    {
        let dir = self.dir();
        fs::create_dir_all(&dir).map_err(|error| StoreError::Write {
            path: dir.clone(),
            error,
        })?;
        let _lock = self.lock()?;
        let mut file = self.load()?;
        let result = change(&mut file)?;
        self.write_atomically(&file)?;
        Ok(result)
    }

    fn dir(&self) -> PathBuf {
        crate::atomic::parent_dir(&self.path)
    }

    fn lock(&self) -> Result<File, StoreError> {
        crate::atomic::lock(&self.path).map_err(|(path, error)| StoreError::Lock { path, error })
    }

    fn write_atomically(&self, contents: &ConnectionsFile) -> Result<(), StoreError> {
        let write_error = |error| StoreError::Write {
            path: self.path.clone(),
            error,
        };
        let mut text = serde_json::to_vec(contents).map_err(|err| write_error(err.into()))?;
        text.push(b'\n');
        crate::atomic::replace(&self.path, &text, None).map_err(write_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_podmans_format_and_keeps_unknown_fields() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONNECTIONS_FILE);
        fs::write(
            &path,
            r#"{"Connection":{"Default":"m","Connections":{"m":{"URI":"ssh://core@127.0.0.1:2222/run/user/1000/podman/podman.sock","Identity":"/k","IsMachine":true,"TLSCA":"/ca"}}},"Farm":{"List":{"f":["m"]}}}"#,
        )
        .unwrap();
        let store = ConnectionStore::at(&path);
        let file = store.load().unwrap();
        let m = &file.connection.connections["m"];
        assert!(m.is_machine);
        assert_eq!(m.identity, "/k");
        assert_eq!(file.farm.list["f"], vec!["m".to_string()]);
        store
            .edit(|file| {
                file.connection.default = "m".into();
                Ok::<_, StoreError>(())
            })
            .unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""TLSCA":"/ca""#), "{text}");
        assert!(text.contains(r#""Farm":{"List":{"f":["m"]}}"#), "{text}");
    }

    #[test]
    fn add_remove_rename_default_follow_podman() {
        let mut file = ConnectionsFile::default();
        let dst = |uri: &str| StoredDestination {
            uri: uri.into(),
            ..Default::default()
        };
        file.add("a", dst("unix:///a"), false);
        assert_eq!(
            file.connection.default, "a",
            "the first one becomes the default"
        );
        file.add("b", dst("unix:///b"), false);
        assert_eq!(file.connection.default, "a");
        file.add("c", dst("unix:///c"), true);
        assert_eq!(file.connection.default, "c");
        file.farm
            .list
            .insert("f".into(), vec!["a".into(), "c".into()]);
        file.rename("c", "d").unwrap();
        assert_eq!(file.connection.default, "d");
        assert!(file
            .rename("nope", "x")
            .unwrap_err()
            .to_string()
            .starts_with("\"nope\" destination is not defined"));
        assert!(file.set_default("nope").is_err());
        file.set_default("b").unwrap();
        assert!(file.remove("b"));
        assert_eq!(file.connection.default, "");
        assert!(!file.remove("b"));
        assert!(file.remove("a"));
        assert_eq!(file.farm.list["f"], vec!["c".to_string()]);
        file.remove_all();
        assert!(file.connection.connections.is_empty());
        assert!(file.farm.list["f"].is_empty());
    }

    #[test]
    fn corrupt_file_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONNECTIONS_FILE);
        fs::write(&path, "{not json").unwrap();
        let store = ConnectionStore::at(&path);
        let err = store
            .edit(|file| {
                file.connection.default = "x".into();
                Ok::<_, StoreError>(())
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Corrupt { .. }));
        assert!(err.to_string().contains(&path.display().to_string()));
        assert_eq!(fs::read_to_string(&path).unwrap(), "{not json");
    }

    #[test]
    fn missing_file_is_empty_and_minimal_output_matches_podman() {
        let dir = tempfile::tempdir().unwrap();
        let store = ConnectionStore::at(dir.path().join("sub").join(CONNECTIONS_FILE));
        assert_eq!(store.load().unwrap(), ConnectionsFile::default());
        store
            .edit(|file| {
                file.connection.connections.insert(
                    "a".into(),
                    StoredDestination {
                        uri: "unix:///x".into(),
                        ..Default::default()
                    },
                );
                Ok::<_, StoreError>(())
            })
            .unwrap();
        assert_eq!(
            fs::read_to_string(store.path()).unwrap(),
            "{\"Connection\":{\"Connections\":{\"a\":{\"URI\":\"unix:///x\"}}},\"Farm\":{}}\n"
        );
    }
}
