//! Streamed request bodies: an [`AsyncRead`] (a response of another
//! request), a blocking [`std::io::Read`]er read on its own thread (a file,
//! stdin) or a blocking [`std::io::Write`]r on another thread (a tar
//! archive being built) become a [`RequestBody`] that is sent while it is
//! produced, through a small bounded channel, so memory stays bounded
//! whatever the size.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use http_body::{Body, Frame, SizeHint};
use http_body_util::BodyExt;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

use crate::client::RequestBody;

/// Chunks of this size are sent to the server.
pub const CHUNK_SIZE: usize = 256 * 1024;
/// How many chunks may wait in the channel (so at most ~2 MiB in flight).
const CHANNEL_CHUNKS: usize = 8;

/// The receiving end of a body channel, as an HTTP body.
struct ChannelBody {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
}

impl Body for ChannelBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        self.chunks
            .poll_recv(cx)
            .map(|chunk| chunk.map(|chunk| chunk.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}

/// The sending end for code that writes synchronously (on a blocking
/// thread): buffers writes into [`CHUNK_SIZE`] chunks and blocks while the
/// channel is full. Drop it (or call [`BodyWriter::finish`]) to end the body.
pub struct BodyWriter {
    chunks: mpsc::Sender<io::Result<Bytes>>,
    buffer: BytesMut,
}

impl BodyWriter {
    fn send(&mut self, chunk: io::Result<Bytes>) -> io::Result<()> {
        self.chunks
            .blocking_send(chunk)
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the request was abandoned"))
    }

    /// Flushes what is buffered; the body ends when the writer is dropped.
    pub fn finish(mut self) -> io::Result<()> {
        io::Write::flush(&mut self)
    }

    /// Ends the body with an error, so that the request fails instead of
    /// sending a truncated body as if it were whole.
    pub fn fail(mut self, error: io::Error) {
        let _ = self.send(Err(error));
    }

    /// A handle that can fail the body after the writer has been handed to
    /// something that owns it (a tar builder).
    pub fn abort_handle(&self) -> BodyAbort {
        BodyAbort {
            chunks: self.chunks.clone(),
        }
    }
}

/// Fails a body from outside its writer (see [`BodyWriter::abort_handle`]).
pub struct BodyAbort {
    chunks: mpsc::Sender<io::Result<Bytes>>,
}

impl BodyAbort {
    /// Ends the body with `error` (call it from a blocking thread).
    pub fn fail(self, error: io::Error) {
        let _ = self.chunks.blocking_send(Err(error));
    }
}

impl io::Write for BodyWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if self.buffer.len() + data.len() > CHUNK_SIZE && !self.buffer.is_empty() {
            self.flush()?;
        }
        if data.len() >= CHUNK_SIZE {
            self.send(Ok(Bytes::copy_from_slice(data)))?;
        } else {
            self.buffer.extend_from_slice(data);
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = self.buffer.split().freeze();
        self.buffer.reserve(CHUNK_SIZE);
        self.send(Ok(chunk))
    }
}

/// A body fed by a [`BodyWriter`] (use it from `spawn_blocking`).
pub fn writer_body() -> (BodyWriter, RequestBody) {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    let writer = BodyWriter {
        chunks: sender,
        buffer: BytesMut::with_capacity(CHUNK_SIZE),
    };
    (writer, ChannelBody { chunks: receiver }.boxed())
}

/// A body that streams everything the blocking `reader` yields (a file,
/// stdin), read on a thread of its own in [`CHUNK_SIZE`] chunks: a pipe
/// hands over at most 64 KiB a read, and reading them through the async
/// runtime would cost a thread hand-off for each.
pub fn blocking_reader_body<R: io::Read + Send + 'static>(mut reader: R) -> RequestBody {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    std::thread::spawn(move || loop {
        let mut buffer = BytesMut::zeroed(CHUNK_SIZE);
        let mut filled = 0;
        let read = loop {
            match reader.read(&mut buffer[filled..]) {
                Ok(0) => break Ok(()),
                Ok(n) => {
                    filled += n;
                    if filled == buffer.len() {
                        break Ok(());
                    }
                }
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => break Err(err),
            }
        };
        let end = filled < buffer.len();
        buffer.truncate(filled);
        if filled > 0 && sender.blocking_send(Ok(buffer.freeze())).is_err() {
            return;
        }
        if let Err(err) = read {
            let _ = sender.blocking_send(Err(err));
            return;
        }
        if end {
            return;
        }
    });
    ChannelBody { chunks: receiver }.boxed()
}

/// A body that streams everything `reader` yields (another response).
pub fn reader_body<R: AsyncRead + Send + Unpin + 'static>(mut reader: R) -> RequestBody {
    let (sender, receiver) = mpsc::channel(CHANNEL_CHUNKS);
    tokio::spawn(async move {
        loop {
            let mut buffer = BytesMut::with_capacity(CHUNK_SIZE);
            let chunk = match reader.read_buf(&mut buffer).await {
                Ok(0) => return,
                Ok(_) => Ok(buffer.freeze()),
                Err(err) => Err(err),
            };
            let failed = chunk.is_err();
            if sender.send(chunk).await.is_err() || failed {
                return;
            }
        }
    });
    ChannelBody { chunks: receiver }.boxed()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    async fn collect(body: RequestBody) -> io::Result<Vec<u8>> {
        Ok(body.collect().await?.to_bytes().to_vec())
    }

    #[tokio::test]
    async fn writer_chunks_arrive_in_order() {
        let (mut writer, body) = writer_body();
        let producer = tokio::task::spawn_blocking(move || {
            for i in 0..100_000u32 {
                writer.write_all(&i.to_be_bytes()).unwrap();
            }
            writer.write_all(&vec![7u8; 3 * CHUNK_SIZE]).unwrap();
            writer.finish().unwrap();
        });
        let bytes = collect(body).await.unwrap();
        producer.await.unwrap();
        assert_eq!(bytes.len(), 400_000 + 3 * CHUNK_SIZE);
        assert_eq!(&bytes[4..8], &1u32.to_be_bytes());
        assert!(bytes[400_000..].iter().all(|b| *b == 7));
    }

    #[tokio::test]
    async fn a_failed_writer_fails_the_body() {
        let (mut writer, body) = writer_body();
        tokio::task::spawn_blocking(move || {
            writer.write_all(b"partial").unwrap();
            writer.flush().unwrap();
            writer.fail(io::Error::other("disk on fire"));
        });
        let err = collect(body).await.unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }

    #[tokio::test]
    async fn blocking_reader_bodies_carry_everything_and_fail_on_errors() {
        let data: Vec<u8> = (0..3 * CHUNK_SIZE as u32 + 17).map(|i| i as u8).collect();
        let body = blocking_reader_body(std::io::Cursor::new(data.clone()));
        assert_eq!(collect(body).await.unwrap(), data);
        let failing = std::io::Read::chain(std::io::Cursor::new(vec![1u8; 10]), FailingReader);
        let err = collect(blocking_reader_body(failing)).await.unwrap_err();
        assert_eq!(err.to_string(), "disk on fire");
    }

    struct FailingReader;

    impl std::io::Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::other("disk on fire"))
        }
    }

    #[tokio::test]
    async fn reader_bodies_carry_everything() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| i as u8).collect();
        let body = reader_body(std::io::Cursor::new(data.clone()));
        assert_eq!(collect(body).await.unwrap(), data);
    }
}
