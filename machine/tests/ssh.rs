//! The pinned SSH session against a real OpenSSH sshd on a loopback port:
//! host-key pinning, key rejection, forwarding a unix socket (bytes and a real
//! podman service's `_ping`), reconnecting after the session drops, and
//! channels opened ahead of the connections that take them.

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use berth_machine::ssh::keys;
use berth_machine::ssh::preopen::Preopened;
use berth_machine::ssh::splice::splice_channel;
use berth_machine::ssh::{GuestStream, KeptSession, Session, SshError, SshTarget};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A real sshd on 127.0.0.1 with its own host key, killed (with its
/// per-connection children) on drop.
struct Sshd {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
    host_key: russh::keys::PrivateKey,
    user_key: Arc<russh::keys::PrivateKey>,
}

fn sshd_binary() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/sbin/sshd");
    path.exists().then_some(path)
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Sshd {
    fn start() -> Option<Sshd> {
        let binary = sshd_binary()?;
        // SAFETY: getuid cannot fail.
        if unsafe { libc::getuid() } != 0 {
            eprintln!("skipping: sshd needs root here");
            return None;
        }
        std::fs::create_dir_all("/run/sshd").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let host_key = keys::generate_ed25519("host").unwrap();
        let host_key_path = dir.path().join("host_key");
        std::fs::write(&host_key_path, keys::private_openssh(&host_key).unwrap()).unwrap();
        set_mode(&host_key_path, 0o600);
        let user_key = keys::generate_ed25519("user").unwrap();
        let authorized = dir.path().join("authorized_keys");
        std::fs::write(
            &authorized,
            keys::public_openssh(user_key.public_key()).unwrap() + "\n",
        )
        .unwrap();
        let port = free_port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nAuthorizedKeysFile {}\n\
                 StrictModes no\nAllowStreamLocalForwarding yes\nPasswordAuthentication no\n\
                 KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nUsePAM no\n\
                 PidFile none\nLogLevel INFO\n",
                host_key_path.display(),
                authorized.display(),
            ),
        )
        .unwrap();
        Some(Sshd {
            child: launch(&binary, &config),
            port,
            dir,
            host_key,
            user_key: Arc::new(user_key),
        })
    }

    fn target(&self) -> SshTarget {
        SshTarget {
            addr: SocketAddr::from(([127, 0, 0, 1], self.port)),
            user: "root".into(),
            key: self.user_key.clone(),
            pinned_host_key: Some(self.host_key.public_key().clone()),
        }
    }

    /// Kills the per-connection sshd processes (dropping every session) and
    /// the listener, then starts a new listener on the same port.
    fn restart(&mut self) {
        self.kill_all();
        self.child = launch(
            &sshd_binary().unwrap(),
            &self.dir.path().join("sshd_config"),
        );
    }

    fn kill_all(&mut self) {
        let pid = self.child.id();
        let children =
            std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).unwrap_or_default();
        for child in children.split_whitespace() {
            if let Ok(child) = child.parse::<i32>() {
                // SAFETY: signalling a child of the sshd this test started.
                unsafe { libc::kill(child, libc::SIGKILL) };
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        self.kill_all();
    }
}

/// Runs sshd in the foreground and returns once it says it is listening.
fn launch(binary: &Path, config: &Path) -> Child {
    let mut child = Command::new(binary)
        .arg("-f")
        .arg(config)
        .args(["-D", "-e"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "sshd exited early"
        );
        if line.contains("Server listening") {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut sink = String::new();
        while stderr.read_line(&mut sink).unwrap_or(0) > 0 {
            sink.clear();
        }
    });
    child
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// A unix socket server that echoes every connection, uppercased.
fn echo_server(path: &Path) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::UnixListener::bind(path).unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0u8; 65536];
                loop {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => {
                            buf[..n].make_ascii_uppercase();
                            if stream.write_all(&buf[..n]).await.is_err() {
                                break;
                            }
                        }
                    }
                }
            });
        }
    })
}

