//! A forwarded channel as a byte stream that, unlike russh's
//! `ChannelStream`, notices when the guest closes the channel. russh's
//! stream stops looking at the channel once the guest's EOF arrives, so a
//! later close goes unseen: writes after it are dropped, and once the
//! window is used up a writer waits forever (a client still sending a body
//! that the service already answered and hung up on never finds out). Here
//! the writer watches for the close after an EOF and then fails with
//! `BrokenPipe`, so the local connection is closed, as `ssh -L` closes it.

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::task::{ready, Context, Poll, Waker};

use russh::client::Msg;
use russh::{Channel, ChannelMsg};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// Reads and writes a channel's data; see the module doc.
pub struct GuestStream {
    /// `None` only while being dropped.
    channel: Option<Channel<Msg>>,
    writer: Pin<Box<dyn AsyncWrite + Send + Sync>>,
    /// A data message and how much of it was read.
    pending: Option<(ChannelMsg, usize)>,
    /// The guest sends no more data.
    eof: bool,
    /// The guest closed the channel (or the session ended).
    closed: bool,
    /// A writer waiting (for window space) when the EOF came, to be woken
    /// so that from then on it watches for the close itself.
    waiting_writer: Option<Waker>,
}

impl GuestStream {
    pub fn new(channel: Channel<Msg>) -> Self {
        GuestStream {
            writer: Box::pin(channel.make_writer()),
            channel: Some(channel),
            pending: None,
            eof: false,
            closed: false,
            waiting_writer: None,
        }
    }

    /// The channel's next message, if one is there.
    fn poll_message(&mut self, cx: &mut Context<'_>) -> Poll<Option<ChannelMsg>> {
        match self.channel.as_mut() {
            Some(channel) => pin!(channel.wait()).poll(cx),
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

    fn note_writer<T>(&mut self, poll: &Poll<T>, cx: &Context<'_>) {
        self.waiting_writer = poll.is_pending().then(|| cx.waker().clone());
    }

    fn wake_writer(&mut self) {
        if let Some(writer) = self.waiting_writer.take() {
            writer.wake();
        }
    }
}

fn closed_error() -> io::Error {
    io::Error::new(io::ErrorKind::BrokenPipe, "the guest closed the channel")
}

impl AsyncRead for GuestStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if let Some((ChannelMsg::Data { data }, read)) = this.pending.as_mut() {
                let count = buf.remaining().min(data.len() - *read);
                buf.put_slice(&data[*read..*read + count]);
                *read += count;
                if *read == data.len() {
                    this.pending = None;
                }
                return Poll::Ready(Ok(()));
            }
            if this.eof {
                return Poll::Ready(Ok(()));
            }
            match ready!(this.poll_message(cx)) {
                // An empty read would look like the end.
                Some(ChannelMsg::Data { data }) if data.is_empty() => {}
                Some(data @ ChannelMsg::Data { .. }) => this.pending = Some((data, 0)),
                Some(ChannelMsg::Eof) => {
                    this.eof = true;
                    this.wake_writer();
                }
                None | Some(ChannelMsg::Close) => {
                    this.eof = true;
                    this.closed = true;
                    this.wake_writer();
                }
                // Window changes, stderr (none on forwarded channels).
                Some(_) => {}
            }
        }
    }
}

impl AsyncWrite for GuestStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.poll_closed_after_eof(cx) {
            return Poll::Ready(Err(closed_error()));
        }
        let written = self.writer.as_mut().poll_write(cx, buf);
        self.note_writer(&written, cx);
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.poll_closed_after_eof(cx) {
            return Poll::Ready(Err(closed_error()));
        }
        let flushed = self.writer.as_mut().poll_flush(cx);
        self.note_writer(&flushed, cx);
        flushed
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        if self.poll_closed_after_eof(cx) {
            // Nothing left to end.
            return Poll::Ready(Ok(()));
        }
        let shut = self.writer.as_mut().poll_shutdown(cx);
        self.note_writer(&shut, cx);
        shut
    }
}

impl Drop for GuestStream {
    /// Closes the channel (as russh's `ChannelStream` does when dropped).
    fn drop(&mut self) {
        let Some(channel) = self.channel.take() else {
            return;
        };
        if !self.closed {
            close_in_background(channel);
        }
    }
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
