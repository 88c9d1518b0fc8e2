//! The SSH transport: one russh session per client (TCP_NODELAY, AES-GCM
//! first, no compression), authenticated with the identity file or
//! ssh-agent, whose `direct-streamlocal@openssh.com` channels carry HTTP to
//! the remote podman socket. The host key is pinned in
//! `~/.ssh/known_hosts` (see [`super::known_hosts`]).

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use russh::client::{self, AuthResult, Handle};
use russh::keys::{Algorithm, HashAlg, PrivateKey, PrivateKeyWithHashAlg, PublicKeyOrCertificate};
use russh::{cipher, compression, Preferred};
use tokio::sync::OnceCell;

use super::known_hosts::{self, KnownHostsError};
use super::{io_reason, BoxedStream};
use crate::connection::SshTarget;

/// SSH failures, each naming what it was doing.
#[derive(Debug, thiserror::Error)]
pub enum SshError {
    #[error("dial tcp {address}: connect: {}", io_reason(error))]
    Dial {
        address: String,
        error: std::io::Error,
    },
    #[error(transparent)]
    HostKey(#[from] KnownHostsError),
    #[error("cannot find the SSH known hosts file: set HOME")]
    NoKnownHosts,
    #[error("ssh handshake with {address}: {message}")]
    Handshake { address: String, message: String },
    #[error("reading the SSH identity {}: {message}", path.display())]
    Identity { path: PathBuf, message: String },
    #[error("ssh: unable to authenticate as {user}@{address}: {detail}")]
    Auth {
        user: String,
        address: String,
        detail: String,
    },
    #[error("ssh: running {command:?} on {address}: {message}")]
    Exec {
        address: String,
        command: String,
        message: String,
    },
    #[error("ssh: opening the remote socket {socket} on {address}: {message}")]
    Channel {
        address: String,
        socket: String,
        message: String,
    },
}

/// An SSH destination and its session, opened on first use.
pub struct SshTransport {
    target: SshTarget,
    identity: Option<PathBuf>,
    known_hosts: Option<PathBuf>,
    session: OnceCell<Handle<HostKeyCheck>>,
}

impl std::fmt::Debug for SshTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SshTransport")
            .field("target", &self.target)
            .field("identity", &self.identity)
            .finish()
    }
}

impl SshTransport {
    /// `identity` is the key file; without one, ssh-agent and then the
    /// default keys in `~/.ssh` are tried.
    pub fn new(target: SshTarget, identity: Option<&Path>) -> Self {
        SshTransport {
            target,
            identity: identity.map(Path::to_path_buf),
            known_hosts: known_hosts::user_known_hosts(),
            session: OnceCell::new(),
        }
    }

    /// Uses another known_hosts file (tests, machines with their own pins).
    pub fn with_known_hosts(mut self, path: PathBuf) -> Self {
        self.known_hosts = Some(path);
        self
    }

    fn address(&self) -> String {
        known_hosts::host_entry(&self.target.host, self.target.port)
    }

    /// Opens a channel to the remote podman socket.
    pub async fn open(&self) -> Result<BoxedStream, SshError> {
        let session = self.session.get_or_try_init(|| self.connect()).await?;
        let channel = session
            .channel_open_direct_streamlocal(self.target.socket_path.clone())
            .await
            .map_err(|err| SshError::Channel {
                address: self.address(),
                socket: self.target.socket_path.clone(),
                message: channel_error(&err),
            })?;
        Ok(Box::new(channel.into_stream()))
    }

    /// Runs `command` on the remote host and returns its standard output;
    /// a non-zero exit status is an error carrying its standard error.
    pub async fn run(&self, command: &str) -> Result<String, SshError> {
        use russh::ChannelMsg;
        let session = self.session.get_or_try_init(|| self.connect()).await?;
        let exec_error = |message: String| SshError::Exec {
            address: self.address(),
            command: command.to_string(),
            message,
        };
        let mut channel = session
            .channel_open_session()
            .await
            .map_err(|err| exec_error(err.to_string()))?;
        channel
            .exec(true, command)
            .await
            .map_err(|err| exec_error(err.to_string()))?;
        let (mut stdout, mut stderr, mut status) = (Vec::new(), Vec::new(), None);
        while let Some(message) = channel.wait().await {
            match message {
                ChannelMsg::Data { data } => stdout.extend_from_slice(&data),
                ChannelMsg::ExtendedData { data, .. } => stderr.extend_from_slice(&data),
                ChannelMsg::ExitStatus { exit_status } => status = Some(exit_status),
                _ => {}
            }
        }
        match status {
            Some(0) => Ok(String::from_utf8_lossy(&stdout).into_owned()),
            Some(code) => Err(exec_error(format!(
                "exit status {code}: {}",
                String::from_utf8_lossy(&stderr).trim()
            ))),
            None => Err(exec_error(
                "the command ended without an exit status".into(),
            )),
        }
    }

