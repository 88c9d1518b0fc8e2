//! UEFI firmware for aarch64 guests (x86_64 guests boot with QEMU's built-in
//! SeaBIOS, as Fedora CoreOS does). edk2 ships with QEMU itself
//! (`share/qemu/edk2-aarch64-code.fd` beside the binary: Homebrew, Windows,
//! upstream installs) or as distribution packages (Debian's AAVMF).

use std::path::{Path, PathBuf};

use crate::host::{Arch, HostOs, HostProfile};

/// A read-only code image and the template of its writable variable store
/// (each machine gets its own copy of the template).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Firmware {
    pub code: PathBuf,
    pub vars_template: PathBuf,
}

fn pair(dir: &Path, code: &str, vars: &str) -> Firmware {
    Firmware {
        code: dir.join(code),
        vars_template: dir.join(vars),
    }
}

/// Candidate firmware locations, most specific first. `qemu_binary` is the
/// QEMU that will run (its `../share/qemu` is QEMU's own data dir).
pub fn candidates(profile: &HostProfile, qemu_binary: Option<&Path>) -> Vec<Firmware> {
    if profile.arch != Arch::Aarch64 {
        return Vec::new();
    }
    let mut dirs: Vec<PathBuf> = Vec::new();
    if let Some(bin_dir) = qemu_binary.and_then(Path::parent) {
        match profile.os {
            // The Windows installer puts share\ beside the binaries.
            HostOs::Windows => dirs.push(bin_dir.join("share")),
            _ => {
                if let Some(prefix) = bin_dir.parent() {
                    dirs.push(prefix.join("share").join("qemu"));
                }
            }
        }
    }
    let fixed: &[&str] = match profile.os {
        HostOs::MacOs => &[
            "/opt/homebrew/share/qemu",
            "/usr/local/share/qemu",
            "/opt/local/share/qemu",
        ],
        HostOs::Linux => &["/usr/share/qemu", "/usr/local/share/qemu"],
        HostOs::Windows => &[r"C:\Program Files\qemu\share"],
    };
    for dir in fixed {
        let dir = PathBuf::from(dir);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    let mut found: Vec<Firmware> = dirs
        .iter()
        .map(|dir| pair(dir, "edk2-aarch64-code.fd", "edk2-arm-vars.fd"))
        .collect();
    if profile.os == HostOs::Linux {
        // Debian and Ubuntu's qemu-efi-aarch64 package.
        found.push(pair(
            Path::new("/usr/share/AAVMF"),
            "AAVMF_CODE.fd",
            "AAVMF_VARS.fd",
        ));
        // Fedora's edk2-aarch64 package.
        found.push(pair(
            Path::new("/usr/share/edk2/aarch64"),
            "QEMU_EFI-pflash.raw",
            "vars-template-pflash.raw",
        ));
    }
    found
}

/// The first candidate whose code and vars files both exist.
pub fn find(
    profile: &HostProfile,
    qemu_binary: Option<&Path>,
    exists: impl Fn(&Path) -> bool,
) -> Option<Firmware> {
    candidates(profile, qemu_binary)
        .into_iter()
        .find(|fw| exists(&fw.code) && exists(&fw.vars_template))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn x86_64_needs_no_firmware() {
        for os in [HostOs::Linux, HostOs::MacOs, HostOs::Windows] {
            assert!(candidates(
                &HostProfile {
                    os,
                    arch: Arch::X86_64
                },
                None
            )
            .is_empty());
        }
    }

    #[test]
    fn homebrew_and_qemu_share_dirs() {
        let mac = HostProfile {
            os: HostOs::MacOs,
            arch: Arch::Aarch64,
        };
        let list = candidates(
            &mac,
            Some(Path::new("/opt/homebrew/bin/qemu-system-aarch64")),
        );
        assert_eq!(
            list[0].code,
            PathBuf::from("/opt/homebrew/share/qemu/edk2-aarch64-code.fd")
        );
        assert_eq!(
            list[0].vars_template,
            PathBuf::from("/opt/homebrew/share/qemu/edk2-arm-vars.fd")
        );
        assert!(list
            .iter()
            .any(|fw| fw.code == Path::new("/usr/local/share/qemu/edk2-aarch64-code.fd")));
    }

    #[test]
    fn debian_aavmf_is_found() {
        let linux = HostProfile {
            os: HostOs::Linux,
            arch: Arch::Aarch64,
        };
        let found = find(
            &linux,
            Some(Path::new("/usr/bin/qemu-system-aarch64")),
            |p| p.starts_with("/usr/share/AAVMF"),
        );
        assert_eq!(
            found,
            Some(Firmware {
                code: "/usr/share/AAVMF/AAVMF_CODE.fd".into(),
                vars_template: "/usr/share/AAVMF/AAVMF_VARS.fd".into(),
            })
        );
    }

    #[test]
    fn windows_share_dir_is_beside_the_binary() {
        let win = HostProfile {
            os: HostOs::Windows,
            arch: Arch::Aarch64,
        };
        let list = candidates(&win, Some(Path::new("D:/qemu/qemu-system-aarch64.exe")));
        assert_eq!(
            list[0].code,
            Path::new("D:/qemu/share/edk2-aarch64-code.fd")
        );
    }
}
