//! The one error type of berth-images. Every variant names the URL, path or
//! reference it failed on, and its message says what was wrong and how to fix it.

use std::path::PathBuf;

/// Everything that can go wrong while turning an image reference into a base disk.
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("invalid image reference {reference:?}: {reason}")]
    InvalidReference { reference: String, reason: String },

    #[error("unsupported URL scheme {scheme:?} in image reference {reference:?}: use stream:stable|testing|next, an http(s):// URL, docker://REGISTRY/REPO:TAG or a local file path")]
    UnsupportedScheme { reference: String, scheme: String },

    #[error("cannot reach {url}: {reason}; check the network, the URL or a proxy setting")]
    Http { url: String, reason: String },

    #[error("{url} answered HTTP {status}{hint}")]
    HttpStatus {
        url: String,
        status: u16,
        hint: &'static str,
    },

    #[error("download of {url} stopped after {received} of {expected} bytes ({attempts} attempts): {reason}; run the command again to resume")]
    Interrupted {
        url: String,
        received: u64,
        expected: String,
        attempts: u32,
        reason: String,
    },

    #[error("{what} sha256 of {location} is {actual}, expected {expected}: the download is corrupt or the source changed; run the command again, or check the image reference")]
    ChecksumMismatch {
        what: &'static str,
        location: String,
        expected: String,
        actual: String,
    },

    #[error(
        "malformed Fedora CoreOS stream metadata at {url}: {reason}; check BERTH_FCOS_STREAM_BASE"
    )]
    StreamMetadata { url: String, reason: String },

    #[error("stream metadata at {url} has no {what} for architecture {arch} (available: {available}); pick another stream or image")]
    NoArchitecture {
        url: String,
        arch: String,
        what: &'static str,
        available: String,
    },

    #[error("registry error for {reference}: {reason}")]
    Registry { reference: String, reason: String },

    #[error("corrupt {format} data in {location}: {error}; the image is damaged: run the command again or use another image")]
    Corrupt {
        format: &'static str,
        location: String,
        error: std::io::Error,
    },

    #[error("no space left on the device holding {path}: free some space (e.g. `berth machine image prune`) and run the command again")]
    DiskFull { path: PathBuf },

    #[error("{action} {path}: {error}")]
    Io {
        action: &'static str,
        path: PathBuf,
        error: std::io::Error,
    },

    #[error("another berth process is obtaining an image into {path}: run prune again when it has finished")]
    CacheBusy { path: PathBuf },

    #[error("{path} is not a file berth can read as a disk image: {reason}")]
    BadFile { path: PathBuf, reason: String },

    #[error("qemu-img failed ({command}): {stderr}; install qemu-img (package qemu-utils / qemu) or check the disk path")]
    QemuImg { command: String, stderr: String },

    #[error("disk size {requested} bytes is smaller than the image's {minimum} bytes: choose --disk-size of at least {minimum_gib} GiB")]
    DiskTooSmall {
        requested: u64,
        minimum: u64,
        minimum_gib: u64,
    },

    #[error("the image pipeline for {location} stopped unexpectedly: {reason}")]
    Internal { location: String, reason: String },
}

impl ImageError {
    /// A failed request to `url`, with the innermost causes (reqwest's own
    /// message only repeats the URL).
    pub(crate) fn http(url: impl std::fmt::Display, err: &reqwest::Error) -> Self {
        let mut causes = Vec::new();
        let mut source = std::error::Error::source(err);
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        let reason = if causes.is_empty() {
            err.to_string()
        } else {
            causes.join(": ")
        };
        ImageError::Http {
            url: url.to_string(),
            reason,
        }
    }

    /// Wraps an I/O error, turning "no space left" into [`ImageError::DiskFull`].
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
        source: std::io::Error,
    ) -> Self {
        let path = path.into();
        if is_disk_full(&source) {
            ImageError::DiskFull { path }
        } else {
            ImageError::Io {
                action,
                path,
                error: source,
            }
        }
    }
}

pub(crate) fn is_disk_full(err: &std::io::Error) -> bool {
    err.kind() == std::io::ErrorKind::StorageFull
}

pub type Result<T, E = ImageError> = std::result::Result<T, E>;
