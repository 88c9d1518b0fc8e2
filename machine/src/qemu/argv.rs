//! The QEMU command line, as a pure function of a [`QemuSpec`] (which holds
//! the host profile and every path), so that each host's command line is
//! unit-tested on any host.
//!
//! The agent listens on the QMP and ready sockets before it starts QEMU, and
//! QEMU connects to them as a client: nothing waits for a socket to appear.

use std::path::{Path, PathBuf};

use crate::host::{Arch, HostOs, HostProfile};
use crate::ignition::READY_PORT;

use super::accel::Accel;
use super::firmware::Firmware;

/// The fw_cfg name Fedora CoreOS reads its Ignition config from.
pub const IGNITION_FW_CFG: &str = "opt/com.coreos/config";

/// The id of the guest's user-mode network (for QMP `hostfwd_add`).
pub const NETDEV_ID: &str = "net0";

/// A host directory shared with the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Share {
    /// The mount tag the guest mounts it by.
    pub tag: String,
    pub source: PathBuf,
    pub read_only: bool,
    pub transport: ShareTransport,
}

/// How a share reaches the guest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ShareTransport {
    /// virtio-9p, served by QEMU itself (`-virtfs`).
    NineP,
    /// virtiofs, served by a virtiofsd listening on `socket`.
    Virtiofs { socket: PathBuf },
}

/// Whether QEMU on this host can share directories (QEMU for Windows has
/// neither `-virtfs` nor vhost-user).
pub fn supports_shares(profile: &HostProfile) -> bool {
    profile.os != HostOs::Windows
}

/// The guest NIC's MAC address (the same for every machine: each has its own
/// user-mode network).
pub const GUEST_MAC: &str = "5a:94:ef:e4:0c:ee";

/// Everything the command line depends on.
#[derive(Debug, Clone)]
pub struct QemuSpec {
    pub profile: HostProfile,
    pub accel: Accel,
    pub name: String,
    pub cpus: u32,
    pub memory_mib: u64,
    pub disk: PathBuf,
    /// The Ignition config (absent for a disk that was already provisioned).
    pub ignition: Option<PathBuf>,
    /// aarch64 UEFI: the code image and this machine's own vars file.
    pub firmware: Option<(Firmware, PathBuf)>,
    pub qmp_socket: PathBuf,
    pub ready_socket: PathBuf,
    pub serial_log: PathBuf,
    pub pidfile: PathBuf,
    /// The 127.0.0.1 port forwarded to the guest's SSH port.
    pub ssh_port: u16,
    /// Host directories for the guest (ignored where unsupported).
    pub shares: Vec<Share>,
}

/// Escapes a value for QEMU's `key=value,...` option syntax (commas double).
pub fn opt_value(path: &Path) -> String {
    path.to_string_lossy().replace(',', ",,")
}

fn machine_type(profile: &HostProfile, accel: Accel) -> &'static str {
    match (profile.arch, accel) {
        (Arch::X86_64, _) => "q35",
        // Apple's hypervisor needs high memory for more than 4 GiB of RAM.
        (Arch::Aarch64, Accel::Hvf) => "virt,highmem=on",
        (Arch::Aarch64, _) => "virt,gic-version=max",
    }
}

fn cpu_model(accel: Accel) -> &'static str {
    match accel {
        Accel::Kvm | Accel::Hvf => "host",
        Accel::Whpx | Accel::Tcg => "max",
    }
}

/// `-accel` options. hvf and whpx are followed by tcg, which QEMU falls back
/// to when the first cannot start (kvm is probed before, so it stands alone).
fn accel_args(profile: &HostProfile, accel: Accel) -> Vec<String> {
    let first = match accel {
        // Without this, WHPX guests stall on interrupt controller exits.
        Accel::Whpx => "whpx,kernel-irqchip=off".to_string(),
        other => other.as_str().to_string(),
    };
    let mut args = vec!["-accel".to_string(), first];
    if matches!(accel, Accel::Hvf | Accel::Whpx) && profile.os != HostOs::Linux {
        args.extend(["-accel".to_string(), "tcg".to_string()]);
    }
    args
}

fn push(args: &mut Vec<String>, items: &[&str]) {
    args.extend(items.iter().map(|item| item.to_string()));
}

