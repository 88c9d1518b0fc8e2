//! podman's connection model: named destinations from
//! `podman-connections.json` (read-write) and containers.conf
//! `[engine.service_destinations]` (read-only), the default connection, and
//! the precedence that picks the engine a command talks to.
//!
//! [`resolve`] is a pure function of the flags, the environment and the
//! loaded configuration, so the binary can inspect (and, for machines,
//! redirect) the chosen [`Destination`] before dialing it.

mod containers_conf;
mod endpoint;
mod store;

use std::path::{Path, PathBuf};

pub use containers_conf::{ContainersConf, ContainersConfError};
pub use endpoint::{local_user_name, Endpoint, SshTarget, UriError};
pub use store::{
    ConnectionSection, ConnectionStore, ConnectionsFile, FarmSection, NotDefined, StoreError,
    StoredDestination, CONNECTIONS_FILE,
};

/// Errors choosing a connection.
#[derive(Debug, thiserror::Error)]
pub enum ConnectionError {
    #[error("failed to resolve active destination: {name:?} service destination not found")]
    NotFound { name: String },
    #[error(transparent)]
    Uri(#[from] UriError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    ContainersConf(#[from] ContainersConfError),
}

/// One connection as listed: from the connections file (`read_write`) or
/// from containers.conf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub name: String,
    pub uri: String,
    /// SSH identity file; empty when none.
    pub identity: String,
    pub is_machine: bool,
    pub default: bool,
    pub read_write: bool,
}

/// All connection configuration: the connections file and containers.conf.
#[derive(Debug, Clone, Default)]
pub struct ConnectionConfig {
    pub file: ConnectionsFile,
    pub containers_conf: ContainersConf,
}

impl ConnectionConfig {
    /// Loads both sources from podman's locations (honouring
    /// `PODMAN_CONNECTIONS_CONF` and `CONTAINERS_CONF`).
    pub fn load(store: &ConnectionStore) -> Result<Self, ConnectionError> {
        Ok(ConnectionConfig {
            file: store.load()?,
            containers_conf: ContainersConf::load_from_env()?,
        })
    }

    /// The default connection's name: the file's `Default`, else
    /// containers.conf's `active_service`.
    pub fn default_name(&self) -> Option<&str> {
        let name = &self.file.connection.default;
        if !name.is_empty() {
            return Some(name);
        }
        self.containers_conf
            .active_service
            .as_deref()
            .filter(|name| !name.is_empty())
    }

    /// Finds a connection by name; the connections file wins over containers.conf.
    pub fn get(&self, name: &str) -> Option<Connection> {
        let default = self.default_name() == Some(name);
        if let Some(dst) = self.file.connection.connections.get(name) {
            return Some(Connection {
                name: name.to_string(),
                uri: dst.uri.clone(),
                identity: dst.identity.clone(),
                is_machine: dst.is_machine,
                default,
                read_write: true,
            });
        }
        self.containers_conf
            .service_destinations
            .get(name)
            .map(|dst| Connection {
                name: name.to_string(),
                uri: dst.uri.clone(),
                identity: dst.identity.clone(),
                is_machine: dst.is_machine,
                default,
                read_write: false,
            })
    }

    /// Every connection, sorted by name (podman sorts its list the same way).
    pub fn all(&self) -> Vec<Connection> {
        let mut names: Vec<&String> = self.file.connection.connections.keys().collect();
        for name in self.containers_conf.service_destinations.keys() {
            if !self.file.connection.connections.contains_key(name) {
                names.push(name);
            }
        }
        names.sort();
        names
            .into_iter()
            .filter_map(|name| self.get(name))
            .collect()
    }
}

/// The connection-related global flags (`--connection`, `--url`, `--identity`).
#[derive(Debug, Clone, Default)]
pub struct ConnectionFlags {
    pub connection: Option<String>,
    pub url: Option<String>,
    pub identity: Option<String>,
}

/// The connection-related environment (`CONTAINER_CONNECTION`,
/// `CONTAINER_HOST`, `CONTAINER_SSHKEY`), plus what the default local socket
/// depends on.
#[derive(Debug, Clone, Default)]
pub struct ConnectionEnv {
    pub container_connection: Option<String>,
    pub container_host: Option<String>,
    pub container_sshkey: Option<String>,
    pub xdg_runtime_dir: Option<PathBuf>,
    pub is_root: bool,
}