    async fn connect(&self) -> Result<Handle<HostKeyCheck>, SshError> {
        let address = self.address();
        let known_hosts = self.known_hosts.clone().ok_or(SshError::NoKnownHosts)?;
        let recorded =
            known_hosts::recorded_keys(&known_hosts, &self.target.host, self.target.port)?;
        let config = client::Config {
            nodelay: true,
            preferred: Preferred {
                cipher: Cow::Borrowed(&[
                    cipher::AES_128_GCM,
                    cipher::AES_256_GCM,
                    cipher::CHACHA20_POLY1305,
                ]),
                key: Cow::Owned(known_hosts::preferred_algorithms(
                    &recorded,
                    &Preferred::DEFAULT.key,
                )),
                compression: Cow::Borrowed(&[compression::NONE]),
                ..Preferred::DEFAULT
            },
            ..Default::default()
        };
        let stream = tokio::net::TcpStream::connect((self.target.host.as_str(), self.target.port))
            .await
            .map_err(|error| SshError::Dial {
                address: format!("{}:{}", self.target.host, self.target.port),
                error,
            })?;
        let _ = stream.set_nodelay(true);
        let rejection = Arc::new(Mutex::new(None));
        let handler = HostKeyCheck {
            host: self.target.host.clone(),
            port: self.target.port,
            known_hosts,
            rejection: rejection.clone(),
        };
        let mut session = match client::connect_stream(Arc::new(config), stream, handler).await {
            Ok(session) => session,
            Err(err) => {
                if let Some(rejection) = rejection.lock().ok().and_then(|mut slot| slot.take()) {
                    return Err(rejection.into());
                }
                return Err(SshError::Handshake {
                    address,
                    message: err.to_string(),
                });
            }
        };
        self.authenticate(&mut session).await?;
        Ok(session)
    }

    async fn authenticate(&self, session: &mut Handle<HostKeyCheck>) -> Result<(), SshError> {
        let user = self.target.user.clone();
        let auth_error = |detail: String| SshError::Auth {
            user: user.clone(),
            address: self.address(),
            detail,
        };
        if let Some(path) = &self.identity {
            let key = load_key(path)?;
            if try_key(session, &user, key).await? {
                return Ok(());
            }
            return Err(auth_error(format!(
                "the server refused the key {}",
                path.display()
            )));
        }
        let mut tried = Vec::new();
        if let Some(accepted) = try_agent(session, &user, &mut tried).await? {
            if accepted {
                return Ok(());
            }
        }
        for path in default_keys() {
            // Encrypted default keys are skipped: they belong in ssh-agent.
            let Ok(key) = russh::keys::load_secret_key(&path, None) else {
                continue;
            };
            tried.push(path.display().to_string());
            if try_key(session, &user, key).await? {
                return Ok(());
            }
        }
        Err(auth_error(if tried.is_empty() {
            "no SSH key: give --identity (or CONTAINER_SSHKEY), or load a key into ssh-agent (SSH_AUTH_SOCK)".into()
        } else {
            format!("no key was accepted (tried {})", tried.join(", "))
        }))
    }
}

fn load_key(path: &Path) -> Result<PrivateKey, SshError> {
    russh::keys::load_secret_key(path, None).map_err(|err| SshError::Identity {
        path: path.to_path_buf(),
        message: match err {
            russh::keys::Error::KeyIsEncrypted => {
                "the key is encrypted: load it into ssh-agent (ssh-add) instead".into()
            }
            other => other.to_string(),
        },
    })
}

