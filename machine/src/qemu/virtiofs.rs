//! How the machine's volumes reach the guest: virtio-9p (QEMU's `-virtfs`)
//! or virtiofs (a `virtiofsd` per volume, which QEMU talks vhost-user to).
//! The choice is a pure function of the host profile, the virtiofsd found
//! (if any), who berth runs as, and the user's setting
//! ([`choose_volume_driver`]), decided at every start: the host can change
//! between `init` and `start`, and the guest's mount unit takes whichever
//! it is given (see [`crate::agent::mounts`]).
//!
//! virtiofs is chosen only where it keeps issue 6's promise that a file a
//! container writes is the host user's on the host. An unprivileged
//! virtiofsd cannot change its credentials, so it creates every file as the
//! host user; one running as root (QEMU's C virtiofsd must) creates files as
//! the guest's uid, which is the host user's only when the guest writes as
//! the host's uid (root, so: a rootful machine). Elsewhere 9p, whose
//! `security_model=mapped-xattr` creates files as QEMU's user.

use std::path::{Path, PathBuf};

use crate::host::{HostOs, HostProfile};

/// The environment variable that picks the volume driver (`virtiofs` or `9p`).
pub const DRIVER_ENV: &str = "BERTH_VOLUME_DRIVER";

/// How volumes are shared (podman machine's mount types use the same names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeDriver {
    NineP,
    Virtiofs,
}

impl VolumeDriver {
    pub fn as_str(self) -> &'static str {
        match self {
            VolumeDriver::NineP => "9p",
            VolumeDriver::Virtiofs => "virtiofs",
        }
    }

    /// Parses a setting; empty or `auto` is no preference.
    pub fn parse_setting(text: &str) -> Result<Option<VolumeDriver>, String> {
        match text.trim() {
            "" | "auto" => Ok(None),
            "9p" | "virtio-9p" | "virtfs" => Ok(Some(VolumeDriver::NineP)),
            "virtiofs" => Ok(Some(VolumeDriver::Virtiofs)),
            other => Err(format!(
                "unknown volume driver {other:?}: use virtiofs or 9p (or auto)"
            )),
        }
    }
}

impl std::fmt::Display for VolumeDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which implementation a virtiofsd binary is: their options differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VirtiofsdKind {
    /// QEMU's C virtiofsd (QEMU <= 7.2, e.g. Debian 12's
    /// `/usr/lib/qemu/virtiofsd`): `-o source=`, needs root.
    Qemu,
    /// The Rust virtiofsd (Fedora, newer Debian): `--shared-dir`, may run
    /// unprivileged with `--sandbox none`.
    Rust,
}

/// A virtiofsd found on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Virtiofsd {
    pub path: PathBuf,
    pub kind: VirtiofsdKind,
}

/// Where distributions install virtiofsd (it is rarely on `PATH`). None on
/// macOS and Windows: their QEMU has no vhost-user (and no memfd).
pub fn virtiofsd_candidates(profile: &HostProfile, path_var: Option<&str>) -> Vec<PathBuf> {
    if profile.os != HostOs::Linux {
        return Vec::new();
    }
    let mut candidates: Vec<PathBuf> = path_var
        .unwrap_or_default()
        .split(':')
        .filter(|dir| !dir.is_empty())
        .map(|dir| Path::new(dir).join("virtiofsd"))
        .collect();
    for fixed in [
        "/usr/libexec/virtiofsd",
        "/usr/lib/virtiofsd",
        "/usr/lib/qemu/virtiofsd",
        "/usr/libexec/qemu/virtiofsd",
    ] {
        let fixed = PathBuf::from(fixed);
        if !candidates.contains(&fixed) {
            candidates.push(fixed);
        }
    }
    candidates
}

/// The kind of virtiofsd from what its `--version` printed: QEMU's names
/// the QEMU project, the Rust one prints only `virtiofsd X.Y.Z`.
pub fn kind_from_version(output: &str) -> VirtiofsdKind {
    if output.contains("QEMU") || output.contains("FUSE kernel interface") {
        VirtiofsdKind::Qemu
    } else {
        VirtiofsdKind::Rust
    }
}

/// Whether this virtiofsd can run as the host user: QEMU's needs root for
/// its sandbox (namespaces or chroot).
pub fn can_run(kind: VirtiofsdKind, host_is_root: bool) -> bool {
    host_is_root || kind == VirtiofsdKind::Rust
}

