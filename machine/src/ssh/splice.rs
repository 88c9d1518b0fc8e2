//! Copying between a local connection (the API socket, a published port, a
//! named pipe) and an SSH channel to the guest. Towards the guest, bytes go
//! out in whole SSH packets where they can: a read from a local socket
//! returns what its buffer held (208 KiB on Linux), rarely a multiple of the
//! packet size, and the tail of each read would otherwise leave as one more
//! short packet for the guest to decrypt and hand on (6-9% more packets in a
//! `load`). In a bulk transfer a tail waits briefly for the bytes that follow
//! it; a message shorter than a packet never waits. Towards the local
//! connection, the packets that have arrived leave together in one
//! vectored write instead of a write (and a wake-up of the local reader)
//! each.

use std::io::{self, IoSlice};
use std::pin::Pin;
use std::task::{ready, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::stream::ChunkedRead;
use super::GuestStream;

/// Copy buffer size: large buffers make fewer, fuller reads and writes
/// (tokio's 8 KiB default costs about 20% more CPU). A multiple of
/// [`CHANNEL_PACKET`].
pub const COPY_BUFFER: usize = 256 * 1024;

/// The most data one packet carries on a forwarded channel: OpenSSH's sshd
/// offers 32 KiB (its CHAN_TCP_PACKET_DEFAULT) for direct-tcpip and
/// direct-streamlocal channels.
pub const CHANNEL_PACKET: usize = 32 * 1024;

const _: () = assert!(COPY_BUFFER.is_multiple_of(CHANNEL_PACKET));

/// Copies both ways between a local connection and a channel's halves
/// until both sides are done; each side's write half is shut down when its
/// source ends. The channel's data goes to the local connection straight
/// from its read half's chunks ([`copy_chunks`]). Returns the bytes sent to
/// the channel and the bytes received.
pub async fn splice<A, R, W>(
    local: &mut A,
    mut remote_read: R,
    mut remote_write: W,
) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
    R: ChunkedRead,
    W: AsyncWrite + Unpin,
{
    let (mut local_read, mut local_write) = tokio::io::split(local);
    let to_guest = async {
        let sent = copy_in_packets(&mut local_read, &mut remote_write).await?;
        remote_write.shutdown().await?;
        Ok::<_, io::Error>(sent)
    };
    let from_guest = async {
        let received = copy_chunks(&mut remote_read, &mut local_write).await?;
        local_write.shutdown().await?;
        Ok::<_, io::Error>(received)
    };
    tokio::try_join!(to_guest, from_guest)
}

/// [`splice`] with a channel to the guest.
pub async fn splice_channel<A>(local: &mut A, remote: GuestStream) -> io::Result<(u64, u64)>
where
    A: AsyncRead + AsyncWrite + Unpin + ?Sized,
{
    let (remote_read, remote_write) = remote.into_split();
    splice(local, remote_read, remote_write).await
}

/// The most chunks one write to the local connection takes (whole packets
/// of [`COPY_BUFFER`], and a partly written one).
const CHUNKS_PER_WRITE: usize = COPY_BUFFER / CHANNEL_PACKET + 1;

/// Copies `reader` to `writer` until the reader ends, the chunks that are
/// there in one vectored write.
async fn copy_chunks<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: ChunkedRead + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut copied = 0u64;
    loop {
        let written = std::future::poll_fn(|cx| -> Poll<io::Result<usize>> {
            let mut slices = [IoSlice::new(&[]); CHUNKS_PER_WRITE];
            let count = ready!(reader.poll_chunks(cx, &mut slices))?;
            if count == 0 {
                return Poll::Ready(Ok(0));
            }
            let written = ready!(Pin::new(&mut *writer).poll_write_vectored(cx, &slices[..count]))?;
            if written == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            Poll::Ready(Ok(written))
        })
        .await?;
        if written == 0 {
            return Ok(copied);
        }
        reader.consume_chunks(written);
        copied += written as u64;
    }
}

/// How long the tail of a bulk transfer waits for the bytes after it: the
/// local writer refills its socket within microseconds once the copy has
/// drained it; this bounds what the very last tail of a transfer costs.
const TAIL_WAIT: Duration = Duration::from_millis(1);

