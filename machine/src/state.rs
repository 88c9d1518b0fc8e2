//! A machine's state, derived from live processes only: the agent holds a
//! lock for as long as it lives and QEMU holds its pidfile's lock for as long
//! as it runs, and the kernel drops both when either dies. No flag that a
//! crash could leave behind is ever read, so a machine can never be stuck
//! "starting".

use std::fmt;
use std::path::Path;

use crate::agent::events::{self, EventKind};
use crate::fsutil::FileLock;
use crate::paths::MachinePaths;

/// What a machine is doing right now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    Stopped,
    /// The agent is booting the guest.
    Starting,
    /// The guest is up and the API socket is served.
    Running,
    /// Up but not fully working: the SSH session dropped (and is being
    /// re-established), or QEMU runs without its agent.
    Degraded,
    /// The agent is shutting the guest down.
    Stopping,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Stopped => "stopped",
            State::Starting => "starting",
            State::Running => "running",
            State::Degraded => "degraded",
            State::Stopping => "stopping",
        }
    }

    /// Whether anything of the machine is alive (so it cannot be changed or removed).
    pub fn is_alive(self) -> bool {
        self != State::Stopped
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A machine's state with the facts it was derived from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub state: State,
    /// The live agent's pid.
    pub agent_pid: Option<u32>,
    /// The live QEMU's pid.
    pub qemu_pid: Option<u32>,
    /// Why the machine is degraded (or what it is waiting for).
    pub detail: Option<String>,
}

/// A pid from a pidfile.
pub(crate) fn read_pid(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path).ok()?.trim().parse().ok()
}

/// The pid of a QEMU that is still running for this machine.
pub fn live_qemu_pid(paths: &MachinePaths) -> Option<u32> {
    #[cfg(unix)]
    {
        crate::fsutil::posix_lock_holder(&paths.qemu_pid)
            .ok()
            .flatten()
    }
    #[cfg(not(unix))]
    {
        // QEMU on Windows keeps its pidfile open exclusively while it runs:
        // a pidfile we cannot delete belongs to a live QEMU.
        read_pid(&paths.qemu_pid).filter(|_| {
            std::fs::OpenOptions::new()
                .write(true)
                .open(&paths.qemu_pid)
                .is_err()
        })
    }
}

/// Derives the machine's state now.
pub fn probe(paths: &MachinePaths) -> Status {
    let agent_alive = FileLock::is_held(&paths.agent_lock).unwrap_or(false);
    let qemu_pid = live_qemu_pid(paths);
    if !agent_alive {
        return match qemu_pid {
            Some(pid) => Status {
                state: State::Degraded,
                agent_pid: None,
                qemu_pid: Some(pid),
                detail: Some(format!(
                    "QEMU (pid {pid}) is running without its agent: run `berth machine stop {}`",
                    paths.name
                )),
            },
            None => Status {
                state: State::Stopped,
                agent_pid: None,
                qemu_pid: None,
                detail: None,
            },
        };
    }
    let agent_pid = read_pid(&paths.agent_pid);
    let mut state = State::Starting;
    let mut detail = None;
    for event in events::read(&paths.events) {
        match event.kind {
            EventKind::Ready { .. } => {
                state = State::Running;
                detail = None;
            }
            EventKind::Degraded { reason } => {
                state = State::Degraded;
                detail = Some(reason);
            }
            EventKind::Stopping { reason } => {
                state = State::Stopping;
                detail = Some(reason);
            }
            EventKind::Progress { message } if state == State::Starting => detail = Some(message),
            _ => {}
        }
    }
    Status {
        state,
        agent_pid,
        qemu_pid,
        detail,
    }
}
