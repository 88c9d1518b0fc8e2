//! Streams from the engine: the 8-byte multiplexed stdout/stderr framing
//! (logs, attach and exec without a tty), hijacked (upgraded) attach and
//! exec connections, response bodies as `AsyncRead`, and JSON-lines
//! progress streams (pull, events).

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::{Buf, Bytes, BytesMut};
use hyper::body::{Body, Incoming};
use hyper_util::rt::TokioIo;
use serde::de::DeserializeOwned;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, BufReader, ReadBuf};

/// Which stream a multiplexed frame belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamKind {
    Stdin,
    Stdout,
    Stderr,
}

/// One frame of a multiplexed stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frame {
    pub kind: StreamKind,
    pub data: Bytes,
}

/// Splits a multiplexed stream into frames: each frame is a header
/// `[kind, 0, 0, 0, size as u32 big-endian]` followed by `size` bytes
/// (kind 0 stdin, 1 stdout, 2 stderr).
pub struct Demux<R> {
    reader: R,
}

impl<R: AsyncRead + Unpin> Demux<R> {
    pub fn new(reader: R) -> Self {
        Demux { reader }
    }

    /// The next frame, or `None` at a clean end of stream.
    pub async fn next_frame(&mut self) -> io::Result<Option<Frame>> {
        let mut header = [0u8; 8];
        // A clean end is only allowed between frames.
        let first = self.reader.read(&mut header).await?;
        if first == 0 {
            return Ok(None);
        }
        self.reader.read_exact(&mut header[first..]).await?;
        let kind = match header[0] {
            0 => StreamKind::Stdin,
            1 => StreamKind::Stdout,
            2 => StreamKind::Stderr,
            other => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("unknown stream type {other} in a multiplexed stream header"),
                ))
            }
        };
        let size = u32::from_be_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let mut data = vec![0u8; size];
        self.reader.read_exact(&mut data).await?;
        Ok(Some(Frame {
            kind,
            data: Bytes::from(data),
        }))
    }

    /// Copies every frame to `stdout` or `stderr` until the end of stream.
    pub async fn copy_to<O, E>(&mut self, stdout: &mut O, stderr: &mut E) -> io::Result<()>
    where
        O: AsyncWrite + Unpin,
        E: AsyncWrite + Unpin,
    {
        use tokio::io::AsyncWriteExt;
        while let Some(frame) = self.next_frame().await? {
            match frame.kind {
                StreamKind::Stderr => {
                    stderr.write_all(&frame.data).await?;
                    stderr.flush().await?;
                }
                _ => {
                    stdout.write_all(&frame.data).await?;
                    stdout.flush().await?;
                }
            }
        }
        Ok(())
    }

    pub fn into_inner(self) -> R {
        self.reader
    }
}

/// A response body as an [`AsyncRead`].
pub struct BodyReader {
    body: Incoming,
    chunk: Bytes,
}

impl BodyReader {
    pub fn new(body: Incoming) -> Self {
        BodyReader {
            body,
            chunk: Bytes::new(),
        }
    }

    /// The next piece of the body as it arrived (no copy), `None` at its
    /// end.
    pub async fn next_chunk(&mut self) -> io::Result<Option<Bytes>> {
        if !self.chunk.is_empty() {
            return Ok(Some(std::mem::take(&mut self.chunk)));
        }
        while let Some(frame) =
            std::future::poll_fn(|cx| Pin::new(&mut self.body).poll_frame(cx)).await
        {
            let frame = frame.map_err(io::Error::other)?;
            if let Ok(data) = frame.into_data() {
                if !data.is_empty() {
                    return Ok(Some(data));
                }
            }
        }
        Ok(None)
    }
}

impl AsyncRead for BodyReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            if !self.chunk.is_empty() {
                let n = self.chunk.len().min(buf.remaining());
                buf.put_slice(&self.chunk[..n]);
                self.chunk.advance(n);
                return Poll::Ready(Ok(()));
            }
            match ready!(Pin::new(&mut self.body).poll_frame(cx)) {
                None => return Poll::Ready(Ok(())),
                Some(Err(err)) => return Poll::Ready(Err(io::Error::other(err))),
                Some(Ok(frame)) => {
                    if let Ok(data) = frame.into_data() {
                        self.chunk = data;
                    }
                }
            }
        }
    }
}