impl ConnectionEnv {
    /// Reads the process environment. Set-but-empty counts as set, like podman.
    pub fn from_process() -> Self {
        ConnectionEnv {
            container_connection: std::env::var("CONTAINER_CONNECTION").ok(),
            container_host: std::env::var("CONTAINER_HOST").ok(),
            container_sshkey: std::env::var("CONTAINER_SSHKEY").ok(),
            xdg_runtime_dir: std::env::var_os("XDG_RUNTIME_DIR")
                .filter(|dir| !dir.is_empty())
                .map(PathBuf::from),
            is_root: is_root(),
        }
    }
}

/// Why a destination was chosen (for messages and `--log-level debug`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    ConnectionFlag,
    UrlFlag,
    ConnectionEnv,
    HostEnv,
    DefaultConnection,
    DefaultSocket,
}

/// The engine a command talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    /// The connection's name, when it came from one.
    pub name: Option<String>,
    pub uri: String,
    /// SSH key file; `None` means ssh-agent.
    pub identity: Option<PathBuf>,
    pub is_machine: bool,
    pub source: Source,
    /// The known_hosts file that pins an `ssh://` destination's host key;
    /// `None` means the user's `~/.ssh/known_hosts` (trust on first use).
    /// A machine's connections name the machine's own file.
    pub known_hosts: Option<PathBuf>,
}

impl Destination {
    pub fn endpoint(&self) -> Result<Endpoint, UriError> {
        Endpoint::parse(&self.uri)
    }
}

/// Picks the destination exactly like podman: `--connection`, `--url`,
/// `CONTAINER_CONNECTION`, `CONTAINER_HOST` (+ `CONTAINER_SSHKEY`), the
/// default connection, then the default local socket; `--identity` overrides
/// the key in every case.
pub fn resolve(
    flags: &ConnectionFlags,
    env: &ConnectionEnv,
    config: &ConnectionConfig,
) -> Result<Destination, ConnectionError> {
    let named = |name: &str, source| {
        let conn = config.get(name).ok_or_else(|| ConnectionError::NotFound {
            name: name.to_string(),
        })?;
        Ok::<_, ConnectionError>(Destination {
            name: Some(conn.name),
            uri: conn.uri,
            identity: non_empty_path(&conn.identity),
            is_machine: conn.is_machine,
            source,
            known_hosts: None,
        })
    };
    let unnamed = |uri: &str, identity: Option<PathBuf>, source| Destination {
        name: None,
        uri: uri.to_string(),
        identity,
        is_machine: false,
        source,
        known_hosts: None,
    };
    let mut destination = if let Some(name) = &flags.connection {
        named(name, Source::ConnectionFlag)?
    } else if let Some(url) = &flags.url {
        unnamed(url, None, Source::UrlFlag)
    } else if let Some(name) = &env.container_connection {
        named(name, Source::ConnectionEnv)?
    } else if let Some(host) = &env.container_host {
        let key = env.container_sshkey.as_deref().and_then(non_empty_path);
        unnamed(host, key, Source::HostEnv)
    } else if let Some(name) = config.default_name() {
        named(name, Source::DefaultConnection)?
    } else {
        unnamed(&default_socket_uri(env), None, Source::DefaultSocket)
    };
    if let Some(identity) = flags.identity.as_deref().and_then(non_empty_path) {
        destination.identity = Some(identity);
    }
    Ok(destination)
}

/// podman's default local socket: rootless
/// `$XDG_RUNTIME_DIR/podman/podman.sock`, rootful `/run/podman/podman.sock`.
pub fn default_socket_uri(env: &ConnectionEnv) -> String {
    if env.is_root {
        return "unix:///run/podman/podman.sock".to_string();
    }
    let runtime = env
        .xdg_runtime_dir
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("/run/user/{}", current_uid())));
    format!(
        "unix://{}",
        runtime.join("podman").join("podman.sock").display()
    )
}

fn non_empty_path(text: &str) -> Option<PathBuf> {
    (!text.is_empty()).then(|| PathBuf::from(text))
}

/// The directory of the user's containers.conf (and podman-connections.json):
/// `$XDG_CONFIG_HOME/containers` or `$HOME/.config/containers`
/// (`%APPDATA%\containers` on Windows).
pub fn user_containers_dir() -> Option<PathBuf> {
    #[cfg(windows)]
    {
        std::env::var_os("APPDATA").map(|dir| Path::new(&dir).join("containers"))
    }
    #[cfg(not(windows))]
    {
        if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|dir| !dir.is_empty()) {
            return Some(Path::new(&dir).join("containers"));
        }
        std::env::var_os("HOME")
            .filter(|dir| !dir.is_empty())
            .map(|home| Path::new(&home).join(".config").join("containers"))
    }
}

