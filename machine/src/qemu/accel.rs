//! Which accelerator QEMU uses: the host's native one (kvm on Linux, hvf on
//! macOS, whpx on Windows) only when it actually works, else tcg; overridable
//! by `BERTH_ACCEL` or the machine's config. On Linux, the mere presence of
//! `/dev/kvm` proves nothing (nested setups expose a device that crawls), so
//! kvm is probed by running a tiny guest loop and timing it.

use std::fmt;
use std::str::FromStr;

use crate::host::{Arch, HostOs, HostProfile};

/// A QEMU accelerator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Accel {
    Kvm,
    Hvf,
    Whpx,
    Tcg,
}

impl Accel {
    pub fn as_str(self) -> &'static str {
        match self {
            Accel::Kvm => "kvm",
            Accel::Hvf => "hvf",
            Accel::Whpx => "whpx",
            Accel::Tcg => "tcg",
        }
    }
}

impl fmt::Display for Accel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Errors choosing an accelerator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccelError {
    #[error("unknown accelerator {0:?}: use one of kvm, hvf, whpx, tcg")]
    Unknown(String),
    #[error("accelerator {accel} is not available on {os}: use {native} or tcg")]
    WrongHost {
        accel: Accel,
        os: &'static str,
        native: &'static str,
    },
    #[error(
        "accelerator {accel} was requested ({origin}) but does not work on this host: {reason}; \
         use BERTH_ACCEL=tcg"
    )]
    Broken {
        accel: Accel,
        origin: &'static str,
        reason: String,
    },
}

impl FromStr for Accel {
    type Err = AccelError;

    fn from_str(text: &str) -> Result<Self, AccelError> {
        match text.trim().to_ascii_lowercase().as_str() {
            "kvm" => Ok(Accel::Kvm),
            "hvf" => Ok(Accel::Hvf),
            "whpx" => Ok(Accel::Whpx),
            "tcg" => Ok(Accel::Tcg),
            _ => Err(AccelError::Unknown(text.to_string())),
        }
    }
}

/// The hardware accelerator a host would use, if any.
pub fn native_accel(profile: &HostProfile) -> Option<Accel> {
    match (profile.os, profile.arch) {
        (HostOs::Linux, _) => Some(Accel::Kvm),
        (HostOs::MacOs, _) => Some(Accel::Hvf),
        // WHPX in QEMU is x86 only.
        (HostOs::Windows, Arch::X86_64) => Some(Accel::Whpx),
        (HostOs::Windows, Arch::Aarch64) => None,
    }
}

fn os_name(os: HostOs) -> &'static str {
    match os {
        HostOs::Linux => "Linux",
        HostOs::MacOs => "macOS",
        HostOs::Windows => "Windows",
    }
}

/// Where an override came from, for error messages.
#[derive(Debug, Clone, Copy)]
pub enum OverrideOrigin {
    Env,
    Config,
}

impl OverrideOrigin {
    fn describe(self) -> &'static str {
        match self {
            OverrideOrigin::Env => "BERTH_ACCEL",
            OverrideOrigin::Config => "the machine's config",
        }
    }
}

/// Chooses the accelerator. `requested` is the override (env first, then
/// config) and `probe` tests the native accelerator, returning why it does
/// not work. The probe only runs when its answer matters.
pub fn choose_accel(
    profile: &HostProfile,
    requested: Option<(&str, OverrideOrigin)>,
    probe: impl FnOnce(Accel) -> Result<(), String>,
) -> Result<Accel, AccelError> {
    let native = native_accel(profile);
    match requested {
        Some((text, origin)) => {
            let accel: Accel = text.parse()?;
            if accel == Accel::Tcg {
                return Ok(Accel::Tcg);
            }
            if Some(accel) != native {
                return Err(AccelError::WrongHost {
                    accel,
                    os: os_name(profile.os),
                    native: native.map_or("nothing else", Accel::as_str),
                });
            }
            probe(accel).map_err(|reason| AccelError::Broken {
                accel,
                origin: origin.describe(),
                reason,
            })?;
            Ok(accel)
        }
        None => match native {
            Some(accel) if probe(accel).is_ok() => Ok(accel),
            _ => Ok(Accel::Tcg),
        },
    }
}

/// Tests whether `accel` works on the running host.
pub fn probe(accel: Accel) -> Result<(), String> {
    match accel {
        Accel::Tcg => Ok(()),
        #[cfg(target_os = "linux")]
        Accel::Kvm => kvm::probe(),
        #[cfg(target_os = "macos")]
        Accel::Hvf => hvf_supported(),
        // QEMU falls back to tcg by itself when whpx is missing (see argv).
        #[cfg(windows)]
        Accel::Whpx => Ok(()),
        #[allow(unreachable_patterns)]
        other => Err(format!("{other} is not built for this host")),
    }
}

