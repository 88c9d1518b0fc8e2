//! berth's API-socket forwarding as a process of its own, for
//! `scripts/bench/forward`: binds a local unix socket and serves every
//! connection exactly as the host agent serves its API socket (the agent's
//! accept loop, kept host-key-pinned russh session, channel opened ahead and
//! splice, on a current-thread runtime), to a unix socket behind any OpenSSH
//! sshd.
//!
//! Usage: forward LISTEN_SOCKET SSHD_ADDR:PORT USER PRIVATE_KEY HOST_KEY_PUB REMOTE_SOCKET

use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use berth_machine::agent::forward;
use berth_machine::ssh::preopen::Preopened;
use berth_machine::ssh::{keys, KeptSession, SshTarget};

const USAGE: &str =
    "usage: forward LISTEN_SOCKET SSHD_ADDR:PORT USER PRIVATE_KEY HOST_KEY_PUB REMOTE_SOCKET";

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [listen, addr, user, key, host_key, remote] = args.as_slice() else {
        return Err(USAGE.into());
    };
    let addr: SocketAddr = addr
        .parse()
        .map_err(|err| format!("sshd address {addr:?}: {err}"))?;
    let host_key_path = PathBuf::from(host_key);
    let host_key_line = std::fs::read_to_string(&host_key_path)
        .map_err(|err| format!("{}: {err}", host_key_path.display()))?;
    let target = SshTarget {
        addr,
        user: user.clone(),
        key: Arc::new(keys::read_private_key(&PathBuf::from(key))?),
        pinned_host_key: Some(keys::parse_public(&host_key_line)?),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let listener = tokio::net::UnixListener::bind(listen)
            .map_err(|err| format!("binding {listen}: {err}"))?;
        let channels = Preopened::new(Arc::new(KeptSession::new(target)), remote.clone());
        tokio::spawn(channels.clone().keep_spare());
        forward::serve(listener, channels).await;
        Err::<(), Box<dyn Error>>("the listener failed".into())
    })
}
