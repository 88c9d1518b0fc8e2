//! Decompression in one pass, in stages that overlap: compressed chunks come
//! in from the download, are hashed (sha256) and decoded (xz on several
//! threads, zstd, gzip, or stored as they are) on one blocking thread, and the
//! decoded buffers go to a writer thread that hashes them and writes them
//! sparsely (all-zero blocks become holes), starting the kernel's write-back
//! as it goes, so that neither hashing, writing nor a checkpoint's fsync ever
//! stops the decoder.
//!
//! For multi-block xz the pass also records checkpoints (block boundaries with
//! both hash states) that let a later run resume the download where it stopped.

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use bytes::Bytes;
use liblzma::stream::{Action, MtStreamBuilder, Status, Stream};
use serde::{Deserialize, Serialize};

use crate::error::{ImageError, Result};
use crate::hash::Sha256;
use crate::xz::{BlockWalker, Boundary};
use crate::DiskFormat;

/// Size of the decoder's output buffers, and so of each sparse write.
const OUTPUT_BUFFER: usize = 1 << 20;
/// Decoded buffers queued for the writer: enough to ride out an fsync or a
/// slow disk without stalling the decoder, little enough to keep memory low.
const WRITE_QUEUE: usize = 32;
/// How much written data the kernel is asked to start writing back at once
/// (Linux), so that the final fsync has little left to do.
const WRITEBACK_CHUNK: u64 = 32 << 20;
/// Granularity of hole detection: a filesystem block.
const HOLE_BLOCK: usize = 4096;
/// How often a finished checkpoint is made durable (an fsync of the output:
/// a resumed run trusts the bytes before the checkpoint without reading them).
const CHECKPOINT_INTERVAL: Duration = Duration::from_secs(10);

/// How the source bytes are compressed, told by their first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Compression {
    Xz,
    Zstd,
    Gzip,
    None,
}

impl Compression {
    pub fn detect(head: &[u8]) -> Self {
        if head.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0x00]) {
            Compression::Xz
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else {
            Compression::None
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
            Compression::Gzip => "gzip",
            Compression::None => "uncompressed",
        }
    }
}

/// A point from which a later run can resume an xz download.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    pub compressed_offset: u64,
    pub uncompressed_offset: u64,
    pub compressed_hash: String,
    pub uncompressed_hash: String,
    pub stream_header: Vec<u8>,
}

/// What one unpacking needs besides its input.
pub(crate) struct UnpackJob {
    /// The output file (created, or continued from `resume`).
    pub partial: PathBuf,
    /// Where the bytes come from, for error messages.
    pub location: String,
    pub resume: Option<Checkpoint>,
    /// Called (on the unpacking thread) with each durable checkpoint.
    pub save_checkpoint: Box<dyn FnMut(&Checkpoint) + Send>,
    /// Uncompressed bytes written so far, for progress.
    pub written: Arc<AtomicU64>,
}

/// What came out of one unpacking.
#[derive(Debug, Clone)]
pub(crate) struct Unpacked {
    pub compression: Compression,
    pub compressed_sha256: String,
    pub compressed_size: u64,
    pub sha256: String,
    pub size: u64,
    pub format: DiskFormat,
}

/// Compressed chunks handed over from the download.
pub(crate) struct Input {
    chunks: tokio::sync::mpsc::Receiver<Bytes>,
}

impl Input {
    pub fn new(chunks: tokio::sync::mpsc::Receiver<Bytes>) -> Self {
        Input { chunks }
    }

    fn next(&mut self) -> Option<Bytes> {
        self.chunks.blocking_recv()
    }
}

