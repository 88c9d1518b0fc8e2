//! A forwarded channel as a byte stream that, unlike russh's
//! `ChannelStream`, notices when the guest closes the channel, and whose
//! read half hands out the channel's data messages as they are
//! ([`AsyncBufRead`]), so that copying them to a local socket costs no copy
//! of its own.
//!
//! russh's stream stops looking at the channel once the guest's EOF
//! arrives, so a later close goes unseen: writes after it are dropped, and
//! once the window is used up a writer waits forever (a client still sending
//! a body that the service already answered and hung up on never finds
//! out). Here the writer watches for the close after an EOF and then fails
//! with `BrokenPipe`, so the local connection is closed, as `ssh -L` closes
//! it.

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};

use russh::client::Msg;
use russh::{Channel, ChannelMsg};
use tokio::io::{AsyncBufRead, AsyncRead, AsyncWrite, ReadBuf};

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

/// The read half: the channel's data, message by message.
pub struct GuestReader {
    shared: Arc<Mutex<Shared>>,
    /// A data message and how much of it was consumed.
    pending: Option<(ChannelMsg, usize)>,
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
                pending: None,
            },
            writer: GuestWriter { shared, sender },
        }
    }

    /// The halves, to read and write at the same time.
    pub fn into_split(self) -> (GuestReader, GuestWriter) {
        (self.reader, self.writer)
    }
}

impl AsyncBufRead for GuestReader {
    fn poll_fill_buf(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<&[u8]>> {
        let this = self.get_mut();
        while this.pending.is_none() {
            let mut shared = lock(&this.shared);
            if shared.eof {
                return Poll::Ready(Ok(&[]));
            }
            match ready!(shared.poll_message(cx)) {
                // An empty slice would look like the end.
                Some(ChannelMsg::Data { data }) if data.is_empty() => {}
                Some(data @ ChannelMsg::Data { .. }) => this.pending = Some((data, 0)),
                Some(ChannelMsg::Eof) => shared.ended(false),
                None | Some(ChannelMsg::Close) => shared.ended(true),
                // Window changes, stderr (none on forwarded channels).
                Some(_) => {}
            }
        }
        match &this.pending {
            Some((ChannelMsg::Data { data }, consumed)) => Poll::Ready(Ok(&data[*consumed..])),
            _ => Poll::Ready(Ok(&[])),
        }
    }

    fn consume(self: Pin<&mut Self>, amount: usize) {
        let this = self.get_mut();
        if let Some((ChannelMsg::Data { data }, consumed)) = this.pending.as_mut() {
            *consumed = (*consumed + amount).min(data.len());
            if *consumed == data.len() {
                this.pending = None;
            }
        }
    }
}

impl AsyncRead for GuestReader {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let available = ready!(self.as_mut().poll_fill_buf(cx))?;
        let count = available.len().min(buf.remaining());
        buf.put_slice(&available[..count]);
        self.consume(count);
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
