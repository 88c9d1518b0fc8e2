//! A russh client session to a machine's guest whose host key must match the
//! key pinned at `init` (podman turns host-key checking off; berth does not),
//! tuned for forwarding: TCP_NODELAY, keepalives, AES-GCM first. A
//! [`KeptSession`] holds one such session and replaces it after a drop, so
//! every forwarded connection rides one authenticated session.

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex as StdMutex, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use russh::client::{self, Handle};
use russh::keys::{ssh_key, PrivateKey, PrivateKeyWithHashAlg, PublicKey};
use russh::{cipher, ChannelMsg, Preferred};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{watch, Mutex};

use super::keys;
use super::paced::PacedTcpStream;

/// How long without traffic before a keepalive probe, and how many
/// unanswered probes end the session: a minute, since an emulated guest on a
/// busy host can take tens of seconds to answer (a session that breaks
/// outright is noticed at once, by its connection closing).
pub const KEEPALIVE_INTERVAL: Duration = Duration::from_secs(10);
pub const KEEPALIVE_MAX: usize = 6;

/// While no connection attempt has got through, a new one starts this often
/// (at most [`MAX_ATTEMPTS`] at once): a connection that QEMU's user network
/// accepted before the guest had a network hangs, and an emulated guest's
/// sshd may take many seconds to answer one that did get through.
pub const ATTEMPT_STAGGER: Duration = Duration::from_secs(3);
pub const MAX_ATTEMPTS: usize = 4;

/// How long connecting, the SSH handshake and authentication may take:
/// longer than sshd's own limit (OpenSSH's `LoginGraceTime`, 120 s), so that
/// an emulated guest on a busy host is never cut off while it still works.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(150);

/// Errors of SSH sessions to a guest.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("connecting to {addr}: {source}")]
    Connect {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error(
        "the machine's SSH host key has changed: expected {expected}, got {got}; \
         someone may be intercepting the connection, or the machine was re-provisioned \
         (remove and re-init it)"
    )]
    HostKeyMismatch { expected: String, got: String },
    #[error("the guest rejected berth's SSH key for user {user} (key {key})")]
    AuthRejected { user: String, key: String },
    #[error("opening a channel to {target} in the guest: {reason}")]
    Channel { target: String, reason: String },
    #[error("SSH: {0}")]
    Protocol(String),
}

impl From<russh::Error> for SshError {
    fn from(err: russh::Error) -> Self {
        SshError::Protocol(err.to_string())
    }
}

impl SshError {
    /// Whether retrying later may help (the guest is not listening yet, or
    /// the connection dropped), as opposed to a wrong key or host key.
    pub fn is_transient(&self) -> bool {
        matches!(self, SshError::Connect { .. } | SshError::Protocol(_))
    }
}

/// Where and as whom to connect.
#[derive(Clone)]
pub struct SshTarget {
    pub addr: SocketAddr,
    pub user: String,
    pub key: Arc<PrivateKey>,
    /// The pinned host key; `None` trusts the first key seen (for machines
    /// whose Ignition the user supplied), which [`Session::host_key`] reports.
    pub pinned_host_key: Option<PublicKey>,
}

/// berth's russh client settings.
pub fn client_config() -> client::Config {
    client::Config {
        nodelay: true,
        keepalive_interval: Some(KEEPALIVE_INTERVAL),
        keepalive_max: KEEPALIVE_MAX,
        preferred: Preferred {
            cipher: std::borrow::Cow::Borrowed(&[
                cipher::AES_128_GCM,
                cipher::AES_256_GCM,
                cipher::CHACHA20_POLY1305,
            ]),
            key: std::borrow::Cow::Borrowed(&[ssh_key::Algorithm::Ed25519]),
            ..Preferred::default()
        },
        ..client::Config::default()
    }
}