/// The arguments (without the binary) for `spec`.
pub fn qemu_args(spec: &QemuSpec) -> Vec<String> {
    let mut args: Vec<String> = Vec::new();

    push(&mut args, &["-name", &format!("berth-{}", spec.name)]);
    push(
        &mut args,
        &["-machine", machine_type(&spec.profile, spec.accel)],
    );
    args.extend(accel_args(&spec.profile, spec.accel));
    push(&mut args, &["-cpu", cpu_model(spec.accel)]);
    push(&mut args, &["-smp", &spec.cpus.to_string()]);
    push(&mut args, &["-m", &spec.memory_mib.to_string()]);
    push(&mut args, &["-nodefaults", "-display", "none"]);

    if let Some((firmware, vars)) = &spec.firmware {
        push(
            &mut args,
            &[
                "-drive",
                &format!(
                    "if=pflash,format=raw,unit=0,readonly=on,file={}",
                    opt_value(&firmware.code)
                ),
            ],
        );
        push(
            &mut args,
            &[
                "-drive",
                &format!("if=pflash,format=raw,unit=1,file={}", opt_value(vars)),
            ],
        );
    }

    push(
        &mut args,
        &[
            "-drive",
            &format!(
                "if=virtio,format=qcow2,discard=on,file={}",
                opt_value(&spec.disk)
            ),
        ],
    );
    if let Some(ignition) = &spec.ignition {
        push(
            &mut args,
            &[
                "-fw_cfg",
                &format!("name={IGNITION_FW_CFG},file={}", opt_value(ignition)),
            ],
        );
    }

    push(&mut args, &["-object", "rng-builtin,id=rng0"]);
    push(&mut args, &["-device", "virtio-rng-pci,rng=rng0"]);

    push(
        &mut args,
        &[
            "-netdev",
            &format!(
                "user,id={NETDEV_ID},hostfwd=tcp:127.0.0.1:{}-:22",
                spec.ssh_port
            ),
        ],
    );
    push(
        &mut args,
        &[
            "-device",
            &format!("virtio-net-pci,netdev={NETDEV_ID},mac={GUEST_MAC}"),
        ],
    );

    push(
        &mut args,
        &["-device", "virtio-serial-pci,id=virtio-serial0"],
    );
    push(
        &mut args,
        &[
            "-chardev",
            &format!("socket,id=ready,path={}", opt_value(&spec.ready_socket)),
        ],
    );
    push(
        &mut args,
        &[
            "-device",
            &format!("virtserialport,bus=virtio-serial0.0,chardev=ready,name={READY_PORT}"),
        ],
    );

    push(
        &mut args,
        &[
            "-chardev",
            &format!("socket,id=qmp,path={}", opt_value(&spec.qmp_socket)),
        ],
    );
    push(&mut args, &["-mon", "chardev=qmp,mode=control"]);

    push(
        &mut args,
        &[
            "-chardev",
            &format!("file,id=serial0,path={}", opt_value(&spec.serial_log)),
        ],
    );
    push(&mut args, &["-serial", "chardev:serial0"]);

    if supports_shares(&spec.profile) {
        share_args(&mut args, spec);
    }

    push(&mut args, &["-pidfile", &spec.pidfile.to_string_lossy()]);
    args
}

