//! The connection parts of containers.conf (podman 4.x's home for them):
//! `[engine] active_service` and `[engine.service_destinations.NAME]`.
//!
//! Files are read in containers/common's order, later ones overriding
//! earlier ones: `CONTAINERS_CONF` alone when it is set, otherwise the
//! system files (`/usr/share/containers/containers.conf`,
//! `/etc/containers/containers.conf` and their `.d` drop-ins) and the user's
//! file with its drop-ins; `CONTAINERS_CONF_OVERRIDE` last.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ContainersConfError {
    #[error("CONTAINERS_CONF file: {} does not exist", path.display())]
    Missing { path: PathBuf },
    #[error("reading {}: {error}", path.display())]
    Read { path: PathBuf, error: io::Error },
    #[error("decode configuration {}: {error}", path.display())]
    Parse {
        path: PathBuf,
        error: toml::de::Error,
    },
}

/// A `[engine.service_destinations.NAME]` table.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct ServiceDestination {
    #[serde(default)]
    pub uri: String,
    #[serde(default)]
    pub identity: String,
    #[serde(default)]
    pub is_machine: bool,
}

/// The merged connection settings of all containers.conf files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContainersConf {
    pub active_service: Option<String>,
    pub service_destinations: BTreeMap<String, ServiceDestination>,
}

#[derive(Deserialize, Default)]
struct FileShape {
    #[serde(default)]
    engine: EngineShape,
}

#[derive(Deserialize, Default)]
struct EngineShape {
    active_service: Option<String>,
    #[serde(default)]
    service_destinations: BTreeMap<String, ServiceDestination>,
}

impl ContainersConf {
    /// Reads the files podman would read, from the process environment.
    pub fn load_from_env() -> Result<Self, ContainersConfError> {
        let mut files = Vec::new();
        if let Some(path) = std::env::var_os("CONTAINERS_CONF").filter(|p| !p.is_empty()) {
            // Like podman, a CONTAINERS_CONF that names no file is an error.
            let path = PathBuf::from(path);
            if !path.exists() {
                return Err(ContainersConfError::Missing { path });
            }
            files.push(path);
        } else {
            #[cfg(unix)]
            for dir in ["/usr/share/containers", "/etc/containers"] {
                push_with_dropins(&mut files, Path::new(dir));
            }
            if let Some(dir) = super::user_containers_dir() {
                push_with_dropins(&mut files, &dir);
            }
        }
        if let Some(path) = std::env::var_os("CONTAINERS_CONF_OVERRIDE").filter(|p| !p.is_empty()) {
            files.push(PathBuf::from(path));
        }
        Self::load_files(&files)
    }

    /// Reads and merges `files` in order; missing files are skipped.
    pub fn load_files(files: &[PathBuf]) -> Result<Self, ContainersConfError> {
        let mut conf = ContainersConf::default();
        for path in files {
            let text = match std::fs::read_to_string(path) {
                Ok(text) => text,
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(error) => {
                    return Err(ContainersConfError::Read {
                        path: path.clone(),
                        error,
                    })
                }
            };
            let shape: FileShape =
                toml::from_str(&text).map_err(|error| ContainersConfError::Parse {
                    path: path.clone(),
                    error,
                })?;
            if shape.engine.active_service.is_some() {
                conf.active_service = shape.engine.active_service;
            }
            conf.service_destinations
                .extend(shape.engine.service_destinations);
        }
        Ok(conf)
    }
}

/// Adds `dir/containers.conf` and then `dir/containers.conf.d/*.conf` in name order.
fn push_with_dropins(files: &mut Vec<PathBuf>, dir: &Path) {
    files.push(dir.join("containers.conf"));
    let Ok(entries) = std::fs::read_dir(dir.join("containers.conf.d")) else {
        return;
    };
    let mut dropins: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "conf"))
        .collect();
    dropins.sort();
    files.extend(dropins);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merges_destinations_later_files_win() {
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("a.conf");
        let second = dir.path().join("b.conf");
        std::fs::write(
            &first,
            "[containers]\ndefault_ulimits = [\"nofile=1024:1024\"]\n[engine]\nruntime = \"runc\"\nactive_service = \"one\"\n[engine.service_destinations.one]\nuri = \"unix:///one\"\n[engine.service_destinations.two]\nuri = \"ssh://core@h/run/two\"\nidentity = \"/k\"\n",
        )
        .unwrap();
        std::fs::write(
            &second,
            "[engine.service_destinations.two]\nuri = \"tcp://h:1\"\nis_machine = true\n",
        )
        .unwrap();
        let conf =
            ContainersConf::load_files(&[first, dir.path().join("missing.conf"), second]).unwrap();
        assert_eq!(conf.active_service.as_deref(), Some("one"));
        assert_eq!(conf.service_destinations["one"].uri, "unix:///one");
        let two = &conf.service_destinations["two"];
        assert_eq!((two.uri.as_str(), two.is_machine), ("tcp://h:1", true));
    }

    #[test]
    fn bad_toml_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.conf");
        std::fs::write(&path, "[engine\n").unwrap();
        let err = ContainersConf::load_files(std::slice::from_ref(&path)).unwrap_err();
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
}
