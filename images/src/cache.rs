//! The base-image cache under `BerthDirs.data/images`:
//!
//! ```text
//! bases/<sha256>.<qcow2|raw>   unpacked disks, named by the sha256 of their bytes
//! bases/<sha256>.json          what each base is and where it came from
//! refs/<key>.json              source key (checksum, digest, URL validators) -> base
//! partial/<key>.part|.state    a download in progress, and its resume checkpoint
//! locks/<key>.lock             held while <key> is downloaded: a second caller waits
//! cache.lock                   shared while bases are handed out, exclusive for prune
//! ```
//!
//! A base appears only by an atomic rename of a complete, verified file, so a
//! failure never leaves a half image among the bases.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use reqwest::Client;
use serde::{Deserialize, Serialize};
use tokio::io::AsyncReadExt;

use crate::error::{ImageError, Result};
use crate::fetch::{self, Download, RetryPolicy};
use crate::source::{self, Location, Plan};
use crate::unpack::{self, Checkpoint, Compression, Input, UnpackJob, Unpacked};
use crate::{overlay, Arch, DiskFormat, ImageRef, Reporter};

/// Chunks buffered between the download and the decoder.
const CHANNEL_DEPTH: usize = 32;
const FILE_READ_SIZE: usize = 1 << 20;

/// A base image ready to back machine disks. While it is alive it holds a
/// shared lease on the cache, so `prune` cannot remove it before the overlay
/// that uses it exists.
#[derive(Debug, Clone)]
pub struct BaseImage {
    pub path: PathBuf,
    pub format: DiskFormat,
    /// Hex sha256 of the unpacked disk.
    pub digest: String,
    pub virtual_size: u64,
    _lease: Option<Arc<File>>,
}

impl BaseImage {
    #[cfg(test)]
    pub(crate) fn for_tests(path: &Path, format: DiskFormat, virtual_size: u64) -> Self {
        BaseImage {
            path: path.to_path_buf(),
            format,
            digest: String::new(),
            virtual_size,
            _lease: None,
        }
    }
}

/// A cached base as `berth machine image ls` shows it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CachedBase {
    /// Hex sha256 of the unpacked disk.
    pub digest: String,
    pub path: PathBuf,
    pub format: DiskFormat,
    pub virtual_size: u64,
    /// Bytes actually allocated on disk (holes excluded).
    pub disk_usage: u64,
    /// The reference it was obtained with.
    pub source: String,
    pub label: String,
    /// Seconds since the Unix epoch.
    pub created: u64,
    pub compression: Compression,
    pub compressed_sha256: String,
    pub compressed_size: u64,
}

/// What `bases/<digest>.json` records.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct BaseMeta {
    digest: String,
    format: DiskFormat,
    virtual_size: u64,
    source: String,
    label: String,
    created: u64,
    compression: Compression,
    compressed_sha256: String,
    compressed_size: u64,
}

#[derive(Debug, Serialize, Deserialize)]
struct RefEntry {
    digest: String,
}

/// What `partial/<key>.state` records.
#[derive(Debug, Serialize, Deserialize)]
struct ResumeState {
    location: String,
    checkpoint: Checkpoint,
}

/// The cache of unpacked base images.
#[derive(Debug, Clone)]
pub struct ImageCache {
    root: PathBuf,
    stream_base: String,
    retry: RetryPolicy,
}

impl ImageCache {
    /// A cache rooted at `root` (normally `BerthDirs.data/images`). Stream
    /// metadata comes from `$BERTH_FCOS_STREAM_BASE` when set (a URL or a
    /// directory), else from [`crate::DEFAULT_STREAM_BASE`]. Downloads retry
    /// with [`RetryPolicy::from_env`].
    pub fn new(root: impl Into<PathBuf>) -> Self {
        let stream_base = std::env::var("BERTH_FCOS_STREAM_BASE")
            .ok()
            .filter(|base| !base.is_empty())
            .unwrap_or_else(|| source::DEFAULT_STREAM_BASE.to_string());
        ImageCache {
            root: root.into(),
            stream_base,
            retry: RetryPolicy::from_env(),
        }
    }

