//! The client's error type: connecting, HTTP, the engine's own errors
//! (`{"cause","message","response"}` with the status code) and decoding.

use crate::connection::UriError;
use crate::transport::TransportError;

/// Everything that can go wrong talking to the engine.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Uri(#[from] UriError),
    /// The service could not be reached at all.
    #[error("unable to connect to Podman socket: {error}")]
    Connect {
        uri: String,
        error: Box<TransportError>,
    },
    #[error("talking to the Podman service at {uri}: {error}")]
    Http { uri: String, error: hyper::Error },
    /// The engine answered with an error status; `message` is its own text.
    #[error("{message}")]
    Api {
        status: u16,
        message: String,
        cause: String,
    },
    #[error("decoding the response of {what}: {error}")]
    Decode {
        what: String,
        error: serde_json::Error,
    },
    #[error("server API version is too old. Client \"{client}\" server \"{server}\": berth needs podman {client} or newer on the server")]
    ServerTooOld { client: String, server: String },
    #[error("the service at {uri} is not a podman service ({reason})")]
    NotPodman { uri: String, reason: String },
    #[error("{what}: the server did not switch protocols (status {status})")]
    NoUpgrade { what: String, status: u16 },
    #[error("reading the stream of {what}: {error}")]
    Stream { what: String, error: std::io::Error },
}

impl Error {
    /// The HTTP status of an engine error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// True for the engine's 404 (no such container, image, exec session...).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }

    /// True when the service could not be reached (podman then prints its
    /// "Cannot connect to Podman" hint).
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Connect { .. })
    }
}

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