/// Runs one unpacking to the end of the input. Blocking: call it from
/// `spawn_blocking`.
pub(crate) fn unpack(mut job: UnpackJob, mut input: Input) -> Result<Unpacked> {
    let resume = job.resume.take();
    let out = SparseOutput::open(&job.partial, resume.as_ref(), job.written.clone())?;
    let save_checkpoint = std::mem::replace(&mut job.save_checkpoint, Box::new(|_| {}));
    let mut out = Writer::start(out, save_checkpoint)?;
    let mut compressed = match &resume {
        Some(checkpoint) => {
            Sha256::restore(&checkpoint.compressed_hash).ok_or_else(|| ImageError::Internal {
                location: job.location.clone(),
                reason: "unreadable saved hash state".into(),
            })?
        }
        None => Sha256::new(),
    };

    let decoded = decode(&job, resume, &mut input, &mut compressed, &mut out);
    let compression = match decoded {
        Ok(compression) => compression,
        Err(err) => {
            // Whatever was decoded is written and the newest checkpoint kept
            // (the next run resumes from there), unless writing failed first.
            return Err(match out.finish() {
                Err(write_err @ (ImageError::Io { .. } | ImageError::DiskFull { .. })) => write_err,
                _ => err,
            });
        }
    };
    // Hash whatever follows the end of the compressed stream (padding).
    while let Some(chunk) = input.next() {
        compressed.update(&chunk);
    }
    let (sha256, size, format) = out.finish()?;
    Ok(Unpacked {
        compression,
        compressed_sha256: compressed.finish_hex(),
        compressed_size: compressed.length(),
        sha256,
        size,
        format,
    })
}

/// Detects the compression and decodes the input into `out`.
fn decode(
    job: &UnpackJob,
    resume: Option<Checkpoint>,
    input: &mut Input,
    compressed: &mut Sha256,
    out: &mut Writer,
) -> Result<Compression> {
    if let Some(checkpoint) = resume {
        let walker = BlockWalker::resumed(
            &checkpoint.stream_header,
            Boundary {
                compressed: checkpoint.compressed_offset,
                uncompressed: checkpoint.uncompressed_offset,
            },
        )
        .ok_or_else(|| ImageError::Internal {
            location: job.location.clone(),
            reason: "unreadable saved xz stream header".into(),
        })?;
        let mut decoder = XzPass::new(job, walker, true, out)?;
        decoder.feed_header(&checkpoint.stream_header, out)?;
        decoder.run(Vec::new(), input, compressed, out)?;
        return Ok(Compression::Xz);
    }
    let mut head = Vec::new();
    while head.len() < 6 {
        match input.next() {
            Some(chunk) => head.extend_from_slice(&chunk),
            None => break,
        }
    }
    let compression = Compression::detect(&head);
    match compression {
        Compression::Xz => {
            let mut decoder = XzPass::new(job, BlockWalker::new(), false, out)?;
            decoder.run(head, input, compressed, out)?;
        }
        _ => {
            let reader = HashingInput {
                head: io::Cursor::new(head),
                input,
                current: Bytes::new(),
                hash: compressed,
            };
            copy_decoded(compression, reader, out, &job.location)?;
        }
    }
    Ok(compression)
}

/// Reads the input through a hash, for the `Read`-based decoders.
struct HashingInput<'a> {
    head: io::Cursor<Vec<u8>>,
    input: &'a mut Input,
    current: Bytes,
    hash: &'a mut Sha256,
}

impl Read for HashingInput<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let from_head = self.head.read(buf)?;
        if from_head > 0 {
            self.hash.update(&buf[..from_head]);
            return Ok(from_head);
        }
        if self.current.is_empty() {
            match self.input.next() {
                Some(chunk) => self.current = chunk,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        let taken = self.current.split_to(n);
        buf[..n].copy_from_slice(&taken);
        self.hash.update(&taken);
        Ok(n)
    }
}

fn copy_decoded(
    compression: Compression,
    reader: HashingInput<'_>,
    out: &mut Writer,
    location: &str,
) -> Result<()> {
    let corrupt = |error: io::Error| ImageError::Corrupt {
        format: compression.name(),
        location: location.to_string(),
        error,
    };
    let mut decoder: Box<dyn Read + '_> = match compression {
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(reader).map_err(corrupt)?),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(reader)),
        _ => Box::new(reader),
    };
    loop {
        let mut buffer = out.buffer();
        let mut filled = 0;
        while filled < buffer.len() {
            match decoder.read(&mut buffer[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(corrupt(err)),
            }
        }
        let done = filled < buffer.len();
        out.write(buffer, filled)?;
        if done {
            return Ok(());
        }
    }
}