/// When each step of making a session happened (for the agent's events:
/// what of a start's time is the guest's and what is berth's).
#[derive(Debug, Clone, Copy)]
pub struct ConnectTimings {
    /// The connection attempt that became the session began.
    pub started: SystemTime,
    /// The server's first bytes (its SSH banner) arrived.
    pub banner: Option<SystemTime>,
    /// The server proved it holds the host key, and the key was checked.
    pub host_key_verified: SystemTime,
    /// berth's key was accepted.
    pub authenticated: SystemTime,
}

/// A byte stream that notes when its first bytes arrive.
struct FirstRead<S> {
    inner: S,
    at: Arc<OnceLock<SystemTime>>,
}

impl<S: AsyncRead + Unpin> AsyncRead for FirstRead<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.inner).poll_read(cx, buf);
        if buf.filled().len() > before {
            let _ = self.at.set(SystemTime::now());
        }
        poll
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FirstRead<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Checks the server's key against the pin and signals when the session ends.
struct PinnedHandler {
    pinned: Option<PublicKey>,
    /// The server's key and when it was checked.
    seen: Arc<StdMutex<Option<(PublicKey, SystemTime)>>>,
    closed: watch::Sender<bool>,
}

impl client::Handler for PinnedHandler {
    type Error = SshError;

    async fn check_server_key(
        &mut self,
        server: &russh::keys::PublicKeyOrCertificate,
    ) -> Result<bool, SshError> {
        let russh::keys::PublicKeyOrCertificate::PublicKey { key, .. } = server else {
            return Ok(false);
        };
        if let Ok(mut seen) = self.seen.lock() {
            *seen = Some((key.clone(), SystemTime::now()));
        }
        match &self.pinned {
            None => Ok(true),
            Some(pinned) if keys::same_key(pinned, key) => Ok(true),
            Some(pinned) => Err(SshError::HostKeyMismatch {
                expected: keys::fingerprint(pinned),
                got: keys::fingerprint(key),
            }),
        }
    }

    async fn disconnected(
        &mut self,
        _reason: client::DisconnectReason<SshError>,
    ) -> Result<(), SshError> {
        let _ = self.closed.send(true);
        Ok(())
    }
}

/// One authenticated session.
pub struct Session {
    handle: Handle<PinnedHandler>,
    host_key: PublicKey,
    timings: ConnectTimings,
    closed: watch::Receiver<bool>,
}

