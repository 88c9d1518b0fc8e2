//! Talking to a machine's agent from other berth processes: asking it to
//! stop (over its control socket, then waiting for its lock to be released,
//! which happens exactly when the process is gone), and recovering a QEMU
//! whose agent died.

use std::io;
use std::path::Path;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use crate::fsutil::FileLock;
use crate::paths::MachinePaths;
use crate::state::read_pid;

/// Errors stopping a machine.
#[derive(Debug, thiserror::Error)]
pub enum ControlError {
    #[error("asking the agent of {name} to stop: {source}")]
    Request { name: String, source: io::Error },
    #[error("the agent of {name} did not exit within {secs} s (pid {pid:?})")]
    AgentTimeout {
        name: String,
        secs: u64,
        pid: Option<u32>,
    },
    #[error("stopping QEMU (pid {pid}) of {name}: {reason}")]
    Qemu {
        name: String,
        pid: u32,
        reason: String,
    },
}

/// The control socket's one request.
pub const STOP_REQUEST: &str = "stop";

/// Asks the live agent to stop the machine and waits until it has exited.
/// `timeout` bounds the whole wait (the agent itself powers the guest down
/// and kills QEMU after its own stop timeout).
pub async fn stop_agent(paths: &MachinePaths, timeout: Duration) -> Result<(), ControlError> {
    let request_err = |source| ControlError::Request {
        name: paths.name.clone(),
        source,
    };
    let wait = async {
        match UnixStream::connect(&paths.control_socket).await {
            Ok(mut stream) => {
                stream
                    .write_all(format!("{STOP_REQUEST}\n").as_bytes())
                    .await
                    .map_err(request_err)?;
                // The agent holds the connection until it exits.
                let mut lines = BufReader::new(stream).lines();
                while let Ok(Some(_)) = lines.next_line().await {}
            }
            // Not served (yet, or any more): fall back to signalling the agent.
            Err(_) => {
                #[cfg(unix)]
                if let Some(pid) = read_pid(&paths.agent_pid) {
                    // SAFETY: pid is the live lock holder's, read from its pidfile.
                    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
                }
            }
        }
        wait_for_lock_release(&paths.agent_lock)
            .await
            .map_err(request_err)
    };
    match tokio::time::timeout(timeout, wait).await {
        Ok(result) => result,
        Err(_) => Err(ControlError::AgentTimeout {
            name: paths.name.clone(),
            secs: timeout.as_secs(),
            pid: read_pid(&paths.agent_pid),
        }),
    }
}

/// Waits (on a blocking thread) until nobody holds the lock at `path`.
async fn wait_for_lock_release(path: &Path) -> io::Result<()> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || FileLock::acquire(&path).map(drop))
        .await
        .map_err(io::Error::other)?
}

/// Stops a QEMU that runs without its agent (the agent was killed): SIGTERM
/// (QEMU exits cleanly on it), then SIGKILL after `timeout`. Returns the pid
/// it stopped, if there was one.
#[cfg(unix)]
pub async fn stop_orphan_qemu(
    paths: &MachinePaths,
    timeout: Duration,
) -> Result<Option<u32>, ControlError> {
    let Some(pid) = crate::state::live_qemu_pid(paths) else {
        return Ok(None);
    };
    let fail = |reason: String| ControlError::Qemu {
        name: paths.name.clone(),
        pid,
        reason,
    };
    let pidfile = paths.qemu_pid.clone();
    let exited = move || {
        let pidfile = pidfile.clone();
        tokio::task::spawn_blocking(move || crate::fsutil::wait_posix_lock_free(&pidfile))
    };
    // SAFETY: pid holds the lock on this machine's QEMU pidfile: it is that QEMU.
    unsafe { libc::kill(pid as i32, libc::SIGTERM) };
    if tokio::time::timeout(timeout, exited()).await.is_err() {
        // SAFETY: as above.
        unsafe { libc::kill(pid as i32, libc::SIGKILL) };
        tokio::time::timeout(Duration::from_secs(10), exited())
            .await
            .map_err(|_| fail("it survived SIGKILL".into()))?
            .map_err(|err| fail(err.to_string()))?
            .map_err(|err| fail(err.to_string()))?;
    }
    Ok(Some(pid))
}
