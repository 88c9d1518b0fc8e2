//! Machine configs: one JSON file per machine under berth's config dir,
//! written atomically while holding the machine's lock, so concurrent berth
//! processes never lose an update and a crash never leaves half a file.
//!
//! The config holds what `init` decided (resources, disk, SSH identity, port
//! and the pinned host key, mounts) and a few facts a run records (`LastUp`).
//! Whether a machine is running is never stored: see [`crate::state`].

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::dirs::BerthDirs;
use crate::fsutil::{self, FileLock};
use crate::paths::{self, MachinePaths};

/// podman's default machine name, with berth's prefix.
pub const DEFAULT_MACHINE_NAME: &str = "berth-machine-default";

/// Errors reading or writing machine configs.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{name}: machine does not exist")]
    NotFound { name: String },
    #[error("{name}: machine already exists")]
    AlreadyExists { name: String },
    #[error(
        "invalid machine name {name:?}: names must start with a letter or digit \
         and contain only letters, digits, '_', '.' and '-'"
    )]
    InvalidName { name: String },
    #[error("reading machine config {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("machine config {} is corrupt ({source}); fix or remove it", path.display())]
    Corrupt {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("writing machine config {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("locking machine config {}: {source}", path.display())]
    Lock { path: PathBuf, source: io::Error },
}

/// Checks a machine name against podman's rule `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub fn validate_name(name: &str) -> Result<(), ConfigError> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    if valid {
        Ok(())
    } else {
        Err(ConfigError::InvalidName {
            name: name.to_string(),
        })
    }
}

/// CPUs, memory and disk of a machine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Resources {
    #[serde(rename = "CPUs")]
    pub cpus: u32,
    /// MiB.
    pub memory: u64,
    /// GiB.
    pub disk_size: u64,
}

/// Where the machine's disk came from and where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ImageConfig {
    /// The reference given to `init --image` (stream name, URL or path).
    pub source: String,
    /// The cached base image the disk is an overlay of, if any.
    pub base: Option<PathBuf>,
    /// The machine's own disk.
    pub path: PathBuf,
}

/// How berth reaches the guest over SSH.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SshConfig {
    /// The private user key.
    pub identity_path: PathBuf,
    /// The host port QEMU forwards to the guest's port 22.
    pub port: u16,
    pub remote_username: String,
    /// The guest's pinned SSH host key, as an OpenSSH public key line.
    pub host_key: String,
}

/// A host directory shared into the guest (`-v HOST:GUEST[:ro]`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Mount {
    pub source: String,
    pub target: String,
    pub read_only: bool,
}

impl Mount {
    /// Parses podman's `HOST[:GUEST][:ro|rw]`. A Windows drive letter
    /// (`C:\...`) at the start is part of the host path.
    pub fn parse(spec: &str) -> Result<Mount, String> {
        let (drive, rest) = match spec.as_bytes() {
            [letter, b':', sep, ..]
                if letter.is_ascii_alphabetic() && matches!(sep, b'\\' | b'/') =>
            {
                spec.split_at(2)
            }
            _ => ("", spec),
        };
        let mut parts: Vec<&str> = rest.split(':').collect();
        let read_only = match parts.last().copied() {
            Some("ro") if parts.len() > 1 => {
                parts.pop();
                true
            }
            Some("rw") if parts.len() > 1 => {
                parts.pop();
                false
            }
            _ => false,
        };
        let (source, target) = match parts.as_slice() {
            [source] => (format!("{drive}{source}"), source.replace('\\', "/")),
            [source, target] => (format!("{drive}{source}"), target.to_string()),
            _ => return Err(format!("invalid volume {spec:?}: use HOST:GUEST[:ro]")),
        };
        if source.is_empty() || target.is_empty() {
            return Err(format!("invalid volume {spec:?}: use HOST:GUEST[:ro]"));
        }
        if !target.starts_with('/') {
            return Err(format!(
                "invalid volume {spec:?}: the guest path {target:?} must be absolute"
            ));
        }
        Ok(Mount {
            source,
            target,
            read_only,
        })
    }
}

