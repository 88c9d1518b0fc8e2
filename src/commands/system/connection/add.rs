//! `berth system connection add NAME DESTINATION`: records a destination
//! with podman's rules (`host` means ssh, the SSH port defaults to 22 and
//! the user to the local one, `--socket-path` sets the remote socket, tcp
//! needs a port, unix takes no identity). The first connection becomes the
//! default.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use berth_client::connection::{local_user_name, ConnectionStore, SshTarget, StoredDestination};
use berth_client::transport::ssh::SshTransport;

use crate::cli::system::ConnectionAddArgs;
use crate::cli::GlobalArgs;

pub async fn run(
    global: &GlobalArgs,
    store: &ConnectionStore,
    args: &ConnectionAddArgs,
) -> anyhow::Result<u8> {
    let identity = global
        .identity
        .as_deref()
        .filter(|identity| !identity.is_empty());
    let uri = match destination_uri(args, identity.is_some(), local_user_name().as_deref())? {
        Planned::Uri(uri) => uri,
        Planned::AskRemote(target) => {
            let socket = remote_socket_path(&target, identity.map(Path::new)).await?;
            format!("{}{socket}", ssh_prefix(&target))
        }
    };
    if let Some(path) = uri.strip_prefix("unix://") {
        check_unix_socket(Path::new(path))?;
    }
    let identity = match identity {
        Some(identity) => absolute(Path::new(identity))?.display().to_string(),
        None => String::new(),
    };
    let destination = StoredDestination {
        uri,
        identity,
        ..Default::default()
    };
    store.edit(|file| {
        file.add(&args.name, destination, args.default);
        Ok::<_, anyhow::Error>(())
    })?;
    Ok(0)
}

/// What `add` will store: a complete URI, or an SSH destination whose
/// podman socket path must be asked from the remote host first.
#[derive(Debug, PartialEq, Eq)]
enum Planned {
    Uri(String),
    AskRemote(SshTarget),
}

/// `ssh://user@host:port` (the socket path follows).
fn ssh_prefix(target: &SshTarget) -> String {
    let host = if target.host.contains(':') {
        format!("[{}]", target.host)
    } else {
        target.host.clone()
    };
    format!("ssh://{}@{host}:{}", target.user, target.port)
}

/// Asks the remote podman for its socket path, as podman does when the
/// destination has none.
async fn remote_socket_path(target: &SshTarget, identity: Option<&Path>) -> anyhow::Result<String> {
    let ssh = SshTransport::new(target.clone(), identity);
    let output = ssh
        .run("podman info --format '{{.Host.RemoteSocket.Path}}'")
        .await
        .context("finding the podman socket on the remote host (or give --socket-path)")?;
    let path = output.trim();
    let path = path.strip_prefix("unix://").unwrap_or(path);
    if !path.starts_with('/') {
        bail!("the remote host reported no podman socket path ({path:?}); give --socket-path");
    }
    Ok(path.to_string())
}

/// The URI to store for `args.destination`, or podman's error for flags
/// that do not fit the scheme.
fn destination_uri(
    args: &ConnectionAddArgs,
    has_identity: bool,
    local_user: Option<&str>,
) -> anyhow::Result<Planned> {
    let destination = if has_scheme(&args.destination) {
        args.destination.clone()
    } else {
        format!("ssh://{}", args.destination)
    };
    let (scheme, rest) = destination
        .split_once("://")
        .unwrap_or(("ssh", &destination));
    match scheme {
        "ssh" => ssh_uri(rest, args, local_user),
        "unix" => {
            if has_identity {
                bail!("--identity option not supported for unix scheme");
            }
            let path = args.socket_path.as_deref().unwrap_or(rest);
            if path.is_empty() {
                bail!("unix scheme requires a socket path, e.g. unix:///run/podman/podman.sock");
            }
            Ok(Planned::Uri(format!("unix://{path}")))
        }
        "tcp" => {
            if args.socket_path.is_some() {
                bail!("--socket-path option not supported for tcp scheme");
            }
            if has_identity {
                bail!("--identity option not supported for tcp scheme");
            }
            let authority = rest.split('/').next().unwrap_or_default();
            let has_port = authority
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.ends_with('[') && port.parse::<u16>().is_ok());
            if !has_port {
                bail!("tcp scheme requires a port either via --port or in destination URL");
            }
            Ok(Planned::Uri(destination))
        }
        other => bail!("unable to create connection. {other:?} is not a supported schema (use unix://, tcp:// or ssh://)"),
    }
}

