//! The host side of the machine's volumes at a start: which driver
//! ([`crate::qemu::virtiofs::choose_volume_driver`]), the virtiofsd found
//! on this host, the shares QEMU gets, and the virtiofsd processes the agent
//! runs as its children (one per volume, each on a socket in the machine's
//! runtime dir that the agent listens on before QEMU starts; killed when the
//! agent stops, whichever way the start or the run ends).
//!
//! A volume whose host directory is missing is left out with a warning: it
//! never fails the start.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use tokio::process::Child;

use crate::config::{MachineConfig, Mount};
use crate::host::HostProfile;
use crate::paths::MachinePaths;
use crate::qemu::argv::supports_shares;
use crate::qemu::virtiofs::{
    self, choose_volume_driver, virtiofsd_matters, DriverInputs, Virtiofsd, VolumeDriver,
    DRIVER_ENV,
};
use crate::qemu::{Share, ShareTransport};

use super::mounts;

/// The volumes of one run.
#[derive(Default)]
pub struct SharedVolumes {
    /// What QEMU gets.
    pub shares: Vec<Share>,
    /// The volumes given to the guest, with their tags.
    pub tagged: Vec<(String, Mount)>,
    /// Volumes left out, said to the user.
    pub warnings: Vec<String>,
    virtiofsd: Vec<Child>,
}

/// The first virtiofsd on this host, with its kind (from `--version`).
async fn find_virtiofsd(profile: &HostProfile, path_var: Option<&str>) -> Option<Virtiofsd> {
    let path = virtiofs::virtiofsd_candidates(profile, path_var)
        .into_iter()
        .find(|candidate| candidate.is_file())?;
    let output = tokio::process::Command::new(&path)
        .arg("--version")
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Some(Virtiofsd {
        kind: virtiofs::kind_from_version(&text),
        path,
    })
}

/// Decides the driver and starts a virtiofsd per volume where virtiofs is
/// chosen. `env_driver` is `BERTH_VOLUME_DRIVER`.
pub async fn prepare(
    config: &MachineConfig,
    profile: &HostProfile,
    paths: &MachinePaths,
    env_driver: Option<&str>,
    path_var: Option<&str>,
) -> Result<SharedVolumes, String> {
    let mut volumes = SharedVolumes::default();
    if config.mounts.is_empty() {
        return Ok(volumes);
    }
    if !supports_shares(profile) {
        volumes.warnings.push(
            "volumes are not supported with QEMU on this host: they are not mounted".to_string(),
        );
        return Ok(volumes);
    }
    let requested = match env_driver.filter(|text| !text.trim().is_empty()) {
        Some(text) => {
            VolumeDriver::parse_setting(text).map_err(|err| format!("{DRIVER_ENV}: {err}"))?
        }
        None => VolumeDriver::parse_setting(config.volume_driver.as_deref().unwrap_or(""))
            .map_err(|err| format!("the machine's VolumeDriver setting: {err}"))?,
    };
    let uid = crate::dirs::current_uid();
    let mut inputs = DriverInputs {
        virtiofsd: None,
        host_is_root: uid == 0,
        guest_writer_uid: if config.rootful { 0 } else { config.uid },
        host_uid: uid,
        requested,
    };
    let found = if virtiofsd_matters(profile, &inputs) {
        find_virtiofsd(profile, path_var).await
    } else {
        None
    };
    inputs.virtiofsd = found.as_ref();
    let driver = choose_volume_driver(profile, inputs)?;
    for (index, mount) in config.mounts.iter().enumerate() {
        let source = PathBuf::from(&mount.source);
        if !source.is_dir() {
            volumes.warnings.push(format!(
                "volume {}:{} is not mounted: {} is not a directory on this host",
                mount.source,
                mount.target,
                source.display()
            ));
            continue;
        }
        let transport = match (driver, found.as_ref()) {
            (Some(VolumeDriver::Virtiofs), Some(found)) => {
                let socket = paths.virtiofs_socket(index);
                let child = spawn_virtiofsd(found, &source, &socket, uid == 0)?;
                volumes.virtiofsd.push(child);
                ShareTransport::Virtiofs { socket }
            }
            _ => ShareTransport::NineP,
        };
        let tag = mounts::tag(index);
        volumes.shares.push(Share {
            tag: tag.clone(),
            source,
            read_only: mount.read_only,
            transport,
        });
        volumes.tagged.push((tag, mount.clone()));
    }
    Ok(volumes)
}

/// Runs `found` for `source` on a socket the agent listens on at `socket`
/// (passed as an inherited descriptor: QEMU may connect at once).
#[cfg(unix)]
fn spawn_virtiofsd(
    found: &Virtiofsd,
    source: &Path,
    socket: &Path,
    host_is_root: bool,
) -> Result<Child, String> {
    use std::os::fd::AsRawFd;

    crate::fsutil::remove_if_exists(socket)
        .map_err(|err| format!("{}: {err}", socket.display()))?;
    let listener = std::os::unix::net::UnixListener::bind(socket)
        .map_err(|err| format!("{}: {err}", socket.display()))?;
    let fd = listener.as_raw_fd();
    let args = virtiofs::virtiofsd_args(found, fd, source, host_is_root);
    super::log(format_args!(
        "running {} {}",
        found.path.display(),
        args.join(" ")
    ));
    let mut command = tokio::process::Command::new(&found.path);
    command
        .args(&args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        // The agent's stderr is its log.
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    // SAFETY: between fork and exec only fcntl runs, which is
    // async-signal-safe; it lets the child inherit the listening socket.
    unsafe {
        command.pre_exec(move || {
            let flags = libc::fcntl(fd, libc::F_GETFD);
            if flags < 0 || libc::fcntl(fd, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = command
        .spawn()
        .map_err(|err| format!("running {}: {err}", found.path.display()))?;
    // The child has its own copy of the listening socket.
    drop(listener);
    Ok(child)
}

#[cfg(not(unix))]
fn spawn_virtiofsd(
    found: &Virtiofsd,
    _source: &Path,
    _socket: &Path,
    _host_is_root: bool,
) -> Result<Child, String> {
    Err(format!(
        "{}: virtiofs is not supported on this host",
        found.path.display()
    ))
}

impl SharedVolumes {
    /// Stops the virtiofsd processes (after QEMU: the guest may flush
    /// writes while it powers down).
    pub async fn stop(&mut self) {
        for mut child in self.virtiofsd.drain(..) {
            let _ = child.start_kill();
            let _ = child.wait().await;
        }
    }
}
