//! Machines end to end under TCG with the test guest (`BERTH_TEST_GUEST_DIR`,
//! built by `tests/guest/build`; `scripts/test` sets it, plain `cargo test`
//! skips): init, start, the forwarded API socket used by podman's client,
//! the Docker CLI and berth, `machine ssh`, list/inspect, stop, start again,
//! rm. Boots are few: one machine, booted twice. Failure cases that need no
//! boot run on machines whose disk cannot boot.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::env::TestEnv;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn describe(out: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        text(&out.stdout),
        text(&out.stderr)
    )
}

/// The built guest's uncompressed disk, or `None` (printing why) without it.
fn guest_disk(test: &str) -> Option<PathBuf> {
    let Some(dir) = std::env::var_os("BERTH_TEST_GUEST_DIR") else {
        eprintln!(
            "skipping {test}: BERTH_TEST_GUEST_DIR is not set \
             (scripts/test builds the guest with tests/guest/build and sets it)"
        );
        return None;
    };
    let disk = Path::new(&dir).join("guest.qcow2");
    assert!(disk.is_file(), "{} is missing", disk.display());
    Some(disk)
}

struct Machines {
    env: TestEnv,
}

impl Machines {
    fn berth(&self, args: &[&str]) -> Output {
        let mut command = self.env.berth();
        command
            .env("BERTH_ACCEL", "tcg")
            .env("BERTH_STOP_TIMEOUT", "60")
            // Emulated boots on a busy 2-core machine can take minutes.
            .env("BERTH_BOOT_TIMEOUT", "1800")
            .args(args)
            .stdin(Stdio::null());
        command.output().expect("running berth")
    }

    /// `berth machine start NAME` with extra environment, expecting exit 125;
    /// returns stderr.
    fn start_fails(&self, name: &str, vars: &[(&str, &str)]) -> String {
        let mut command = self.env.berth();
        command
            .args(["machine", "start", name])
            .stdin(Stdio::null());
        for (var, value) in vars {
            command.env(var, value);
        }
        let out = command.output().expect("running berth");
        assert_eq!(out.status.code(), Some(125), "{}", describe(&out));
        text(&out.stderr)
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.berth(args);
        assert!(
            out.status.success(),
            "berth {args:?} failed: {}",
            describe(&out)
        );
        text(&out.stdout)
    }

    fn fails(&self, args: &[&str]) -> String {
        let out = self.berth(args);
        assert_eq!(
            out.status.code(),
            Some(125),
            "berth {args:?}: {}",
            describe(&out)
        );
        text(&out.stderr)
    }

    fn runtime(&self, name: &str) -> PathBuf {
        self.env.runtime.join("berth").join(name)
    }

    fn connections(&self) -> serde_json::Value {
        let path = self.env.config.join("containers/podman-connections.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap_or_default()).unwrap_or_default()
    }

    /// Nothing of machine `name` runs: its agent lock is free and no
    /// sockets or pidfiles are left.
    fn assert_nothing_running(&self, name: &str) {
        let runtime = self.runtime(name);
        for file in [
            "api.sock",
            "qmp.sock",
            "ready.sock",
            "agent.sock",
            "qemu.pid",
            "agent.pid",
        ] {
            assert!(!runtime.join(file).exists(), "{file} left behind");
        }
        let json = self.ok(&["machine", "list", "--format", "json"]);
        let list: serde_json::Value = serde_json::from_str(&json).unwrap();
        for machine in list.as_array().unwrap() {
            if machine["Name"] == name {
                assert_eq!(machine["State"], "stopped", "{json}");
            }
        }
    }
}

/// One HTTP/1.1 request on a new connection to a unix socket.
fn http(socket: &Path, request: &str) -> String {
    let mut stream = UnixStream::connect(socket).expect("connecting to the API socket");
    stream.write_all(request.as_bytes()).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
}

#[test]
fn init_start_use_stop_start_rm() {
    let Some(disk) = guest_disk("init_start_use_stop_start_rm") else {
        return;
    };
    let m = Machines {
        env: TestEnv::new(),
    };

    // init: bad input first (nothing created), then the machine.
    assert!(
        m.fails(&["machine", "init", "-bad"])
            .contains("unexpected argument")
            || m.fails(&["machine", "init", "bad/name"])
                .contains("invalid machine name")
    );
    let err = m.fails(&["machine", "init", "--cpus", "4096", "m1"]);
    assert!(err.contains("more than this host's"), "{err}");
    let err = m.fails(&["machine", "init", "--memory", "99999999", "m1"]);
    assert!(err.contains("more than this host's"), "{err}");
    assert!(!m.env.config.join("berth/machines/m1.json").exists());
    let disk = disk.to_str().unwrap();
    let out = m.ok(&[
        "machine",
        "init",
        "--image",
        disk,
        "--disk-size",
        "10",
        "--cpus",
        "2",
        "--memory",
        "1536",
        "--timezone",
        "Europe/Berlin",
        "m1",
    ]);
    assert!(out.contains("berth machine start m1"), "{out}");
    let err = m.fails(&["machine", "init", "--image", disk, "m1"]);
    assert!(err.contains("m1: VM already exists"), "{err}");
    let key = m.env.data.join("berth/keys/berth-machine");
    let mode = std::fs::metadata(&key).unwrap().permissions();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
        0o600
    );
    let connections = m.connections();
    assert_eq!(connections["Connection"]["Default"], "m1");
    let m1 = &connections["Connection"]["Connections"]["m1"];
    assert_eq!(m1["IsMachine"], true);
    assert!(m1["URI"]
        .as_str()
        .unwrap()
        .starts_with("ssh://core@127.0.0.1:"));
    assert!(m1["URI"]
        .as_str()
        .unwrap()
        .ends_with("/run/user/1000/podman/podman.sock"));
    let root = &connections["Connection"]["Connections"]["m1-root"];
    assert!(root["URI"]
        .as_str()
        .unwrap()
        .ends_with("/run/podman/podman.sock"));
    let listed = m.ok(&["machine", "list"]);
    assert!(listed.starts_with("NAME"), "{listed}");
    assert!(
        listed.contains("m1*") && listed.contains("Never"),
        "{listed}"
    );

