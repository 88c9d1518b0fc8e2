//! Channels to a guest socket opened before a connection needs them.
//! Opening a `direct-streamlocal` channel costs the new connection a round
//! trip to the guest's sshd (a quarter of a `_ping` under emulation), which
//! `ssh -L` pays for every connection. [`Preopened`] keeps one idle channel
//! open, hands it to the next connection and opens the next one in the
//! background, so a connection's first bytes leave at once.
//!
//! A kept channel that the far end closed meanwhile (the service restarted,
//! the session dropped) is noticed when it is taken, by the close or EOF
//! already queued on it, and a fresh channel is opened instead: a connection
//! never gets a channel that was dead before it was handed over. (A podman
//! service that is shutting down keeps serving requests on the connections
//! it holds for a few seconds, as it does a keep-alive client's, and then
//! closes them.)

use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use russh::client::Msg;
use russh::{Channel, ChannelMsg};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::stream::{close_in_background, poll_message};
use super::{GuestStream, KeptSession, Session, SshError};

/// How long a connection waits for a dropped session to come back.
pub const RECONNECT_WAIT: Duration = Duration::from_secs(60);

/// How often opening is retried while it fails (a dropped session, a
/// service not listening yet): the first retry and the longest pause.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(5);

/// Streamlocal channels to one guest socket, one of them opened ahead.
pub struct Preopened {
    kept: Arc<KeptSession>,
    socket: String,
    /// The spare and the session it belongs to.
    spare: Mutex<Option<(Arc<Session>, Channel<Msg>)>>,
    /// Signalled when the spare was taken or found dead.
    emptied: Notify,
}

impl Preopened {
    pub fn new(kept: Arc<KeptSession>, socket: String) -> Arc<Self> {
        Arc::new(Preopened {
            kept,
            socket,
            spare: Mutex::new(None),
            emptied: Notify::new(),
        })
    }

    /// Keeps a spare channel open, opening the next whenever one is taken;
    /// runs until aborted.
    pub async fn keep_spare(self: Arc<Self>) {
        let mut retry = RETRY_FIRST;
        loop {
            if self.spare_ready() {
                self.emptied.notified().await;
                continue;
            }
            let opened = match self.kept.get().await {
                Ok(session) => session
                    .open_streamlocal(&self.socket)
                    .await
                    .map(|channel| (session, channel)),
                Err(err) => Err(err),
            };
            match opened {
                Ok(opened) => {
                    retry = RETRY_FIRST;
                    if let Ok(mut spare) = self.spare.lock() {
                        *spare = Some(opened);
                    }
                }
                Err(_) => {
                    // A connection that finds no spare opens its own
                    // channel and reports what failed.
                    tokio::time::sleep(retry).await;
                    retry = (retry * 2).min(RETRY_MAX);
                }
            }
        }
    }

    /// Whether a live spare channel is waiting (a dead one is dropped, and
    /// the next opened).
    pub fn spare_ready(&self) -> bool {
        self.spare.lock().is_ok_and(|mut spare| {
            self.drop_dead(&mut spare);
            spare.is_some()
        })
    }

    /// Closes the spare if it can no longer carry a connection, and asks
    /// for the next.
    fn drop_dead(&self, spare: &mut Option<(Arc<Session>, Channel<Msg>)>) {
        if let Some((session, channel)) = spare.as_mut() {
            if !usable(session, channel) {
                if let Some((_, channel)) = spare.take() {
                    close_in_background(channel);
                }
                self.emptied.notify_one();
            }
        }
    }

    /// The spare channel if it is still open (a new one is then opened in
    /// the background), else a newly opened channel. Opening is retried
    /// while the session is down, for up to [`RECONNECT_WAIT`].
    pub async fn open(&self) -> Result<GuestStream, SshError> {
        if let Some(channel) = self.take_spare() {
            return Ok(GuestStream::new(channel));
        }
        let deadline = Instant::now() + RECONNECT_WAIT;
        loop {
            match self.kept.open_streamlocal(&self.socket).await {
                Err(err) if err.is_transient() && Instant::now() < deadline => {
                    tokio::time::sleep(RETRY_FIRST).await;
                }
                opened => return opened.map(GuestStream::new),
            }
        }
    }

    fn take_spare(&self) -> Option<Channel<Msg>> {
        let taken = {
            let mut spare = self.spare.lock().ok()?;
            self.drop_dead(&mut spare);
            spare.take()
        };
        self.emptied.notify_one();
        taken.map(|(_, channel)| channel)
    }
}

/// Whether a kept channel can still carry a connection: its session is up
/// and the far end has not ended it.
fn usable(session: &Session, channel: &mut Channel<Msg>) -> bool {
    !session.is_closed() && still_open(channel)
}

/// Whether nothing but window changes arrived on an idle channel: a close,
/// an EOF or data (which a service sends no client that has not asked)
/// means it is of no use to a new connection.
fn still_open(channel: &mut Channel<Msg>) -> bool {
    let mut context = Context::from_waker(Waker::noop());
    loop {
        match poll_message(channel, &mut context) {
            Poll::Pending => return true,
            Poll::Ready(Some(ChannelMsg::WindowAdjusted { .. })) => {}
            Poll::Ready(_) => return false,
        }
    }
}
