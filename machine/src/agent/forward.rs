//! The API socket: each accepted local connection becomes one
//! `direct-streamlocal` channel to the guest's podman socket over the kept
//! session, copied both ways with large buffers.

use std::sync::Arc;

use tokio::net::UnixListener;

use crate::ssh::session::splice;
use crate::ssh::KeptSession;

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
            match kept.open_streamlocal(&guest_socket).await {
                Ok(mut remote) => {
                    let _ = splice(&mut local, &mut remote).await;
                }
                // The client sees its connection closed.
                Err(err) => super::log(format_args!("forwarding a connection: {err}")),
            }
        });
    }
}
