//! Transports: each one opens a fresh byte stream to the engine's API socket,
//! so the same HTTP code runs over a unix socket, TCP, or an SSH
//! `direct-streamlocal` channel.

pub mod known_hosts;
pub mod ssh;

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::{AsyncRead, AsyncWrite};

use crate::connection::Endpoint;

/// A bidirectional byte stream to the API service.
pub trait ByteStream: AsyncRead + AsyncWrite + Send + Unpin + 'static {}
impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> ByteStream for T {}

/// A boxed [`ByteStream`], whatever the transport.
pub type BoxedStream = Box<dyn ByteStream>;

/// Failing to open a stream, worded like podman's dial errors.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("dial {network} {address}: connect: {}", io_reason(error))]
    Connect {
        network: &'static str,
        address: String,
        error: io::Error,
    },
    #[error(transparent)]
    Ssh(Box<ssh::SshError>),
}

/// Opens byte streams to one endpoint.
#[derive(Debug)]
pub enum Transport {
    Unix(PathBuf),
    Tcp { host: String, port: u16 },
    Ssh(Box<ssh::SshTransport>),
}

impl Transport {
    /// A transport for `endpoint`; nothing is dialed yet.
    /// `identity` is the SSH key file for `ssh://` (else ssh-agent).
    pub fn new(endpoint: &Endpoint, identity: Option<&Path>) -> Self {
        match endpoint {
            Endpoint::Unix(path) => Transport::Unix(path.clone()),
            Endpoint::Tcp { host, port } => Transport::Tcp {
                host: host.clone(),
                port: *port,
            },
            Endpoint::Ssh(target) => {
                Transport::Ssh(Box::new(ssh::SshTransport::new(target.clone(), identity)))
            }
        }
    }

    /// Opens a new stream.
    pub async fn open(&self) -> Result<BoxedStream, TransportError> {
        match self {
            #[cfg(unix)]
            Transport::Unix(path) => match tokio::net::UnixStream::connect(path).await {
                Ok(stream) => Ok(Box::new(stream)),
                Err(error) => Err(TransportError::Connect {
                    network: "unix",
                    address: path.display().to_string(),
                    error,
                }),
            },
            #[cfg(not(unix))]
            Transport::Unix(path) => Err(TransportError::Connect {
                network: "unix",
                address: path.display().to_string(),
                error: io::Error::new(
                    io::ErrorKind::Unsupported,
                    "unix sockets are not supported on this host",
                ),
            }),
            Transport::Tcp { host, port } => {
                let address = if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                };
                match tokio::net::TcpStream::connect((host.as_str(), *port)).await {
                    Ok(stream) => {
                        // Interactive streams (attach, exec) must not wait for Nagle.
                        let _ = stream.set_nodelay(true);
                        Ok(Box::new(stream))
                    }
                    Err(error) => Err(TransportError::Connect {
                        network: "tcp",
                        address,
                        error,
                    }),
                }
            }
            Transport::Ssh(ssh) => ssh
                .open()
                .await
                .map_err(|err| TransportError::Ssh(Box::new(err))),
        }
    }
}

/// An I/O error's reason the way Go prints it: lower case, without Rust's
/// "(os error N)" suffix ("connect: no such file or directory").
pub fn io_reason(err: &io::Error) -> String {
    let text = err.to_string();
    let text = match text.find(" (os error ") {
        Some(at) => &text[..at],
        None => &text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_reasons_read_like_go() {
        let err = io::Error::from_raw_os_error(2);
        assert_eq!(io_reason(&err), "no such file or directory");
        let err = io::Error::from_raw_os_error(111);
        assert_eq!(io_reason(&err), "connection refused");
    }

    #[tokio::test]
    async fn missing_unix_socket_is_a_dial_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("none.sock");
        let err = match Transport::Unix(path.clone()).open().await {
            Err(err) => err,
            Ok(_) => panic!("connected to a missing socket"),
        };
        assert_eq!(
            err.to_string(),
            format!(
                "dial unix {}: connect: no such file or directory",
                path.display()
            )
        );
    }
}