    /// Retries interrupted downloads with `retry` instead.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Uses `base` (a URL or a directory) for `<stream>.json` files.
    pub fn with_stream_base(mut self, base: impl Into<String>) -> Self {
        self.stream_base = base.into();
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn dir(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }

    /// Returns the base for `image`, downloading, verifying and unpacking it
    /// in one pass when it is not cached yet.
    pub async fn obtain(
        &self,
        image: &ImageRef,
        arch: Arch,
        reporter: &dyn Reporter,
    ) -> Result<BaseImage> {
        for name in ["bases", "refs", "partial", "locks"] {
            let dir = self.dir(name);
            std::fs::create_dir_all(&dir).map_err(|err| ImageError::io("creating", &dir, err))?;
        }
        let lease = Arc::new(self.lease().await?);
        reporter.message(&format!("Resolving {image}"));
        let client = fetch::client()?;
        let plan = source::resolve(&client, image, arch, &self.stream_base).await?;
        if let Some(base) = self.lookup(&plan.key, &lease) {
            reporter.message(&format!(
                "Using cached {} ({})",
                plan.label,
                short(&base.digest)
            ));
            return Ok(base);
        }
        let _download_lock = self.lock_key(&plan, reporter).await?;
        if let Some(base) = self.lookup(&plan.key, &lease) {
            reporter.message(&format!(
                "Using {} ({}), downloaded by another berth process",
                plan.label,
                short(&base.digest)
            ));
            return Ok(base);
        }
        let unpacked = self.download(&client, &plan, reporter).await?;
        self.admit(&plan, unpacked, lease)
    }

    /// Lists the cached bases, oldest first.
    pub fn list(&self) -> Result<Vec<CachedBase>> {
        let dir = self.dir("bases");
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(err) => return Err(ImageError::io("reading", &dir, err)),
        };
        let mut bases: Vec<CachedBase> = entries
            .flatten()
            .filter(|entry| entry.path().extension().is_some_and(|ext| ext == "json"))
            .filter_map(|entry| self.read_meta(&entry.path()))
            .filter_map(|meta| {
                let path = self.base_path(&meta.digest, meta.format);
                let metadata = std::fs::metadata(&path).ok()?;
                Some(CachedBase {
                    disk_usage: allocated_bytes(&metadata),
                    digest: meta.digest,
                    path,
                    format: meta.format,
                    virtual_size: meta.virtual_size,
                    source: meta.source,
                    label: meta.label,
                    created: meta.created,
                    compression: meta.compression,
                    compressed_sha256: meta.compressed_sha256,
                    compressed_size: meta.compressed_size,
                })
            })
            .collect();
        bases.sort_by(|a, b| a.created.cmp(&b.created).then(a.digest.cmp(&b.digest)));
        Ok(bases)
    }

    /// Removes every base whose path is not in `in_use` (see
    /// [`crate::backing_files_under`]), the references to them and any
    /// abandoned partial download. Returns the removed bases. Fails without
    /// removing anything while another process is obtaining an image.
    pub fn prune(&self, in_use: &BTreeSet<PathBuf>) -> Result<Vec<CachedBase>> {
        let lock_path = self.dir("cache.lock");
        let Some(_exclusive) = self.try_lock_cache(&lock_path)? else {
            return Err(ImageError::CacheBusy {
                path: self.root.clone(),
            });
        };
        let mut removed = Vec::new();
        for base in self.list()? {
            let canonical = std::fs::canonicalize(&base.path).unwrap_or(base.path.clone());
            if in_use.contains(&canonical) || in_use.contains(&base.path) {
                continue;
            }
            remove_file(&base.path)?;
            remove_file(&self.meta_path(&base.digest))?;
            removed.push(base);
        }
        let removed_digests: BTreeSet<&str> = removed.iter().map(|b| b.digest.as_str()).collect();
        for entry in read_dir_paths(&self.dir("refs")) {
            let stale = std::fs::read(&entry)
                .ok()
                .and_then(|bytes| serde_json::from_slice::<RefEntry>(&bytes).ok())
                .is_none_or(|r| {
                    removed_digests.contains(r.digest.as_str())
                        || !self.meta_path(&r.digest).exists()
                });
            if stale {
                remove_file(&entry)?;
            }
        }
        for entry in read_dir_paths(&self.dir("partial")) {
            remove_file(&entry)?;
        }
        Ok(removed)
    }

