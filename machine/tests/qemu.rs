//! The QEMU command line and QMP client against the real QEMU: QEMU accepts
//! the Linux x86_64 command line berth builds (started paused, so no guest
//! boots), connects to the agent-side QMP and ready sockets, and answers QMP.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use berth_machine::host::{Arch, HostOs, HostProfile};
use berth_machine::qemu::qmp::Qmp;
use berth_machine::qemu::{qemu_args, Accel, QemuSpec, Share, ShareTransport, NETDEV_ID};
use tokio::net::UnixListener;

fn qemu() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/qemu-system-x86_64");
    path.exists().then_some(path)
}

#[tokio::test]
async fn qemu_accepts_the_command_line_and_speaks_qmp() {
    let Some(qemu) = qemu() else {
        eprintln!("skipping: qemu-system-x86_64 not installed");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk.qcow2");
    let status = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&disk)
        .arg("64M")
        .status()
        .unwrap();
    assert!(status.success());
    let ignition = dir.path().join("config.ign");
    std::fs::write(&ignition, "{}").unwrap();
    let spec = QemuSpec {
        profile: HostProfile {
            os: HostOs::Linux,
            arch: Arch::X86_64,
        },
        accel: Accel::Tcg,
        name: "t".into(),
        cpus: 1,
        memory_mib: 128,
        disk,
        ignition: Some(ignition),
        firmware: None,
        qmp_socket: dir.path().join("qmp.sock"),
        ready_socket: dir.path().join("ready.sock"),
        serial_log: dir.path().join("serial.log"),
        pidfile: dir.path().join("qemu.pid"),
        ssh_port: std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
        shares: vec![Share {
            tag: "vol0".into(),
            source: dir.path().to_path_buf(),
            read_only: true,
            transport: ShareTransport::NineP,
        }],
    };
    let qmp_listener = UnixListener::bind(&spec.qmp_socket).unwrap();
    let ready_listener = UnixListener::bind(&spec.ready_socket).unwrap();
    let mut child = tokio::process::Command::new(qemu)
        .args(qemu_args(&spec))
        .arg("-S")
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();

    let accept = async {
        let (qmp_stream, _) = qmp_listener.accept().await.unwrap();
        let (_ready_stream, _) = ready_listener.accept().await.unwrap();
        qmp_stream
    };
    let qmp_stream = tokio::select! {
        stream = accept => stream,
        status = child.wait() => {
            let out = child.wait_with_output().await.ok();
            panic!("QEMU exited: {status:?} {:?}", out.map(|o| String::from_utf8_lossy(&o.stderr).into_owned()));
        }
    };
    let qmp = Qmp::handshake(qmp_stream).await.unwrap();
    let status = qmp.execute("query-status", None).await.unwrap();
    assert_eq!(status["status"], "prelaunch");
    let name = qmp.execute("query-name", None).await.unwrap();
    assert_eq!(name["name"], "berth-t");
    let err = qmp.execute("no-such-command", None).await.unwrap_err();
    assert!(err.to_string().contains("no-such-command"), "{err}");
    // The user-mode network carries the SSH forward.
    let info = qmp.human_command("info usernet").await.unwrap();
    assert!(info.contains(&format!("{}", spec.ssh_port)), "{info}");
    // UDP forwards are added and removed through the monitor; a taken
    // host port is reported in the command's output.
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let free_port = udp.local_addr().unwrap().port();
    drop(udp);
    let added = qmp
        .human_command(&format!(
            "hostfwd_add {NETDEV_ID} udp:127.0.0.1:{free_port}-:{free_port}"
        ))
        .await
        .unwrap();
    assert_eq!(added.trim(), "");
    let info = qmp.human_command("info usernet").await.unwrap();
    assert!(info.contains(&format!("{free_port}")), "{info}");
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    let taken_port = taken.local_addr().unwrap().port();
    let refused = qmp
        .human_command(&format!(
            "hostfwd_add {NETDEV_ID} udp:127.0.0.1:{taken_port}-:{taken_port}"
        ))
        .await
        .unwrap();
    assert!(
        refused.contains("Could not set up host forwarding rule"),
        "{refused}"
    );
    let removed = qmp
        .human_command(&format!(
            "hostfwd_remove {NETDEV_ID} udp:127.0.0.1:{free_port}"
        ))
        .await
        .unwrap();
    assert!(removed.contains("removed"), "{removed}");
    let pid: u32 = std::fs::read_to_string(&spec.pidfile)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(Some(pid), child.id());

    let mut events = qmp.subscribe();
    qmp.execute("quit", None).await.ok();
    let event = tokio::time::timeout(Duration::from_secs(10), events.recv()).await;
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    if let Ok(Ok(event)) = event {
        assert_eq!(event.event, "SHUTDOWN");
    }
    // Commands after QEMU is gone fail cleanly.
    assert!(qmp.execute("query-status", None).await.is_err());
}
