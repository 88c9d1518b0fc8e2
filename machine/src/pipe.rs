//! Windows: a machine's API on the named pipe `\\.\pipe\berth-NAME`
//! ([`crate::endpoints::api_pipe`]), served like the unix `api.sock`: each
//! client connection becomes one `direct-streamlocal` channel to the guest's
//! podman socket over the kept SSH session, opened ahead (see [`Preopened`]).
//!
//! Not compiled on the Linux machines berth is developed on (no Windows
//! toolchain there), and not started yet: the host agent that would run it
//! is unix-only (see packaging/windows/README.md).

use std::io;
use std::sync::Arc;

use tokio::net::windows::named_pipe::ServerOptions;

use crate::ssh::preopen::Preopened;
use crate::ssh::splice::splice_channel;

/// Serves `pipe_name` until creating or connecting an instance fails, and
/// returns that error. A new instance is created before a connected one is
/// handed off, so clients never find the pipe missing; the first instance
/// fails if another process already owns the name.
pub async fn serve(pipe_name: &str, channels: Arc<Preopened>) -> io::Error {
    let mut server = match ServerOptions::new()
        .first_pipe_instance(true)
        .create(pipe_name)
    {
        Ok(server) => server,
        Err(err) => return err,
    };
    loop {
        if let Err(err) = server.connect().await {
            return err;
        }
        let mut connected = server;
        server = match ServerOptions::new().create(pipe_name) {
            Ok(server) => server,
            Err(err) => return err,
        };
        let channels = channels.clone();
        tokio::spawn(async move {
            // A failed channel closes the client's connection.
            if let Ok(remote) = channels.open().await {
                let _ = splice_channel(&mut connected, remote).await;
            }
        });
    }
}
