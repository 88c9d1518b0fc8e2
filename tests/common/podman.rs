//! A real, isolated `podman system service` for one test: its own storage
//! (--root, --runroot, --tmpdir), its own containers.conf (runc, default
//! ulimits, see TESTBED.md, and its own network config directory) and its
//! own socket; stopped by pid on drop.
//! `import_busybox` adds the static busybox image `localhost/busybox:test`.

use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::process::ChildGuard;

/// The image every test can use; build it with [`PodmanService::import_busybox`].
pub const BUSYBOX: &str = "localhost/busybox:test";

const CONTAINERS_CONF: &str = "[containers]\n\
default_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
[engine]\n\
runtime = \"runc\"\n";

pub struct PodmanService {
    /// Kept first so the service is stopped before its directory goes away.
    guard: Option<ChildGuard>,
    pub dir: tempfile::TempDir,
    pub socket: PathBuf,
    pub containers_conf: PathBuf,
}

impl PodmanService {
    /// Starts the service and waits until `_ping` answers.
    pub fn start() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("bp")
            .tempdir_in("/tmp")
            .expect("creating the service's temp dir");
        let containers_conf = dir.path().join("containers.conf");
        // Networks live outside the storage (in /etc/containers/networks
        // by default): give each service its own directory for them.
        let networks = dir.path().join("networks");
        std::fs::create_dir_all(&networks).expect("creating the networks dir");
        let conf = format!(
            "{CONTAINERS_CONF}[network]\nnetwork_config_dir = \"{}\"\n",
            networks.display()
        );
        std::fs::write(&containers_conf, conf).expect("writing containers.conf");
        let socket = dir.path().join("podman.sock");
        let log = std::fs::File::create(dir.path().join("service.log")).expect("service log");
        let mut command = Command::new("podman");
        command
            .args(storage_args(dir.path()))
            .args(["system", "service", "--time=0"])
            .arg(format!("unix://{}", socket.display()))
            .env("CONTAINERS_CONF", &containers_conf)
            .stdout(Stdio::null())
            .stderr(log);
        let guard = ChildGuard::spawn("podman system service", &mut command);
        let mut service = PodmanService {
            guard: Some(guard),
            dir,
            socket,
            containers_conf,
        };
        service.wait_ready();
        service
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if ping(&self.socket) {
                return;
            }
            if let Some(guard) = self.guard.as_mut() {
                if let Ok(Some(status)) = guard.child.try_wait() {
                    panic!("podman system service exited with {status}: {}", self.log());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("podman system service did not answer _ping: {}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("service.log")).unwrap_or_default()
    }

    /// `unix:///.../podman.sock`
    pub fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The reference client: `podman --remote --url unix://SOCK`.
    pub fn podman_remote(&self) -> Command {
        let mut command = Command::new("podman");
        command.arg("--remote").arg("--url").arg(self.url());
        command.env("CONTAINERS_CONF", &self.containers_conf);
        command
    }

    /// Runs the reference client and returns its output.
    pub fn run_podman_remote(&self, args: &[&str]) -> std::process::Output {
        self.podman_remote()
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("running podman --remote")
    }

    /// Imports the static busybox image as [`BUSYBOX`] through the service.
    pub fn import_busybox(&self) {
        let tar = busybox_tar(self.dir.path());
        let out = self
            .podman_remote()
            .args(["import", "--change", "CMD [\"/bin/sh\"]"])
            .arg(tar)
            .arg(BUSYBOX)
            .stdin(Stdio::null())
            .output()
            .expect("running podman import");
        assert!(
            out.status.success(),
            "podman import failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for PodmanService {
    fn drop(&mut self) {
        // Remove containers first so their mounts and conmon processes go.
        let _ = self
            .podman_remote()
            .args(["rm", "-a", "-f", "-t", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        self.guard.take();
        // Unmount whatever the storage still has mounted (overlay layers,
        // shm) so that the directory can be removed.
        unmount_below(self.dir.path());
        let _ = std::fs::remove_dir_all(self.dir.path());
    }
}

fn storage_args(dir: &Path) -> Vec<String> {
    vec![
        "--root".into(),
        dir.join("root").display().to_string(),
        "--runroot".into(),
        dir.join("runroot").display().to_string(),
        "--tmpdir".into(),
        dir.join("tmp").display().to_string(),
    ]
}

/// Lazily unmounts every mount point below `dir`, deepest first.
fn unmount_below(dir: &Path) {
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return;
    };
    let mut points: Vec<&str> = mounts
        .lines()
        .filter_map(|line| line.split_whitespace().nth(1))
        .filter(|point| Path::new(point).starts_with(dir))
        .collect();
    points.sort_by_key(|point| std::cmp::Reverse(point.len()));
    for point in points {
        let _ = Command::new("umount")
            .args(["-l", point])
            .stderr(Stdio::null())
            .status();
    }
}

/// True when `GET /_ping` on `socket` answers 200.
fn ping(socket: &Path) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = UnixStream::connect(socket) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    if stream
        .write_all(b"GET /_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n")
        .is_err()
    {
        return false;
    }
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    answer.starts_with("HTTP/1.1 200")
}

/// Builds a tar of a static busybox root filesystem in `dir`.
pub fn busybox_tar(dir: &Path) -> PathBuf {
    let root = dir.join("busybox-rootfs");
    let bin = root.join("bin");
    std::fs::create_dir_all(&bin).expect("creating the busybox rootfs");
    for extra in ["tmp", "etc", "proc", "sys", "dev"] {
        std::fs::create_dir_all(root.join(extra)).expect("creating rootfs dirs");
    }
    std::fs::copy("/bin/busybox", bin.join("busybox"))
        .expect("copying /bin/busybox (install busybox-static)");
    for applet in [
        "sh", "echo", "cat", "sleep", "ls", "env", "id", "true", "false", "printf", "pwd", "top",
        "ps", "head", "tail", "wc", "stty", "tty", "hostname", "mkdir", "touch",
    ] {
        std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("linking an applet");
    }
    let tar = dir.join("busybox.tar");
    let status = Command::new("tar")
        .arg("-C")
        .arg(&root)
        .arg("-cf")
        .arg(&tar)
        .arg(".")
        .status()
        .expect("running tar");
    assert!(status.success(), "tar failed");
    std::fs::remove_dir_all(&root).expect("removing the busybox rootfs");
    tar
}
