//! Where a machine's API is offered on the host besides its per-run socket,
//! as pure functions of the host profile: the named pipe on Windows
//! (`\\.\pipe\berth-NAME`), the stable Docker endpoint that the default
//! machine can claim (a `docker.sock` link in berth's data dir on unix, the
//! Docker engine's own pipe on Windows), the system-wide `/var/run/docker.sock`
//! that needs permission, and the `DOCKER_HOST` value that reaches each;
//! and [`link_socket`], which points such a path at a machine's socket.

use std::io;
use std::path::{Path, PathBuf};

use crate::dirs::BerthDirs;
use crate::host::{HostOs, HostProfile};

/// An address a Docker or podman client can connect to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// A unix socket (or a symlink to one).
    Unix(PathBuf),
    /// A Windows named pipe, `\\.\pipe\NAME`.
    Pipe(String),
}

impl Endpoint {
    /// The `DOCKER_HOST` / `CONTAINER_HOST` URL for this endpoint
    /// (`unix:///path`, or Docker's `npipe:////./pipe/NAME`).
    pub fn url(&self) -> String {
        match self {
            Endpoint::Unix(path) => format!("unix://{}", path.display()),
            Endpoint::Pipe(name) => {
                let name = name.strip_prefix(r"\\.\pipe\").unwrap_or(name);
                format!("npipe:////./pipe/{name}")
            }
        }
    }
}

/// The named pipe that serves machine `name`'s API on Windows.
pub fn api_pipe(name: &str) -> String {
    format!(r"\\.\pipe\berth-{name}")
}

/// The pipe Docker's own clients use by default on Windows.
pub const DOCKER_ENGINE_PIPE: &str = r"\\.\pipe\docker_engine";

/// The stable Docker endpoint the default machine may claim: a path that does
/// not change between runs, so `DOCKER_HOST` can be set once. On unix it is a
/// symlink `docker.sock` in berth's data dir pointing at the running
/// machine's API socket; on Windows it is Docker's default pipe, which
/// needs no `DOCKER_HOST` at all.
pub fn stable_docker_endpoint(profile: &HostProfile, dirs: &BerthDirs) -> Endpoint {
    match profile.os {
        HostOs::Windows => Endpoint::Pipe(DOCKER_ENGINE_PIPE.to_string()),
        HostOs::Linux | HostOs::MacOs => Endpoint::Unix(dirs.data.join("docker.sock")),
    }
}

/// The system-wide Docker socket that tools without `DOCKER_HOST` use, when
/// the host has one: linking it needs root (opt-in, like podman-mac-helper).
pub fn system_docker_socket(profile: &HostProfile) -> Option<&'static Path> {
    match profile.os {
        HostOs::Windows => None,
        HostOs::Linux | HostOs::MacOs => Some(Path::new("/var/run/docker.sock")),
    }
}

/// Whether [`link_socket`] may replace a symlink that points elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replace {
    /// Any symlink: the path is berth's own (the stable endpoint, which
    /// follows whichever machine is the default).
    AnyLink,
    /// Nothing: the path is shared with other engines (`/var/run/docker.sock`).
    Nothing,
}

/// What [`link_socket`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Linked {
    Created,
    AlreadyLinked,
    /// The link pointed at `previous` and now points at the new target.
    Replaced {
        previous: PathBuf,
    },
}

/// Why a socket link could not be made.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("{path} is already in use (by another Docker engine?): it {what}; remove it to let berth link it")]
    Occupied { path: PathBuf, what: String },
    #[error("no permission to create {path}")]
    PermissionDenied { path: PathBuf },
    #[error("linking {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

