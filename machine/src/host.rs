//! The host profile: which OS and CPU architecture berth runs on. Every decision
//! that differs by host (accelerator, firmware, QEMU binary, directories,
//! socket vs named pipe) is a pure function of a [`HostProfile`], so that all
//! hosts' behaviour can be unit-tested on Linux.

use std::fmt;

/// The host operating system families berth supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HostOs {
    Linux,
    MacOs,
    Windows,
}

/// The CPU architectures berth supports (host and guest are the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    /// The name Fedora CoreOS stream metadata and QEMU binaries use.
    pub fn as_str(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }
    }
}

impl fmt::Display for Arch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The OS and architecture of a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct HostProfile {
    pub os: HostOs,
    pub arch: Arch,
}

impl HostProfile {
    /// The profile of the machine this binary was built for.
    pub fn current() -> Self {
        let os = if cfg!(target_os = "macos") {
            HostOs::MacOs
        } else if cfg!(windows) {
            HostOs::Windows
        } else {
            HostOs::Linux
        };
        let arch = if cfg!(target_arch = "aarch64") {
            Arch::Aarch64
        } else {
            Arch::X86_64
        };
        HostProfile { os, arch }
    }
}