#[cfg(unix)]
fn current_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    // The owner of /proc/self is the effective uid (no libc needed).
    std::fs::metadata("/proc/self").map_or(0, |meta| meta.uid())
}

#[cfg(not(unix))]
fn current_uid() -> u32 {
    0
}

fn is_root() -> bool {
    cfg!(unix) && current_uid() == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ConnectionConfig {
        let mut config = ConnectionConfig::default();
        for (name, uri) in [("a", "unix:///a.sock"), ("b", "ssh://core@h/run/b.sock")] {
            config.file.connection.connections.insert(
                name.into(),
                StoredDestination {
                    uri: uri.into(),
                    identity: format!("/keys/{name}"),
                    ..Default::default()
                },
            );
        }
        config.file.connection.default = "a".into();
        config.containers_conf.service_destinations.insert(
            "c".into(),
            containers_conf::ServiceDestination {
                uri: "tcp://127.0.0.1:1".into(),
                ..Default::default()
            },
        );
        config
    }

    fn env() -> ConnectionEnv {
        ConnectionEnv {
            xdg_runtime_dir: Some("/run/user/1000".into()),
            ..Default::default()
        }
    }

    #[test]
    fn precedence_follows_podman() {
        let config = config();
        let flags = ConnectionFlags {
            connection: Some("b".into()),
            url: Some("unix:///url.sock".into()),
            identity: None,
        };
        let mut env = env();
        env.container_connection = Some("c".into());
        env.container_host = Some("unix:///host.sock".into());
        env.container_sshkey = Some("/envkey".into());

        let pick =
            |flags: &ConnectionFlags, env: &ConnectionEnv| resolve(flags, env, &config).unwrap();
        let d = pick(&flags, &env);
        assert_eq!(
            (d.uri.as_str(), d.source),
            ("ssh://core@h/run/b.sock", Source::ConnectionFlag)
        );
        assert_eq!(d.identity.as_deref(), Some(Path::new("/keys/b")));

        let mut flags = ConnectionFlags {
            connection: None,
            ..flags
        };
        let d = pick(&flags, &env);
        assert_eq!(
            (d.uri.as_str(), d.source, d.identity),
            ("unix:///url.sock", Source::UrlFlag, None)
        );

        flags.url = None;
        let d = pick(&flags, &env);
        assert_eq!(
            (d.uri.as_str(), d.source),
            ("tcp://127.0.0.1:1", Source::ConnectionEnv)
        );

        env.container_connection = None;
        let d = pick(&flags, &env);
        assert_eq!(
            (d.uri.as_str(), d.source),
            ("unix:///host.sock", Source::HostEnv)
        );
        assert_eq!(d.identity.as_deref(), Some(Path::new("/envkey")));

        env.container_host = None;
        let d = pick(&flags, &env);
        assert_eq!(
            (d.uri.as_str(), d.source),
            ("unix:///a.sock", Source::DefaultConnection)
        );

        flags.identity = Some("/override".into());
        let d = pick(&flags, &env);
        assert_eq!(d.identity.as_deref(), Some(Path::new("/override")));

        let empty = ConnectionConfig::default();
        let d = resolve(&ConnectionFlags::default(), &env, &empty).unwrap();
        assert_eq!(
            (d.uri.as_str(), d.source),
            (
                "unix:///run/user/1000/podman/podman.sock",
                Source::DefaultSocket
            )
        );
        let root = ConnectionEnv {
            is_root: true,
            ..Default::default()
        };
        assert_eq!(default_socket_uri(&root), "unix:///run/podman/podman.sock");
    }

    #[test]
    fn unknown_names_are_errors_with_podmans_wording() {
        let flags = ConnectionFlags {
            connection: Some("nosuch".into()),
            ..Default::default()
        };
        let err = resolve(&flags, &env(), &config()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to resolve active destination: \"nosuch\" service destination not found"
        );
    }

    #[test]
    fn lists_both_sources_file_first() {
        let mut config = config();
        config.containers_conf.service_destinations.insert(
            "a".into(),
            containers_conf::ServiceDestination {
                uri: "unix:///shadowed".into(),
                ..Default::default()
            },
        );
        let all = config.all();
        let names: Vec<_> = all
            .iter()
            .map(|c| (c.name.as_str(), c.default, c.read_write))
            .collect();
        assert_eq!(
            names,
            [("a", true, true), ("b", false, true), ("c", false, false)]
        );
        assert_eq!(all[0].uri, "unix:///a.sock");
    }
}
