//! Boots the test guest (tests/guest/build) with a plain QEMU command line like
//! berth's, under TCG, with a podman-machine-like Ignition config, and checks
//! what berth relies on: Ignition applied once (users, keys, files, links,
//! units, unsupported fields logged), Ready on the virtio-serial port, SSH as
//! `core` and `root`, root filesystem grown to the disk, and podman working
//! rootful and rootless, locally and through `podman --remote` over SSH.
//!
//! Skipped (with a message) unless `BERTH_TEST_GUEST_DIR` names a built guest.

mod common;

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::env::TestEnv;
use common::guest::Guest;
use common::podman::busybox_tar;
use common::process::ChildGuard;

/// Far above the 90 s goal: only a hung boot fails on time.
const READY_TIMEOUT: Duration = Duration::from_secs(400);
const CORE_UID: u32 = 1000;
const DISK_SIZE_GIB: u64 = 6;

/// Percent-encodes everything but RFC 3986's unreserved characters, as
/// podman machine does for `data:,` URLs.
fn data_url(bytes: &[u8]) -> String {
    let mut url = String::from("data:,");
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

fn base64_data_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::from("data:text/plain;charset=utf-8;base64,");
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | b as u32) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const READY_UNIT: &str = "[Unit]\n\
    After=sshd.socket sshd.service\n\
    After=systemd-user-sessions.service\n\
    OnFailure=emergency.target\n\
    OnFailureJobMode=isolate\n\
    [Service]\n\
    Type=oneshot\n\
    RemainAfterExit=yes\n\
    ExecStart=/bin/sh -c '/usr/bin/echo Ready >/dev/virtio-ports/org.fedoraproject.port.0'\n\
    [Install]\n\
    RequiredBy=default.target\n";

const URL_ENCODED_TEXT: &str = "hello from ignition: 100% [ok] & \"quoted\"\nline 2 é\n";
const BASE64_BYTES: &[u8] = b"\x00\x01binary\xffcontent\n";

/// An Ignition 3.2.0 config shaped like podman machine's, plus test entries.
fn ignition_config(core_key: &str, root_key: &str) -> serde_json::Value {
    let owned = |path: &str| {
        serde_json::json!({
            "path": path, "user": {"name": "core"}, "group": {"name": "core"}, "mode": 0o755
        })
    };
    let file = |path: &str, source: String, mode: u32| {
        serde_json::json!({
            "path": path, "user": {"name": "root"}, "group": {"name": "root"},
            "overwrite": true, "contents": {"source": source}, "mode": mode
        })
    };
    serde_json::json!({
        "ignition": {"version": "3.2.0"},
        "passwd": {"users": [
            {"name": "core", "uid": CORE_UID, "sshAuthorizedKeys": [core_key]},
            {"name": "root", "sshAuthorizedKeys": [root_key]}
        ]},
        "storage": {
            "directories": [
                owned("/home/core/.config"),
                owned("/home/core/.config/containers"),
                owned("/home/core/.config/systemd"),
                owned("/home/core/.config/systemd/user"),
            ],
            "files": [
                file("/var/lib/systemd/linger/core", data_url(b""), 0o644),
                {
                    "path": "/home/core/.config/containers/containers.conf",
                    "user": {"name": "core"}, "group": {"name": "core"},
                    "contents": {"source": data_url(b"[containers]\nnetns=\"bridge\"\npids_limit=0\n")},
                    "mode": 0o744
                },
                file("/etc/subuid", data_url(b"core:100000:1000000\n"), 0o744),
                file("/etc/subgid", data_url(b"core:100000:1000000\n"), 0o744),
                file("/etc/containers/podman-machine", data_url(b"qemu\n"), 0o644),
                {
                    "path": "/etc/tmpfiles.d/podman-docker.conf",
                    "contents": {"source": data_url(
                        b"L+  /run/docker.sock   -    -    -     -   /run/podman/podman.sock\n")},
                    "mode": 0o644
                },
                {
                    "path": "/etc/berth-test/url-encoded.txt",
                    "user": {"id": CORE_UID}, "group": {"name": "core"},
                    "contents": {"source": data_url(URL_ENCODED_TEXT.as_bytes())},
                    "mode": 0o640
                },
                file("/etc/berth-test/base64.bin", base64_data_url(BASE64_BYTES), 0o600),
            ],
            "links": [
                {
                    "path": "/etc/systemd/user/sockets.target.wants/podman.socket",
                    "user": {"name": "root"}, "group": {"name": "root"},
                    "overwrite": true, "hard": false,
                    "target": "/usr/lib/systemd/user/podman.socket"
                },
                {
                    "path": "/usr/local/bin/docker", "overwrite": true, "hard": false,
                    "user": {"name": "root"}, "group": {"name": "root"},
                    "target": "/usr/bin/podman"
                },
                {
                    "path": "/etc/localtime", "overwrite": false, "hard": false,
                    "user": {"name": "root"}, "group": {"name": "root"},
                    "target": "../usr/share/zoneinfo/Europe/Berlin"
                },
                {"path": "/etc/berth-test/link", "target": "/etc/berth-test/url-encoded.txt"}
            ]
        },
        "systemd": {"units": [
            {"name": "podman.socket", "enabled": true},
            {"name": "zincati.service", "enabled": false},
            {"name": "ready.service", "enabled": true, "contents": READY_UNIT},
            {"name": "berth-test-dropin.service", "enabled": true,
             "contents": "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n",
             "dropins": [{"name": "10-env.conf", "contents": "[Service]\nEnvironment=BERTH_DROPIN=yes\n"}]},
            {"name": "systemd-timesyncd.service", "mask": true}
        ]},
        "kernelArguments": {"shouldExist": ["berth.unsupported=1"]}
    })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("finding a free port")
        .port()
}