/// A machine's config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MachineConfig {
    pub name: String,
    #[serde(with = "rfc3339")]
    pub created: SystemTime,
    #[serde(with = "rfc3339_option", default)]
    pub last_up: Option<SystemTime>,
    pub resources: Resources,
    pub image: ImageConfig,
    #[serde(rename = "SSH")]
    pub ssh: SshConfig,
    pub rootful: bool,
    /// The uid of the guest user (the host's, or 1000 when that is root).
    #[serde(rename = "UID")]
    pub uid: u32,
    #[serde(default)]
    pub timezone: Option<String>,
    #[serde(default)]
    pub mounts: Vec<Mount>,
    pub ignition_path: PathBuf,
    /// Accelerator override (`kvm`, `hvf`, `whpx`, `tcg`); `BERTH_ACCEL` wins.
    #[serde(default)]
    pub accelerator: Option<String>,
    /// Whether the guest mounts the volumes at boot (its Ignition config has
    /// berth's volume unit); false for machines initialised before that
    /// unit existed and for `--ignition-path`: the agent mounts theirs over
    /// SSH.
    #[serde(default)]
    pub mounts_at_boot: bool,
    /// Volume driver override (`virtiofs`, `9p`); `BERTH_VOLUME_DRIVER` wins.
    #[serde(default)]
    pub volume_driver: Option<String>,
}

impl MachineConfig {
    /// The guest path of the podman socket the API socket forwards to.
    pub fn guest_podman_socket(&self) -> String {
        guest_podman_socket(self.rootful, self.uid)
    }

    /// The guest user berth connects as for the API socket.
    pub fn api_user(&self) -> &str {
        if self.rootful {
            "root"
        } else {
            &self.ssh.remote_username
        }
    }
}

/// The OpenSSH known_hosts text that pins the machine's host key at its SSH
/// address (empty until a key is pinned).
pub fn known_hosts(config: &MachineConfig) -> String {
    if config.ssh.host_key.trim().is_empty() {
        String::new()
    } else {
        format!(
            "[127.0.0.1]:{} {}\n",
            config.ssh.port,
            config.ssh.host_key.trim()
        )
    }
}

/// The guest's podman socket: root's, or the user's rootless one.
pub fn guest_podman_socket(rootful: bool, uid: u32) -> String {
    if rootful {
        "/run/podman/podman.sock".to_string()
    } else {
        format!("/run/user/{uid}/podman/podman.sock")
    }
}

/// The uid the guest user gets: the host user's, or 1000 when that is root
/// (or the host has no uids), as podman does.
pub fn guest_uid() -> u32 {
    match crate::dirs::current_uid() {
        0 => 1000,
        uid => uid,
    }
}

/// Reads and writes the machine configs in berth's config dir.
#[derive(Debug, Clone)]
pub struct MachineStore {
    dirs: BerthDirs,
}

impl MachineStore {
    pub fn new(dirs: BerthDirs) -> Self {
        MachineStore { dirs }
    }

    pub fn dirs(&self) -> &BerthDirs {
        &self.dirs
    }

    pub fn paths(&self, name: &str) -> MachinePaths {
        MachinePaths::new(&self.dirs, name)
    }

    /// Takes the machine's lock (waiting for other berth processes).
    pub fn lock(&self, name: &str) -> Result<FileLock, ConfigError> {
        let path = self.paths(name).config_lock;
        FileLock::acquire(&path).map_err(|source| ConfigError::Lock { path, source })
    }

    pub fn exists(&self, name: &str) -> bool {
        self.paths(name).config.exists()
    }

    /// Loads one machine's config.
    pub fn load(&self, name: &str) -> Result<MachineConfig, ConfigError> {
        validate_name(name)?;
        load_file(&self.paths(name).config, name)
    }