/// The xz decoder and the block walk that finds checkpoints.
struct XzPass {
    stream: Stream,
    walker: BlockWalker,
    resumed: bool,
    ended: bool,
    buffer: Vec<u8>,
    filled: usize,
    location: String,
}

impl XzPass {
    fn new(job: &UnpackJob, walker: BlockWalker, resumed: bool, out: &mut Writer) -> Result<Self> {
        let stream = multithreaded_decoder().map_err(|err| ImageError::Corrupt {
            format: "xz",
            location: job.location.clone(),
            error: err.into(),
        })?;
        Ok(XzPass {
            stream,
            walker,
            resumed,
            ended: false,
            buffer: out.buffer(),
            filled: 0,
            location: job.location.clone(),
        })
    }

    /// Gives a resumed decoder the stream header saved from the first run.
    fn feed_header(&mut self, header: &[u8], out: &mut Writer) -> Result<()> {
        self.feed(header, Action::Run, out)
    }

    fn run(
        &mut self,
        head: Vec<u8>,
        input: &mut Input,
        compressed: &mut Sha256,
        out: &mut Writer,
    ) -> Result<()> {
        let head = Bytes::from(head);
        let chunks = std::iter::once(head).chain(std::iter::from_fn(|| input.next()));
        for chunk in chunks {
            let mut rest = &chunk[..];
            while !rest.is_empty() {
                if self.walker.in_index() || self.ended {
                    compressed.update(rest);
                    if !self.resumed && !self.ended {
                        self.feed(rest, Action::Run, out)?;
                    }
                    break;
                }
                let (used, boundary) = self.walker.walk(rest);
                let segment = &rest[..used];
                rest = &rest[used..];
                compressed.update(segment);
                if let (Some(boundary), Some(header)) = (boundary, self.walker.stream_header()) {
                    out.expect_checkpoint(boundary, compressed.save(), header.to_vec())?;
                }
                self.feed(segment, Action::Run, out)?;
                if self.resumed && self.walker.in_index() {
                    let index = self.walker.rebuilt_index_and_footer();
                    self.feed(&index, Action::Run, out)?;
                }
            }
        }
        let drained = match self.ended {
            true => Ok(()),
            false => self.feed(&[], Action::Finish, out),
        };
        self.flush(out)?;
        if !self.ended {
            // The input stopped early (a failed download or a cut file): the
            // writer keeps what was decoded and saves the newest checkpoint,
            // so that the next run can resume from there.
            out.save_checkpoint()?;
            drained?;
            return Err(self.corrupt(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the xz stream ends early (truncated)",
            )));
        }
        Ok(())
    }

    /// Hands the decoded bytes so far to the writer.
    fn flush(&mut self, out: &mut Writer) -> Result<()> {
        if self.filled > 0 {
            let full = std::mem::replace(&mut self.buffer, out.buffer());
            out.write(full, self.filled)?;
            self.filled = 0;
        }
        Ok(())
    }

    /// Decodes `data`, handing every full output buffer to the writer.
    /// Returns when `data` is consumed (`Run`), or at the end of the stream
    /// or when no progress is possible (`Finish`).
    fn feed(&mut self, mut data: &[u8], action: Action, out: &mut Writer) -> Result<()> {
        if self.ended {
            return Ok(());
        }
        loop {
            let before_in = self.stream.total_in();
            let before_out = self.stream.total_out();
            let status = self
                .stream
                .process(data, &mut self.buffer[self.filled..], action)
                .map_err(|err| self.corrupt(err.into()))?;
            let consumed = (self.stream.total_in() - before_in) as usize;
            let produced = (self.stream.total_out() - before_out) as usize;
            data = &data[consumed..];
            self.filled += produced;
            if status == Status::StreamEnd {
                self.ended = true;
                return Ok(());
            }
            if self.filled == self.buffer.len() {
                self.flush(out)?;
                continue;
            }
            let idle = consumed == 0 && produced == 0;
            if idle || (matches!(action, Action::Run) && data.is_empty()) {
                return Ok(());
            }
        }
    }

    fn corrupt(&self, error: io::Error) -> ImageError {
        ImageError::Corrupt {
            format: "xz",
            location: self.location.clone(),
            error,
        }
    }
}