fn keygen(path: &Path) -> String {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "berth-test", "-f"])
        .arg(path)
        .status()
        .expect("running ssh-keygen");
    assert!(status.success(), "ssh-keygen failed");
    std::fs::read_to_string(path.with_extension("pub"))
        .expect("reading the public key")
        .trim()
        .to_string()
}

/// The trimmed stdout of a command that must have succeeded; `what` names it.
fn success_stdout(output: &Output, what: &str) -> String {
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_string()
}

/// A booted guest: QEMU (killed by pid on drop) and what reaches it.
struct BootedGuest {
    qemu: ChildGuard,
    dir: PathBuf,
    ssh_port: u16,
    console: PathBuf,
}

impl BootedGuest {
    fn console_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.console).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(60)..].join("\n")
    }

    /// Reads the virtio-serial chardev socket until the guest says Ready.
    fn wait_ready(&mut self, socket: &Path, started: Instant) -> Duration {
        let deadline = started + READY_TIMEOUT;
        // QEMU creates the listening socket while starting up; connect as
        // soon as it accepts.
        let mut stream = loop {
            match UnixStream::connect(socket) {
                Ok(stream) => break stream,
                Err(err) => {
                    if let Ok(Some(status)) = self.qemu.child.try_wait() {
                        panic!("QEMU exited ({status}) before its ready socket accepted: {err}");
                    }
                    assert!(Instant::now() < deadline, "no ready socket: {err}");
                    std::thread::sleep(Duration::from_millis(20));
                }
            }
        };
        let mut seen = Vec::new();
        let mut buf = [0u8; 256];
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "no Ready within {READY_TIMEOUT:?}; console:\n{}",
                self.console_tail()
            );
            stream.set_read_timeout(Some(left)).expect("read timeout");
            match stream.read(&mut buf) {
                Ok(0) => panic!(
                    "the ready socket closed before Ready; console:\n{}",
                    self.console_tail()
                ),
                Ok(n) => {
                    seen.extend_from_slice(&buf[..n]);
                    if String::from_utf8_lossy(&seen).contains("Ready") {
                        return started.elapsed();
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => {}
                Err(err)
                    if matches!(
                        err.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    panic!(
                        "no Ready within {READY_TIMEOUT:?}; console:\n{}",
                        self.console_tail()
                    )
                }
                Err(err) => panic!(
                    "reading the ready socket: {err}; console:\n{}",
                    self.console_tail()
                ),
            }
        }
    }

    /// OpenSSH as `user` with `key`. Commands share one connection per user
    /// (ControlMaster: under TCG a new session costs seconds) unless
    /// `multiplexed` is false.
    fn ssh_command(&self, user: &str, key: &Path, multiplexed: bool) -> Command {
        let control_path = if multiplexed {
            format!("ControlPath={}/ssh-%r", self.dir.display())
        } else {
            "ControlPath=none".to_string()
        };
        let mut command = Command::new("ssh");
        command
            .args([
                "-o",
                "StrictHostKeyChecking=no",
                "-o",
                "UserKnownHostsFile=/dev/null",
            ])
            .args([
                "-o",
                "IdentitiesOnly=yes",
                "-o",
                "BatchMode=yes",
                "-o",
                "LogLevel=ERROR",
            ])
            .args(["-o", "ConnectTimeout=180", "-o", "ControlMaster=auto"])
            .args(["-o", "ControlPersist=600", "-o", &control_path])
            .args(["-p", &self.ssh_port.to_string(), "-i"])
            .arg(key)
            .arg(format!("{user}@127.0.0.1"))
            .stdin(Stdio::null());
        command
    }

    fn ssh(&self, user: &str, key: &Path, command: &str) -> Output {
        self.ssh_command(user, key, true)
            .arg(command)
            .output()
            .expect("running ssh")
    }

    /// Waits until `user` can log in: sshd is up when Ready comes, but under
    /// a loaded TCG host its first key exchange can still be cut off.
    fn wait_ssh(&self, user: &str, key: &Path) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let output = self.ssh(user, key, "true");
            if output.status.success() {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "no SSH login as {user}: {}\nconsole:\n{}",
                String::from_utf8_lossy(&output.stderr),
                self.console_tail()
            );
            eprintln!(
                "ssh as {user} not yet: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// Runs `command` as `user` and returns its stdout; panics on failure.
    fn ssh_ok(&self, user: &str, key: &Path, command: &str) -> String {
        success_stdout(
            &self.ssh(user, key, command),
            &format!("as {user}: `{command}`"),
        )
    }
}