async fn roundtrip(kept: &KeptSession, socket: &Path, payload: &[u8]) -> Vec<u8> {
    let mut stream = kept
        .open_streamlocal(socket.to_str().unwrap())
        .await
        .map(GuestStream::new)
        .unwrap();
    stream.write_all(payload).await.unwrap();
    let mut got = vec![0u8; payload.len()];
    stream.read_exact(&mut got).await.unwrap();
    got
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pinned_session_forwards_and_reconnects() {
    let Some(sshd) = Sshd::start() else {
        eprintln!("skipping: no sshd");
        return;
    };
    let socket = sshd.dir.path().join("echo.sock");
    let _echo = echo_server(&socket);

    let kept = KeptSession::new(sshd.target());
    let payload: Vec<u8> = (0..300_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let got = roundtrip(&kept, &socket, &payload).await;
    assert_eq!(got, payload.to_ascii_uppercase());

    // Several channels at once over the one session.
    let first = kept.get().await.unwrap();
    let mut tasks = Vec::new();
    let kept = Arc::new(kept);
    for i in 0..8u8 {
        let kept = kept.clone();
        let socket = socket.clone();
        tasks.push(tokio::spawn(async move {
            let payload = vec![b'a' + i; 10_000];
            assert_eq!(
                roundtrip(&kept, &socket, &payload).await,
                payload.to_ascii_uppercase()
            );
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert!(
        Arc::ptr_eq(&first, &kept.get().await.unwrap()),
        "one session for all"
    );

    // Drop every session: the next request reconnects by itself.
    let mut sshd = sshd;
    sshd.restart();
    tokio::time::timeout(Duration::from_secs(20), first.closed())
        .await
        .expect("the session notices the drop");
    let got = roundtrip(&kept, &socket, b"again").await;
    assert_eq!(got, b"AGAIN");
    assert!(!Arc::ptr_eq(&first, &kept.get().await.unwrap()));

    // exec works over the pinned session too.
    let (status, out) = kept
        .get()
        .await
        .unwrap()
        .exec("echo hi; exit 3")
        .await
        .unwrap();
    assert_eq!((status, out.as_slice()), (3, b"hi\n".as_slice()));
    drop(sshd);
}

/// A unix socket server that numbers its connections from 1 and answers
/// each message with `N:MESSAGE` uppercased; it closes every connection
/// numbered up to the value sent on the returned watch.
fn numbering_server(
    path: &Path,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
) -> (
    tokio::task::JoinHandle<()>,
    tokio::sync::watch::Sender<usize>,
) {
    let listener = tokio::net::UnixListener::bind(path).unwrap();
    let (close_upto, closing) = tokio::sync::watch::channel(0usize);
    let server = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let number = accepted.fetch_add(1, std::sync::atomic::Ordering::SeqCst) + 1;
            let mut closing = closing.clone();
            tokio::spawn(async move {
                let mut buf = vec![0u8; 1024];
                loop {
                    tokio::select! {
                        read = stream.read(&mut buf) => match read {
                            Ok(0) | Err(_) => break,
                            Ok(n) => {
                                let reply = format!("{number}:{}", String::from_utf8_lossy(&buf[..n]).to_uppercase());
                                if stream.write_all(reply.as_bytes()).await.is_err() {
                                    break;
                                }
                            }
                        },
                        _ = async { closing.wait_for(|upto| *upto >= number).await.is_ok() } => break,
                    }
                }
            });
        }
    });
    (server, close_upto)
}

/// Waits up to 20 s for `condition`.
async fn eventually(what: &str, condition: impl Fn() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
    while !condition() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

async fn ask(channels: &Preopened, message: &str) -> String {
    let mut stream = channels.open().await.unwrap();
    stream.write_all(message.as_bytes()).await.unwrap();
    let mut reply = vec![0u8; 64];
    let n = stream.read(&mut reply).await.unwrap();
    String::from_utf8_lossy(&reply[..n]).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preopened_channel_serves_the_next_connection_and_a_dead_one_is_replaced() {
    use std::sync::atomic::Ordering;
    let Some(mut sshd) = Sshd::start() else {
        eprintln!("skipping: no sshd");
        return;
    };
    let socket = sshd.dir.path().join("numbered.sock");
    let accepted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (_server, close_upto) = numbering_server(&socket, accepted.clone());
    let kept = Arc::new(KeptSession::new(sshd.target()));
    let channels = Preopened::new(kept.clone(), socket.to_str().unwrap().to_string());
    let keeper = tokio::spawn(channels.clone().keep_spare());

    // Before any connection asks, one channel is open and waiting.
    eventually("a spare channel", || channels.spare_ready()).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 1);
    // The next connection gets it (connection 1), and the next spare opens.
    assert_eq!(ask(&channels, "a").await, "1:A");
    eventually("the next spare", || channels.spare_ready()).await;
    assert_eq!(accepted.load(Ordering::SeqCst), 2);

    // The service closes the idle spare: it is dropped, never handed over,
    // and a new one takes its place.
    close_upto.send(2).unwrap();
    eventually("the closed spare noticed", || !channels.spare_ready()).await;
    eventually("a new spare", || channels.spare_ready()).await;
    assert_eq!(ask(&channels, "b").await, "3:B");

    // The session drops under a waiting spare: the next connection gets a
    // channel on a new session.
    eventually("the next spare", || channels.spare_ready()).await;
    let first = kept.get().await.unwrap();
    sshd.restart();
    tokio::time::timeout(Duration::from_secs(20), first.closed())
        .await
        .expect("the session notices the drop");
    let reply = ask(&channels, "c").await;
    assert!(reply.ends_with(":C") && reply != "4:C", "{reply}");
    keeper.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_still_sending_when_the_service_hangs_up_is_disconnected() {
    let Some(sshd) = Sshd::start() else {
        eprintln!("skipping: no sshd");
        return;
    };
    // Like an HTTP service refusing a request: read a little, answer, close.
    let socket = sshd.dir.path().join("refusing.sock");
    let listener = tokio::net::UnixListener::bind(&socket).unwrap();
    let _server = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = vec![0u8; 1024];
        let _ = stream.read(&mut head).await;
        let _ = stream.write_all(b"refused").await;
    });
    let kept = KeptSession::new(sshd.target());
    let remote = kept
        .open_streamlocal(socket.to_str().unwrap())
        .await
        .map(GuestStream::new)
        .unwrap();
    let (client, mut local) = tokio::net::UnixStream::pair().unwrap();
    let splicing = tokio::spawn(async move { splice_channel(&mut local, remote).await });
    let (mut client_read, mut client_write) = client.into_split();
    // Far more than the channel's window and the sockets' buffers.
    let sending = tokio::spawn(async move {
        let chunk = vec![0u8; 65536];
        for _ in 0..1024 {
            if client_write.write_all(&chunk).await.is_err() {
                return true;
            }
        }
        false
    });
    let failed = tokio::time::timeout(Duration::from_secs(30), sending)
        .await
        .expect("the client's writes end instead of hanging")
        .unwrap();
    assert!(failed, "the client's connection was closed");
    tokio::time::timeout(Duration::from_secs(30), splicing)
        .await
        .expect("the splice ends")
        .unwrap()
        .unwrap_err();
    // The answer arrives; then the end, or a reset for the unsent bytes.
    let mut answer = Vec::new();
    if let Err(err) = client_read.read_to_end(&mut answer).await {
        assert_eq!(err.kind(), std::io::ErrorKind::ConnectionReset);
    }
    assert_eq!(answer, b"refused");
}

#[tokio::test]
async fn a_changed_host_key_or_unknown_user_key_is_refused() {
    let Some(sshd) = Sshd::start() else {
        eprintln!("skipping: no sshd");
        return;
    };
    let mut target = sshd.target();
    target.pinned_host_key = Some(
        keys::generate_ed25519("other")
            .unwrap()
            .public_key()
            .clone(),
    );
    let err = Session::connect(&target).await.err().unwrap();
    assert!(matches!(err, SshError::HostKeyMismatch { .. }), "{err}");
    assert!(err.to_string().contains("host key has changed"), "{err}");
    assert!(!err.is_transient());

    let mut target = sshd.target();
    target.key = Arc::new(keys::generate_ed25519("stranger").unwrap());
    let err = Session::connect(&target).await.err().unwrap();
    assert!(matches!(err, SshError::AuthRejected { .. }), "{err}");

    // Trust on first use reports the key it saw.
    let mut target = sshd.target();
    target.pinned_host_key = None;
    let session = Session::connect(&target).await.unwrap();
    assert!(keys::same_key(
        session.host_key(),
        sshd.host_key.public_key()
    ));
    // Its steps were timed in order (for the agent's ssh-connected event).
    let timings = session.timings();
    let banner = timings.banner.expect("sshd sent a banner");
    assert!(timings.started <= banner, "{timings:?}");
    assert!(banner <= timings.host_key_verified, "{timings:?}");
    assert!(
        timings.host_key_verified <= timings.authenticated,
        "{timings:?}"
    );

    // Nobody listening: a transient connect error.
    let mut target = sshd.target();
    target.addr.set_port(free_port());
    let err = Session::connect(&target).await.err().unwrap();
    assert!(err.is_transient(), "{err}");
}

#[tokio::test]
async fn forwards_a_real_podman_service() {
    let Some(sshd) = Sshd::start() else {
        eprintln!("skipping: no sshd");
        return;
    };
    if Command::new("podman").arg("--version").output().is_err() {
        eprintln!("skipping: podman not installed");
        return;
    }
    let dir = sshd.dir.path();
    std::fs::write(
        dir.join("containers.conf"),
        "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n[engine]\nruntime = \"runc\"\n",
    )
    .unwrap();
    let socket = dir.join("podman.sock");
    let mut service = Command::new("podman")
        .env("CONTAINERS_CONF", dir.join("containers.conf"))
        .arg("--root")
        .arg(dir.join("root"))
        .arg("--runroot")
        .arg(dir.join("runroot"))
        .args(["system", "service", "--time=0"])
        .arg(format!("unix://{}", socket.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let kept = KeptSession::new(sshd.target());
    // The service creates its socket shortly after starting.
    let mut answer = String::new();
    for _ in 0..100 {
        if socket.exists() {
            let mut stream = kept
                .open_streamlocal(socket.to_str().unwrap())
                .await
                .map(GuestStream::new)
                .unwrap();
            stream
                .write_all(
                    b"GET /v4.0.0/libpod/_ping HTTP/1.1\r\nHost: d\r\nConnection: close\r\n\r\n",
                )
                .await
                .unwrap();
            stream.read_to_string(&mut answer).await.unwrap();
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let _ = service.kill();
    let _ = service.wait();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("OK"), "{answer}");
}