impl Session {
    /// Connects, checks the host key and authenticates with the target's key.
    ///
    /// Attempts overlap (see [`ATTEMPT_STAGGER`]) instead of being cut off:
    /// the first to authenticate wins and the others are dropped. Fails when
    /// every attempt has failed (with the last error; a wrong key or host
    /// key at once) or after [`HANDSHAKE_TIMEOUT`].
    pub async fn connect(target: &SshTarget) -> Result<Session, SshError> {
        let mut attempts = tokio::task::JoinSet::new();
        let attempt = |attempts: &mut tokio::task::JoinSet<_>| {
            let target = target.clone();
            attempts.spawn(async move { Self::connect_once(&target).await });
        };
        attempt(&mut attempts);
        let mut started = 1;
        let mut stagger = tokio::time::interval(ATTEMPT_STAGGER);
        stagger.tick().await;
        let deadline = tokio::time::sleep(HANDSHAKE_TIMEOUT);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                joined = attempts.join_next() => {
                    let err = match joined {
                        Some(Ok(Ok(session))) => return Ok(session),
                        Some(Ok(Err(err))) => err,
                        Some(Err(err)) => SshError::Protocol(format!("a connection attempt failed: {err}")),
                        None => SshError::Protocol("no connection attempt".into()),
                    };
                    if !err.is_transient() || attempts.is_empty() {
                        return Err(err);
                    }
                }
                _ = stagger.tick(), if started < MAX_ATTEMPTS => {
                    attempt(&mut attempts);
                    started += 1;
                }
                _ = &mut deadline => {
                    return Err(SshError::Connect {
                        addr: target.addr,
                        source: std::io::Error::new(
                            std::io::ErrorKind::TimedOut,
                            format!("no SSH session within {} s", HANDSHAKE_TIMEOUT.as_secs()),
                        ),
                    });
                }
            }
        }
    }

    /// One connection attempt.
    async fn connect_once(target: &SshTarget) -> Result<Session, SshError> {
        let socket = tokio::net::TcpStream::connect(target.addr)
            .await
            .map_err(|source| SshError::Connect {
                addr: target.addr,
                source,
            })?;
        // russh sets TCP_NODELAY only on sockets it opens itself: without
        // it, Nagle holds back small writes (a request after a channel open)
        // until the guest's delayed ACK.
        socket
            .set_nodelay(client_config().nodelay)
            .map_err(|source| SshError::Connect {
                addr: target.addr,
                source,
            })?;
        let socket = PacedTcpStream::new(socket);
        let pacing = socket.pacing();
        let session = Self::connect_stream(target, socket).await?;
        pacing.store(true, Ordering::Relaxed);
        Ok(session)
    }

    /// Like [`Session::connect`] over an already connected byte stream.
    pub async fn connect_stream<S>(target: &SshTarget, stream: S) -> Result<Session, SshError>
    where
        S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    {
        let started = SystemTime::now();
        let banner = Arc::new(OnceLock::new());
        let stream = FirstRead {
            inner: stream,
            at: banner.clone(),
        };
        let seen = Arc::new(StdMutex::new(None));
        let (closed_tx, closed) = watch::channel(false);
        let handler = PinnedHandler {
            pinned: target.pinned_host_key.clone(),
            seen: seen.clone(),
            closed: closed_tx,
        };
        let mut handle = client::connect_stream(Arc::new(client_config()), stream, handler).await?;
        let key = PrivateKeyWithHashAlg::new(target.key.clone(), None);
        let auth = handle.authenticate_publickey(&target.user, key).await?;
        if !auth.success() {
            return Err(SshError::AuthRejected {
                user: target.user.clone(),
                key: keys::fingerprint(target.key.public_key()),
            });
        }
        let authenticated = SystemTime::now();
        let (host_key, host_key_verified) = seen
            .lock()
            .ok()
            .and_then(|seen| seen.clone())
            .ok_or_else(|| SshError::Protocol("the server sent no host key".into()))?;
        Ok(Session {
            handle,
            host_key,
            timings: ConnectTimings {
                started,
                banner: banner.get().copied(),
                host_key_verified,
                authenticated,
            },
            closed,
        })
    }

    /// When the steps of making this session happened.
    pub fn timings(&self) -> ConnectTimings {
        self.timings
    }

    /// The host key the server proved it holds.
    pub fn host_key(&self) -> &PublicKey {
        &self.host_key
    }

    pub fn is_closed(&self) -> bool {
        *self.closed.borrow() || self.handle.is_closed()
    }

    /// Resolves when the session has ended (dropped, timed out, disconnected).
    pub async fn closed(&self) {
        let mut closed = self.closed.clone();
        let _ = closed.wait_for(|closed| *closed).await;
    }

    /// Opens a `direct-streamlocal` channel to a unix socket in the guest
    /// ([`super::GuestStream`] makes it a byte stream).
    pub async fn open_streamlocal(
        &self,
        socket_path: &str,
    ) -> Result<russh::Channel<client::Msg>, SshError> {
        self.handle
            .channel_open_direct_streamlocal(socket_path)
            .await
            .map_err(|err| SshError::Channel {
                target: socket_path.to_string(),
                reason: err.to_string(),
            })
    }

    /// Opens a `direct-tcpip` channel to `host:port` as seen from the guest;
    /// `originator` is the local peer the connection came from.
    pub async fn open_tcpip(
        &self,
        host: &str,
        port: u16,
        originator: SocketAddr,
    ) -> Result<russh::Channel<client::Msg>, SshError> {
        self.handle
            .channel_open_direct_tcpip(
                host,
                u32::from(port),
                originator.ip().to_string(),
                u32::from(originator.port()),
            )
            .await
            .map_err(|err| SshError::Channel {
                target: format!("{host}:{port}"),
                reason: err.to_string(),
            })
    }

    /// Starts `command` in the guest on a new session channel, for a
    /// conversation over its stdin and stdout.
    pub async fn spawn(&self, command: &str) -> Result<russh::Channel<client::Msg>, SshError> {
        let channel =
            self.handle
                .channel_open_session()
                .await
                .map_err(|err| SshError::Channel {
                    target: "a session".into(),
                    reason: err.to_string(),
                })?;
        channel.exec(true, command).await?;
        Ok(channel)
    }

    /// Runs `command` in the guest and returns its exit status and stdout.
    pub async fn exec(&self, command: &str) -> Result<(u32, Vec<u8>), SshError> {
        let mut channel = self.spawn(command).await?;
        let mut stdout = Vec::new();
        let mut status = None;
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => stdout.extend_from_slice(&data),
                ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                _ => {}
            }
        }
        status
            .map(|status| (status, stdout))
            .ok_or_else(|| SshError::Protocol(format!("{command:?} ended without an exit status")))
    }

    /// Ends the session politely.
    pub async fn disconnect(&self) {
        let _ = self
            .handle
            .disconnect(russh::Disconnect::ByApplication, "", "en")
            .await;
    }
}