impl Drop for BootedGuest {
    /// Stops the shared SSH connections (they would end with QEMU anyway).
    fn drop(&mut self) {
        for user in ["core", "root"] {
            let _ = Command::new("ssh")
                .args([
                    "-o",
                    &format!("ControlPath={}/ssh-{user}", self.dir.display()),
                ])
                .args(["-O", "exit", "127.0.0.1"])
                .stderr(Stdio::null())
                .status();
        }
    }
}

/// Boots `guest` on a copy-on-write overlay with berth's QEMU command line.
fn boot(guest: &Guest, dir: &Path, ignition: &Path) -> (BootedGuest, Instant) {
    let disk = dir.join("disk.qcow2");
    let status = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
        .arg(&guest.qcow2)
        .arg(&disk)
        .arg(format!("{DISK_SIZE_GIB}G"))
        .status()
        .expect("running qemu-img");
    assert!(status.success(), "qemu-img create failed");
    let ssh_port = free_port();
    let console = dir.join("console.log");
    let mut qemu = Command::new("qemu-system-x86_64");
    qemu.args(["-accel", "tcg", "-m", "2048", "-smp", "2"])
        .arg("-drive")
        .arg(format!("if=virtio,file={},discard=on", disk.display()))
        .arg("-fw_cfg")
        .arg(format!(
            "name=opt/com.coreos/config,file={}",
            ignition.display()
        ))
        .args(["-device", "virtio-serial", "-chardev"])
        .arg(format!(
            "socket,path={},server=on,wait=off,id=ready",
            dir.join("ready.sock").display()
        ))
        .args([
            "-device",
            "virtserialport,chardev=ready,name=org.fedoraproject.port.0",
        ])
        .arg("-netdev")
        .arg(format!("user,id=net0,hostfwd=tcp:127.0.0.1:{ssh_port}-:22"))
        .args(["-device", "virtio-net-pci,netdev=net0", "-qmp"])
        .arg(format!(
            "unix:{},server=on,wait=off",
            dir.join("qmp.sock").display()
        ))
        .args(["-display", "none", "-serial"])
        .arg(format!("file:{}", console.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
    let started = Instant::now();
    let qemu = ChildGuard::spawn("qemu-system-x86_64", &mut qemu);
    (
        BootedGuest {
            qemu,
            dir: dir.to_path_buf(),
            ssh_port,
            console,
        },
        started,
    )
}

/// `podman --remote --url ssh://USER@127.0.0.1:PORT/SOCKET ARGS...` with `key`.
fn podman_remote(
    env: &TestEnv,
    guest: &BootedGuest,
    user: &str,
    socket: &str,
    key: &Path,
    args: &[&str],
) -> Output {
    let mut command = Command::new("podman");
    env.apply(&mut command);
    command
        .arg("--remote")
        .arg("--url")
        .arg(format!("ssh://{user}@127.0.0.1:{}{socket}", guest.ssh_port))
        .arg("--identity")
        .arg(key)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("running podman --remote")
}

fn podman_remote_ok(
    env: &TestEnv,
    guest: &BootedGuest,
    user: &str,
    socket: &str,
    key: &Path,
    args: &[&str],
) -> String {
    success_stdout(
        &podman_remote(env, guest, user, socket, key, args),
        &format!("podman --remote as {user} on {socket} {args:?}"),
    )
}

#[test]
fn guest_boots_applies_ignition_and_serves_podman() {
    let Some(guest) = Guest::locate("guest_boots_applies_ignition_and_serves_podman") else {
        return;
    };
    let env = TestEnv::new();
    let dir = env.path().join("vm");
    std::fs::create_dir_all(&dir).expect("mkdir vm");
    let core_key = dir.join("core_id");
    let root_key = dir.join("root_id");
    let config = ignition_config(&keygen(&core_key), &keygen(&root_key));
    let ignition = dir.join("ignition.json");
    std::fs::write(&ignition, serde_json::to_vec_pretty(&config).expect("json")).expect("write");
    let validate = Command::new("ignition-validate")
        .arg(&ignition)
        .output()
        .expect("running ignition-validate (apt-get install ignition)");
    assert!(
        validate.status.success(),
        "ignition-validate rejected the config:\n{}{}",
        String::from_utf8_lossy(&validate.stdout),
        String::from_utf8_lossy(&validate.stderr)
    );

    let (mut vm, started) = boot(&guest, &dir, &ignition);
    let boot_time = vm.wait_ready(&dir.join("ready.sock"), started);
    eprintln!(
        "guest boot to Ready (TCG, 2 vCPUs, 2 GiB): {:.1} s",
        boot_time.as_secs_f64()
    );

    // Users and keys: core has uid 1000 and FCOS's groups, root its own key.
    vm.wait_ssh("core", &core_key);
    vm.wait_ssh("root", &root_key);
    assert_eq!(vm.ssh_ok("core", &core_key, "id -u"), CORE_UID.to_string());
    let groups = vm.ssh_ok("core", &core_key, "id -nG");
    for group in ["wheel", "sudo", "adm", "systemd-journal"] {
        assert!(
            groups.split_whitespace().any(|g| g == group),
            "core not in {group}: {groups}"
        );
    }
    assert_eq!(vm.ssh_ok("root", &root_key, "id -u"), "0");
    assert_eq!(vm.ssh_ok("core", &core_key, "sudo -n id -u"), "0");
    let wrong_key = vm
        .ssh_command("root", &core_key, false)
        .arg("true")
        .output()
        .expect("running ssh");
    assert!(!wrong_key.status.success(), "root accepted core's key");

    // Files, directories, links.
    assert_eq!(
        vm.ssh_ok(
            "core",
            &core_key,
            "cat /etc/berth-test/url-encoded.txt; echo ."
        )
        .trim_end_matches('.'),
        URL_ENCODED_TEXT
    );
    assert_eq!(
        vm.ssh_ok("root", &root_key, "stat -c '%a %U %G' /etc/berth-test/url-encoded.txt /etc/berth-test/base64.bin /home/core/.config/systemd/user /var/lib/systemd/linger/core"),
        "640 core core\n600 root root\n755 core core\n644 root root"
    );
    assert_eq!(
        vm.ssh_ok(
            "root",
            &root_key,
            "od -An -tx1 /etc/berth-test/base64.bin | tr -d ' \\n'"
        ),
        BASE64_BYTES
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    assert_eq!(
        vm.ssh_ok("core", &core_key, "readlink /etc/berth-test/link /etc/localtime /etc/systemd/user/sockets.target.wants/podman.socket"),
        "/etc/berth-test/url-encoded.txt\n../usr/share/zoneinfo/Europe/Berlin\n/usr/lib/systemd/user/podman.socket"
    );
    assert_eq!(vm.ssh_ok("core", &core_key, "date +%Z | grep -c CE"), "1");

    // Units: enabled, dropin, mask, Ready; nothing failed; unsupported fields logged.
    assert_eq!(
        vm.ssh_ok(
            "root",
            &root_key,
            "systemctl is-enabled podman.socket ready.service systemd-timesyncd.service; true"
        ),
        "enabled\nenabled\nmasked"
    );
    assert_eq!(
        vm.ssh_ok(
            "root",
            &root_key,
            "systemctl show -p Environment --value berth-test-dropin.service"
        ),
        "BERTH_DROPIN=yes"
    );
    let failed = vm.ssh_ok("root", &root_key, "systemctl --failed --no-legend --plain");
    assert_eq!(failed, "", "failed units");
    let journal = vm.ssh_ok(
        "root",
        &root_key,
        "journalctl -b -o cat -t ignition --no-pager",
    );
    assert!(
        journal.contains("unsupported field config.kernelArguments"),
        "the unsupported field was not logged:\n{journal}"
    );
    vm.ssh_ok("root", &root_key, "test -f /var/lib/berth-ignition/applied");

    // The root filesystem fills the (grown) disk.
    let root_size: u64 = vm
        .ssh_ok("root", &root_key, "findmnt -bno SIZE /")
        .parse()
        .expect("root fs size");
    assert!(
        root_size > (DISK_SIZE_GIB - 1) << 30,
        "root fs is {root_size} bytes on a {DISK_SIZE_GIB} GiB disk"
    );

    // podman: rootful and rootless, in the guest and through --remote over SSH.
    assert_eq!(
        vm.ssh_ok(
            "root",
            &root_key,
            "podman info --format '{{.Host.Security.Rootless}}'"
        ),
        "false"
    );
    assert_eq!(
        vm.ssh_ok(
            "core",
            &core_key,
            "podman info --format '{{.Host.Security.Rootless}}'"
        ),
        "true"
    );
    let rootless_socket = format!("/run/user/{CORE_UID}/podman/podman.sock");
    vm.ssh_ok("root", &root_key, &format!("test -S /run/podman/podman.sock && test -S {rootless_socket} && test -L /run/docker.sock"));

    let known_hosts = Command::new("ssh-keyscan")
        .args(["-p", &vm.ssh_port.to_string(), "127.0.0.1"])
        .stderr(Stdio::null())
        .output()
        .expect("running ssh-keyscan");
    std::fs::create_dir_all(env.home.join(".ssh")).expect("mkdir ~/.ssh");
    std::fs::write(env.home.join(".ssh/known_hosts"), &known_hosts.stdout).expect("known_hosts");
    let tarball = busybox_tar(&dir);
    for (user, key, socket, rootless) in [
        ("root", &root_key, "/run/podman/podman.sock", "false"),
        ("core", &core_key, rootless_socket.as_str(), "true"),
    ] {
        assert_eq!(
            podman_remote_ok(
                &env,
                &vm,
                user,
                socket,
                key,
                &["info", "--format", "{{.Host.Security.Rootless}}"]
            ),
            rootless
        );
        podman_remote_ok(
            &env,
            &vm,
            user,
            socket,
            key,
            &[
                "import",
                "--quiet",
                "--change",
                "CMD [\"/bin/sh\"]",
                tarball.to_str().expect("utf-8 path"),
                "localhost/busybox:test",
            ],
        );
        assert_eq!(
            podman_remote_ok(
                &env,
                &vm,
                user,
                socket,
                key,
                &["run", "--rm", "localhost/busybox:test", "echo", "hello"]
            ),
            "hello"
        );
    }

    eprintln!(
        "guest boot to Ready: {:.1} s; all checks passed",
        boot_time.as_secs_f64()
    );
    let pid = vm.qemu.pid();
    drop(vm);
    eprintln!("QEMU (pid {pid}) stopped; dir {}", dir.display());
}