/// Offers one private key; RSA keys sign with the best hash the server allows.
async fn try_key(
    session: &mut Handle<HostKeyCheck>,
    user: &str,
    key: PrivateKey,
) -> Result<bool, SshError> {
    let hash = rsa_hash(session, key.algorithm()).await;
    let result = session
        .authenticate_publickey(user, PrivateKeyWithHashAlg::new(Arc::new(key), hash))
        .await
        .map_err(|err| SshError::Auth {
            user: user.to_string(),
            address: String::new(),
            detail: err.to_string(),
        })?;
    Ok(matches!(result, AuthResult::Success))
}

/// For RSA keys, the best signature hash the server accepts.
async fn rsa_hash(session: &Handle<HostKeyCheck>, algorithm: Algorithm) -> Option<HashAlg> {
    if !algorithm.is_rsa() {
        return None;
    }
    session
        .best_supported_rsa_hash()
        .await
        .ok()
        .flatten()
        .flatten()
}

/// Offers the agent's keys. `None` when there is no agent.
#[cfg(unix)]
async fn try_agent(
    session: &mut Handle<HostKeyCheck>,
    user: &str,
    tried: &mut Vec<String>,
) -> Result<Option<bool>, SshError> {
    use russh::keys::agent::client::AgentClient;
    use russh::keys::agent::AgentIdentity;
    let Ok(mut agent) = AgentClient::connect_env().await else {
        return Ok(None);
    };
    let Ok(identities) = agent.request_identities().await else {
        return Ok(None);
    };
    for identity in identities {
        let AgentIdentity::PublicKey { key, comment } = identity else {
            continue;
        };
        tried.push(if comment.is_empty() {
            format!("agent key {}", key.fingerprint(HashAlg::Sha256))
        } else {
            format!("agent key {comment}")
        });
        let hash = rsa_hash(session, key.algorithm()).await;
        if let Ok(AuthResult::Success) = session
            .authenticate_publickey_with(user, key, hash, &mut agent)
            .await
        {
            return Ok(Some(true));
        }
    }
    Ok(Some(false))
}

#[cfg(not(unix))]
async fn try_agent(
    _session: &mut Handle<HostKeyCheck>,
    _user: &str,
    _tried: &mut Vec<String>,
) -> Result<Option<bool>, SshError> {
    Ok(None)
}

/// OpenSSH's default identities, in its order.
fn default_keys() -> Vec<PathBuf> {
    let Some(known_hosts) = known_hosts::user_known_hosts() else {
        return Vec::new();
    };
    let Some(dir) = known_hosts.parent() else {
        return Vec::new();
    };
    ["id_ed25519", "id_ecdsa", "id_rsa"]
        .iter()
        .map(|name| dir.join(name))
        .filter(|path| path.exists())
        .collect()
}

fn channel_error(err: &russh::Error) -> String {
    match err {
        russh::Error::ChannelOpenFailure(reason) => format!(
            "the server refused the channel ({reason:?}): is the socket path right, and does sshd allow AllowStreamLocalForwarding?"
        ),
        other => other.to_string(),
    }
}

/// The russh handler: checks the server's key against known_hosts and
/// keeps the reason when it refuses one.
pub struct HostKeyCheck {
    host: String,
    port: u16,
    known_hosts: PathBuf,
    rejection: Arc<Mutex<Option<KnownHostsError>>>,
}

impl client::Handler for HostKeyCheck {
    type Error = russh::Error;

    async fn check_server_key(
        &mut self,
        server_key: &PublicKeyOrCertificate,
    ) -> Result<bool, Self::Error> {
        let key = match server_key {
            PublicKeyOrCertificate::PublicKey { key, .. } => key,
            PublicKeyOrCertificate::Certificate(certificate) => {
                // Host certificates are not trusted through a CA here: pin the key.
                return Ok(self.check(&certificate.public_key().clone().into()));
            }
        };
        Ok(self.check(key))
    }
}

impl HostKeyCheck {
    fn check(&self, key: &russh::keys::PublicKey) -> bool {
        match known_hosts::check_and_learn(&self.known_hosts, &self.host, self.port, key) {
            Ok(()) => true,
            Err(err) => {
                if let Ok(mut slot) = self.rejection.lock() {
                    *slot = Some(err);
                }
                false
            }
        }
    }
}
