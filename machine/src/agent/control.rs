//! Talking to a machine's agent from other berth processes: asking it to
//! stop (over its control socket, then waiting for its lock to be released,
//! which happens exactly when the process is gone), asking which published
//! ports of a container it could not forward, and recovering a QEMU whose
//! agent died.
//!
//! The control socket takes one request line per connection:
//! `stop` (answered with `stopping`, held open until the agent exits) or
//! `ports TARGET WAIT_MS` (answered with one `warning MESSAGE` line per port
//! that is not forwarded, then closed).

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

/// The control socket's stop request.
pub const STOP_REQUEST: &str = "stop";

/// A request on the control socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    Stop,
    /// The port warnings of the container `target` names, waiting up to
    /// `wait` for it to run.
    Ports {
        target: String,
        wait: Duration,
    },
}

impl Request {
    pub fn parse(line: &str) -> Option<Request> {
        let mut words = line.split_whitespace();
        match (words.next()?, words.next(), words.next(), words.next()) {
            (STOP_REQUEST, None, None, None) => Some(Request::Stop),
            ("ports", Some(target), Some(wait), None) => Some(Request::Ports {
                target: target.to_string(),
                wait: Duration::from_millis(wait.parse().ok()?),
            }),
            _ => None,
        }
    }

    fn to_line(&self) -> String {
        match self {
            Request::Stop => format!("{STOP_REQUEST}\n"),
            Request::Ports { target, wait } => format!("ports {target} {}\n", wait.as_millis()),
        }
    }
}

/// The answer to a `ports` request (one line per warning).
pub fn port_answer(warnings: &[String]) -> String {
    warnings
        .iter()
        .map(|warning| format!("warning {}\n", warning.replace('\n', " ")))
        .collect()
}

/// Asks the agent listening on `control_socket` which published ports of
/// the container `target` names it cannot forward to the host, waiting up
/// to `wait` for the container to run (for a client that asks before it
/// starts the container). Each answer is a sentence for the user.
pub async fn port_warnings(
    control_socket: &Path,
    target: &str,
    wait: Duration,
) -> io::Result<Vec<String>> {
    let mut stream = UnixStream::connect(control_socket).await?;
    let request = Request::Ports {
        target: target.to_string(),
        wait,
    };
    stream.write_all(request.to_line().as_bytes()).await?;
    let mut lines = BufReader::new(stream).lines();
    let mut warnings = Vec::new();
    while let Some(line) = lines.next_line().await? {
        if let Some(warning) = line.strip_prefix("warning ") {
            warnings.push(warning.to_string());
        }
    }
    Ok(warnings)
}

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
                    .write_all(Request::Stop.to_line().as_bytes())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_round_trip_and_bad_ones_are_refused() {
        for request in [
            Request::Stop,
            Request::Ports {
                target: "web".to_string(),
                wait: Duration::from_millis(2500),
            },
        ] {
            assert_eq!(Request::parse(&request.to_line()), Some(request));
        }
        assert_eq!(Request::parse("ports web"), None);
        assert_eq!(Request::parse("ports web soon"), None);
        assert_eq!(Request::parse("stop now"), None);
        assert_eq!(Request::parse(""), None);
    }

    #[tokio::test]
    async fn port_warnings_reads_the_answer_lines() {
        let dir = tempfile::tempdir().unwrap();
        let socket = dir.path().join("agent.sock");
        let listener = tokio::net::UnixListener::bind(&socket).unwrap();
        let server = tokio::spawn(async move {
            let (stream, _) = listener.accept().await.unwrap();
            let mut lines = BufReader::new(stream).lines();
            let request = lines.next_line().await.unwrap().unwrap();
            let answer = port_answer(&["port 127.0.0.1:80/tcp\nis taken".to_string()]);
            lines
                .into_inner()
                .into_inner()
                .write_all(answer.as_bytes())
                .await
                .unwrap();
            request
        });
        let warnings = port_warnings(&socket, "abc", Duration::from_secs(1))
            .await
            .unwrap();
        assert_eq!(warnings, ["port 127.0.0.1:80/tcp is taken"]);
        assert_eq!(server.await.unwrap(), "ports abc 1000");
    }
}
