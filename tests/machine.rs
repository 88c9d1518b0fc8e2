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

/// Imports the busybox tar into the engine behind `url` with podman's own
/// client, as `tag` whose CMD is `cmd` (a JSON array).
fn import_busybox(url: &str, tar: &Path, cmd: &str, tag: &str) {
    let out = Command::new("podman")
        .args(["--remote", "--url", url, "import", "--change"])
        .arg(format!("CMD {cmd}"))
        .arg(tar)
        .arg(tag)
        .stdin(Stdio::null())
        .output()
        .expect("running podman --remote import");
    assert!(
        out.status.success(),
        "podman import {tag}: {}",
        describe(&out)
    );
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

/// The tests that boot the guest run one after another: TCG guests on a
/// 2-core machine starve each other (and sshd in them) when they overlap.
static BOOTS: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_boot_test_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    BOOTS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

struct Machines {
    env: TestEnv,
}

/// A failed test leaves no guest running: every machine's QEMU is killed
/// (its agent then reaps it and exits), then any agent still alive (their
/// pids from the runtime dir, checked to still be QEMU or berth).
impl Drop for Machines {
    fn drop(&mut self) {
        let Ok(machines) = std::fs::read_dir(self.env.runtime.join("berth")) else {
            return;
        };
        let pid_of = |dir: &Path, pidfile: &str| {
            let pid = std::fs::read_to_string(dir.join(pidfile))
                .ok()?
                .trim()
                .parse::<i32>()
                .ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            let cmdline = String::from_utf8_lossy(&cmdline);
            (pid > 0 && (cmdline.contains("qemu") || cmdline.contains("berth"))).then_some(pid)
        };
        let dirs: Vec<PathBuf> = machines.flatten().map(|entry| entry.path()).collect();
        for dir in &dirs {
            if let Some(pid) = pid_of(dir, "qemu.pid") {
                // SAFETY: this test's machine's QEMU; kill only signals.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        for dir in &dirs {
            if let Some(pid) = pid_of(dir, "agent.pid") {
                wait_until(std::time::Duration::from_secs(5), || !pid_alive(pid as u32));
                // SAFETY: this test's machine's agent; kill only signals.
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
    }
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
    try_http(socket, request).unwrap_or_else(|err| panic!("{}: {err}", socket.display()))
}

fn try_http(socket: &Path, request: &str) -> std::io::Result<String> {
    let mut stream = UnixStream::connect(socket)?;
    stream.write_all(request.as_bytes())?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer)?;
    Ok(answer)
}

#[test]
fn init_start_use_stop_start_rm() {
    let Some(disk) = guest_disk("init_start_use_stop_start_rm") else {
        return;
    };
    let _boots = one_boot_test_at_a_time();
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
    import_busybox(&url, &tar, "[\"/bin/sh\"]", "localhost/busybox:test");
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

    // The default volume (the home directory at the same path) was mounted
    // at boot, before Ready; as root with a rootless machine, over 9p (a
    // virtiofsd running as root would make the container's files uid 1000's).
    check_home_volume(&m, "m1", "9p", &podman);
    // NAME-root goes over real SSH, checking the machine's pinned host key
    // (never ~/.ssh/known_hosts).
    let version = m.ok(&[
        "-c",
        "m1-root",
        "version",
        "--format",
        "{{.Server.Version}}",
    ]);
    assert!(!version.trim().is_empty());
    assert!(!m.env.home.join(".ssh/known_hosts").exists());

    // machine info: the running machine is the current and default one.
    let info = m.ok(&[
        "machine",
        "info",
        "--format",
        "{{.Host.CurrentMachine}} {{.Host.MachineState}} {{.Host.NumberOfMachines}} {{.Host.DefaultMachine}} {{.Host.VMType}}",
    ]);
    assert_eq!(info.trim(), "m1 Running 1 m1 qemu");
    let info: serde_json::Value =
        serde_json::from_str(&m.ok(&["machine", "info", "--format", "json"])).unwrap();
    assert_eq!(info["Host"]["OS"], "linux");

    // machine ssh: commands, exit codes, the pinned host key.
    let out = m.ok(&["machine", "ssh", "m1", "id -un; readlink /etc/localtime"]);
    assert_eq!(
        out.lines().collect::<Vec<_>>(),
        ["core", "../usr/share/zoneinfo/Europe/Berlin"]
    );
    let out = m.berth(&["machine", "ssh", "m1", "exit 7"]);
    assert_eq!(out.status.code(), Some(7), "{}", describe(&out));
    let out = m.ok(&["machine", "ssh", "--username", "root", "m1", "id -un"]);
    assert_eq!(out.trim(), "root");

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

    // rm without -f asks first, listing what it removes; "n" keeps it all.
    let out = m.berth_input(&["machine", "rm", "m1"], "n\n");
    assert!(out.status.success(), "{}", describe(&out));
    let listing = text(&out.stdout);
    assert!(
        listing.contains("The following files will be deleted:")
            && listing.contains("m1.qcow2")
            && listing.contains("Are you sure you want to continue? [y/N]"),
        "{listing}"
    );
    assert!(m.env.config.join("berth/machines/m1.json").exists());

    // start again, rootful: the disk keeps what the first boot did (core's
    // images), and as root the volume is shared over virtiofs where QEMU's
    // virtiofsd is installed: the guest's root writes as the host's root.
    m.ok(&["machine", "set", "--rootful", "m1"]);
    let out = m.berth(&["machine", "start", "m1"]);
    assert!(out.status.success(), "{}", describe(&out));
    assert!(!text(&out.stderr).contains("Warning"), "{}", describe(&out));
    let images = m.ok(&[
        "machine",
        "ssh",
        "--username",
        "core",
        "m1",
        "podman images --format {{.Repository}}",
    ]);
    assert!(images.contains("localhost/busybox"), "{images}");
    import_busybox(&url, &tar, "[\"/bin/sh\"]", "localhost/busybox:test");
    let virtiofs = Path::new("/usr/lib/qemu/virtiofsd").exists() && unsafe { libc::getuid() } == 0;
    check_home_volume(&m, "m1", if virtiofs { "virtiofs" } else { "9p" }, &podman);

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

/// The machine's default volume (the test's home directory, at the same
/// path in the guest) works both ways (see [`check_volume`]).
fn check_home_volume(m: &Machines, name: &str, driver: &str, podman: &dyn Fn(&[&str]) -> String) {
    let shared = m.env.home.join(format!("shared-{driver}"));
    std::fs::create_dir_all(&shared).unwrap();
    // The rootless guest user (uid 1000) writes here although the host user is root.
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    check_volume(m, name, driver, &shared, &shared.to_string_lossy(), podman);
}

/// A volume works both ways: a file written in `shared` on the host is read
/// in a container's bind mount of `guest_dir` (`run` runs a container), and
/// the file the container writes is the host user's on the host. The agent
/// reported the volumes mounted at boot with `driver`.
fn check_volume(
    m: &Machines,
    name: &str,
    driver: &str,
    shared: &Path,
    guest_dir: &str,
    run: &dyn Fn(&[&str]) -> String,
) {
    let events = std::fs::read_to_string(m.runtime(name).join("events.jsonl")).unwrap();
    let mounted = events
        .lines()
        .find(|line| line.contains("\"volumes-mounted\""))
        .unwrap_or_else(|| panic!("no volumes-mounted event: {events}"));
    assert!(
        mounted.contains(&format!("\"driver\":\"{driver}\"")),
        "{mounted}"
    );
    // At boot: reported with the guest's Ready, before berth's ready.
    let order: Vec<&str> = events
        .lines()
        .filter_map(|line| line.split("\"event\":\"").nth(1))
        .filter_map(|rest| rest.split('"').next())
        .collect();
    let position = |event: &str| order.iter().position(|e| *e == event).unwrap();
    assert!(
        position("guest-ready") < position("volumes-mounted"),
        "{order:?}"
    );
    assert!(position("volumes-mounted") < position("ready"), "{order:?}");
    // `start` returned once the podman service answered, as podman's does.
    assert!(
        position("api-probed") < position("api-answered")
            && position("api-answered") < position("ready"),
        "{order:?}"
    );

    std::fs::write(shared.join("from-host"), "written on the host\n").unwrap();
    let bind = format!("{guest_dir}:/data");
    let out = run(&[
        "run",
        "--rm",
        "-v",
        &bind,
        "localhost/busybox:test",
        "sh",
        "-c",
        "cat /data/from-host && echo written in a container > /data/from-container",
    ]);
    assert_eq!(out.trim(), "written on the host");
    let back = shared.join("from-container");
    assert_eq!(
        std::fs::read_to_string(&back).unwrap(),
        "written in a container\n"
    );
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&back).unwrap());
    assert_eq!(owner, unsafe { libc::getuid() }, "{driver}");
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

/// Polls `check` every 50 ms until it holds or `limit` passes; returns how
/// long it took, or `None`.
fn wait_until(
    limit: std::time::Duration,
    mut check: impl FnMut() -> bool,
) -> Option<std::time::Duration> {
    let started = std::time::Instant::now();
    loop {
        if check() {
            return Some(started.elapsed());
        }
        if started.elapsed() > limit {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// `GET /` on 127.0.0.1:`port`; the body, or `None` when nothing answers.
fn http_get(port: u16) -> Option<String> {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .ok()?;
    stream
        .write_all(b"GET / HTTP/1.0\r\nHost: x\r\n\r\n")
        .ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    let (head, body) = answer.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.").then(|| body.to_string())
}

fn free_tcp_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn pid_alive(pid: u32) -> bool {
    // Signal 0 checks existence; a zombie (not yet reaped) counts as gone.
    let status = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let state = status
        .rsplit_once(')')
        .and_then(|(_, rest)| rest.split_whitespace().next())
        .unwrap_or("");
    !state.is_empty() && state != "Z"
}

fn read_pid(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .unwrap_or_else(|err| panic!("{}: {err}", path.display()))
        .trim()
        .parse()
        .unwrap()
}

impl Machines {
    /// A machine's `State` in `machine list --format json`.
    fn state(&self, name: &str) -> String {
        let json = self.ok(&["machine", "list", "--format", "json"]);
        let list: serde_json::Value = serde_json::from_str(&json).unwrap();
        list.as_array()
            .unwrap()
            .iter()
            .find(|machine| machine["Name"] == name)
            .map(|machine| machine["State"].as_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// `berth ARGS` with `input` on stdin.
    fn berth_input(&self, args: &[&str], input: &str) -> Output {
        let mut command = self.env.berth();
        command
            .env("BERTH_ACCEL", "tcg")
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    }

    /// The guest's clock minus the host's, in seconds, and the most the
    /// true offset can differ from it: `date` read several times over one
    /// `machine ssh` session, keeping the reading with the shortest round
    /// trip; its host time is the middle of that round trip, so the true
    /// offset lies within half the round trip of the result. `None` when
    /// the guest cannot be asked.
    fn guest_clock_offset(&self, name: &str) -> Option<(f64, f64)> {
        use std::io::BufRead;
        let now = || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64()
        };
        let mut command = self.env.berth();
        command
            .args([
                "machine",
                "ssh",
                name,
                "while read -r _; do date +%s.%N; done",
            ])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut ssh = common::process::ChildGuard {
            child: command.spawn().unwrap(),
            name: "machine ssh".into(),
        };
        let mut input = ssh.child.stdin.take().unwrap();
        let mut output = std::io::BufReader::new(ssh.child.stdout.take().unwrap());
        let mut best: Option<(f64, f64)> = None;
        // The first reading waits for the SSH handshake too.
        for _ in 0..6 {
            let mut line = String::new();
            let sent = now();
            input.write_all(b"\n").ok()?;
            input.flush().ok()?;
            output.read_line(&mut line).ok()?;
            let received = now();
            let guest: f64 = line.trim().parse().ok()?;
            let reading = (guest - (sent + received) / 2.0, (received - sent) / 2.0);
            if best.is_none_or(|best| reading.1 < best.1) {
                best = Some(reading);
            }
        }
        best
    }
}

/// Issue 6 on three boots, never more than two guests at once: m2 boots
/// alone for volumes both ways, `machine cp`, a published port appearing
/// and disappearing (and a taken one warned about), the guest clock after a
/// 30 s freeze of QEMU and a dropped SSH session; m3 (a user-supplied
/// Ignition file, its host key pinned on first sight) boots beside it for
/// several machines at once and is killed -9 at QEMU; m2's agent is killed
/// -9 and two concurrent starts recover it (the third boot); set and reset
/// on the stopped machines.
#[test]
fn volumes_ports_clock_and_recovery() {
    let Some(disk) = guest_disk("volumes_ports_clock_and_recovery") else {
        return;
    };
    let _boots = one_boot_test_at_a_time();
    let m = Machines {
        env: TestEnv::new(),
    };
    let disk = disk.to_str().unwrap();
    let shared = m.env.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    // The guest user (uid 1000) writes here although the host user is root.
    std::fs::set_permissions(&shared, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let volume = format!("{}:/mnt/shared", shared.display());
    m.ok(&[
        "machine",
        "init",
        "--image",
        disk,
        "--disk-size",
        "10",
        "--cpus",
        "1",
        "--memory",
        "1024",
        "-v",
        &volume,
        "m2",
    ]);
    // A user-supplied Ignition file (m2's own: it grants berth's key).
    let ignition = m.env.path().join("user.ign");
    std::fs::copy(m.env.data.join("berth/machines/m2/m2.ign"), &ignition).unwrap();
    m.ok(&[
        "machine",
        "init",
        "--image",
        disk,
        "--disk-size",
        "10",
        "--cpus",
        "1",
        "--memory",
        "1024",
        // A volume whose host directory is missing: a warning, no failure.
        "-v",
        "/nonexistent/berth-missing:/mnt/missing",
        "--ignition-path",
        ignition.to_str().unwrap(),
        "m3",
    ]);
    let inspect: serde_json::Value =
        serde_json::from_str(&m.ok(&["machine", "inspect", "m3"])).unwrap();
    assert_eq!(inspect[0]["State"], "stopped");

    // m2 alone.
    let started = std::time::Instant::now();
    let out = m.ok(&["machine", "start", "--no-info", "m2"]);
    assert!(out.contains("Machine \"m2\" started successfully"), "{out}");
    eprintln!("m2 booted in {:?}", started.elapsed());
    let sockets = [
        m.runtime("m2").join("api.sock"),
        m.runtime("m3").join("api.sock"),
    ];
    let ping = |socket: &Path| {
        http(
            socket,
            "GET /v4.0.0/libpod/_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
        )
    };
    let answer = ping(&sockets[0]);
    assert!(answer.ends_with("OK"), "{answer}");

    // An image in m2 (podman's client on the API socket).
    let url = format!("unix://{}", sockets[0].display());
    let tar = common::podman::busybox_tar(m.env.path());
    import_busybox(&url, &tar, "[\"/bin/sh\"]", "localhost/busybox:test");

    // Volumes, both ways, with the host user's ownership (berth's client).
    let berth_m2 = |args: &[&str]| m.ok(&[&["-c", "m2"], args].concat());
    check_volume(&m, "m2", "9p", &shared, "/mnt/shared", &berth_m2);

    // machine cp both ways.
    let local = m.env.path().join("cp-source");
    std::fs::write(&local, "copied\n").unwrap();
    let out = m.berth(&[
        "machine",
        "cp",
        "-q",
        local.to_str().unwrap(),
        "m2:/tmp/cp-target",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    assert_eq!(text(&out.stdout), "");
    let fetched = m.env.path().join("cp-back");
    m.ok(&[
        "machine",
        "cp",
        "m2:/tmp/cp-target",
        fetched.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&fetched).unwrap(), "copied\n");
    let err = m.fails(&["machine", "cp", "/a", "/b"]);
    assert!(err.contains("MACHINE:PATH"), "{err}");

    // A published port: on the host's localhost soon after the container
    // starts, gone when it stops.
    let port = free_tcp_port();
    let publish = format!("{port}:80");
    let started = std::time::Instant::now();
    m.ok(&[
        "-c",
        "m2",
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &publish,
        "localhost/busybox:test",
        "sh",
        "-c",
        "echo hello from the guest > /tmp/index.html && exec busybox httpd -f -p 80 -h /tmp",
    ]);
    let run_returned = started.elapsed();
    let appeared = wait_until(std::time::Duration::from_secs(20), || {
        http_get(port).is_some_and(|body| body.contains("hello from the guest"))
    });
    eprintln!("port {port}: `run -d` took {run_returned:?}, then reachable after {appeared:?}");
    assert!(appeared.is_some(), "port {port} never forwarded");
    // A host port another program holds: `run` warns on stderr (the
    // container runs), and the agent's events say it too.
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = squatter.local_addr().unwrap().port();
    let out = m.berth(&[
        "-c",
        "m2",
        "run",
        "-d",
        "--name",
        "squatted",
        "-p",
        &format!("{taken}:80"),
        "localhost/busybox:test",
        "sleep",
        "600",
    ]);
    assert!(out.status.success(), "{}", describe(&out));
    let warning = format!(
        "port 127.0.0.1:{taken}/tcp of container squatted is not forwarded to the host: \
         127.0.0.1:{taken} is already in use by another program on the host"
    );
    assert!(text(&out.stderr).contains(&warning), "{}", describe(&out));
    let events = std::fs::read_to_string(m.runtime("m2").join("events.jsonl")).unwrap();
    assert!(events.contains(&warning), "{events}");
    m.ok(&["-c", "m2", "rm", "-f", "-t", "0", "squatted"]);
    m.ok(&["-c", "m2", "stop", "-t", "0", "web"]);
    let gone = wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err()
    });
    eprintln!("port {port}: closed {gone:?} after `stop` returned");
    assert!(gone.is_some(), "port {port} still forwarded after stop");
    m.ok(&["-c", "m2", "rm", "web"]);

    // Ports of pods and of `kube play`: their infra container publishes
    // them. The test guest has no catatonit for podman's own pause image,
    // so the infra image is a sleeping busybox, named in the guest user's
    // containers.conf (read by the next service the podman socket starts;
    // the agent's event stream follows it there).
    import_busybox(
        &url,
        &tar,
        "[\"/bin/sleep\", \"1000000\"]",
        "localhost/pause:test",
    );
    m.ok(&[
        "machine",
        "ssh",
        "m2",
        "mkdir -p ~/.config/containers && \
         printf '[engine]\\ninfra_image = \"localhost/pause:test\"\\n' > ~/.config/containers/containers.conf && \
         systemctl --user stop podman.service",
    ]);
    let serve = |text: &str| {
        format!("echo {text} > /tmp/index.html && exec /bin/busybox httpd -f -p 80 -h /tmp")
    };
    let pod_port = free_tcp_port();
    m.ok(&[
        "-c",
        "m2",
        "pod",
        "create",
        "--name",
        "shop",
        "-p",
        &format!("{pod_port}:80"),
        "-p",
        &format!("{taken}:81"),
    ]);
    let out = m.berth(&["-c", "m2", "pod", "start", "shop"]);
    assert!(out.status.success(), "{}", describe(&out));
    let warning = format!(
        "port 127.0.0.1:{taken}/tcp of pod shop is not forwarded to the host: \
         127.0.0.1:{taken} is already in use by another program on the host"
    );
    assert!(text(&out.stderr).contains(&warning), "{}", describe(&out));
    m.ok(&[
        "-c",
        "m2",
        "run",
        "-d",
        "--pod",
        "shop",
        "localhost/busybox:test",
        "sh",
        "-c",
        &serve("hello from a pod"),
    ]);
    let appeared = wait_until(std::time::Duration::from_secs(20), || {
        http_get(pod_port).is_some_and(|body| body.contains("hello from a pod"))
    });
    eprintln!("pod port {pod_port}: reachable after {appeared:?}");
    assert!(appeared.is_some(), "pod port {pod_port} never forwarded");
    m.ok(&["-c", "m2", "pod", "rm", "-f", "-t", "0", "shop"]);
    let gone = wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", pod_port)).is_err()
    });
    assert!(
        gone.is_some(),
        "pod port {pod_port} still forwarded after pod rm"
    );

    let kube_port = free_tcp_port();
    let kube_yaml = m.env.path().join("kshop.yaml");
    std::fs::write(
        &kube_yaml,
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kshop\nspec:\n  containers:\n  \
             - name: web\n    image: localhost/busybox:test\n    \
             command: [\"/bin/sh\", \"-c\", \"{}\"]\n    ports:\n    \
             - containerPort: 80\n      hostPort: {kube_port}\n    \
             - containerPort: 81\n      hostPort: {taken}\n",
            serve("hello from kube")
        ),
    )
    .unwrap();
    let kube_yaml = kube_yaml.to_str().unwrap();
    let out = m.berth(&["-c", "m2", "kube", "play", kube_yaml]);
    assert!(out.status.success(), "{}", describe(&out));
    let warning = warning.replace("pod shop", "pod kshop");
    assert!(text(&out.stderr).contains(&warning), "{}", describe(&out));
    let appeared = wait_until(std::time::Duration::from_secs(20), || {
        http_get(kube_port).is_some_and(|body| body.contains("hello from kube"))
    });
    eprintln!("kube play port {kube_port}: reachable after {appeared:?}");
    assert!(
        appeared.is_some(),
        "kube play port {kube_port} never forwarded"
    );
    m.ok(&["-c", "m2", "kube", "down", kube_yaml]);
    let gone = wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", kube_port)).is_err()
    });
    assert!(
        gone.is_some(),
        "kube port {kube_port} still forwarded after kube down"
    );
    drop(squatter);

    // The guest clock after QEMU was frozen for 30 s. An emulated guest's
    // clock follows the host's through a freeze, so the guest's clock is
    // also set 90 s back first: the agent must notice the resume and step it.
    let qemu = read_pid(&m.runtime("m2").join("qemu.pid"));
    let (offset, error) = m
        .guest_clock_offset("m2")
        .expect("reading the guest's clock");
    eprintln!("guest clock before the freeze: {offset:+.3} s (+-{error:.3} s)");
    assert!(
        offset.abs() + error < 2.0,
        "{offset:+.3} s (+-{error:.3} s)"
    );
    m.ok(&[
        "machine",
        "ssh",
        "m2",
        "sudo -n date -u -s @$(( $(date +%s) - 90 )) >/dev/null",
    ]);
    unsafe { libc::kill(qemu as i32, libc::SIGSTOP) };
    std::thread::sleep(std::time::Duration::from_secs(30));
    unsafe { libc::kill(qemu as i32, libc::SIGCONT) };
    let resumed = std::time::Instant::now();
    let resumed_at = std::time::SystemTime::now();
    // Within 2 s of the host's (the true offset, the reading's own error
    // counted against it).
    let (mut offset, mut error) = (f64::NAN, f64::NAN);
    let corrected = wait_until(std::time::Duration::from_secs(60), || {
        let Some(reading) = m.guest_clock_offset("m2") else {
            return false;
        };
        (offset, error) = reading;
        offset.abs() + error < 2.0
    });
    eprintln!(
        "guest clock after a 30 s freeze: within 2 s after {corrected:?} \
         (offset {offset:+.3} s +-{error:.3} s); {:?} since SIGCONT",
        resumed.elapsed()
    );
    let agent_log =
        std::fs::read_to_string(m.env.data.join("berth/machines/m2/agent.log")).unwrap_or_default();
    // The agent's log from the freeze on (how it noticed and what it did).
    let frozen_at =
        chrono::DateTime::<chrono::Utc>::from(resumed_at - std::time::Duration::from_secs(31))
            .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    for line in agent_log
        .lines()
        .filter(|line| line.split_whitespace().next() >= Some(frozen_at.as_str()))
        .take(20)
    {
        eprintln!("  agent: {line}");
    }
    assert!(
        corrected.is_some(),
        "the guest clock is {offset:+.3} s (+-{error:.3} s) off"
    );
    // The agent stepped it (the issue: within 10 s of the resume).
    let stepped = agent_log
        .lines()
        .filter(|line| line.contains("clock was") && line.contains("corrected"))
        .filter_map(|line| line.split_whitespace().next())
        .filter_map(|time| chrono::DateTime::parse_from_rfc3339(time).ok())
        .map(std::time::SystemTime::from)
        .find(|time| *time >= resumed_at - std::time::Duration::from_secs(1));
    let stepped = stepped.expect("the agent did not correct the guest clock after the freeze");
    let after = stepped.duration_since(resumed_at).unwrap_or_default();
    eprintln!("the agent corrected the guest clock {after:?} after SIGCONT");
    assert!(after < std::time::Duration::from_secs(10), "{after:?}");

    // The SSH session dropped (every sshd in the guest killed and sshd
    // restarted): the forwarder reconnects and the next request works.
    m.ok(&[
        "machine",
        "ssh",
        "m2",
        "sudo -n systemd-run --quiet --on-active=1 /bin/sh -c 'pkill sshd; systemctl restart ssh'",
    ]);
    std::thread::sleep(std::time::Duration::from_secs(3));
    let reconnected = wait_until(std::time::Duration::from_secs(120), || {
        try_http(
            &sockets[0],
            "GET /v4.0.0/libpod/_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
        )
        .is_ok_and(|answer| answer.ends_with("OK"))
    });
    eprintln!("API usable again {reconnected:?} after sshd was restarted");
    assert!(reconnected.is_some());

    // m3 beside m2: each machine has its own socket and SSH port.
    let started = std::time::Instant::now();
    let out = m.berth(&["machine", "start", "--no-info", "m3"]);
    assert!(
        text(&out.stdout).contains("Machine \"m3\" started successfully"),
        "{}",
        describe(&out)
    );
    assert!(
        text(&out.stderr).contains(
            "Warning: volume /nonexistent/berth-missing:/mnt/missing is not mounted: \
             /nonexistent/berth-missing is not a directory on this host"
        ),
        "{}",
        describe(&out)
    );
    eprintln!("m3 booted beside m2 in {:?}", started.elapsed());
    for socket in &sockets {
        let answer = ping(socket);
        assert!(answer.ends_with("OK"), "{answer}");
    }
    let running = m.ok(&["machine", "list", "--format", "{{.Name}} {{.Running}}"]);
    // The most recently started first, as podman lists them.
    assert_eq!(running.trim(), "m3 true\nm2 true");

    // m3's host key was pinned at its first start, and every SSH berth makes
    // checks it: `machine ssh`, and NAME-root over real SSH.
    let known_hosts =
        std::fs::read_to_string(m.env.data.join("berth/machines/m3/known_hosts")).unwrap();
    assert!(known_hosts.contains(" ssh-ed25519 "), "{known_hosts}");
    assert_eq!(m.ok(&["machine", "ssh", "m3", "id -un"]).trim(), "core");
    let version = m.ok(&[
        "-c",
        "m3-root",
        "version",
        "--format",
        "{{.Server.Version}}",
    ]);
    assert!(!version.trim().is_empty());
    let version = m.ok(&[
        "-c",
        "m2-root",
        "version",
        "--format",
        "{{.Server.Version}}",
    ]);
    assert!(!version.trim().is_empty());
    assert!(
        !m.env.home.join(".ssh/known_hosts").exists(),
        "berth must not touch ~/.ssh/known_hosts for machines"
    );
    // A different key pinned for m2: SSH to m2-root is refused.
    let m2_known = m.env.data.join("berth/machines/m2/known_hosts");
    let pinned = std::fs::read_to_string(&m2_known).unwrap();
    let m3_key = known_hosts
        .split_whitespace()
        .skip(1)
        .collect::<Vec<_>>()
        .join(" ");
    let port = pinned.split_whitespace().next().unwrap().to_string();
    if !pinned.contains(&m3_key) {
        std::fs::write(&m2_known, format!("{port} {m3_key}\n")).unwrap();
        let err = m.fails(&["-c", "m2-root", "version"]);
        assert!(err.contains("has changed"), "{err}");
        std::fs::write(&m2_known, &pinned).unwrap();
    }

    // kill -9 of QEMU: the machine lists as stopped, the agent cleans up.
    let qemu3 = read_pid(&m.runtime("m3").join("qemu.pid"));
    let agent3 = read_pid(&m.runtime("m3").join("agent.pid"));
    unsafe { libc::kill(qemu3 as i32, libc::SIGKILL) };
    let stopped = wait_until(std::time::Duration::from_secs(2), || {
        m.state("m3") == "stopped"
    });
    eprintln!("m3 listed as stopped {stopped:?} after kill -9 of its QEMU");
    assert!(stopped.is_some());
    assert!(wait_until(std::time::Duration::from_secs(10), || !pid_alive(agent3)).is_some());
    m.assert_nothing_running("m3");

    // kill -9 of the agent: QEMU runs on without it (degraded); two
    // concurrent starts: one recovers the machine, the other is refused.
    let agent2 = read_pid(&m.runtime("m2").join("agent.pid"));
    unsafe { libc::kill(agent2 as i32, libc::SIGKILL) };
    assert!(wait_until(std::time::Duration::from_secs(10), || !pid_alive(agent2)).is_some());
    assert_eq!(m.state("m2"), "degraded");
    assert!(
        m.runtime("m2").join("api.sock").exists(),
        "stale socket expected"
    );
    let outs = std::thread::scope(|scope| {
        let first = scope.spawn(|| m.berth(&["machine", "start", "--no-info", "m2"]));
        let second = scope.spawn(|| m.berth(&["machine", "start", "--no-info", "m2"]));
        [first.join().unwrap(), second.join().unwrap()]
    });
    let winners = outs.iter().filter(|out| out.status.success()).count();
    assert_eq!(winners, 1, "{}\n{}", describe(&outs[0]), describe(&outs[1]));
    let loser = outs.iter().find(|out| !out.status.success()).unwrap();
    assert_eq!(loser.status.code(), Some(125), "{}", describe(loser));
    assert!(
        text(&loser.stderr).contains("already"),
        "{}",
        describe(loser)
    );
    assert!(!pid_alive(qemu), "the orphaned QEMU {qemu} still runs");
    assert_eq!(m.state("m2"), "running");
    let answer = ping(&sockets[0]);
    assert!(answer.ends_with("OK"), "{answer}");

    // set: refused while running; on the stopped machine, resources grow
    // and --rootful moves the default connection.
    let err = m.fails(&["machine", "set", "--cpus", "2", "m2"]);
    assert!(err.contains("while it is running"), "{err}");
    let qemu = read_pid(&m.runtime("m2").join("qemu.pid"));
    m.ok(&["machine", "stop", "m2"]);
    assert!(!pid_alive(qemu));
    m.assert_nothing_running("m2");
    assert_eq!(m.connections()["Connection"]["Default"], "m2");
    m.ok(&[
        "machine",
        "set",
        "--cpus",
        "2",
        "--memory",
        "1200",
        "--disk-size",
        "12",
        "--rootful",
        "m2",
    ]);
    let err = m.fails(&["machine", "set", "--disk-size", "11", "m2"]);
    assert!(err.contains("larger than the current disk size"), "{err}");
    let inspect: serde_json::Value =
        serde_json::from_str(&m.ok(&["machine", "inspect", "m2"])).unwrap();
    assert_eq!(inspect[0]["Resources"]["CPUs"], 2);
    assert_eq!(inspect[0]["Resources"]["Memory"], 1200);
    assert_eq!(inspect[0]["Resources"]["DiskSize"], 12);
    assert_eq!(inspect[0]["Rootful"], true);
    let info = Command::new("qemu-img")
        .args(["info", "--output", "json"])
        .arg(m.env.data.join("berth/machines/m2/m2.qcow2"))
        .output()
        .unwrap();
    let info: serde_json::Value = serde_json::from_slice(&info.stdout).unwrap();
    assert_eq!(info["virtual-size"], 12u64 << 30);
    assert_eq!(m.connections()["Connection"]["Default"], "m2-root");
    m.ok(&["machine", "set", "--rootful=false", "m2"]);
    assert_eq!(m.connections()["Connection"]["Default"], "m2");

    // reset: asks first; -f removes every machine and berth's machine data.
    let out = m.berth_input(&["machine", "reset"], "n\n");
    assert!(out.status.success(), "{}", describe(&out));
    assert!(text(&out.stdout).contains("m2\nm3"), "{}", describe(&out));
    assert_eq!(m.ok(&["machine", "list", "-q"]), "m2\nm3\n");
    m.ok(&["machine", "reset", "-f"]);
    assert_eq!(m.ok(&["machine", "list", "-q"]), "");
    assert!(!m.env.data.join("berth").exists());
    assert!(!m.env.config.join("berth/machines").exists());
    let connections = m.connections();
    assert_eq!(
        connections["Connection"]["Connections"]
            .as_object()
            .map_or(0, |c| c.len()),
        0,
        "{connections}"
    );
}