/// `ssh://user@host:port/path` with podman's defaults filled in.
fn ssh_uri(
    rest: &str,
    args: &ConnectionAddArgs,
    local_user: Option<&str>,
) -> anyhow::Result<Planned> {
    let (authority, path) = match rest.find('/') {
        Some(at) => (&rest[..at], &rest[at..]),
        None => (rest, ""),
    };
    let (user, host_port) = match authority.rsplit_once('@') {
        Some((user, host_port)) => (Some(user), host_port),
        None => (None, authority),
    };
    let user = match user.filter(|user| !user.is_empty()) {
        Some(user) => user.to_string(),
        None => local_user
            .context("no user in the destination and the local user name is unknown (set USER)")?
            .to_string(),
    };
    let (host, port) = split_port(host_port);
    if host.is_empty() {
        bail!("invalid destination {:?}: no host name", args.destination);
    }
    let port = match port {
        Some(port) => port
            .parse::<u16>()
            .with_context(|| format!("invalid port {port:?} in {:?}", args.destination))?,
        None => args.port.unwrap_or(22),
    };
    let target = SshTarget {
        user,
        host: host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string(),
        port,
        socket_path: String::new(),
    };
    let path = args.socket_path.as_deref().unwrap_or(path);
    if path.is_empty() || path == "/" {
        return Ok(Planned::AskRemote(target));
    }
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Ok(Planned::Uri(format!("{}{path}", ssh_prefix(&target))))
}

/// Splits `host[:port]` (IPv6 hosts in brackets keep them).
fn split_port(host_port: &str) -> (&str, Option<&str>) {
    if host_port.starts_with('[') {
        return match host_port.find("]:") {
            Some(at) => (&host_port[..=at], Some(&host_port[at + 2..])),
            None => (host_port, None),
        };
    }
    match host_port.rsplit_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (host_port, None),
    }
}

/// Does `destination` start with `scheme://` (RFC 3986 scheme characters)?
fn has_scheme(destination: &str) -> bool {
    let Some((scheme, _)) = destination.split_once("://") else {
        return false;
    };
    let mut chars = scheme.chars();
    chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+.-".contains(c))
}

/// podman warns about a missing socket and refuses a path that is not one.
fn check_unix_socket(path: &Path) -> anyhow::Result<()> {
    match std::fs::metadata(path) {
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            eprintln!("WARN[0000] {:?} does not exist", path.display().to_string());
        }
        Err(err) if err.kind() == std::io::ErrorKind::PermissionDenied => {
            eprintln!(
                "WARN[0000] You do not have permission to read {:?}",
                path.display().to_string()
            );
        }
        Err(err) => return Err(err).with_context(|| format!("checking {}", path.display())),
        Ok(meta) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::FileTypeExt;
                if !meta.file_type().is_socket() {
                    bail!(
                        "{:?} exists and is not a unix domain socket",
                        path.display().to_string()
                    );
                }
            }
            #[cfg(not(unix))]
            let _ = meta;
        }
    }
    Ok(())
}

fn absolute(path: &Path) -> anyhow::Result<PathBuf> {
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    Ok(std::env::current_dir()
        .context("finding the current directory for the identity path")?
        .join(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(destination: &str) -> ConnectionAddArgs {
        ConnectionAddArgs {
            name: "n".into(),
            destination: destination.into(),
            port: None,
            socket_path: None,
            default: false,
        }
    }

    #[test]
    fn ssh_destinations_get_podmans_defaults() {
        let uri = |a: &ConnectionAddArgs| match destination_uri(a, false, Some("me")).unwrap() {
            Planned::Uri(uri) => uri,
            other => panic!("{other:?}"),
        };
        let mut a = args("server.example/run/podman/podman.sock");
        assert_eq!(uri(&a), "ssh://me@server.example:22/run/podman/podman.sock");
        a.port = Some(2222);
        assert_eq!(
            uri(&a),
            "ssh://me@server.example:2222/run/podman/podman.sock"
        );
        let mut a = args("ssh://core@[::1]:2200");
        a.socket_path = Some("/run/user/1000/podman/podman.sock".into());
        assert_eq!(
            uri(&a),
            "ssh://core@[::1]:2200/run/user/1000/podman/podman.sock"
        );
        assert_eq!(
            destination_uri(&args("core@host:2022"), false, Some("me")).unwrap(),
            Planned::AskRemote(SshTarget {
                user: "core".into(),
                host: "host".into(),
                port: 2022,
                socket_path: String::new(),
            })
        );
    }

    #[test]
    fn tcp_and_unix_rules_follow_podman() {
        let err = |a: &ConnectionAddArgs, identity| {
            destination_uri(a, identity, Some("me"))
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&args("tcp://localhost"), false),
            "tcp scheme requires a port either via --port or in destination URL"
        );
        assert_eq!(
            err(&args("tcp://localhost:8080"), true),
            "--identity option not supported for tcp scheme"
        );
        let mut a = args("tcp://localhost:8080");
        a.socket_path = Some("/x".into());
        assert_eq!(
            err(&a, false),
            "--socket-path option not supported for tcp scheme"
        );
        assert_eq!(
            err(&args("unix:///x.sock"), true),
            "--identity option not supported for unix scheme"
        );
        let mut a = args("unix:///x.sock");
        a.socket_path = Some("/y.sock".into());
        assert_eq!(
            destination_uri(&a, false, None).unwrap(),
            Planned::Uri("unix:///y.sock".into())
        );
        assert!(err(&args("http://x:1"), false).contains("not a supported schema"));
    }
}