    /// Takes the shared lease on the cache (waits while a prune runs).
    async fn lease(&self) -> Result<File> {
        let path = self.dir("cache.lock");
        let file = open_lock_file(&path)?;
        run_blocking(&path, move || file.lock_shared().map(|()| file)).await
    }

    fn try_lock_cache(&self, path: &Path) -> Result<Option<File>> {
        std::fs::create_dir_all(&self.root)
            .map_err(|err| ImageError::io("creating", &self.root, err))?;
        let file = open_lock_file(path)?;
        match file.try_lock() {
            Ok(()) => Ok(Some(file)),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(err)) => Err(ImageError::io("locking", path, err)),
        }
    }

    /// Locks the download of `plan`'s key; tells the user when it must wait.
    async fn lock_key(&self, plan: &Plan, reporter: &dyn Reporter) -> Result<File> {
        let path = self.dir("locks").join(format!("{}.lock", plan.key));
        let file = open_lock_file(&path)?;
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) => {}
            Err(TryLockError::Error(err)) => return Err(ImageError::io("locking", &path, err)),
        }
        reporter.message(&format!(
            "Waiting for another berth process downloading {}",
            plan.label
        ));
        run_blocking(&path, move || file.lock().map(|()| file)).await
    }

    fn lookup(&self, key: &str, lease: &Arc<File>) -> Option<BaseImage> {
        let bytes = std::fs::read(self.dir("refs").join(format!("{key}.json"))).ok()?;
        let entry: RefEntry = serde_json::from_slice(&bytes).ok()?;
        let meta = self.read_meta(&self.meta_path(&entry.digest))?;
        let path = self.base_path(&meta.digest, meta.format);
        path.is_file().then(|| BaseImage {
            path,
            format: meta.format,
            digest: meta.digest,
            virtual_size: meta.virtual_size,
            _lease: Some(lease.clone()),
        })
    }

    fn read_meta(&self, path: &Path) -> Option<BaseMeta> {
        serde_json::from_slice(&std::fs::read(path).ok()?).ok()
    }

    fn base_path(&self, digest: &str, format: DiskFormat) -> PathBuf {
        self.dir("bases")
            .join(format!("{digest}.{}", format.as_str()))
    }

    fn meta_path(&self, digest: &str) -> PathBuf {
        self.dir("bases").join(format!("{digest}.json"))
    }

    fn partial_paths(&self, key: &str) -> (PathBuf, PathBuf) {
        let dir = self.dir("partial");
        (
            dir.join(format!("{key}.part")),
            dir.join(format!("{key}.state")),
        )
    }

    /// A resume checkpoint left by an earlier run for the same source.
    fn saved_checkpoint(&self, plan: &Plan) -> Option<Checkpoint> {
        let (partial, state) = self.partial_paths(&plan.key);
        let saved: ResumeState = serde_json::from_slice(&std::fs::read(state).ok()?).ok()?;
        let length = std::fs::metadata(partial).ok()?.len();
        (saved.location == plan.location.to_string()
            && length >= saved.checkpoint.uncompressed_offset)
            .then_some(saved.checkpoint)
    }

    /// Streams the source through the decoder into `partial/<key>.part`.
    async fn download(
        &self,
        client: &Client,
        plan: &Plan,
        reporter: &dyn Reporter,
    ) -> Result<Unpacked> {
        let (partial, state) = self.partial_paths(&plan.key);
        let mut resume = match plan.location {
            Location::Http { .. } => self.saved_checkpoint(plan),
            Location::File(_) => None,
        };
        let mut source = match &plan.location {
            Location::Http { url, bearer } => {
                let from = resume.as_ref().map_or(0, |c| c.compressed_offset);
                let download =
                    Download::start(client, url, bearer.as_deref(), from, &self.retry).await?;
                if from > 0 && download.offset() == 0 {
                    reporter.message(
                        "The server ignored the range request: starting the download over",
                    );
                    resume = None;
                }
                ByteSource::Http(Box::new(download))
            }
            Location::File(path) => {
                let file = tokio::fs::File::open(path)
                    .await
                    .map_err(|err| ImageError::io("opening", path, err))?;
                let total = file.metadata().await.ok().map(|m| m.len());
                ByteSource::File {
                    file,
                    path: path.clone(),
                    offset: 0,
                    total,
                }
            }
        };
        if resume.is_none() {
            let _ = std::fs::remove_file(&state);
        }
        if let Some(checkpoint) = &resume {
            reporter.message(&format!(
                "Resuming {} at {} MiB",
                plan.label,
                checkpoint.compressed_offset >> 20
            ));
        }

        let written = Arc::new(AtomicU64::new(0));
        let state_path = state.clone();
        let location = plan.location.to_string();
        let job = UnpackJob {
            partial: partial.clone(),
            location: location.clone(),
            resume,
            save_checkpoint: Box::new(move |checkpoint| {
                let saved = ResumeState {
                    location: location.clone(),
                    checkpoint: checkpoint.clone(),
                };
                if let Ok(bytes) = serde_json::to_vec(&saved) {
                    // Best effort: without it the next run starts over.
                    let _ = write_atomically(&state_path, &bytes);
                }
            }),
            written: written.clone(),
        };
        let (sender, receiver) = tokio::sync::mpsc::channel::<Bytes>(CHANNEL_DEPTH);
        let decoder =
            tokio::task::spawn_blocking(move || unpack::unpack(job, Input::new(receiver)));

        reporter.start(&plan.label, source.offset(), source.total());
        let fetched: Result<()> = async {
            while let Some(chunk) = source.next_chunk().await? {
                if sender.send(chunk).await.is_err() {
                    break; // the decoder stopped; its error explains why
                }
                reporter.progress(source.offset(), written.load(Ordering::Relaxed));
            }
            Ok(())
        }
        .await;
        drop(sender);
        let decoded = decoder.await.map_err(|err| ImageError::Internal {
            location: plan.location.to_string(),
            reason: err.to_string(),
        });
        let outcome = match (fetched, decoded) {
            (Err(err), _) => {
                // Keep the partial data only when a checkpoint says how to resume it.
                if !state.exists() {
                    let _ = std::fs::remove_file(&partial);
                }
                reporter.finish("failed");
                return Err(err);
            }
            (Ok(()), Err(err)) | (Ok(()), Ok(Err(err))) => Err(err),
            (Ok(()), Ok(Ok(unpacked))) => verify(plan, unpacked),
        };
        if outcome.is_err() {
            let _ = std::fs::remove_file(&partial);
            let _ = std::fs::remove_file(&state);
            reporter.finish("failed");
        } else {
            reporter.progress(source.offset(), written.load(Ordering::Relaxed));
            reporter.finish("done");
        }
        outcome
    }

    /// Moves a verified download into `bases/` and records it.
    fn admit(&self, plan: &Plan, unpacked: Unpacked, lease: Arc<File>) -> Result<BaseImage> {
        let (partial, state) = self.partial_paths(&plan.key);
        let path = self.base_path(&unpacked.sha256, unpacked.format);
        let virtual_size = match unpacked.format {
            DiskFormat::Raw => unpacked.size,
            DiskFormat::Qcow2 => overlay::virtual_size(&partial, unpacked.format)?,
        };
        if path.is_file() {
            // The same disk came from another source before: keep that copy.
            remove_file(&partial)?;
        } else {
            std::fs::rename(&partial, &path)
                .map_err(|err| ImageError::io("moving into the cache", &path, err))?;
        }
        let _ = std::fs::remove_file(&state);
        let meta = BaseMeta {
            digest: unpacked.sha256.clone(),
            format: unpacked.format,
            virtual_size,
            source: plan.origin.clone(),
            label: plan.label.clone(),
            created: SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            compression: unpacked.compression,
            compressed_sha256: unpacked.compressed_sha256.clone(),
            compressed_size: unpacked.compressed_size,
        };
        let meta_path = self.meta_path(&meta.digest);
        if !meta_path.exists() {
            write_json(&meta_path, &meta)?;
        }
        write_json(
            &self.dir("refs").join(format!("{}.json", plan.key)),
            &RefEntry {
                digest: meta.digest.clone(),
            },
        )?;
        Ok(BaseImage {
            path,
            format: unpacked.format,
            digest: unpacked.sha256,
            virtual_size,
            _lease: Some(lease),
        })
    }
}