/// What the driver decision depends on besides the host profile.
#[derive(Debug, Clone, Copy)]
pub struct DriverInputs<'a> {
    /// The virtiofsd found on this host, if any.
    pub virtiofsd: Option<&'a Virtiofsd>,
    /// berth runs as root (effective uid 0).
    pub host_is_root: bool,
    /// The uid the machine's containers write as by default: 0 for a
    /// rootful machine, else the guest user's.
    pub guest_writer_uid: u32,
    /// The host user's uid.
    pub host_uid: u32,
    /// `BERTH_VOLUME_DRIVER` or the machine's `VolumeDriver` setting.
    pub requested: Option<VolumeDriver>,
}

/// The volume driver for a start; an error when the requested one cannot
/// work on this host. `None`: this host's QEMU cannot share directories.
pub fn choose_volume_driver(
    profile: &HostProfile,
    inputs: DriverInputs<'_>,
) -> Result<Option<VolumeDriver>, String> {
    if profile.os == HostOs::Windows {
        return Ok(None);
    }
    let usable = inputs
        .virtiofsd
        .filter(|found| can_run(found.kind, inputs.host_is_root));
    match inputs.requested {
        Some(VolumeDriver::NineP) => Ok(Some(VolumeDriver::NineP)),
        Some(VolumeDriver::Virtiofs) => match (profile.os, usable, inputs.virtiofsd) {
            (HostOs::Linux, Some(_), _) => Ok(Some(VolumeDriver::Virtiofs)),
            (HostOs::Linux, None, Some(found)) => Err(format!(
                "volume driver virtiofs: {} is QEMU's virtiofsd, which only runs as root; \
                 install the Rust virtiofsd, or unset {DRIVER_ENV} to use 9p",
                found.path.display()
            )),
            (HostOs::Linux, None, None) => Err(format!(
                "volume driver virtiofs: no virtiofsd found (looked in PATH, /usr/libexec and \
                 /usr/lib/qemu); install the virtiofsd package, or unset {DRIVER_ENV} to use 9p"
            )),
            _ => Err(format!(
                "volume driver virtiofs is not available with QEMU on this host; \
                 unset {DRIVER_ENV} to use 9p"
            )),
        },
        None => {
            let Some(found) = usable else {
                return Ok(Some(VolumeDriver::NineP));
            };
            // Files the guest writes must be the host user's on the host.
            let keeps_ownership = if inputs.host_is_root {
                inputs.guest_writer_uid == inputs.host_uid
            } else {
                // Unprivileged, it cannot switch to the guest's uid.
                found.kind == VirtiofsdKind::Rust
            };
            Ok(Some(if keeps_ownership {
                VolumeDriver::Virtiofs
            } else {
                VolumeDriver::NineP
            }))
        }
    }
}

/// Whether the virtiofsd on this host (if any) can change what
/// [`choose_volume_driver`] answers for these inputs, whose `virtiofsd` is
/// ignored: when it cannot, a start need not look for one (which runs
/// `virtiofsd --version`). It cannot with 9p requested, on Windows, or, with
/// nothing requested, for a root host whose guest writes files as another
/// uid (virtiofs would not keep their ownership, whatever the virtiofsd).
pub fn virtiofsd_matters(profile: &HostProfile, inputs: &DriverInputs<'_>) -> bool {
    match (profile.os, inputs.requested) {
        (HostOs::Windows, _) | (_, Some(VolumeDriver::NineP)) => false,
        (_, Some(VolumeDriver::Virtiofs)) => true,
        (_, None) => !inputs.host_is_root || inputs.guest_writer_uid == inputs.host_uid,
    }
}

