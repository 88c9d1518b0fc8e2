//! A forwarded channel as a byte stream that, unlike russh's
//! `ChannelStream`, notices when the guest closes the channel, and whose
//! read half hands out the channel's data messages as they are
//! ([`ChunkedRead`]): whatever has arrived goes to a local socket in one
//! vectored write, without a copy of berth's own.
//!
//! russh's stream stops looking at the channel once the guest's EOF
//! arrives, so a later close goes unseen: writes after it are dropped, and
//! once the window is used up a writer waits forever (a client still sending
//! a body that the service already answered and hung up on never finds
//! out). Here the writer watches for the close after an EOF and then fails
//! with `BrokenPipe`, so the local connection is closed, as `ssh -L` closes
//! it.

use std::collections::VecDeque;
use std::future::Future;
use std::io::{self, IoSlice};
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};

use bytes::{Buf, Bytes};
use russh::client::Msg;
use russh::{Channel, ChannelMsg};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

/// A source whose data comes in chunks, several of which can leave in one
/// vectored write: the guest's data messages (32 KiB each from OpenSSH's
/// sshd), or any buffered reader (one chunk at a time).
pub trait ChunkedRead {
    /// Waits until data or the end is there, then fills `slices` with the
    /// chunks that are there, in order: how many (0 at the end).
    fn poll_chunks<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
        slices: &mut [IoSlice<'a>],
    ) -> Poll<io::Result<usize>>;

    /// Marks `amount` bytes of the chunks handed out as used.
    fn consume_chunks(&mut self, amount: usize);
}

impl<T: AsyncBufRead + Unpin> ChunkedRead for T {
    fn poll_chunks<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
        slices: &mut [IoSlice<'a>],
    ) -> Poll<io::Result<usize>> {
        let data = ready!(Pin::new(self).poll_fill_buf(cx))?;
        match slices.first_mut() {
            Some(slice) if !data.is_empty() => {
                *slice = IoSlice::new(data);
                Poll::Ready(Ok(1))
            }
            _ => Poll::Ready(Ok(0)),
        }
    }

    fn consume_chunks(&mut self, amount: usize) {
        Pin::new(self).consume(amount);
    }
}

/// How much of the guest's data the read half takes in before handing it
/// out: what one write to a local socket carries at most.
const GATHER_LIMIT: usize = 256 * 1024;

/// What both halves see: the channel's incoming messages and how it ended.
struct Shared {
    channel: Option<Channel<Msg>>,
    /// The guest sends no more data.
    eof: bool,
    /// The guest closed the channel (or the session ended).
    closed: bool,
    /// A writer waiting (for window space) when the EOF came, to be woken
    /// so that from then on it watches for the close itself.
    waiting_writer: Option<Waker>,
}

/// A channel's next message, if one is there (`None`: the channel is gone).
pub(super) fn poll_message(
    channel: &mut Channel<Msg>,
    cx: &mut Context<'_>,
) -> Poll<Option<ChannelMsg>> {
    pin!(channel.wait()).poll(cx)
}

impl Shared {
    /// The channel's next message, if one is there.
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<ChannelMsg>> {
        match self.channel.as_mut() {
            Some(channel) => poll_message(channel, cx),
            None => Poll::Ready(None),
        }
    }

    /// After the guest's EOF the reader is done, so the writer takes the
    /// channel's remaining messages, to see a close (and is woken by it).
    fn poll_closed_after_eof(&mut self, cx: &mut Context<'_>) -> bool {
        while self.eof && !self.closed {
            match self.poll_message(cx) {
                Poll::Pending => break,
                Poll::Ready(None | Some(ChannelMsg::Close)) => self.closed = true,
                Poll::Ready(Some(_)) => {}
            }
        }
        self.closed
    }

    fn ended(&mut self, closed: bool) {
        self.eof = true;
        self.closed |= closed;
        if let Some(writer) = self.waiting_writer.take() {
            writer.wake();
        }
    }
}

impl Drop for Shared {
    /// Closes the channel (as russh's `ChannelStream` does when dropped).
    fn drop(&mut self) {
        if let Some(channel) = self.channel.take().filter(|_| !self.closed) {
            close_in_background(channel);
        }
    }
}

fn lock(shared: &Mutex<Shared>) -> MutexGuard<'_, Shared> {
    shared
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Asks the guest to close `channel` without waiting for it (a channel is
/// not closed by dropping it).
pub fn close_in_background(channel: Channel<Msg>) {
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let _ = channel.close().await;
        });
    }
}

fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the guest closed the channel")
}

/// The read half: the channel's data, in the messages it came in.
pub struct GuestReader {
    shared: Arc<Mutex<Shared>>,
    /// Data taken from the channel and not yet used (the first maybe in
    /// part), and how many bytes that is.
    queued: VecDeque<Bytes>,
    queued_bytes: usize,
}