/// Copies `reader` to `writer` until the reader ends, writing whole
/// multiples of [`CHANNEL_PACKET`]. A tail shorter than a packet goes at once when
/// nothing more is there, except right after whole packets went (a bulk
/// transfer), when it waits up to [`TAIL_WAIT`] for more to join it.
async fn copy_in_packets<R, W>(reader: &mut R, writer: &mut W) -> io::Result<u64>
where
    R: AsyncRead + Unpin + ?Sized,
    W: AsyncWrite + Unpin + ?Sized,
{
    let mut buffer = vec![0u8; COPY_BUFFER];
    let mut held = 0;
    let mut copied = 0u64;
    let mut bulk = false;
    loop {
        let read = if held == 0 {
            Some(reader.read(&mut buffer).await?)
        } else if bulk {
            match tokio::time::timeout(TAIL_WAIT, reader.read(&mut buffer[held..])).await {
                Ok(read) => Some(read?),
                Err(_) => None,
            }
        } else {
            read_if_ready(reader, &mut buffer[held..]).await?
        };
        let ready = match read {
            Some(0) | None => held,
            Some(count) => {
                held += count;
                held - held % CHANNEL_PACKET
            }
        };
        if ready > 0 {
            writer.write_all(&buffer[..ready]).await?;
            buffer.copy_within(ready..held, 0);
            held -= ready;
            copied += ready as u64;
        }
        // Whole packets just went: more are likely on their way.
        bulk = ready >= CHANNEL_PACKET;
        if read == Some(0) {
            return Ok(copied);
        }
    }
}

