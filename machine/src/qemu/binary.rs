//! Finding the QEMU binary on each host, and what to tell a user who has none.

use std::path::{Path, PathBuf};

use crate::host::{Arch, HostOs, HostProfile};

/// `qemu-system-x86_64`, `qemu-system-aarch64.exe`, ...
pub fn binary_name(profile: &HostProfile) -> String {
    let base = match profile.arch {
        Arch::X86_64 => "qemu-system-x86_64",
        Arch::Aarch64 => "qemu-system-aarch64",
    };
    match profile.os {
        HostOs::Windows => format!("{base}.exe"),
        _ => base.to_string(),
    }
}

/// Where to look for QEMU: `PATH`, then the places installers put it that are
/// often missing from `PATH` (Homebrew's prefixes, QEMU's Windows installer).
pub fn search_dirs(profile: &HostProfile, path_var: Option<&str>) -> Vec<PathBuf> {
    let separator = if profile.os == HostOs::Windows {
        ';'
    } else {
        ':'
    };
    let mut dirs: Vec<PathBuf> = path_var
        .unwrap_or_default()
        .split(separator)
        .filter(|dir| !dir.is_empty())
        .map(PathBuf::from)
        .collect();
    let extra: &[&str] = match profile.os {
        HostOs::MacOs => &["/opt/homebrew/bin", "/usr/local/bin", "/opt/local/bin"],
        HostOs::Windows => &[r"C:\Program Files\qemu"],
        // Fedora's qemu-kvm package keeps its binary off PATH.
        HostOs::Linux => &["/usr/libexec"],
    };
    for dir in extra {
        let dir = PathBuf::from(dir);
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// The first QEMU binary found for `profile`, given a file-exists test.
pub fn find_binary(
    profile: &HostProfile,
    path_var: Option<&str>,
    exists: impl Fn(&Path) -> bool,
) -> Option<PathBuf> {
    let name = binary_name(profile);
    search_dirs(profile, path_var)
        .into_iter()
        .map(|dir| dir.join(&name))
        .find(|candidate| exists(candidate))
}

/// How to install QEMU on this host.
pub fn install_hint(profile: &HostProfile) -> String {
    match (profile.os, profile.arch) {
        (HostOs::MacOs, _) => "install it with: brew install qemu".to_string(),
        (HostOs::Windows, _) => "install it with: winget install SoftwareFreedomConservancy.QEMU \
             (or from qemu.org), then add C:\\Program Files\\qemu to PATH"
            .to_string(),
        (HostOs::Linux, Arch::X86_64) => "install it with: apt-get install qemu-system-x86 \
             (Debian, Ubuntu) or dnf install qemu-system-x86-core (Fedora)"
            .to_string(),
        (HostOs::Linux, Arch::Aarch64) => "install it with: apt-get install qemu-system-arm \
             (Debian, Ubuntu) or dnf install qemu-system-aarch64-core (Fedora)"
            .to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(os: HostOs, arch: Arch) -> HostProfile {
        HostProfile { os, arch }
    }

    #[test]
    fn names_per_host() {
        assert_eq!(
            binary_name(&profile(HostOs::Linux, Arch::X86_64)),
            "qemu-system-x86_64"
        );
        assert_eq!(
            binary_name(&profile(HostOs::MacOs, Arch::Aarch64)),
            "qemu-system-aarch64"
        );
        assert_eq!(
            binary_name(&profile(HostOs::Windows, Arch::X86_64)),
            "qemu-system-x86_64.exe"
        );
    }

    #[test]
    fn homebrew_is_searched_even_when_not_on_path() {
        let mac = profile(HostOs::MacOs, Arch::Aarch64);
        let found = find_binary(&mac, Some("/usr/bin:/bin"), |p| {
            p == Path::new("/opt/homebrew/bin/qemu-system-aarch64")
        });
        assert_eq!(
            found,
            Some(PathBuf::from("/opt/homebrew/bin/qemu-system-aarch64"))
        );
        let win = profile(HostOs::Windows, Arch::X86_64);
        let dirs = search_dirs(&win, Some(r"C:\Windows;C:\tools"));
        assert_eq!(dirs[1], PathBuf::from(r"C:\tools"));
        assert_eq!(
            dirs.last().unwrap(),
            &PathBuf::from(r"C:\Program Files\qemu")
        );
        assert!(find_binary(&win, None, |_| false).is_none());
    }

    #[test]
    fn hints_name_the_package_manager() {
        assert!(install_hint(&profile(HostOs::MacOs, Arch::X86_64)).contains("brew install qemu"));
        assert!(install_hint(&profile(HostOs::Linux, Arch::X86_64)).contains("qemu-system-x86"));
        assert!(install_hint(&profile(HostOs::Windows, Arch::X86_64)).contains("winget"));
    }
}
