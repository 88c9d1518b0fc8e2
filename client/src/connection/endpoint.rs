//! Where an engine listens: the parsed form of a connection URI
//! (`unix:///path`, `tcp://host:port`, `ssh://user@host:port/path`), parsed
//! the way podman reads `--url`, `CONTAINER_HOST` and connection URIs.

use std::fmt;
use std::path::PathBuf;

/// A bad connection URI, with the text that was given.
#[derive(Debug, thiserror::Error)]
pub enum UriError {
    #[error("unable to create connection. {uri:?} is not a supported schema (use unix://, tcp:// or ssh://)")]
    UnsupportedScheme { uri: String },
    #[error("invalid connection URL {uri:?}: {reason}")]
    Invalid { uri: String, reason: String },
}

/// An SSH destination: the remote podman socket reached through sshd.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SshTarget {
    /// Login user; podman's default is the local user name.
    pub user: String,
    pub host: String,
    pub port: u16,
    /// The podman socket path on the remote host.
    pub socket_path: String,
}

/// The address of a podman API service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    Tcp { host: String, port: u16 },
    Ssh(SshTarget),
}

impl Endpoint {
    /// Parses a connection URI. `ssh://` URIs without a user get the local user.
    pub fn parse(uri: &str) -> Result<Endpoint, UriError> {
        let invalid = |reason: &str| UriError::Invalid {
            uri: uri.to_string(),
            reason: reason.to_string(),
        };
        let Some((scheme, rest)) = uri.split_once("://") else {
            return Err(UriError::UnsupportedScheme {
                uri: uri.to_string(),
            });
        };
        match scheme {
            "unix" => {
                // unix:///run/podman.sock has an empty authority; podman also
                // accepts unix://relative/path and keeps it as given.
                let path = percent_decode(rest);
                if path.is_empty() {
                    return Err(invalid("the unix socket path is empty"));
                }
                Ok(Endpoint::Unix(PathBuf::from(path)))
            }
            "tcp" => {
                let authority = rest.split('/').next().unwrap_or_default();
                let (host, port) = split_host_port(authority)
                    .ok_or_else(|| invalid("expected tcp://HOST:PORT"))?;
                let port = port.ok_or_else(|| invalid("missing port in address"))?;
                Ok(Endpoint::Tcp { host, port })
            }
            "ssh" => {
                let (authority, path) = match rest.find('/') {
                    Some(at) => (&rest[..at], &rest[at..]),
                    None => (rest, ""),
                };
                let (user, host_port) = match authority.rsplit_once('@') {
                    Some((user, host_port)) => (Some(percent_decode(user)), host_port),
                    None => (None, authority),
                };
                // A password in the URI is not supported: keys or the agent only.
                let user = user.map(|user| match user.split_once(':') {
                    Some((name, _password)) => name.to_string(),
                    None => user,
                });
                let (host, port) = split_host_port(host_port)
                    .ok_or_else(|| invalid("expected ssh://USER@HOST[:PORT]/SOCKET-PATH"))?;
                let socket_path = percent_decode(path);
                if socket_path.len() <= 1 {
                    return Err(invalid(
                        "the remote socket path is missing, e.g. ssh://core@host:22/run/user/1000/podman/podman.sock",
                    ));
                }
                let user = match user {
                    Some(user) if !user.is_empty() => user,
                    _ => local_user_name().ok_or_else(|| {
                        invalid("no user given and the local user name is unknown")
                    })?,
                };
                Ok(Endpoint::Ssh(SshTarget {
                    user,
                    host,
                    port: port.unwrap_or(22),
                    socket_path,
                }))
            }
            _ => Err(UriError::UnsupportedScheme {
                uri: scheme.to_string(),
            }),
        }
    }
}

impl fmt::Display for Endpoint {
    /// The URI form, as podman lists it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Unix(path) => write!(f, "unix://{}", path.display()),
            Endpoint::Tcp { host, port } => write!(f, "tcp://{}:{port}", bracket_ipv6(host)),
            Endpoint::Ssh(target) => write!(
                f,
                "ssh://{}@{}:{}{}",
                target.user,
                bracket_ipv6(&target.host),
                target.port,
                target.socket_path
            ),
        }
    }
}

fn bracket_ipv6(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_string()
    }
}

/// Splits `host[:port]` (IPv6 in brackets). `None` when the host is empty or
/// the port is not a number.
fn split_host_port(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (host, after) = rest.split_once(']')?;
        match after.strip_prefix(':') {
            Some(port) => (host, Some(port)),
            None if after.is_empty() => (host, None),
            None => return None,
        }
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if host.is_empty() {
        return None;
    }
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    Some((host.to_string(), port))
}

/// Decodes `%XX` escapes; malformed escapes are kept as they are.
fn percent_decode(text: &str) -> String {
    fn hex(digit: u8) -> Option<u8> {
        (digit as char).to_digit(16).map(|value| value as u8)
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(high), Some(low)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push(high << 4 | low);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The local login name, podman's default SSH user.
pub fn local_user_name() -> Option<String> {
    ["USER", "LOGNAME", "USERNAME"]
        .iter()
        .find_map(|var| std::env::var(var).ok().filter(|name| !name.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_tcp_and_ssh() {
        assert_eq!(
            Endpoint::parse("unix:///run/podman/podman.sock").unwrap(),
            Endpoint::Unix("/run/podman/podman.sock".into())
        );
        assert_eq!(
            Endpoint::parse("tcp://127.0.0.1:8080").unwrap(),
            Endpoint::Tcp {
                host: "127.0.0.1".into(),
                port: 8080
            }
        );
        assert_eq!(
            Endpoint::parse("ssh://core@example.com:2222/run/user/1000/podman/podman.sock")
                .unwrap(),
            Endpoint::Ssh(SshTarget {
                user: "core".into(),
                host: "example.com".into(),
                port: 2222,
                socket_path: "/run/user/1000/podman/podman.sock".into()
            })
        );
        let Endpoint::Ssh(target) =
            Endpoint::parse("ssh://root@[::1]/run/podman/podman.sock").unwrap()
        else {
            panic!("not ssh");
        };
        assert_eq!((target.host.as_str(), target.port), ("::1", 22));
    }

    #[test]
    fn round_trips_through_display() {
        for uri in [
            "unix:///tmp/a%20b.sock",
            "tcp://[::1]:9000",
            "ssh://core@127.0.0.1:2222/run/podman/podman.sock",
        ] {
            let endpoint = Endpoint::parse(uri).unwrap();
            assert_eq!(Endpoint::parse(&endpoint.to_string()).unwrap(), endpoint);
        }
        assert_eq!(
            Endpoint::parse("unix:///tmp/a%20b.sock").unwrap(),
            Endpoint::Unix("/tmp/a b.sock".into())
        );
    }

    #[test]
    fn rejects_bad_uris_with_podmans_wording() {
        let err = Endpoint::parse("foo://bar").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("unable to create connection. \"foo\" is not a supported schema"),
            "{err}"
        );
        assert!(matches!(
            Endpoint::parse("/just/a/path"),
            Err(UriError::UnsupportedScheme { .. })
        ));
        assert!(Endpoint::parse("tcp://localhost")
            .unwrap_err()
            .to_string()
            .contains("missing port"));
        assert!(Endpoint::parse("tcp://host:notaport").is_err());
        assert!(Endpoint::parse("ssh://core@host:22")
            .unwrap_err()
            .to_string()
            .contains("socket path"));
        assert!(Endpoint::parse("unix://").is_err());
    }
}