/// liblzma's multi-threaded decoder with the two settings that make it really
/// use several threads: an explicit thread count and `memlimit_threading`
/// (left at 0, or taken from the bundled `lzma_physmem()`, which returns 0,
/// it silently decodes on one thread).
fn multithreaded_decoder() -> std::result::Result<Stream, liblzma::stream::Error> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()) as u32;
    MtStreamBuilder::new()
        .threads(threads)
        .memlimit_threading(threading_memory_limit())
        .memlimit_stop(u64::MAX)
        .timeout_ms(0)
        .decoder()
}

/// A quarter of the host's RAM (at least 512 MiB): two threads on `xz -9`
/// blocks need about 745 MiB.
fn threading_memory_limit() -> u64 {
    use sysinfo::{MemoryRefreshKind, RefreshKind, System};
    let system = System::new_with_specifics(
        RefreshKind::nothing().with_memory(MemoryRefreshKind::nothing().with_ram()),
    );
    (system.total_memory() / 4).max(512 << 20)
}

/// What the decoding thread asks of the writer thread, in stream order.
enum Message {
    /// The first `len` bytes of the buffer come next in the output.
    Data(Vec<u8>, usize),
    /// A block boundary seen in the compressed input (see
    /// [`SparseOutput::expect_checkpoint`]).
    Boundary(Boundary, String, Vec<u8>),
    /// Make the newest reached checkpoint durable and save it now.
    SaveCheckpoint,
}

/// The decoding thread's handle on the writer thread, which owns the
/// [`SparseOutput`]. Output buffers travel to the writer and come back for
/// reuse, so the decoder never waits for a write, a hash or an fsync unless
/// [`WRITE_QUEUE`] buffers are already queued.
struct Writer {
    messages: Option<SyncSender<Message>>,
    recycled: Receiver<Vec<u8>>,
    thread: Option<JoinHandle<Result<(String, u64, DiskFormat)>>>,
    path: PathBuf,
}

impl Writer {
    fn start(
        mut out: SparseOutput,
        mut save_checkpoint: Box<dyn FnMut(&Checkpoint) + Send>,
    ) -> Result<Self> {
        let path = out.path.clone();
        let (messages, inbox) = std::sync::mpsc::sync_channel::<Message>(WRITE_QUEUE);
        let (give_back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
        let thread = std::thread::Builder::new()
            .name("image-writer".into())
            .spawn(move || {
                let mut last_save = Instant::now();
                for message in inbox {
                    match message {
                        Message::Data(buffer, len) => {
                            out.write(&buffer[..len])?;
                            let _ = give_back.send(buffer);
                            if last_save.elapsed() >= CHECKPOINT_INTERVAL {
                                out.save_durable_checkpoint(&mut save_checkpoint)?;
                                last_save = Instant::now();
                            }
                        }
                        Message::Boundary(boundary, hash, header) => {
                            out.expect_checkpoint(boundary, hash, header)
                        }
                        Message::SaveCheckpoint => {
                            out.save_durable_checkpoint(&mut save_checkpoint)?
                        }
                    }
                }
                out.finish()
            })
            .map_err(|err| ImageError::io("starting a writer thread for", &path, err))?;
        Ok(Writer {
            messages: Some(messages),
            recycled,
            thread: Some(thread),
            path,
        })
    }

    /// An empty output buffer: one the writer is done with, or a new one.
    fn buffer(&mut self) -> Vec<u8> {
        self.recycled
            .try_recv()
            .unwrap_or_else(|_| vec![0u8; OUTPUT_BUFFER])
    }

    fn write(&mut self, buffer: Vec<u8>, len: usize) -> Result<()> {
        self.send(Message::Data(buffer, len))
    }

    fn expect_checkpoint(
        &mut self,
        boundary: Boundary,
        compressed_hash: String,
        header: Vec<u8>,
    ) -> Result<()> {
        self.send(Message::Boundary(boundary, compressed_hash, header))
    }

    fn save_checkpoint(&mut self) -> Result<()> {
        self.send(Message::SaveCheckpoint)
    }

    /// Queues `message`; when the writer has stopped, returns why.
    fn send(&mut self, message: Message) -> Result<()> {
        let sent = match &self.messages {
            Some(messages) => messages.send(message).is_ok(),
            None => false,
        };
        match sent {
            true => Ok(()),
            false => Err(self.join().err().unwrap_or_else(|| ImageError::Internal {
                location: self.path.display().to_string(),
                reason: "the writer thread stopped early".into(),
            })),
        }
    }

    /// Lets the writer drain its queue and finish the file: the uncompressed
    /// sha256, size and disk format.
    fn finish(mut self) -> Result<(String, u64, DiskFormat)> {
        self.join()
    }

    fn join(&mut self) -> Result<(String, u64, DiskFormat)> {
        self.messages = None;
        let internal = |reason: &str| ImageError::Internal {
            location: self.path.display().to_string(),
            reason: reason.into(),
        };
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(internal("the writer thread panicked"))),
            None => Err(internal("the writer thread was already joined")),
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        if self.thread.is_some() {
            let _ = self.join();
        }
    }
}

