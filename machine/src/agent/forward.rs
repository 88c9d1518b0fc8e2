//! The API socket: each accepted local connection becomes one
//! `direct-streamlocal` channel to the guest's podman socket over the kept
//! session (opened ahead of time, see [`Preopened`]), copied both ways with
//! large buffers. A connection made while the session is down (sshd
//! restarted, the guest stalled) waits for the session to come back instead
//! of being closed.

use std::sync::Arc;

use tokio::net::UnixListener;

use crate::ssh::preopen::Preopened;
use crate::ssh::splice::splice_channel;

/// Accepts connections until the listener fails (or the task is aborted).
pub async fn serve(listener: UnixListener, channels: Arc<Preopened>) {
    loop {
        let mut local = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(err) => {
                super::log(format_args!("API socket accept failed: {err}"));
                return;
            }
        };
        let channels = channels.clone();
        tokio::spawn(async move {
            match channels.open().await {
                Ok(remote) => {
                    let _ = splice_channel(&mut local, remote).await;
                }
                // The client sees its connection closed.
                Err(err) => super::log(format_args!("forwarding a connection: {err}")),
            }
        });
    }
}