/// Makes `link` a symlink to `target`, atomically (a client never finds the
/// path missing while it is switched), without touching a path that is not a
/// symlink (a real socket, say) or, with [`Replace::Nothing`], a symlink to
/// anything else.
#[cfg(unix)]
pub fn link_socket(link: &Path, target: &Path, replace: Replace) -> Result<Linked, LinkError> {
    let io_err = |source: io::Error| match source.kind() {
        io::ErrorKind::PermissionDenied => LinkError::PermissionDenied {
            path: link.to_path_buf(),
        },
        _ => LinkError::Io {
            path: link.to_path_buf(),
            source,
        },
    };
    let previous = match std::fs::read_link(link) {
        Ok(current) if current == target => return Ok(Linked::AlreadyLinked),
        Ok(current) if replace == Replace::AnyLink => Some(current),
        Ok(current) => {
            return Err(LinkError::Occupied {
                path: link.to_path_buf(),
                what: format!("links to {}", current.display()),
            })
        }
        Err(err) if err.kind() == io::ErrorKind::NotFound => None,
        // EINVAL: it exists and is not a symlink.
        Err(err) if err.kind() == io::ErrorKind::InvalidInput => {
            return Err(LinkError::Occupied {
                path: link.to_path_buf(),
                what: "is not a symlink".to_string(),
            })
        }
        Err(err) => return Err(io_err(err)),
    };
    let dir = link.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(io_err)?;
    let file_name = link
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{file_name}.tmp-{}", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    std::os::unix::fs::symlink(target, &temp).map_err(io_err)?;
    if let Err(err) = std::fs::rename(&temp, link) {
        let _ = std::fs::remove_file(&temp);
        return Err(io_err(err));
    }
    Ok(match previous {
        Some(previous) => Linked::Replaced { previous },
        None => Linked::Created,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Arch;

    fn profile(os: HostOs) -> HostProfile {
        HostProfile {
            os,
            arch: Arch::Aarch64,
        }
    }

    fn dirs() -> BerthDirs {
        BerthDirs {
            config: "/Users/u/.config/berth".into(),
            data: "/Users/u/.local/share/berth".into(),
            runtime: "/tmp/berth-501".into(),
        }
    }

    #[test]
    fn windows_serves_each_machine_on_its_own_pipe() {
        let pipe = api_pipe("berth-machine-default");
        assert_eq!(pipe, r"\\.\pipe\berth-berth-machine-default");
        assert_eq!(
            Endpoint::Pipe(pipe).url(),
            "npipe:////./pipe/berth-berth-machine-default"
        );
    }

    #[test]
    fn the_stable_docker_endpoint_per_host() {
        let mac = stable_docker_endpoint(&profile(HostOs::MacOs), &dirs());
        assert_eq!(
            mac,
            Endpoint::Unix("/Users/u/.local/share/berth/docker.sock".into())
        );
        assert_eq!(mac.url(), "unix:///Users/u/.local/share/berth/docker.sock");
        let linux = stable_docker_endpoint(&profile(HostOs::Linux), &dirs());
        assert_eq!(linux, mac);
        let windows = stable_docker_endpoint(&profile(HostOs::Windows), &dirs());
        assert_eq!(windows.url(), "npipe:////./pipe/docker_engine");
    }

    #[test]
    fn only_unix_hosts_have_a_system_docker_socket() {
        assert_eq!(
            system_docker_socket(&profile(HostOs::MacOs)),
            Some(Path::new("/var/run/docker.sock"))
        );
        assert_eq!(system_docker_socket(&profile(HostOs::Windows)), None);
    }

    #[cfg(unix)]
    #[test]
    fn links_are_made_followed_and_switched_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("share/berth/docker.sock");
        let first = dir.path().join("run/m1/api.sock");
        let second = dir.path().join("run/m2/api.sock");
        std::fs::create_dir_all(first.parent().unwrap()).unwrap();
        let listener = std::os::unix::net::UnixListener::bind(&first).unwrap();

        assert_eq!(
            link_socket(&link, &first, Replace::AnyLink).unwrap(),
            Linked::Created
        );
        // Clients connect through the link to the machine's socket.
        std::os::unix::net::UnixStream::connect(&link).unwrap();
        listener.accept().unwrap();
        assert_eq!(
            link_socket(&link, &first, Replace::AnyLink).unwrap(),
            Linked::AlreadyLinked
        );
        assert_eq!(
            link_socket(&link, &second, Replace::AnyLink).unwrap(),
            Linked::Replaced {
                previous: first.clone()
            }
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), second);
        let names: Vec<_> = std::fs::read_dir(link.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["docker.sock"], "no temp link left behind");
    }

    #[cfg(unix)]
    #[test]
    fn shared_paths_are_never_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("berth/docker.sock");
        let other = dir.path().join("docker-desktop.sock");
        let link = dir.path().join("docker.sock");
        std::os::unix::fs::symlink(&other, &link).unwrap();
        let err = link_socket(&link, &target, Replace::Nothing).unwrap_err();
        assert!(
            err.to_string().contains(&format!(
                "is already in use (by another Docker engine?): it links to {}",
                other.display()
            )),
            "{err}"
        );
        assert_eq!(std::fs::read_link(&link).unwrap(), other);

        // A real socket (or file) is left alone whatever the policy.
        let real = dir.path().join("real.sock");
        let _listener = std::os::unix::net::UnixListener::bind(&real).unwrap();
        let err = link_socket(&real, &target, Replace::AnyLink).unwrap_err();
        assert!(err.to_string().contains("is not a symlink"), "{err}");
        use std::os::unix::fs::FileTypeExt;
        assert!(std::fs::symlink_metadata(&real)
            .unwrap()
            .file_type()
            .is_socket());
    }

    #[cfg(unix)]
    #[test]
    fn a_directory_without_permission_says_so() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        // A read-only directory stops everyone but root; sysfs stops root too.
        let locked = if unsafe { libc::geteuid() } == 0 {
            PathBuf::from("/sys")
        } else {
            let locked = dir.path().join("locked");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
            locked
        };
        let link = locked.join("docker.sock");
        let result = link_socket(&link, Path::new("/x/docker.sock"), Replace::Nothing);
        assert!(
            matches!(result, Err(LinkError::PermissionDenied { ref path }) if path == &link),
            "{result:?}"
        );
        assert!(!link.exists());
    }
}