    /// All machines, sorted by name. Stray non-config files are ignored.
    pub fn list(&self) -> Result<Vec<MachineConfig>, ConfigError> {
        let dir = paths::configs_dir(&self.dirs);
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(ConfigError::Read { path: dir, source }),
        };
        let mut machines = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| ConfigError::Read {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            let Some(name) = path
                .file_name()
                .and_then(|name| name.to_str())
                .and_then(|name| name.strip_suffix(".json"))
            else {
                continue;
            };
            if validate_name(name).is_err() {
                continue;
            }
            match load_file(&path, name) {
                Ok(config) => machines.push(config),
                // Removed between read_dir and now: not a machine any more.
                Err(ConfigError::NotFound { .. }) => {}
                Err(err) => return Err(err),
            }
        }
        machines.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(machines)
    }

    /// Writes a config, and the machine's known_hosts file from it (so the
    /// pinned key and SSH port there never disagree with the config). The
    /// caller must hold the machine's lock.
    pub fn save(&self, _lock: &FileLock, config: &MachineConfig) -> Result<(), ConfigError> {
        let paths = self.paths(&config.name);
        let path = paths.config;
        let mut json = serde_json::to_vec_pretty(config).map_err(|err| ConfigError::Write {
            path: path.clone(),
            source: io::Error::other(err),
        })?;
        json.push(b'\n');
        if let Some(dir) = paths.known_hosts.parent() {
            fs::create_dir_all(dir).map_err(|source| ConfigError::Write {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        fsutil::write_atomic(&paths.known_hosts, known_hosts(config).as_bytes(), 0o644).map_err(
            |source| ConfigError::Write {
                path: paths.known_hosts.clone(),
                source,
            },
        )?;
        fsutil::write_atomic(&path, &json, 0o644)
            .map_err(|source| ConfigError::Write { path, source })
    }

    /// Loads, changes and saves a config under the machine's lock.
    pub fn update(
        &self,
        name: &str,
        change: impl FnOnce(&mut MachineConfig),
    ) -> Result<MachineConfig, ConfigError> {
        let lock = self.lock(name)?;
        let mut config = self.load(name)?;
        change(&mut config);
        self.save(&lock, &config)?;
        Ok(config)
    }

    /// Removes a machine's config file. The caller must hold the lock.
    pub fn remove(&self, _lock: &FileLock, name: &str) -> Result<(), ConfigError> {
        let path = self.paths(name).config;
        fsutil::remove_if_exists(&path).map_err(|source| ConfigError::Write { path, source })
    }
}

fn load_file(path: &Path, name: &str) -> Result<MachineConfig, ConfigError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => {
            return Err(ConfigError::NotFound {
                name: name.to_string(),
            })
        }
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.to_path_buf(),
                source,
            })
        }
    };
    serde_json::from_slice(&bytes).map_err(|source| ConfigError::Corrupt {
        path: path.to_path_buf(),
        source,
    })
}

/// Formats a time as RFC 3339 in UTC, e.g. `2024-05-01T12:00:00.123456789Z`.
pub fn format_time(time: SystemTime) -> String {
    humantime::format_rfc3339_nanos(time).to_string()
}

mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::SystemTime;

    pub fn serialize<S: Serializer>(time: &SystemTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format_time(*time))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<SystemTime, D::Error> {
        let text = String::deserialize(d)?;
        humantime::parse_rfc3339_weak(&text).map_err(serde::de::Error::custom)
    }
}