/// `-virtfs` for each 9p share; for virtiofs shares, guest RAM that
/// virtiofsd can map (a shared memfd backend as the one NUMA node) and a
/// vhost-user-fs device on each virtiofsd's socket.
fn share_args(args: &mut Vec<String>, spec: &QemuSpec) {
    if spec
        .shares
        .iter()
        .any(|share| matches!(share.transport, ShareTransport::Virtiofs { .. }))
    {
        push(
            args,
            &[
                "-object",
                &format!(
                    "memory-backend-memfd,id=mem,size={}M,share=on",
                    spec.memory_mib
                ),
            ],
        );
        push(args, &["-numa", "node,memdev=mem"]);
    }
    for (index, share) in spec.shares.iter().enumerate() {
        match &share.transport {
            ShareTransport::NineP => {
                let mut virtfs = format!(
                    "local,path={},mount_tag={},security_model=mapped-xattr",
                    opt_value(&share.source),
                    share.tag
                );
                if share.read_only {
                    virtfs.push_str(",readonly=on");
                }
                push(args, &["-virtfs", &virtfs]);
            }
            ShareTransport::Virtiofs { socket } => {
                push(
                    args,
                    &[
                        "-chardev",
                        &format!("socket,id=fs{index},path={}", opt_value(socket)),
                    ],
                );
                push(
                    args,
                    &[
                        "-device",
                        &format!("vhost-user-fs-pci,chardev=fs{index},tag={}", share.tag),
                    ],
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(os: HostOs, arch: Arch, accel: Accel) -> QemuSpec {
        let firmware = (arch == Arch::Aarch64).then(|| {
            (
                Firmware {
                    code: "/fw/edk2-aarch64-code.fd".into(),
                    vars_template: "/fw/edk2-arm-vars.fd".into(),
                },
                PathBuf::from("/d/m/efi-vars.fd"),
            )
        });
        QemuSpec {
            profile: HostProfile { os, arch },
            accel,
            name: "m".into(),
            cpus: 2,
            memory_mib: 2048,
            disk: "/d/m/m.qcow2".into(),
            ignition: Some("/d/m/m.ign".into()),
            firmware,
            qmp_socket: "/r/m/qmp.sock".into(),
            ready_socket: "/r/m/ready.sock".into(),
            serial_log: "/d/m/serial.log".into(),
            pidfile: "/r/m/qemu.pid".into(),
            ssh_port: 40022,
            shares: vec![
                Share {
                    tag: "vol0".into(),
                    source: "/home/u".into(),
                    read_only: false,
                    transport: ShareTransport::NineP,
                },
                Share {
                    tag: "vol1".into(),
                    source: "/src,x".into(),
                    read_only: true,
                    transport: ShareTransport::NineP,
                },
            ],
        }
    }

    /// The value after each occurrence of `flag`.
    fn values(args: &[String], flag: &str) -> Vec<String> {
        args.windows(2)
            .filter(|w| w[0] == flag)
            .map(|w| w[1].clone())
            .collect()
    }

    fn common_checks(args: &[String]) {
        assert_eq!(values(args, "-smp"), ["2"]);
        assert_eq!(values(args, "-m"), ["2048"]);
        let drives = values(args, "-drive");
        assert!(drives.contains(&"if=virtio,format=qcow2,discard=on,file=/d/m/m.qcow2".to_string()));
        assert_eq!(
            values(args, "-fw_cfg"),
            ["name=opt/com.coreos/config,file=/d/m/m.ign"]
        );
        assert!(values(args, "-netdev")[0].contains("hostfwd=tcp:127.0.0.1:40022-:22"));
        assert!(values(args, "-device")
            .iter()
            .any(|d| d.ends_with("chardev=ready,name=org.fedoraproject.port.0")));
        let chardevs = values(args, "-chardev");
        assert!(chardevs.contains(&"socket,id=ready,path=/r/m/ready.sock".to_string()));
        assert!(chardevs.contains(&"socket,id=qmp,path=/r/m/qmp.sock".to_string()));
        assert!(chardevs.contains(&"file,id=serial0,path=/d/m/serial.log".to_string()));
        assert_eq!(values(args, "-mon"), ["chardev=qmp,mode=control"]);
        assert_eq!(values(args, "-pidfile"), ["/r/m/qemu.pid"]);
    }

    #[test]
    fn shares_are_virtfs_except_on_windows() {
        for os in [HostOs::Linux, HostOs::MacOs] {
            let args = qemu_args(&spec(os, Arch::X86_64, Accel::Tcg));
            assert_eq!(
                values(&args, "-virtfs"),
                [
                    "local,path=/home/u,mount_tag=vol0,security_model=mapped-xattr",
                    "local,path=/src,,x,mount_tag=vol1,security_model=mapped-xattr,readonly=on"
                ]
            );
        }
        let args = qemu_args(&spec(HostOs::Windows, Arch::X86_64, Accel::Whpx));
        assert!(values(&args, "-virtfs").is_empty());
        assert!(values(&args, "-numa").is_empty());
    }

    #[test]
    fn virtiofs_shares_use_vhost_user_and_shared_memory() {
        let mut s = spec(HostOs::Linux, Arch::X86_64, Accel::Tcg);
        for (index, share) in s.shares.iter_mut().enumerate() {
            share.transport = ShareTransport::Virtiofs {
                socket: format!("/r/m/fs{index}.sock").into(),
            };
        }
        let args = qemu_args(&s);
        assert!(values(&args, "-virtfs").is_empty());
        assert_eq!(
            values(&args, "-object"),
            [
                "rng-builtin,id=rng0",
                "memory-backend-memfd,id=mem,size=2048M,share=on"
            ]
        );
        assert_eq!(values(&args, "-numa"), ["node,memdev=mem"]);
        let chardevs = values(&args, "-chardev");
        assert!(chardevs.contains(&"socket,id=fs0,path=/r/m/fs0.sock".to_string()));
        assert!(chardevs.contains(&"socket,id=fs1,path=/r/m/fs1.sock".to_string()));
        let devices = values(&args, "-device");
        assert!(devices.contains(&"vhost-user-fs-pci,chardev=fs0,tag=vol0".to_string()));
        assert!(devices.contains(&"vhost-user-fs-pci,chardev=fs1,tag=vol1".to_string()));
        // 9p shares need no shared memory.
        let args = qemu_args(&spec(HostOs::Linux, Arch::X86_64, Accel::Tcg));
        assert!(values(&args, "-numa").is_empty());
    }

    #[test]
    fn linux_x86_64_kvm_and_tcg() {
        let args = qemu_args(&spec(HostOs::Linux, Arch::X86_64, Accel::Kvm));
        common_checks(&args);
        assert_eq!(values(&args, "-accel"), ["kvm"]);
        assert_eq!(values(&args, "-machine"), ["q35"]);
        assert_eq!(values(&args, "-cpu"), ["host"]);
        assert!(!values(&args, "-drive").iter().any(|d| d.contains("pflash")));

        let args = qemu_args(&spec(HostOs::Linux, Arch::X86_64, Accel::Tcg));
        common_checks(&args);
        assert_eq!(values(&args, "-accel"), ["tcg"]);
        assert_eq!(values(&args, "-cpu"), ["max"]);
    }

    #[test]
    fn linux_aarch64_uses_uefi_pflash() {
        let args = qemu_args(&spec(HostOs::Linux, Arch::Aarch64, Accel::Kvm));
        common_checks(&args);
        assert_eq!(values(&args, "-machine"), ["virt,gic-version=max"]);
        assert_eq!(values(&args, "-cpu"), ["host"]);
        let drives = values(&args, "-drive");
        assert_eq!(
            drives[0],
            "if=pflash,format=raw,unit=0,readonly=on,file=/fw/edk2-aarch64-code.fd"
        );
        assert_eq!(
            drives[1],
            "if=pflash,format=raw,unit=1,file=/d/m/efi-vars.fd"
        );
    }

    #[test]
    fn macos_hvf_falls_back_to_tcg() {
        for arch in [Arch::X86_64, Arch::Aarch64] {
            let args = qemu_args(&spec(HostOs::MacOs, arch, Accel::Hvf));
            common_checks(&args);
            assert_eq!(values(&args, "-accel"), ["hvf", "tcg"]);
            assert_eq!(values(&args, "-cpu"), ["host"]);
        }
        let args = qemu_args(&spec(HostOs::MacOs, Arch::Aarch64, Accel::Hvf));
        assert_eq!(values(&args, "-machine"), ["virt,highmem=on"]);
        assert_eq!(values(&args, "-drive").len(), 3);
        let args = qemu_args(&spec(HostOs::MacOs, Arch::X86_64, Accel::Hvf));
        assert_eq!(values(&args, "-machine"), ["q35"]);
    }

    #[test]
    fn windows_whpx_and_tcg() {
        let args = qemu_args(&spec(HostOs::Windows, Arch::X86_64, Accel::Whpx));
        common_checks(&args);
        assert_eq!(values(&args, "-accel"), ["whpx,kernel-irqchip=off", "tcg"]);
        assert_eq!(values(&args, "-cpu"), ["max"]);
        let args = qemu_args(&spec(HostOs::Windows, Arch::Aarch64, Accel::Tcg));
        common_checks(&args);
        assert_eq!(values(&args, "-accel"), ["tcg"]);
        assert_eq!(values(&args, "-machine"), ["virt,gic-version=max"]);
    }

    #[test]
    fn commas_in_paths_are_escaped() {
        let mut s = spec(HostOs::Linux, Arch::X86_64, Accel::Tcg);
        s.disk = "/d/a,b/m.qcow2".into();
        let args = qemu_args(&s);
        assert!(values(&args, "-drive")
            .contains(&"if=virtio,format=qcow2,discard=on,file=/d/a,,b/m.qcow2".to_string()));
    }

    #[test]
    fn no_ignition_no_fw_cfg() {
        let mut s = spec(HostOs::Linux, Arch::X86_64, Accel::Tcg);
        s.ignition = None;
        assert!(values(&qemu_args(&s), "-fw_cfg").is_empty());
    }
}