/// The output file: sparse writes, sha256 of every byte, checkpoint states.
struct SparseOutput {
    file: File,
    path: PathBuf,
    offset: u64,
    file_position: u64,
    hash: Sha256,
    head: Vec<u8>,
    written: Arc<AtomicU64>,
    /// Boundaries whose uncompressed side has not been written yet.
    expected: VecDeque<(Boundary, String, Vec<u8>)>,
    /// The newest checkpoint whose bytes are all written.
    reached: Option<Checkpoint>,
    /// Where the part not yet handed to the kernel's write-back starts.
    writeback_from: u64,
}

impl SparseOutput {
    fn open(path: &Path, resume: Option<&Checkpoint>, written: Arc<AtomicU64>) -> Result<Self> {
        let io_err = |action, err| ImageError::io(action, path, err);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(resume.is_none())
            .open(path)
            .map_err(|err| io_err("creating", err))?;
        let (offset, hash, head) = match resume {
            Some(checkpoint) => {
                file.set_len(checkpoint.uncompressed_offset)
                    .map_err(|err| io_err("truncating", err))?;
                let mut head = vec![0u8; 4.min(checkpoint.uncompressed_offset as usize)];
                file.read_exact(&mut head)
                    .map_err(|err| io_err("reading", err))?;
                let hash = Sha256::restore(&checkpoint.uncompressed_hash).ok_or_else(|| {
                    ImageError::BadFile {
                        path: path.to_path_buf(),
                        reason: "the saved resume state is unreadable".into(),
                    }
                })?;
                (checkpoint.uncompressed_offset, hash, head)
            }
            None => (0, Sha256::new(), Vec::new()),
        };
        written.store(offset, Ordering::Relaxed);
        Ok(SparseOutput {
            file,
            path: path.to_path_buf(),
            offset,
            file_position: u64::MAX,
            hash,
            head,
            written,
            expected: VecDeque::new(),
            reached: None,
            writeback_from: offset,
        })
    }

    fn expect_checkpoint(&mut self, boundary: Boundary, compressed_hash: String, header: Vec<u8>) {
        self.expected.push_back((boundary, compressed_hash, header));
        self.settle_checkpoints();
    }

    /// Turns expected boundaries that the output has reached into checkpoints.
    fn settle_checkpoints(&mut self) {
        while let Some((boundary, _, _)) = self.expected.front() {
            if boundary.uncompressed != self.offset {
                break;
            }
            if let Some((boundary, compressed_hash, stream_header)) = self.expected.pop_front() {
                self.reached = Some(Checkpoint {
                    compressed_offset: boundary.compressed,
                    uncompressed_offset: boundary.uncompressed,
                    compressed_hash,
                    uncompressed_hash: self.hash.save(),
                    stream_header,
                });
            }
        }
    }