/// One session kept alive across drops: callers get the current session, or
/// a new one if the last has ended.
pub struct KeptSession {
    target: SshTarget,
    current: Mutex<Option<Arc<Session>>>,
    on_connect: Option<ConnectObserver>,
}

/// Told about every new session of a [`KeptSession`].
type ConnectObserver = Box<dyn Fn(&Session) + Send + Sync>;

impl KeptSession {
    pub fn new(target: SshTarget) -> Self {
        KeptSession {
            target,
            current: Mutex::new(None),
            on_connect: None,
        }
    }

    /// Calls `observer` with every new session (e.g. to report it).
    pub fn on_connect(mut self, observer: impl Fn(&Session) + Send + Sync + 'static) -> Self {
        self.on_connect = Some(Box::new(observer));
        self
    }

    pub fn target(&self) -> &SshTarget {
        &self.target
    }

    /// The live session, connecting a new one if needed.
    pub async fn get(&self) -> Result<Arc<Session>, SshError> {
        let mut current = self.current.lock().await;
        if let Some(session) = current.as_ref().filter(|session| !session.is_closed()) {
            return Ok(session.clone());
        }
        *current = None;
        let session = Arc::new(Session::connect(&self.target).await?);
        if let Some(observer) = &self.on_connect {
            observer(&session);
        }
        *current = Some(session.clone());
        Ok(session)
    }

    /// Opens a channel with `open` on the live session, and once more on a
    /// new session if that one turns out to be dead.
    async fn open_channel<Open, Opening, Opened>(&self, open: Open) -> Result<Opened, SshError>
    where
        Open: Fn(Arc<Session>) -> Opening,
        Opening: std::future::Future<Output = Result<Opened, SshError>>,
    {
        let session = self.get().await?;
        match open(session.clone()).await {
            Ok(stream) => Ok(stream),
            Err(_) if session.is_closed() => open(self.get().await?).await,
            Err(err) => Err(err),
        }
    }

    /// Opens a streamlocal channel (see [`Session::open_streamlocal`]).
    pub async fn open_streamlocal(
        &self,
        socket_path: &str,
    ) -> Result<russh::Channel<client::Msg>, SshError> {
        self.open_channel(|session| async move { session.open_streamlocal(socket_path).await })
            .await
    }

    /// Opens a direct-tcpip channel (see [`Session::open_tcpip`]).
    pub async fn open_tcpip(
        &self,
        host: &str,
        port: u16,
        originator: SocketAddr,
    ) -> Result<russh::Channel<client::Msg>, SshError> {
        self.open_channel(|session| async move { session.open_tcpip(host, port, originator).await })
            .await
    }
}
