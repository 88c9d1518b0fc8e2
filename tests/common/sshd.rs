//! A real OpenSSH sshd for one test: a free loopback port, its own config,
//! host key and authorized key (generated here), `AllowStreamLocalForwarding
//! yes` so clients can reach unix sockets; stopped by pid on drop.

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::process::ChildGuard;

pub struct Sshd {
    guard: Option<ChildGuard>,
    pub dir: tempfile::TempDir,
    pub port: u16,
    /// The login user (the user running the tests).
    pub user: String,
    /// A private key that sshd accepts.
    pub client_key: PathBuf,
}

/// Generates an unencrypted ed25519 key pair at `path` (+ `.pub`).
pub fn keygen(path: &Path) {
    let status = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", "berth-test", "-f"])
        .arg(path)
        .stdin(Stdio::null())
        .status()
        .expect("running ssh-keygen");
    assert!(status.success(), "ssh-keygen failed");
}

fn current_user() -> String {
    let out = Command::new("id")
        .arg("-un")
        .output()
        .expect("running id -un");
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().expect("local addr").port()
}

impl Sshd {
    /// Starts sshd on a free port with a fresh host key.
    pub fn start() -> Self {
        Self::start_on(free_port())
    }

    /// A free loopback port for [`Sshd::start_with`].
    pub fn free_port() -> u16 {
        free_port()
    }

    /// Starts sshd on `port` with a fresh host key (a second server on a
    /// port the client has seen before presents a changed key).
    pub fn start_on(port: u16) -> Self {
        Self::start_with(port, "")
    }

    /// Starts sshd on `port` with `extra` lines appended to its config
    /// (e.g. a `ForceCommand` standing in for the remote podman).
    pub fn start_with(port: u16, extra: &str) -> Self {
        let dir = tempfile::Builder::new()
            .prefix("bs")
            .tempdir_in("/tmp")
            .expect("creating sshd's temp dir");
        let host_key = dir.path().join("host_ed25519");
        keygen(&host_key);
        let client_key = dir.path().join("client_ed25519");
        keygen(&client_key);
        std::fs::copy(
            client_key.with_extension("pub"),
            dir.path().join("authorized_keys"),
        )
        .expect("writing authorized_keys");
        // sshd's privilege separation needs this directory. Note that
        // `AllowTcpForwarding no` would also deny direct-streamlocal
        // channels (OpenSSH grants both through the same permission).
        std::fs::create_dir_all("/run/sshd").expect("creating /run/sshd");
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {host}\nPidFile none\n\
                 AuthorizedKeysFile {dir}/authorized_keys\nStrictModes no\nUsePAM no\n\
                 PasswordAuthentication no\nKbdInteractiveAuthentication no\n\
                 PubkeyAuthentication yes\nPermitRootLogin prohibit-password\n\
                 AllowStreamLocalForwarding yes\nX11Forwarding no\n\
                 LogLevel VERBOSE\n{extra}",
                host = host_key.display(),
                dir = dir.path().display(),
            ),
        )
        .expect("writing sshd_config");
        let log = std::fs::File::create(dir.path().join("sshd.log")).expect("sshd log");
        let mut command = Command::new("/usr/sbin/sshd");
        command
            .arg("-f")
            .arg(&config)
            .args(["-D", "-e"])
            .stdout(Stdio::null())
            .stderr(log);
        let guard = ChildGuard::spawn("sshd", &mut command);
        let mut sshd = Sshd {
            guard: Some(guard),
            dir,
            port,
            user: current_user(),
            client_key,
        };
        sshd.wait_ready();
        sshd
    }

    fn wait_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(mut stream) = TcpStream::connect(("127.0.0.1", self.port)) {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                let mut banner = [0u8; 8];
                if stream.read_exact(&mut banner).is_ok() && banner.starts_with(b"SSH-2.0") {
                    return;
                }
            }
            if let Some(guard) = self.guard.as_mut() {
                if let Ok(Some(status)) = guard.child.try_wait() {
                    panic!("sshd exited with {status}: {}", self.log());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("sshd did not answer: {}", self.log());
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("sshd.log")).unwrap_or_default()
    }

    /// `ssh://USER@127.0.0.1:PORT/SOCKET`
    pub fn uri(&self, socket: &Path) -> String {
        format!(
            "ssh://{}@127.0.0.1:{}{}",
            self.user,
            self.port,
            socket.display()
        )
    }

    /// The server's host public key line (`ssh-ed25519 AAAA... comment`).
    pub fn host_public_key(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("host_ed25519.pub")).expect("host key")
    }

    /// Stops sshd now (its port becomes free for another one).
    pub fn stop(&mut self) {
        self.guard.take();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.stop();
    }
}

/// An ssh-agent on its own socket, stopped by pid on drop.
pub struct SshAgent {
    _guard: ChildGuard,
    pub socket: PathBuf,
}

impl SshAgent {
    pub fn start(dir: &Path) -> Self {
        let socket = dir.join("agent.sock");
        let mut command = Command::new("ssh-agent");
        command
            .arg("-D")
            .arg("-a")
            .arg(&socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let guard = ChildGuard::spawn("ssh-agent", &mut command);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !socket.exists() {
            assert!(
                Instant::now() < deadline,
                "ssh-agent did not create its socket"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        SshAgent {
            _guard: guard,
            socket,
        }
    }

    /// Loads `key` into the agent.
    pub fn add(&self, key: &Path) {
        let status = Command::new("ssh-add")
            .arg(key)
            .env("SSH_AUTH_SOCK", &self.socket)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("running ssh-add");
        assert!(status.success(), "ssh-add failed");
    }
}