    // start: boots, follows the agent's events, prints the socket.
    let out = m.ok(&["machine", "start", "m1"]);
    let socket = m.runtime("m1").join("api.sock");
    assert!(
        out.contains(&format!(
            "API forwarding listening on: {}",
            socket.display()
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!("export DOCKER_HOST='unix://{}'", socket.display())),
        "{out}"
    );
    assert!(
        out.trim_end()
            .ends_with("Machine \"m1\" started successfully"),
        "{out}"
    );
    let err = m.fails(&["machine", "start", "m1"]);
    assert!(err.contains("already running"), "{err}");

    let running = m.ok(&[
        "machine",
        "list",
        "--format",
        "{{.Name}} {{.Running}} {{.LastUp}}",
    ]);
    assert_eq!(running.trim(), "m1 true Currently running");
    assert_eq!(m.ok(&["machine", "ls", "-q"]).trim(), "m1");
    let noheading = m.ok(&["machine", "ls", "-n"]);
    assert!(noheading.starts_with("m1*"), "{noheading}");
    let inspect: serde_json::Value =
        serde_json::from_str(&m.ok(&["machine", "inspect", "m1"])).unwrap();
    assert_eq!(inspect[0]["State"], "running");
    assert_eq!(
        inspect[0]["ConnectionInfo"]["PodmanSocket"]["Path"],
        socket.to_str().unwrap()
    );
    assert_eq!(inspect[0]["Resources"]["CPUs"], 2);
    assert_eq!(inspect[0]["Resources"]["Memory"], 1536);
    assert_eq!(inspect[0]["SSHConfig"]["RemoteUsername"], "core");
    let port = m.ok(&[
        "machine",
        "inspect",
        "--format",
        "{{.SSHConfig.Port}}",
        "m1",
    ]);
    assert!(port.trim().parse::<u16>().is_ok(), "{port}");

    // The socket: libpod and Docker API, new connection per request.
    let ping = http(
        &socket,
        "GET /v4.0.0/libpod/_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
    );
    assert!(
        ping.starts_with("HTTP/1.1 200") && ping.ends_with("OK"),
        "{ping}"
    );
    let version = http(
        &socket,
        "GET /version HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
    );
    assert!(version.contains("\"ApiVersion\""), "{version}");

    // podman's own client imports an image and runs a container.
    let url = format!("unix://{}", socket.display());
    let podman = |args: &[&str]| {
        let out = Command::new("podman")
            .args(["--remote", "--url", &url])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("running podman --remote");
        assert!(out.status.success(), "podman {args:?}: {}", describe(&out));
        text(&out.stdout)
    };
    let tar = common::podman::busybox_tar(m.env.path());
    podman(&[
        "import",
        "--change",
        "CMD [\"/bin/sh\"]",
        tar.to_str().unwrap(),
        "localhost/busybox:test",
    ]);
    let hi = podman(&[
        "run",
        "--rm",
        "localhost/busybox:test",
        "echo",
        "hi from podman",
    ]);
    assert_eq!(hi.trim(), "hi from podman");
    assert!(podman(&["ps", "-a"]).starts_with("CONTAINER ID"));

    // The Docker CLI on the same socket.
    if Command::new("docker").arg("--version").output().is_ok() {
        let out = Command::new("docker")
            .args([
                "-H",
                &url,
                "run",
                "--rm",
                "localhost/busybox:test",
                "echo",
                "hi from docker",
            ])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "docker: {}", describe(&out));
        assert_eq!(text(&out.stdout).trim(), "hi from docker");
    }

    // berth's own client: the machine connection goes to the agent's socket.
    let version = m.ok(&["-c", "m1", "version"]);
    assert!(version.contains("Podman Engine"), "{version}");
    let version = m.ok(&["version"]);
    assert!(version.contains("Podman Engine"), "{version}");