/// Checks the checksums the source published.
fn verify(plan: &Plan, unpacked: Unpacked) -> Result<Unpacked> {
    let checks = [
        (
            "compressed",
            &plan.compressed_sha256,
            &unpacked.compressed_sha256,
        ),
        ("uncompressed", &plan.uncompressed_sha256, &unpacked.sha256),
    ];
    for (what, expected, actual) in checks {
        if let Some(expected) = expected {
            if !expected.eq_ignore_ascii_case(actual) {
                return Err(ImageError::ChecksumMismatch {
                    what,
                    location: plan.location.to_string(),
                    expected: expected.clone(),
                    actual: actual.clone(),
                });
            }
        }
    }
    Ok(unpacked)
}

/// The bytes of an image: an HTTP body or a local file.
enum ByteSource {
    Http(Box<Download>),
    File {
        file: tokio::fs::File,
        path: PathBuf,
        offset: u64,
        total: Option<u64>,
    },
}

impl ByteSource {
    fn offset(&self) -> u64 {
        match self {
            ByteSource::Http(download) => download.offset(),
            ByteSource::File { offset, .. } => *offset,
        }
    }

    fn total(&self) -> Option<u64> {
        match self {
            ByteSource::Http(download) => download.total(),
            ByteSource::File { total, .. } => *total,
        }
    }

