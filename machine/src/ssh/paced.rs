//! A TCP stream whose reader is woken only once the bytes it waits for have
//! arrived. russh reads each SSH packet with exact reads (its length, then
//! the rest), and a guest's bytes reach the host a few kilobytes at a time:
//! woken for every piece of a packet that is useless until it is whole, the
//! agent spent more CPU on wake-ups than on decryption (on a small host, CPU
//! taken from the guest). Before the reader waits, the stream sets the
//! socket's receive low-water mark to the bytes the read still needs; Linux
//! re-checks readiness when the mark changes, so no wake-up is lost. On other
//! hosts it is not paced.
//!
//! It also reads ahead: one read from the socket takes in whatever has
//! arrived (up to [`READ_AHEAD`]), and the exact reads that follow are served
//! from it. Without it a bulk transfer cost two reads from the socket per
//! 32 KiB packet, where OpenSSH's client makes one read per many packets.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The highest mark set: above a packet of the largest size berth accepts
/// (32 KiB of data plus framing), below the socket's receive buffer.
const MAX_LOW_WATER: usize = 64 * 1024;

/// The most one read from the socket takes in.
pub const READ_AHEAD: usize = 256 * 1024;

/// A [`TcpStream`] that paces its reader's wake-ups once [`Self::pacing`]
/// is switched on (after the handshake: the server's banner line is read
/// with a buffer larger than the line, not with exact reads).
pub struct PacedTcpStream {
    inner: TcpStream,
    pacing: Arc<AtomicBool>,
    low_water: usize,
    /// Bytes read from the socket and not yet passed on: `ahead[start..end]`.
    ahead: Box<[u8]>,
    start: usize,
    end: usize,
}

impl PacedTcpStream {
    pub fn new(inner: TcpStream) -> Self {
        PacedTcpStream {
            inner,
            pacing: Arc::new(AtomicBool::new(false)),
            low_water: 1,
            ahead: vec![0; READ_AHEAD].into_boxed_slice(),
            start: 0,
            end: 0,
        }
    }

    /// The switch that turns pacing on.
    pub fn pacing(&self) -> Arc<AtomicBool> {
        self.pacing.clone()
    }

    /// Sets the low-water mark for a read that still needs `wanted` bytes;
    /// pacing stops for good if the host refuses the option.
    fn wait_for(&mut self, wanted: usize) {
        let mark = wanted.clamp(1, MAX_LOW_WATER);
        if mark == self.low_water {
            return;
        }
        if platform::set_receive_low_water(&self.inner, mark).is_ok() {
            self.low_water = mark;
        } else {
            self.pacing.store(false, Ordering::Relaxed);
        }
    }
}

impl AsyncRead for PacedTcpStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let wanted = buf.remaining();
        // A read as large as the read-ahead goes straight to the caller.
        let direct = wanted >= READ_AHEAD;
        if this.start == this.end {
            let poll = if direct {
                Pin::new(&mut this.inner).poll_read(cx, buf)
            } else {
                let mut ahead = ReadBuf::new(&mut this.ahead);
                let poll = Pin::new(&mut this.inner).poll_read(cx, &mut ahead);
                (this.start, this.end) = (0, ahead.filled().len());
                poll
            };
            if poll.is_pending() && this.pacing.load(Ordering::Relaxed) {
                this.wait_for(wanted);
            }
            if direct || this.end == 0 {
                // Read directly, not ready, failed, or the socket's end.
                return poll;
            }
        }
        let count = wanted.min(this.end - this.start);
        buf.put_slice(&this.ahead[this.start..this.start + count]);
        this.start += count;
        Poll::Ready(Ok(()))
    }
}

impl AsyncWrite for PacedTcpStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(target_os = "linux")]
mod platform {
    use std::os::fd::AsRawFd;