/// The arguments of a virtiofsd serving `source` on the listening socket
/// the agent made and passed as file descriptor `fd` (QEMU connects to
/// that socket: nothing waits for virtiofsd to create one). Read-only
/// volumes are mounted read-only by the guest (QEMU 7.2's virtiofsd has no
/// read-only mode).
pub fn virtiofsd_args(
    found: &Virtiofsd,
    fd: i32,
    source: &Path,
    host_is_root: bool,
) -> Vec<String> {
    match found.kind {
        VirtiofsdKind::Qemu => vec![
            format!("--fd={fd}"),
            "-o".to_string(),
            format!("source={}", source.to_string_lossy()),
            "-o".to_string(),
            "cache=auto".to_string(),
        ],
        VirtiofsdKind::Rust => {
            let mut args = vec![
                format!("--fd={fd}"),
                format!("--shared-dir={}", source.to_string_lossy()),
                "--cache=auto".to_string(),
            ];
            if !host_is_root {
                args.push("--sandbox=none".to_string());
            }
            args
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::Arch;

    fn qemu_virtiofsd() -> Virtiofsd {
        Virtiofsd {
            path: "/usr/lib/qemu/virtiofsd".into(),
            kind: VirtiofsdKind::Qemu,
        }
    }

    fn rust_virtiofsd() -> Virtiofsd {
        Virtiofsd {
            path: "/usr/libexec/virtiofsd".into(),
            kind: VirtiofsdKind::Rust,
        }
    }

    fn inputs(virtiofsd: Option<&Virtiofsd>, root: bool, rootful: bool) -> DriverInputs<'_> {
        let host_uid = if root { 0 } else { 501 };
        DriverInputs {
            virtiofsd,
            host_is_root: root,
            guest_writer_uid: if rootful {
                0
            } else if root {
                1000
            } else {
                host_uid
            },
            host_uid,
            requested: None,
        }
    }

    /// Where the virtiofsd cannot matter, every virtiofsd (or none) gives
    /// the same decision; where it is said to matter, some pair differs.
    #[test]
    fn virtiofsd_matters_exactly_where_the_decision_depends_on_it() {
        let qemu = qemu_virtiofsd();
        let rust = rust_virtiofsd();
        for os in [HostOs::Linux, HostOs::MacOs, HostOs::Windows] {
            let profile = HostProfile {
                os,
                arch: Arch::X86_64,
            };
            for (root, rootful) in [(true, true), (true, false), (false, true), (false, false)] {
                for requested in [
                    None,
                    Some(VolumeDriver::NineP),
                    Some(VolumeDriver::Virtiofs),
                ] {
                    let decide = |found: Option<&Virtiofsd>| {
                        let mut inputs = inputs(found, root, rootful);
                        inputs.requested = requested;
                        choose_volume_driver(&profile, inputs)
                    };
                    let answers = [decide(None), decide(Some(&qemu)), decide(Some(&rust))];
                    let mut probe = inputs(None, root, rootful);
                    probe.requested = requested;
                    let all_same = answers.iter().all(|answer| *answer == answers[0]);
                    if !virtiofsd_matters(&profile, &probe) {
                        assert!(
                            all_same,
                            "{os:?} root={root} rootful={rootful} {requested:?}: {answers:?}"
                        );
                    } else if os == HostOs::Linux {
                        assert!(
                            !all_same,
                            "{os:?} root={root} rootful={rootful} {requested:?}: {answers:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn every_profile_decides() {
        let qemu = qemu_virtiofsd();
        let rust = rust_virtiofsd();
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let linux = HostProfile {
                os: HostOs::Linux,
                arch,
            };
            let mac = HostProfile {
                os: HostOs::MacOs,
                arch,
            };
            let windows = HostProfile {
                os: HostOs::Windows,
                arch,
            };
            let choose = |profile: &HostProfile, inputs| choose_volume_driver(profile, inputs);
            use VolumeDriver::*;
            // No virtiofsd: 9p (none on Windows).
            assert_eq!(choose(&linux, inputs(None, false, false)), Ok(Some(NineP)));
            assert_eq!(choose(&mac, inputs(None, false, false)), Ok(Some(NineP)));
            assert_eq!(choose(&windows, inputs(None, false, false)), Ok(None));
            // QEMU's virtiofsd: only as root, and only where the guest
            // writes as the host's uid (root: a rootful machine).
            assert_eq!(
                choose(&linux, inputs(Some(&qemu), false, false)),
                Ok(Some(NineP))
            );
            assert_eq!(
                choose(&linux, inputs(Some(&qemu), true, false)),
                Ok(Some(NineP))
            );
            assert_eq!(
                choose(&linux, inputs(Some(&qemu), true, true)),
                Ok(Some(Virtiofs))
            );
            // The Rust one unprivileged: files are always the host user's.
            assert_eq!(
                choose(&linux, inputs(Some(&rust), false, false)),
                Ok(Some(Virtiofs))
            );
            assert_eq!(
                choose(&linux, inputs(Some(&rust), false, true)),
                Ok(Some(Virtiofs))
            );
            assert_eq!(
                choose(&linux, inputs(Some(&rust), true, false)),
                Ok(Some(NineP))
            );
            // The setting: 9p always wins; virtiofs needs a runnable virtiofsd.
            let wants = |virtiofsd, root, driver| DriverInputs {
                requested: Some(driver),
                ..inputs(virtiofsd, root, false)
            };
            assert_eq!(
                choose(&linux, wants(Some(&rust), false, NineP)),
                Ok(Some(NineP))
            );
            assert_eq!(
                choose(&linux, wants(Some(&qemu), true, Virtiofs)),
                Ok(Some(Virtiofs))
            );
            let err = choose(&linux, wants(Some(&qemu), false, Virtiofs)).unwrap_err();
            assert!(err.contains("only runs as root"), "{err}");
            let err = choose(&linux, wants(None, true, Virtiofs)).unwrap_err();
            assert!(err.contains("no virtiofsd found"), "{err}");
            let err = choose(&mac, wants(None, false, Virtiofs)).unwrap_err();
            assert!(err.contains("not available"), "{err}");
            assert_eq!(choose(&windows, wants(None, false, Virtiofs)), Ok(None));
            assert_eq!(choose(&mac, wants(None, false, NineP)), Ok(Some(NineP)));
        }
    }

    #[test]
    fn settings_parse() {
        assert_eq!(VolumeDriver::parse_setting(""), Ok(None));
        assert_eq!(VolumeDriver::parse_setting("auto"), Ok(None));
        assert_eq!(
            VolumeDriver::parse_setting("9p"),
            Ok(Some(VolumeDriver::NineP))
        );
        assert_eq!(
            VolumeDriver::parse_setting(" virtiofs "),
            Ok(Some(VolumeDriver::Virtiofs))
        );
        assert!(VolumeDriver::parse_setting("nfs")
            .unwrap_err()
            .contains("use virtiofs or 9p"));
    }

    #[test]
    fn virtiofsd_is_looked_for_on_linux_only() {
        let linux = HostProfile {
            os: HostOs::Linux,
            arch: Arch::X86_64,
        };
        let found = virtiofsd_candidates(&linux, Some("/opt/bin:/usr/libexec"));
        assert_eq!(found[0], PathBuf::from("/opt/bin/virtiofsd"));
        assert_eq!(found[1], PathBuf::from("/usr/libexec/virtiofsd"));
        assert!(found.contains(&PathBuf::from("/usr/lib/qemu/virtiofsd")));
        assert_eq!(
            found
                .iter()
                .filter(|p| **p == Path::new("/usr/libexec/virtiofsd"))
                .count(),
            1
        );
        for os in [HostOs::MacOs, HostOs::Windows] {
            let profile = HostProfile {
                os,
                arch: Arch::Aarch64,
            };
            assert!(virtiofsd_candidates(&profile, Some("/opt/homebrew/bin")).is_empty());
        }
    }

    #[test]
    fn kinds_and_their_arguments() {
        let qemu_version = "virtiofsd version 7.2.22 (Debian 1:7.2+dfsg-7)\n\
                            Copyright (c) 2003-2022 Fabrice Bellard and the QEMU Project developers\n\
                            using FUSE kernel interface version 7.36\n";
        assert_eq!(kind_from_version(qemu_version), VirtiofsdKind::Qemu);
        assert_eq!(kind_from_version("virtiofsd 1.10.1\n"), VirtiofsdKind::Rust);
        assert!(can_run(VirtiofsdKind::Qemu, true));
        assert!(!can_run(VirtiofsdKind::Qemu, false));
        assert!(can_run(VirtiofsdKind::Rust, false));
        assert_eq!(
            virtiofsd_args(&qemu_virtiofsd(), 7, Path::new("/home/u"), true),
            ["--fd=7", "-o", "source=/home/u", "-o", "cache=auto"]
        );
        assert_eq!(
            virtiofsd_args(&rust_virtiofsd(), 7, Path::new("/home/u"), false),
            [
                "--fd=7",
                "--shared-dir=/home/u",
                "--cache=auto",
                "--sandbox=none"
            ]
        );
    }
}