    async fn next_chunk(&mut self) -> Result<Option<Bytes>> {
        match self {
            ByteSource::Http(download) => download.next_chunk().await,
            ByteSource::File {
                file, path, offset, ..
            } => {
                let mut buffer = BytesMut::with_capacity(FILE_READ_SIZE);
                let n = file
                    .read_buf(&mut buffer)
                    .await
                    .map_err(|err| ImageError::io("reading", path.as_path(), err))?;
                *offset += n as u64;
                Ok((n > 0).then(|| buffer.freeze()))
            }
        }
    }
}

fn short(digest: &str) -> &str {
    &digest[..digest.len().min(12)]
}

fn open_lock_file(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|err| ImageError::io("opening", path, err))
}

async fn run_blocking<T: Send + 'static>(
    path: &Path,
    work: impl FnOnce() -> std::io::Result<T> + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| ImageError::Internal {
            location: path.display().to_string(),
            reason: err.to_string(),
        })?
        .map_err(|err| ImageError::io("locking", path, err))
}

fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<()> {
    let bytes = serde_json::to_vec_pretty(value).map_err(|err| ImageError::Internal {
        location: path.display().to_string(),
        reason: err.to_string(),
    })?;
    write_atomically(path, &bytes).map_err(|err| ImageError::io("writing", path, err))
}

/// Writes `bytes` to a temporary file beside `path`, syncs it and renames it
/// over `path`.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut temp = path.as_os_str().to_owned();
    temp.push(".tmp");
    let temp = PathBuf::from(temp);
    let result = (|| {
        let mut file = File::create(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

fn remove_file(path: &Path) -> Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(err) => Err(ImageError::io("removing", path, err)),
    }
}

fn read_dir_paths(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| entries.flatten().map(|entry| entry.path()).collect())
        .unwrap_or_default()
}

#[cfg(unix)]
fn allocated_bytes(metadata: &std::fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    metadata.blocks() * 512
}

#[cfg(not(unix))]
fn allocated_bytes(metadata: &std::fs::Metadata) -> u64 {
    metadata.len()
}