/// One read that does not wait: `None` when no bytes are there yet.
async fn read_if_ready<R>(reader: &mut R, buffer: &mut [u8]) -> io::Result<Option<usize>>
where
    R: AsyncRead + Unpin + ?Sized,
{
    std::future::poll_fn(|cx| {
        let mut read = ReadBuf::new(buffer);
        match Pin::new(&mut *reader).poll_read(cx, &mut read) {
            Poll::Pending => Poll::Ready(Ok(None)),
            Poll::Ready(Ok(())) => Poll::Ready(Ok(Some(read.filled().len()))),
            Poll::Ready(Err(err)) => Poll::Ready(Err(err)),
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::UnixStream;

    /// Records the size of each write it takes.
    #[derive(Default)]
    struct WriteSizes {
        sizes: Vec<usize>,
        bytes: Vec<u8>,
    }

    impl AsyncWrite for WriteSizes {
        fn poll_write(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &[u8],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            this.sizes.push(buf.len());
            this.bytes.extend_from_slice(buf);
            Poll::Ready(Ok(buf.len()))
        }
        /// Takes at most 100 000 bytes a write, as a socket with little
        /// room would.
        fn poll_write_vectored(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            bufs: &[IoSlice<'_>],
        ) -> Poll<io::Result<usize>> {
            let this = self.get_mut();
            let mut room = 100_000;
            for buf in bufs {
                let count = buf.len().min(room);
                this.bytes.extend_from_slice(&buf[..count]);
                room -= count;
            }
            this.sizes.push(100_000 - room);
            Poll::Ready(Ok(100_000 - room))
        }
        fn is_write_vectored(&self) -> bool {
            true
        }
        fn poll_flush(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
        fn poll_shutdown(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
        ) -> Poll<io::Result<()>> {
            Poll::Ready(Ok(()))
        }
    }

    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|index| (index % 251) as u8).collect()
    }

    /// A reader that always has its next chunk ready, like a socket
    /// refilled by a fast local client while the channel is the bottleneck.
    struct ReadyChunks(std::collections::VecDeque<Vec<u8>>);

    impl AsyncRead for ReadyChunks {
        fn poll_read(
            self: Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            let chunks = &mut self.get_mut().0;
            if let Some(front) = chunks.front_mut() {
                let count = front.len().min(buf.remaining());
                buf.put_slice(&front[..count]);
                front.drain(..count);
                if front.is_empty() {
                    chunks.pop_front();
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    /// Messages that have all arrived, like the guest's data messages.
    struct ArrivedChunks(std::collections::VecDeque<Vec<u8>>);

    impl ChunkedRead for ArrivedChunks {
        fn poll_chunks<'a>(
            &'a mut self,
            _: &mut std::task::Context<'_>,
            slices: &mut [IoSlice<'a>],
        ) -> Poll<io::Result<usize>> {
            let mut filled = 0;
            for (slice, chunk) in slices.iter_mut().zip(&self.0) {
                *slice = IoSlice::new(chunk);
                filled += 1;
            }
            Poll::Ready(Ok(filled))
        }

        fn consume_chunks(&mut self, mut amount: usize) {
            while amount > 0 {
                let front = self.0.front_mut().unwrap();
                let count = amount.min(front.len());
                front.drain(..count);
                amount -= count;
                if front.is_empty() {
                    self.0.pop_front();
                }
            }
        }
    }

    /// Chunks that are there leave together, as many as a write takes,
    /// and arrive intact and in order.
    #[tokio::test]
    async fn arrived_chunks_leave_in_one_write() {
        let data = pattern(10 * CHANNEL_PACKET + 5);
        let mut reader = ArrivedChunks(data.chunks(CHANNEL_PACKET).map(<[u8]>::to_vec).collect());
        let mut out = WriteSizes::default();
        let copied = copy_chunks(&mut reader, &mut out).await;
        assert_eq!(copied.unwrap(), data.len() as u64);
        assert_eq!(out.bytes, data);
        assert_eq!(out.sizes, [100_000, 100_000, 100_000, 27_685]);
    }

    /// Reads of a socket's buffer size (not packet multiples) still leave
    /// in whole packets but for the very end, and the bytes arrive intact.
    #[tokio::test]
    async fn ready_bytes_leave_in_whole_packets() {
        let data = pattern(3 * 212_992 + 1000);
        let mut reader = ReadyChunks(data.chunks(212_992).map(<[u8]>::to_vec).collect());
        let mut out = WriteSizes::default();
        let copied = copy_in_packets(&mut reader, &mut out).await;
        assert_eq!(copied.unwrap(), data.len() as u64);
        assert_eq!(out.bytes, data);
        let (last, whole) = out.sizes.split_last().unwrap();
        assert!(
            whole.iter().all(|size| size % CHANNEL_PACKET == 0),
            "write sizes {:?}",
            out.sizes
        );
        assert_eq!(*last, data.len() % CHANNEL_PACKET);
    }

    /// A small message is written at once, not held for bytes that may
    /// never come.
    #[tokio::test]
    async fn a_short_message_is_not_held_back() {
        let (mut source, mut sink) = UnixStream::pair().unwrap();
        let (mut to_guest, mut guest) = UnixStream::pair().unwrap();
        let copy = tokio::spawn(async move { copy_in_packets(&mut sink, &mut to_guest).await });
        source
            .write_all(b"GET /_ping HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut got = [0u8; 23];
        tokio::time::timeout(Duration::from_secs(10), guest.read_exact(&mut got))
            .await
            .expect("the request was passed on while its sender stayed open")
            .unwrap();
        assert_eq!(&got, b"GET /_ping HTTP/1.1\r\n\r\n");
        drop(source);
        assert_eq!(copy.await.unwrap().unwrap(), 23);
    }

    /// The tail after whole packets goes after a short wait while its
    /// sender stays open and quiet.
    #[tokio::test]
    async fn a_bulk_tail_is_not_held_while_the_sender_is_quiet() {
        let (mut source, mut sink) = UnixStream::pair().unwrap();
        let (mut to_guest, mut guest) = UnixStream::pair().unwrap();
        let copy = tokio::spawn(async move { copy_in_packets(&mut sink, &mut to_guest).await });
        let body = pattern(CHANNEL_PACKET + 8 * 1024);
        source.write_all(&body).await.unwrap();
        let mut got = vec![0u8; body.len()];
        tokio::time::timeout(Duration::from_secs(10), guest.read_exact(&mut got))
            .await
            .expect("the tail was passed on while its sender stayed open")
            .unwrap();
        assert_eq!(got, body);
        drop(source);
        assert_eq!(copy.await.unwrap().unwrap(), body.len() as u64);
    }

    /// Both directions run to their ends, and each end is passed on.
    #[tokio::test]
    async fn splice_copies_both_ways_and_passes_on_each_end() {
        let (mut client, mut local) = UnixStream::pair().unwrap();
        let (remote, mut guest) = UnixStream::pair().unwrap();
        let spliced = tokio::spawn(async move {
            let (remote_read, remote_write) = remote.into_split();
            splice(
                &mut local,
                tokio::io::BufReader::new(remote_read),
                remote_write,
            )
            .await
        });
        let request = pattern(700 * 1024);
        let response = pattern(300 * 1024 + 7);
        let guest_side = {
            let response = response.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                guest.read_to_end(&mut got).await.unwrap();
                guest.write_all(&response).await.unwrap();
                guest.shutdown().await.unwrap();
                got
            })
        };
        client.write_all(&request).await.unwrap();
        client.shutdown().await.unwrap();
        let mut got = Vec::new();
        client.read_to_end(&mut got).await.unwrap();
        assert_eq!(got, response);
        assert_eq!(guest_side.await.unwrap(), request);
        let (sent, received) = spliced.await.unwrap().unwrap();
        assert_eq!(
            (sent, received),
            (request.len() as u64, response.len() as u64)
        );
    }
}