    /// Makes the bytes of the newest reached checkpoint durable, then hands
    /// the checkpoint to `save`.
    fn save_durable_checkpoint(&mut self, save: &mut dyn FnMut(&Checkpoint)) -> Result<()> {
        if self.reached.is_none() {
            return Ok(());
        }
        self.file
            .sync_data()
            .map_err(|err| ImageError::io("syncing", &self.path, err))?;
        if let Some(checkpoint) = self.reached.take() {
            save(&checkpoint);
        }
        Ok(())
    }

    fn write(&mut self, mut data: &[u8]) -> Result<()> {
        while let Some((boundary, _, _)) = self.expected.front() {
            if boundary.uncompressed < self.offset {
                // Behind the output already: it cannot become a checkpoint.
                self.expected.pop_front();
                continue;
            }
            let until = boundary.uncompressed - self.offset;
            if until > data.len() as u64 {
                break;
            }
            let (now, later) = data.split_at(until as usize);
            self.write_sparse(now)?;
            self.settle_checkpoints();
            data = later;
        }
        self.write_sparse(data)
    }

    fn write_sparse(&mut self, data: &[u8]) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        if self.head.len() < 4 {
            let take = (4 - self.head.len()).min(data.len());
            self.head.extend_from_slice(&data[..take]);
        }
        self.hash.update(data);
        let mut start = 0;
        while start < data.len() {
            // Runs of data blocks are written at once; zero blocks are skipped.
            let block_end = |from: usize| (from + HOLE_BLOCK).min(data.len());
            let zero = is_zero(&data[start..block_end(start)]);
            let mut end = block_end(start);
            while end < data.len() && is_zero(&data[end..block_end(end)]) == zero {
                end = block_end(end);
            }
            if !zero {
                self.write_at(self.offset + start as u64, &data[start..end])?;
            }
            start = end;
        }
        self.offset += data.len() as u64;
        self.written.store(self.offset, Ordering::Relaxed);
        if self.offset - self.writeback_from >= WRITEBACK_CHUNK {
            start_writeback(&self.file, self.writeback_from, self.offset);
            self.writeback_from = self.offset;
        }
        Ok(())
    }

    fn write_at(&mut self, position: u64, data: &[u8]) -> Result<()> {
        if self.file_position != position {
            self.file
                .seek(SeekFrom::Start(position))
                .map_err(|err| ImageError::io("seeking in", &self.path, err))?;
        }
        self.file
            .write_all(data)
            .map_err(|err| ImageError::io("writing", &self.path, err))?;
        self.file_position = position + data.len() as u64;
        Ok(())
    }

    /// Sets the final length (trailing holes), syncs, and returns the
    /// uncompressed sha256, size and disk format.
    fn finish(self) -> Result<(String, u64, DiskFormat)> {
        self.file
            .set_len(self.offset)
            .map_err(|err| ImageError::io("setting the length of", &self.path, err))?;
        self.file
            .sync_all()
            .map_err(|err| ImageError::io("syncing", &self.path, err))?;
        let format = DiskFormat::detect(&self.head);
        Ok((self.hash.finish_hex(), self.offset, format))
    }
}

/// Asks the kernel to start writing `from..to` of `file` to disk now, without
/// waiting, so the fsync at the end finds little left to write. Best effort:
/// an error here shows up in that fsync.
#[cfg(target_os = "linux")]
fn start_writeback(file: &File, from: u64, to: u64) {
    use std::os::fd::AsRawFd;
    // SAFETY: a valid open fd; the call only reads its arguments.
    unsafe {
        libc::sync_file_range(
            file.as_raw_fd(),
            from as libc::off64_t,
            (to - from) as libc::off64_t,
            libc::SYNC_FILE_RANGE_WRITE,
        );
    }
}

/// Elsewhere the fsync at the end does all the writing back.
#[cfg(not(target_os = "linux"))]
fn start_writeback(_file: &File, _from: u64, _to: u64) {}