    /// SO_RCVLOWAT; setting it makes Linux signal readiness at once when
    /// enough bytes are already queued (tcp_set_rcvlowat).
    pub fn set_receive_low_water(
        stream: &tokio::net::TcpStream,
        bytes: usize,
    ) -> std::io::Result<()> {
        let value = libc::c_int::try_from(bytes).unwrap_or(libc::c_int::MAX);
        // SAFETY: a valid socket descriptor and a c_int option value of the
        // size passed.
        let result = unsafe {
            libc::setsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_RCVLOWAT,
                (&value as *const libc::c_int).cast(),
                std::mem::size_of::<libc::c_int>() as libc::socklen_t,
            )
        };
        if result == 0 {
            Ok(())
        } else {
            Err(std::io::Error::last_os_error())
        }
    }
}

/// Elsewhere a changed mark is not known to re-check readiness (a wake-up
/// could be lost), so the stream is not paced.
#[cfg(not(target_os = "linux"))]
mod platform {
    pub fn set_receive_low_water(_: &tokio::net::TcpStream, _: usize) -> std::io::Result<()> {
        Err(std::io::ErrorKind::Unsupported.into())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;
    use std::time::Duration;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    async fn connected_pair() -> (PacedTcpStream, TcpStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let (peer, _) = listener.accept().await.unwrap();
        let stream = PacedTcpStream::new(stream);
        stream.pacing().store(true, Ordering::Relaxed);
        (stream, peer)
    }

    /// A read that has to wait sets the mark to what it still needs, gets
    /// every byte when they come in pieces, and a later small read (below
    /// the old mark) is not held back: no wake-up is lost either way.
    #[tokio::test]
    async fn a_waiting_read_sets_the_mark_and_later_small_reads_still_wake() {
        let (mut stream, mut peer) = connected_pair().await;
        let mut packet = vec![0u8; 32 * 1024];
        let waited =
            tokio::time::timeout(Duration::from_millis(100), stream.read(&mut packet)).await;
        assert!(waited.is_err(), "nothing was sent yet");
        assert_eq!(stream.low_water, 32 * 1024);

        let reader = tokio::spawn(async move {
            let mut packet = vec![0u8; 32 * 1024];
            stream
                .read_exact(&mut packet)
                .await
                .map(|_| (stream, packet))
        });
        for piece in 0..8u8 {
            peer.write_all(&[piece; 4096]).await.unwrap();
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let (mut stream, packet) = tokio::time::timeout(Duration::from_secs(10), reader)
            .await
            .expect("the whole packet arrived")
            .unwrap()
            .unwrap();
        for (index, chunk) in packet.chunks(4096).enumerate() {
            assert!(chunk.iter().all(|&byte| byte == index as u8));
        }

        let mut tail = [0u8; 4];
        let small =
            tokio::spawn(async move { stream.read_exact(&mut tail).await.map(|_| (stream, tail)) });
        tokio::time::sleep(Duration::from_millis(50)).await;
        peer.write_all(b"tail").await.unwrap();
        let (stream, tail) = tokio::time::timeout(Duration::from_secs(10), small)
            .await
            .expect("a small read after a large mark must not hang")
            .unwrap()
            .unwrap();
        assert_eq!(&tail, b"tail");
        assert_eq!(stream.low_water, 4);
    }

    /// One read from the socket takes in what has arrived; the exact reads
    /// after it are served from that, in order, and the end still shows.
    #[tokio::test]
    async fn reads_ahead_and_serves_exact_reads_in_order() {
        let (mut stream, mut peer) = connected_pair().await;
        let sent: Vec<u8> = (0..100_000u32).map(|i| (i % 251) as u8).collect();
        peer.write_all(&sent).await.unwrap();
        peer.shutdown().await.unwrap();
        let mut header = [0u8; 16];
        stream.read_exact(&mut header).await.unwrap();
        assert!(stream.end - stream.start > 0, "the rest was read ahead");
        let mut got = header.to_vec();
        let mut rest = Vec::new();
        stream.read_to_end(&mut rest).await.unwrap();
        got.extend_from_slice(&rest);
        assert_eq!(got, sent);
    }
}