mod rfc3339_option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::SystemTime;

    pub fn serialize<S: Serializer>(time: &Option<SystemTime>, s: S) -> Result<S::Ok, S::Error> {
        match time {
            Some(time) => s.serialize_str(&super::format_time(*time)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SystemTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            Some(text) => humantime::parse_rfc3339_weak(&text)
                .map(Some)
                .map_err(serde::de::Error::custom),
            None => Ok(None),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::time::Duration;

    pub fn sample(name: &str) -> MachineConfig {
        MachineConfig {
            name: name.to_string(),
            created: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            last_up: None,
            resources: Resources {
                cpus: 2,
                memory: 2048,
                disk_size: 100,
            },
            image: ImageConfig {
                source: "stream:stable".into(),
                base: None,
                path: "/d/m.qcow2".into(),
            },
            ssh: SshConfig {
                identity_path: "/d/keys/berth-machine".into(),
                port: 40022,
                remote_username: "core".into(),
                host_key: "ssh-ed25519 AAAA".into(),
            },
            rootful: false,
            uid: 1000,
            timezone: None,
            mounts: vec![],
            ignition_path: "/d/m.ign".into(),
            accelerator: None,
            mounts_at_boot: true,
            volume_driver: None,
        }
    }

    #[test]
    fn names_follow_podmans_rule() {
        for good in ["a", "berth-machine-default", "m1.test_x", "9"] {
            validate_name(good).unwrap();
        }
        for bad in ["", "-a", ".a", "a/b", "a b", "ä", "_x"] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn save_load_list_update_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = MachineStore::new(BerthDirs {
            config: dir.path().join("c"),
            data: dir.path().join("d"),
            runtime: dir.path().join("r"),
        });
        assert!(store.list().unwrap().is_empty());
        for name in ["b", "a"] {
            let lock = store.lock(name).unwrap();
            store.save(&lock, &sample(name)).unwrap();
        }
        let names: Vec<_> = store.list().unwrap().into_iter().map(|m| m.name).collect();
        assert_eq!(names, ["a", "b"]);
        assert_eq!(store.load("a").unwrap(), sample("a"));

        let now = SystemTime::UNIX_EPOCH + Duration::from_nanos(1_700_000_001_123_456_789);
        store.update("a", |m| m.last_up = Some(now)).unwrap();
        assert_eq!(store.load("a").unwrap().last_up, Some(now));

        let lock = store.lock("a").unwrap();
        store.remove(&lock, "a").unwrap();
        assert!(matches!(store.load("a"), Err(ConfigError::NotFound { .. })));
    }

    /// A config written before `MountsAtBoot` existed loads with it false:
    /// its guest has no volume unit, so the agent mounts over SSH.
    #[test]
    fn older_configs_mount_over_ssh() {
        let mut json: serde_json::Value = serde_json::to_value(sample("old")).unwrap();
        assert_eq!(json["MountsAtBoot"], true);
        let object = json.as_object_mut().unwrap();
        object.remove("MountsAtBoot");
        object.remove("VolumeDriver");
        let old: MachineConfig = serde_json::from_value(json).unwrap();
        assert!(!old.mounts_at_boot);
        assert_eq!(old.volume_driver, None);
    }

    #[test]
    fn a_corrupt_config_is_reported_with_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = MachineStore::new(BerthDirs {
            config: dir.path().join("c"),
            data: dir.path().join("d"),
            runtime: dir.path().join("r"),
        });
        let path = store.paths("x").config;
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, "{not json").unwrap();
        let err = store.load("x").unwrap_err().to_string();
        assert!(err.contains("x.json") && err.contains("corrupt"), "{err}");
    }

    #[test]
    fn mounts_parse_like_podman() {
        let m = Mount::parse("/home/u:/home/u:ro").unwrap();
        assert_eq!(
            (m.source.as_str(), m.target.as_str(), m.read_only),
            ("/home/u", "/home/u", true)
        );
        let m = Mount::parse("/src").unwrap();
        assert_eq!(
            (m.source.as_str(), m.target.as_str(), m.read_only),
            ("/src", "/src", false)
        );
        let m = Mount::parse(r"C:\Users\u:/mnt/u").unwrap();
        assert_eq!(
            (m.source.as_str(), m.target.as_str()),
            (r"C:\Users\u", "/mnt/u")
        );
        assert!(Mount::parse("/a:rel").is_err());
        assert!(Mount::parse("/a:/b:/c:/d").is_err());
    }
}