fn is_zero(block: &[u8]) -> bool {
    // OR-folding whole words lets the compiler vectorise the check.
    let mut words = block.chunks_exact(8);
    let folded = words.by_ref().fold(0u64, |acc, word| {
        acc | u64::from_ne_bytes(word.try_into().unwrap_or_default())
    });
    folded == 0 && words.remainder().iter().all(|&byte| byte == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn allocated(path: &Path) -> u64 {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(path).unwrap().blocks() * 512
    }

    #[cfg(not(unix))]
    fn allocated(path: &Path) -> u64 {
        std::fs::metadata(path).unwrap().len()
    }

    fn run(data: Vec<u8>, dir: &Path) -> Result<Unpacked> {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        let job = UnpackJob {
            partial: dir.join("out"),
            location: "test".into(),
            resume: None,
            save_checkpoint: Box::new(|_| {}),
            written: Arc::default(),
        };
        let worker = std::thread::spawn(move || unpack(job, Input::new(rx)));
        for chunk in data.chunks(100_000) {
            tx.blocking_send(Bytes::copy_from_slice(chunk)).unwrap();
        }
        drop(tx);
        worker.join().unwrap()
    }

    fn disk_like(len: usize) -> Vec<u8> {
        let mut data = vec![0u8; len];
        for (i, byte) in data.iter_mut().enumerate() {
            // Data in the first and third quarter, zeros elsewhere.
            if (i / (len / 4)).is_multiple_of(2) {
                *byte = (i % 251) as u8;
            }
        }
        data[..4].copy_from_slice(b"QFI\xfb");
        data
    }

    fn sha(data: &[u8]) -> String {
        let mut hash = Sha256::new();
        hash.update(data);
        hash.finish_hex()
    }

    #[test]
    fn each_compression_round_trips_sparsely() {
        let data = disk_like(8 << 20);
        let compressed: Vec<(Compression, Vec<u8>)> = vec![
            (Compression::None, data.clone()),
            (Compression::Xz, {
                let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
                e.write_all(&data).unwrap();
                e.finish().unwrap()
            }),
            (Compression::Zstd, zstd::encode_all(&data[..], 1).unwrap()),
            (Compression::Gzip, {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(&data).unwrap();
                e.finish().unwrap()
            }),
        ];
        for (compression, bytes) in compressed {
            let dir = tempfile::tempdir().unwrap();
            let out = run(bytes.clone(), dir.path()).unwrap();
            assert_eq!(out.compression, compression);
            assert_eq!(out.compressed_sha256, sha(&bytes));
            assert_eq!(out.compressed_size, bytes.len() as u64);
            assert_eq!(out.sha256, sha(&data));
            assert_eq!(out.size, data.len() as u64);
            assert_eq!(out.format, DiskFormat::Qcow2);
            let written = std::fs::read(dir.path().join("out")).unwrap();
            assert!(written == data, "{compression:?} output differs");
            let allocated = allocated(&dir.path().join("out"));
            if cfg!(unix) {
                assert!(
                    allocated <= (data.len() as u64) / 2 + (1 << 20),
                    "{compression:?}: {allocated} bytes allocated, not sparse"
                );
            }
        }
    }

    #[test]
    fn corrupt_and_truncated_streams_are_errors() {
        let data = disk_like(2 << 20);
        let mut xz = {
            let mut e = liblzma::write::XzEncoder::new(Vec::new(), 1);
            e.write_all(&data).unwrap();
            e.finish().unwrap()
        };
        let dir = tempfile::tempdir().unwrap();
        let truncated = xz[..xz.len() / 2].to_vec();
        let err = run(truncated, dir.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt xz data"), "{err}");
        let middle = xz.len() / 2;
        xz[middle] ^= 0xff;
        let err = run(xz, dir.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt xz data"), "{err}");

        let mut zst = zstd::encode_all(&data[..], 1).unwrap();
        let truncated = zst[..zst.len() / 2].to_vec();
        let err = run(truncated, dir.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt zstd data"), "{err}");
        let middle = zst.len() / 2;
        zst[middle] ^= 0xff;
        let err = run(zst, dir.path()).unwrap_err();
        assert!(err.to_string().contains("corrupt zstd data"), "{err}");
    }
}