/// The write half: data to the guest, failing once the guest has closed.
pub struct GuestWriter {
    shared: Arc<Mutex<Shared>>,
    sender: Pin<Box<dyn AsyncWrite + Send + Sync>>,
}

/// Both halves, for callers that want one stream.
pub struct GuestStream {
    reader: GuestReader,
    writer: GuestWriter,
}

impl GuestStream {
    pub fn new(channel: Channel<Msg>) -> Self {
        let sender = Box::pin(channel.make_writer());
        let shared = Arc::new(Mutex::new(Shared {
            channel: Some(channel),
            eof: false,
            closed: false,
            waiting_writer: None,
        }));
        GuestStream {
            reader: GuestReader {
                shared: shared.clone(),
                queued: VecDeque::new(),
                queued_bytes: 0,
            },
            writer: GuestWriter { shared, sender },
        }
    }

    /// The halves, to read and write at the same time.
    pub fn into_split(self) -> (GuestReader, GuestWriter) {
        (self.reader, self.writer)
    }
}

impl GuestReader {
    /// Takes in the data messages that have arrived, up to
    /// [`GATHER_LIMIT`]; pending while nothing is queued and the channel
    /// has not ended.
    fn poll_gather(&mut self, cx: &mut Context<'_>) -> Poll<()> {
        let mut shared = lock(&self.shared);
        while self.queued_bytes < GATHER_LIMIT && !shared.eof {
            match shared.poll_message(cx) {
                Poll::Pending => break,
                Poll::Ready(Some(ChannelMsg::Data { data })) => {
                    if !data.is_empty() {
                        self.queued_bytes += data.len();
                        self.queued.push_back(data);
                    }
                }
                Poll::Ready(Some(ChannelMsg::Eof)) => shared.ended(false),
                Poll::Ready(None | Some(ChannelMsg::Close)) => shared.ended(true),
                // Window changes, stderr (none on forwarded channels).
                Poll::Ready(Some(_)) => {}
            }
        }
        if self.queued.is_empty() && !shared.eof {
            return Poll::Pending;
        }
        Poll::Ready(())
    }
}

impl ChunkedRead for GuestReader {
    fn poll_chunks<'a>(
        &'a mut self,
        cx: &mut Context<'_>,
        slices: &mut [IoSlice<'a>],
    ) -> Poll<io::Result<usize>> {
        ready!(self.poll_gather(cx));
        let mut filled = 0;
        for (slice, data) in slices.iter_mut().zip(&self.queued) {
            *slice = IoSlice::new(data);
            filled += 1;
        }
        Poll::Ready(Ok(filled))
    }

    fn consume_chunks(&mut self, mut amount: usize) {
        self.queued_bytes -= amount.min(self.queued_bytes);
        while let Some(front) = self.queued.front_mut() {
            if amount < front.len() {
                front.advance(amount);
                return;
            }
            amount -= front.len();
            self.queued.pop_front();
        }
    }
}

impl AsyncRead for GuestReader {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        ready!(this.poll_gather(cx));
        if let Some(front) = this.queued.front() {
            let count = front.len().min(buf.remaining());
            buf.put_slice(&front[..count]);
            this.consume_chunks(count);
        }
        Poll::Ready(Ok(()))
    }
}

impl GuestWriter {
    /// `closed` once the guest has closed the channel; otherwise runs
    /// `write` on the channel's sender, noting a wait so the EOF can end it.
    fn poll_sender<T>(
        &mut self,
        cx: &mut Context<'_>,
        closed: io::Result<T>,
        write: impl FnOnce(
            Pin<&mut (dyn AsyncWrite + Send + Sync)>,
            &mut Context<'_>,
        ) -> Poll<io::Result<T>>,
    ) -> Poll<io::Result<T>> {
        if lock(&self.shared).poll_closed_after_eof(cx) {
            return Poll::Ready(closed);
        }
        let poll = write(self.sender.as_mut(), cx);
        lock(&self.shared).waiting_writer = poll.is_pending().then(|| cx.waker().clone());
        poll
    }
}

impl AsyncWrite for GuestWriter {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .poll_sender(cx, Err(closed_error()), |sender, cx| {
                sender.poll_write(cx, buf)
            })
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut()
            .poll_sender(cx, Err(closed_error()), |sender, cx| sender.poll_flush(cx))
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A closed channel has nothing left to end.
        self.get_mut()
            .poll_sender(cx, Ok(()), |sender, cx| sender.poll_shutdown(cx))
    }
}

impl AsyncRead for GuestStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.reader).poll_read(cx, buf)
    }
}

impl AsyncWrite for GuestStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.writer).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.writer).poll_shutdown(cx)
    }
}