/// A hijacked connection after `101 Switching Protocols`: the container's
/// output arrives on the read side (multiplexed unless it has a tty) and the
/// write side is its stdin.
pub struct Upgraded {
    io: TokioIo<hyper::upgrade::Upgraded>,
}

impl Upgraded {
    pub(crate) fn new(io: TokioIo<hyper::upgrade::Upgraded>) -> Self {
        Upgraded { io }
    }
}

impl AsyncRead for Upgraded {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Upgraded {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// A stream of JSON values, one per line (blank lines skipped), such as
/// pull progress or events.
pub struct JsonLines<R> {
    reader: BufReader<R>,
    line: Vec<u8>,
}

impl<R: AsyncRead + Unpin> JsonLines<R> {
    pub fn new(reader: R) -> Self {
        JsonLines {
            reader: BufReader::new(reader),
            line: Vec::new(),
        }
    }

    /// The next value, or `None` at the end of the stream.
    pub async fn next<T: DeserializeOwned>(&mut self) -> io::Result<Option<T>> {
        loop {
            self.line.clear();
            if self.reader.read_until(b'\n', &mut self.line).await? == 0 {
                return Ok(None);
            }
            let text = self.line.trim_ascii();
            if text.is_empty() {
                continue;
            }
            return serde_json::from_slice(text)
                .map(Some)
                .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err));
        }
    }
}

/// Splits raw bytes into multiplexed frames (for tests and byte-level tools).
pub fn encode_frame(kind: StreamKind, data: &[u8]) -> BytesMut {
    let mut out = BytesMut::with_capacity(8 + data.len());
    let kind = match kind {
        StreamKind::Stdin => 0u8,
        StreamKind::Stdout => 1,
        StreamKind::Stderr => 2,
    };
    out.extend_from_slice(&[kind, 0, 0, 0]);
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(data);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn demuxes_frames_split_across_reads() {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&encode_frame(StreamKind::Stdout, b"hello\n"));
        bytes.extend_from_slice(&encode_frame(StreamKind::Stderr, b"oops\n"));
        bytes.extend_from_slice(&encode_frame(StreamKind::Stdout, b""));
        // Deliver the bytes three at a time to cross header and body boundaries.
        let (mut tx, rx) = tokio::io::duplex(3);
        let writer = tokio::spawn(async move {
            use tokio::io::AsyncWriteExt;
            for chunk in bytes.chunks(3) {
                tx.write_all(chunk).await.unwrap();
            }
        });
        let mut demux = Demux::new(rx);
        let (mut out, mut err) = (Vec::new(), Vec::new());
        demux.copy_to(&mut out, &mut err).await.unwrap();
        writer.await.unwrap();
        assert_eq!(out, b"hello\n");
        assert_eq!(err, b"oops\n");
    }

    #[tokio::test]
    async fn truncated_frame_is_an_error() {
        let mut bytes = encode_frame(StreamKind::Stdout, b"hello").to_vec();
        bytes.truncate(10);
        let mut demux = Demux::new(&bytes[..]);
        assert!(demux.next_frame().await.is_err());
        let mut demux = Demux::new(&[9u8, 0, 0, 0, 0, 0, 0, 0][..]);
        assert!(demux.next_frame().await.is_err());
    }

    #[tokio::test]
    async fn json_lines_skip_blank_lines() {
        let text = b"{\"a\":1}\n\n{\"a\":2}\r\n{\"a\":3}";
        let mut lines = JsonLines::new(&text[..]);
        let mut seen = Vec::new();
        while let Some(value) = lines.next::<serde_json::Value>().await.unwrap() {
            seen.push(value["a"].as_i64().unwrap());
        }
        assert_eq!(seen, [1, 2, 3]);
    }
}