    // machine ssh: commands, exit codes, the pinned host key.
    let out = m.ok(&["machine", "ssh", "m1", "id -un; readlink /etc/localtime"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["core", "../usr/share/zoneinfo/Europe/Berlin"]
    );
    let out = m.berth(&["machine", "ssh", "m1", "exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let out = m.ok(&[
        "machine",
        "ssh",
        "--username",
        "root",
        "m1",
        "cat /etc/containers/podman-machine",
    ]);
    assert_eq!(out.trim(), "qemu");

    // stop: powers down, cleans up, the machine lists as stopped.
    let out = m.ok(&["machine", "stop", "m1"]);
    assert!(out.contains("Machine \"m1\" stopped successfully"), "{out}");
    m.assert_nothing_running("m1");
    let listed = m.ok(&["machine", "list", "--format", "{{.Running}} {{.LastUp}}"]);
    assert!(
        listed.starts_with("false ") && listed.contains("ago"),
        "{listed}"
    );
    let err = m.fails(&["machine", "ssh", "m1", "true"]);
    assert!(err.contains("not running"), "{err}");
    assert!(!m.ok(&["machine", "stop", "m1"]).is_empty());

    // start again: the disk keeps what the first boot did.
    m.ok(&["machine", "start", "--no-info", "m1"]);
    let images = podman(&["images", "--format", "{{.Repository}}"]);
    assert!(images.contains("localhost/busybox"), "{images}");

    // rm: refuses while running without -f; -f stops and removes everything.
    let err = m.fails(&["machine", "rm", "m1"]);
    assert!(err.contains("running"), "{err}");
    m.ok(&["machine", "rm", "-f", "m1"]);
    m.assert_nothing_running("m1");
    assert!(!m.env.config.join("berth/machines/m1.json").exists());
    assert!(!m.env.data.join("berth/machines/m1").exists());
    let connections = m.connections();
    assert!(
        connections["Connection"]["Connections"].get("m1").is_none(),
        "{connections}"
    );
    assert!(connections["Connection"]["Connections"]
        .get("m1-root")
        .is_none());
    assert!(key.exists(), "the shared user key stays");
    assert_eq!(m.ok(&["machine", "list", "-q"]), "");
}

/// A disk that cannot boot: start fails after the boot timeout, shows the
/// console, and leaves nothing running; a taken SSH port is moved.
#[test]
fn failed_starts_leave_nothing_running() {
    if !Path::new("/usr/bin/qemu-system-x86_64").exists() {
        eprintln!(
            "skipping failed_starts_leave_nothing_running: qemu-system-x86_64 is not installed"
        );
        return;
    }
    let m = Machines {
        env: TestEnv::new(),
    };
    let blank = m.env.path().join("blank.qcow2");
    let status = Command::new("qemu-img")
        .args(["create", "-q", "-f", "qcow2"])
        .arg(&blank)
        .arg("1G")
        .status()
        .unwrap();
    assert!(status.success());
    m.ok(&[
        "machine",
        "init",
        "--image",
        blank.to_str().unwrap(),
        "--disk-size",
        "1",
        "dud",
    ]);

    // No QEMU on PATH: the error names the package to install.
    let path = m.env.path().to_str().unwrap().to_string();
    let err = m.start_fails("dud", &[("BERTH_ACCEL", "tcg"), ("PATH", &path)]);
    assert!(err.contains("qemu-system-x86_64 not found"), "{err}");
    assert!(err.contains("apt-get install qemu-system-x86"), "{err}");
    m.assert_nothing_running("dud");

    // An accelerator this host does not have.
    let err = m.start_fails("dud", &[("BERTH_ACCEL", "hvf")]);
    assert!(err.contains("hvf is not available on Linux"), "{err}");

    // The SSH port is taken and the disk never becomes ready.
    let inspect: serde_json::Value =
        serde_json::from_str(&m.ok(&["machine", "inspect", "dud"])).unwrap();
    let port = inspect[0]["SSHConfig"]["Port"].as_u64().unwrap() as u16;
    let _squatter = std::net::TcpListener::bind(("127.0.0.1", port)).unwrap();
    let stderr = m.start_fails(
        "dud",
        &[("BERTH_ACCEL", "tcg"), ("BERTH_BOOT_TIMEOUT", "8")],
    );
    assert!(
        stderr.contains(&format!("SSH port {port} of machine dud is in use")),
        "{stderr}"
    );
    assert!(
        stderr.contains("timed out after 8 s waiting for the guest to boot"),
        "{stderr}"
    );
    m.assert_nothing_running("dud");
    let moved = m.ok(&[
        "machine",
        "inspect",
        "--format",
        "{{.SSHConfig.Port}}",
        "dud",
    ]);
    assert_ne!(moved.trim(), port.to_string());
    let uri = m.connections()["Connection"]["Connections"]["dud"]["URI"].clone();
    assert!(
        uri.as_str()
            .unwrap()
            .contains(&format!(":{}/", moved.trim())),
        "{uri}"
    );
    m.ok(&["machine", "rm", "-f", "dud"]);
}