#[cfg(target_os = "macos")]
fn hvf_supported() -> Result<(), String> {
    let mut value: libc::c_int = 0;
    let mut size = std::mem::size_of::<libc::c_int>();
    // SAFETY: the name is NUL-terminated and value/size describe a c_int.
    let rc = unsafe {
        libc::sysctlbyname(
            c"kern.hv_support".as_ptr(),
            (&mut value as *mut libc::c_int).cast(),
            &mut size,
            std::ptr::null_mut(),
            0,
        )
    };
    if rc == 0 && value == 1 {
        Ok(())
    } else {
        Err("Hypervisor.framework is not supported (sysctl kern.hv_support)".to_string())
    }
}

#[cfg(target_os = "linux")]
mod kvm {
    //! Probes KVM by running a real vCPU: a tiny real-mode loop that counts
    //! down and halts. A working KVM runs it in well under a millisecond; a
    //! nested or emulated one that would make a VM crawl takes orders of
    //! magnitude longer (about 130 ms here), or fails outright.

    use std::fs::OpenOptions;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::time::{Duration, Instant};

    const KVM_GET_API_VERSION: libc::c_ulong = 0xAE00;
    const KVM_CREATE_VM: libc::c_ulong = 0xAE01;
    #[cfg(target_arch = "x86_64")]
    const KVM_GET_VCPU_MMAP_SIZE: libc::c_ulong = 0xAE04;
    #[cfg(target_arch = "x86_64")]
    const KVM_CREATE_VCPU: libc::c_ulong = 0xAE41;
    #[cfg(target_arch = "x86_64")]
    const KVM_SET_USER_MEMORY_REGION: libc::c_ulong = 0x4020_AE46;
    #[cfg(target_arch = "x86_64")]
    const KVM_RUN: libc::c_ulong = 0xAE80;
    #[cfg(target_arch = "x86_64")]
    const KVM_GET_SREGS: libc::c_ulong = 0x8138_AE83;
    #[cfg(target_arch = "x86_64")]
    const KVM_SET_SREGS: libc::c_ulong = 0x4138_AE84;
    #[cfg(target_arch = "x86_64")]
    const KVM_SET_REGS: libc::c_ulong = 0x4090_AE82;
    #[cfg(target_arch = "x86_64")]
    const KVM_EXIT_HLT: u32 = 5;

    /// A loop of this many iterations must finish within [`LIMIT`].
    #[cfg(target_arch = "x86_64")]
    const ITERATIONS: u32 = 0x10000;
    #[cfg(target_arch = "x86_64")]
    const LIMIT: Duration = Duration::from_millis(15);

    fn ioctl(fd: &OwnedFd, request: libc::c_ulong, arg: libc::c_ulong) -> Result<i32, String> {
        // SAFETY: callers pass requests whose argument is a value or a
        // pointer to a live buffer of the size the request encodes.
        let rc = unsafe { libc::ioctl(fd.as_raw_fd(), request, arg) };
        if rc < 0 {
            Err(std::io::Error::last_os_error().to_string())
        } else {
            Ok(rc)
        }
    }

    fn owned(fd: i32) -> OwnedFd {
        // SAFETY: fd was just returned by the kernel and is owned by nobody else.
        unsafe { OwnedFd::from_raw_fd(fd) }
    }

    pub fn probe() -> Result<(), String> {
        let kvm: OwnedFd = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/kvm")
            .map_err(|err| format!("/dev/kvm: {err}"))?
            .into();
        let version = ioctl(&kvm, KVM_GET_API_VERSION, 0)?;
        if version != 12 {
            return Err(format!("/dev/kvm speaks API version {version}, not 12"));
        }
        let vm = owned(ioctl(&kvm, KVM_CREATE_VM, 0).map_err(|e| format!("KVM_CREATE_VM: {e}"))?);
        run_loop(&kvm, &vm)
    }

    #[cfg(not(target_arch = "x86_64"))]
    fn run_loop(_kvm: &OwnedFd, _vm: &OwnedFd) -> Result<(), String> {
        Ok(())
    }

    /// An anonymous mapping, unmapped on drop.
    #[cfg(target_arch = "x86_64")]
    struct Mapping {
        ptr: *mut libc::c_void,
        len: usize,
    }

