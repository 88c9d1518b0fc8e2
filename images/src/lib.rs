//! berth-images: turns an image reference (a Fedora CoreOS stream, a URL, a local
//! file or an OCI artifact) into a verified, unpacked, ready-to-boot base disk in
//! a content-addressed cache, in one streaming pass.
//!
//! # Use from `berth machine init`
//!
//! ```no_run
//! # async fn init(data_dir: &std::path::Path, machine_dir: &std::path::Path) -> Result<(), berth_images::ImageError> {
//! use berth_images::{create_overlay, Arch, ImageCache, ImageRef, NoProgress};
//!
//! let cache = ImageCache::new(data_dir.join("images"));
//! let image = ImageRef::parse("stream:stable")?;
//! let base = cache.obtain(&image, Arch::X86_64, &NoProgress).await?;
//! // base.path, base.format (qcow2/raw), base.digest (sha256 of the disk), base.virtual_size
//! create_overlay(&base, &machine_dir.join("disk.qcow2"), 20 << 30)?;
//! // Keep `base` alive until the overlay exists: it holds a lease that stops
//! // a concurrent `prune` from removing the base in between.
//! # Ok(()) }
//! ```
//!
//! - [`ImageRef::parse`] accepts `stream:stable|testing|next` (the stream JSON
//!   is read from `$BERTH_FCOS_STREAM_BASE/<stream>.json`, by default
//!   [`DEFAULT_STREAM_BASE`]), `http(s)://` URLs, local paths and
//!   `docker://REGISTRY/REPO:TAG` (a podman machine-os OCI artifact).
//! - [`ImageCache::obtain`] downloads, verifies and unpacks in one pass, or
//!   returns the cached base at once. Two processes obtaining the same image
//!   share one download (a lock file); an interrupted download of a
//!   multi-block xz image resumes where it stopped on the next call.
//! - [`create_overlay`] makes a machine's qcow2 disk on top of a base.
//! - [`ImageCache::prune`] removes the bases no machine uses; "in use" is
//!   derived from the disks themselves: [`backing_files_under`] reads the
//!   backing-file name from the qcow2 header of every `*.qcow2` in the
//!   machines directory.
//! - Errors are one [`ImageError`] enum; its messages name the URL or path and
//!   the fix. A failed call never leaves a half-written base in the cache.

mod cache;
mod error;
mod fetch;
pub mod hash;
mod overlay;
mod registry;
mod source;
mod unpack;
mod xz;

pub use cache::{BaseImage, CachedBase, ImageCache};
pub use error::{ImageError, Result};
pub use fetch::{RetryPolicy, RETRY_BACKOFF_ENV};
pub use overlay::{backing_file, backing_files_under, create_overlay, grow_disk, virtual_size};
pub use source::{ImageRef, Stream, DEFAULT_STREAM_BASE};
pub use unpack::Compression;

use serde::{Deserialize, Serialize};

/// The CPU architecture to fetch an image for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Arch {
    X86_64,
    Aarch64,
}

impl Arch {
    /// The name Fedora CoreOS stream metadata uses (`x86_64`, `aarch64`).
    pub fn stream_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64",
            Arch::Aarch64 => "aarch64",
        }
    }

    /// The name OCI platforms use (`amd64`, `arm64`).
    pub fn oci_name(self) -> &'static str {
        match self {
            Arch::X86_64 => "amd64",
            Arch::Aarch64 => "arm64",
        }
    }

    /// Parses either naming (`x86_64`/`amd64`, `aarch64`/`arm64`).
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "x86_64" | "amd64" => Some(Arch::X86_64),
            "aarch64" | "arm64" => Some(Arch::Aarch64),
            _ => None,
        }
    }
}

/// The on-disk format of a base image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiskFormat {
    Qcow2,
    Raw,
}

impl DiskFormat {
    /// qcow2 when the data starts with qcow2's magic, raw otherwise.
    pub fn detect(head: &[u8]) -> Self {
        if head.starts_with(b"QFI\xfb") {
            DiskFormat::Qcow2
        } else {
            DiskFormat::Raw
        }
    }

    /// The name qemu-img uses (`qcow2`, `raw`), also the cache file extension.
    pub fn as_str(self) -> &'static str {
        match self {
            DiskFormat::Qcow2 => "qcow2",
            DiskFormat::Raw => "raw",
        }
    }
}

/// Receives progress from long operations. The binary implements it with
/// indicatif; libraries and tests can use [`NoProgress`].
pub trait Reporter: Send + Sync {
    /// A step that has no byte count ("resolving stream:stable", "waiting
    /// for another download of ...").
    fn message(&self, text: &str);
    /// A transfer of `total` bytes (when known) begins at `position`.
    fn start(&self, label: &str, position: u64, total: Option<u64>);
    /// `downloaded` bytes of the transfer have arrived and `unpacked` bytes
    /// have been written.
    fn progress(&self, downloaded: u64, unpacked: u64);
    /// The transfer ended; `summary` says how.
    fn finish(&self, summary: &str);
}

/// A [`Reporter`] that shows nothing.
pub struct NoProgress;

impl Reporter for NoProgress {
    fn message(&self, _text: &str) {}
    fn start(&self, _label: &str, _position: u64, _total: Option<u64>) {}
    fn progress(&self, _downloaded: u64, _unpacked: u64) {}
    fn finish(&self, _summary: &str) {}
}
