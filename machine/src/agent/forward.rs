//! The API socket: each accepted local connection becomes one
//! `direct-streamlocal` channel to the guest's podman socket over the kept
//! session, copied both ways with large buffers. A connection made while
//! the session is down (sshd restarted, the guest stalled) waits for the
//! session to come back instead of being closed.

use std::sync::Arc;
use std::time::Duration;

use tokio::net::UnixListener;
use tokio::time::Instant;

use russh::client::Msg;
use russh::ChannelStream;

use crate::ssh::splice::splice;
use crate::ssh::{KeptSession, SshError};

/// How long a connection waits for a dropped session to come back.
const RECONNECT_WAIT: Duration = Duration::from_secs(60);

/// Opens the channel, retrying while the session cannot be re-established
/// (for up to [`RECONNECT_WAIT`]).
async fn open(kept: &KeptSession, guest_socket: &str) -> Result<ChannelStream<Msg>, SshError> {
    let deadline = Instant::now() + RECONNECT_WAIT;
    loop {
        match kept.open_streamlocal(guest_socket).await {
            Err(err) if err.is_transient() && Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            opened => return opened,
        }
    }
}

/// Accepts connections until the listener fails (or the task is aborted).
pub async fn serve(listener: UnixListener, kept: Arc<KeptSession>, guest_socket: String) {
    loop {
        let mut local = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                super::log(format_args!("API socket accept failed: {err}"));
                return;
            }
        };
        let kept = kept.clone();
        let guest_socket = guest_socket.clone();
        tokio::spawn(async move {
            match open(&kept, &guest_socket).await {
                Ok(mut remote) => {
                    let _ = splice(&mut local, &mut remote).await;
                }
                // The client sees its connection closed.
                Err(err) => super::log(format_args!("forwarding a connection: {err}")),
            }
        });
    }
}