    #[cfg(target_arch = "x86_64")]
    impl Mapping {
        fn new(len: usize, fd: Option<&OwnedFd>) -> Result<Self, String> {
            let (flags, raw) = match fd {
                Some(fd) => (libc::MAP_SHARED, fd.as_raw_fd()),
                None => (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1),
            };
            // SAFETY: a fresh mapping; the kernel picks the address.
            let ptr = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    len,
                    libc::PROT_READ | libc::PROT_WRITE,
                    flags,
                    raw,
                    0,
                )
            };
            if ptr == libc::MAP_FAILED {
                return Err(format!("mmap: {}", std::io::Error::last_os_error()));
            }
            Ok(Mapping { ptr, len })
        }
    }

    #[cfg(target_arch = "x86_64")]
    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: ptr/len came from a successful mmap.
            unsafe { libc::munmap(self.ptr, self.len) };
        }
    }

    #[cfg(target_arch = "x86_64")]
    fn run_loop(kvm: &OwnedFd, vm: &OwnedFd) -> Result<(), String> {
        const MEM: usize = 0x10000;
        const CODE_AT: usize = 0x1000;
        let memory = Mapping::new(MEM, None)?;
        // mov ecx, ITERATIONS; l: dec ecx; jnz l; hlt  (16-bit real mode)
        let n = ITERATIONS.to_le_bytes();
        let code = [
            0x66, 0xB9, n[0], n[1], n[2], n[3], 0x66, 0x49, 0x75, 0xFC, 0xF4,
        ];
        // SAFETY: the mapping is MEM bytes long and CODE_AT + code fits.
        unsafe {
            std::ptr::copy_nonoverlapping(
                code.as_ptr(),
                memory.ptr.cast::<u8>().add(CODE_AT),
                code.len(),
            )
        };
        // struct kvm_userspace_memory_region { u32 slot, flags; u64 gpa, size, uaddr }
        let mut region = [0u64; 4];
        region[1] = 0;
        region[2] = MEM as u64;
        region[3] = memory.ptr as u64;
        ioctl(
            vm,
            KVM_SET_USER_MEMORY_REGION,
            region.as_ptr() as libc::c_ulong,
        )
        .map_err(|e| format!("KVM_SET_USER_MEMORY_REGION: {e}"))?;
        let vcpu =
            owned(ioctl(vm, KVM_CREATE_VCPU, 0).map_err(|e| format!("KVM_CREATE_VCPU: {e}"))?);
        let run_size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0)? as usize;
        let run = Mapping::new(run_size, Some(&vcpu))?;

        // struct kvm_sregs is 312 bytes; cs (base u64, limit u32, selector u16) comes first.
        let mut sregs = [0u8; 312];
        ioctl(&vcpu, KVM_GET_SREGS, sregs.as_mut_ptr() as libc::c_ulong)?;
        sregs[0..8].copy_from_slice(&0u64.to_le_bytes());
        sregs[12..14].copy_from_slice(&0u16.to_le_bytes());
        ioctl(&vcpu, KVM_SET_SREGS, sregs.as_ptr() as libc::c_ulong)?;
        // struct kvm_regs: 18 u64, rip at 16 and rflags at 17.
        let mut regs = [0u64; 18];
        regs[16] = CODE_AT as u64;
        regs[17] = 0x2;
        ioctl(&vcpu, KVM_SET_REGS, regs.as_ptr() as libc::c_ulong)?;

        let started = Instant::now();
        ioctl(&vcpu, KVM_RUN, 0).map_err(|e| format!("KVM_RUN: {e}"))?;
        let took = started.elapsed();
        // struct kvm_run: u8 request_interrupt_window, immediate_exit, padding[6]; u32 exit_reason
        // SAFETY: the run mapping is at least a page long.
        let exit_reason = unsafe { run.ptr.cast::<u8>().add(8).cast::<u32>().read_unaligned() };
        if exit_reason != KVM_EXIT_HLT {
            return Err(format!(
                "a test vCPU stopped with exit reason {exit_reason}, not HLT"
            ));
        }
        if took > LIMIT {
            return Err(format!(
                "a test vCPU loop took {} ms where hardware virtualization needs well under 1 ms \
                 (nested or emulated KVM)",
                took.as_millis()
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINUX: HostProfile = HostProfile {
        os: HostOs::Linux,
        arch: Arch::X86_64,
    };
    const MAC: HostProfile = HostProfile {
        os: HostOs::MacOs,
        arch: Arch::Aarch64,
    };
    const WIN_ARM: HostProfile = HostProfile {
        os: HostOs::Windows,
        arch: Arch::Aarch64,
    };

    #[test]
    fn native_accelerator_only_when_it_works() {
        assert_eq!(choose_accel(&LINUX, None, |_| Ok(())), Ok(Accel::Kvm));
        assert_eq!(
            choose_accel(&LINUX, None, |_| Err("slow".into())),
            Ok(Accel::Tcg)
        );
        assert_eq!(choose_accel(&MAC, None, |_| Ok(())), Ok(Accel::Hvf));
        assert_eq!(
            choose_accel(&WIN_ARM, None, |_| panic!(
                "no probe without a native accel"
            )),
            Ok(Accel::Tcg)
        );
    }

    #[test]
    fn overrides_are_checked() {
        let env = OverrideOrigin::Env;
        assert_eq!(
            choose_accel(&LINUX, Some(("TCG", env)), |_| panic!("tcg needs no probe")),
            Ok(Accel::Tcg)
        );
        assert_eq!(
            choose_accel(&LINUX, Some(("hvf", env)), |_| Ok(())),
            Err(AccelError::WrongHost {
                accel: Accel::Hvf,
                os: "Linux",
                native: "kvm"
            })
        );
        let err = choose_accel(&LINUX, Some(("kvm", env)), |_| Err("too slow".into()))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("BERTH_ACCEL") && err.contains("too slow"),
            "{err}"
        );
        assert!(matches!(
            choose_accel(&LINUX, Some(("fast", env)), |_| Ok(())),
            Err(AccelError::Unknown(_))
        ));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn kvm_probe_answers_without_hanging() {
        // Either answer is fine; it must not panic or hang, and a failure says why.
        if let Err(reason) = probe(Accel::Kvm) {
            assert!(!reason.is_empty());
        }
    }
}
