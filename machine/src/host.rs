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

/// The host's CPU count (at least 1).
pub fn cpu_count() -> u32 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as u32)
}

/// The host's physical memory in MiB, when the OS tells.
pub fn memory_mib() -> Option<u64> {
    #[cfg(target_os = "linux")]
    {
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
        let kib: u64 = meminfo
            .lines()
            .find_map(|line| line.strip_prefix("MemTotal:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024)
    }
    #[cfg(target_os = "macos")]
    {
        let mut bytes: u64 = 0;
        let mut size = std::mem::size_of::<u64>();
        // SAFETY: the name is NUL-terminated and bytes/size describe a u64.
        let rc = unsafe {
            libc::sysctlbyname(
                c"hw.memsize".as_ptr(),
                (&mut bytes as *mut u64).cast(),
                &mut size,
                std::ptr::null_mut(),
                0,
            )
        };
        (rc == 0).then_some(bytes / (1024 * 1024))
    }
    #[cfg(not(any(target_os = "linux", target_os = "macos")))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_host_has_cpus_and_memory() {
        assert!(cpu_count() >= 1);
        #[cfg(target_os = "linux")]
        assert!(memory_mib().unwrap() > 64);
    }
}
