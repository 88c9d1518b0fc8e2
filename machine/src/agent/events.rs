//! The agent's event stream: one JSON object per line, written to the
//! machine's events file (for `list`/`inspect` while the agent lives) and,
//! during `start`, to the agent's stdout, which `start` follows.
//!
//! ```json
//! {"time":1764300000.123,"event":"starting","agent_pid":4242}
//! {"time":1764300000.130,"event":"qemu-started","qemu_pid":4243,"accel":"tcg","ssh_port":40022}
//! {"time":1764300029.410,"event":"ssh-connected","attempt_started":1764300027.9,"banner":1764300028.2,"host_key_verified":1764300028.9,"authenticated":1764300029.4}
//! {"time":1764300031.002,"event":"guest-ready"}
//! {"time":1764300031.050,"event":"api-probed"}
//! {"time":1764300032.410,"event":"api-answered"}
//! {"time":1764300031.090,"event":"ready","api_socket":"/run/user/1000/berth/m/api.sock","ssh_port":40022}
//! ```

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Unix time in seconds.
    pub time: f64,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "kebab-case")]
pub enum EventKind {
    /// The agent owns the machine now; nothing else can start it.
    Starting { agent_pid: u32 },
    /// A boot stage began (human-readable).
    Progress { message: String },
    /// QEMU is running.
    QemuStarted {
        qemu_pid: u32,
        accel: String,
        ssh_port: u16,
    },
    /// An SSH session to the guest is up, with when its steps happened
    /// (unix times): the winning connection attempt began, the guest's sshd
    /// answered, its host key was verified against the pin, berth's key was
    /// accepted.
    SshConnected {
        attempt_started: f64,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        banner: Option<f64>,
        host_key_verified: f64,
        authenticated: f64,
    },
    /// The guest wrote `Ready` on its virtio-serial port.
    GuestReady,
    /// The guest's podman socket answered a channel over the session.
    ApiProbed,
    /// The podman service behind it answered `_ping` (it is started on
    /// the first connection, which takes a while on a slow guest).
    ApiAnswered,
    /// The machine's volumes are mounted in the guest, with this driver
    /// (`virtiofs` or `9p`; `already` when they were mounted before).
    VolumesMounted { driver: String },
    /// SSH works and the API socket is served.
    Ready { api_socket: PathBuf, ssh_port: u16 },
    /// Up but not fully working (e.g. SSH dropped and is reconnecting).
    Degraded { reason: String },
    /// Something the user should know that does not change the state
    /// (e.g. a published port whose host port is taken).
    Warning { message: String },
    /// The agent is shutting the machine down.
    Stopping { reason: String },
    /// QEMU has exited and the agent is cleaning up.
    Stopped { reason: String },
    /// Starting or running failed; the agent stops everything and exits.
    Error {
        message: String,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        serial_tail: Vec<String>,
    },
}

impl EventKind {
    /// Whether `start` stops following after this event.
    pub fn ends_start(&self) -> bool {
        matches!(
            self,
            EventKind::Ready { .. } | EventKind::Error { .. } | EventKind::Stopped { .. }
        )
    }
}

/// Seconds since the epoch, with fractions.
pub fn now() -> f64 {
    unix_time(SystemTime::now())
}

/// `time` in seconds since the epoch, with fractions.
pub fn unix_time(time: SystemTime) -> f64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0.0, |since| since.as_secs_f64())
}

impl EventKind {
    /// The event for a new SSH session.
    pub fn ssh_connected(timings: &crate::ssh::session::ConnectTimings) -> EventKind {
        EventKind::SshConnected {
            attempt_started: unix_time(timings.started),
            banner: timings.banner.map(unix_time),
            host_key_verified: unix_time(timings.host_key_verified),
            authenticated: unix_time(timings.authenticated),
        }
    }
}

impl Event {
    pub fn now(kind: EventKind) -> Event {
        Event { time: now(), kind }
    }

    pub fn to_line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_default();
        line.push('\n');
        line
    }

    /// Parses one line; `None` for a line that is not an event.
    pub fn parse(line: &str) -> Option<Event> {
        serde_json::from_str(line.trim()).ok()
    }
}

/// Writes events to the events file and, optionally, stdout.
pub struct EventLog {
    file: File,
    echo: bool,
}

impl EventLog {
    /// Starts a new events file (truncating the last run's).
    pub fn create(path: &Path, echo_to_stdout: bool) -> io::Result<Self> {
        let file = crate::fsutil::create_with_mode(path, 0o600)?;
        Ok(EventLog {
            file,
            echo: echo_to_stdout,
        })
    }

    /// Records an event. Failing to echo to a closed stdout (`start` has
    /// stopped following) only turns the echo off.
    pub fn emit(&mut self, kind: EventKind) -> Event {
        let event = Event::now(kind);
        let line = event.to_line();
        let _ = self.file.write_all(line.as_bytes());
        if self.echo {
            let mut stdout = io::stdout().lock();
            if stdout
                .write_all(line.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                self.echo = false;
            }
        }
        event
    }
}

/// All events in a file (missing file: none; unparsable lines are skipped).
pub fn read(path: &Path) -> Vec<Event> {
    let Ok(file) = File::open(path) else {
        return Vec::new();
    };
    BufReader::new(file)
        .lines()
        .map_while(Result::ok)
        .filter_map(|line| Event::parse(&line))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_round_trip_as_json_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("events.jsonl");
        let mut log = EventLog::create(&path, false).unwrap();
        log.emit(EventKind::Starting { agent_pid: 7 });
        log.emit(EventKind::Ready {
            api_socket: "/r/m/api.sock".into(),
            ssh_port: 40022,
        });
        log.emit(EventKind::SshConnected {
            attempt_started: 1.5,
            banner: None,
            host_key_verified: 2.0,
            authenticated: 2.5,
        });
        let events = read(&path);
        assert_eq!(events.len(), 3);
        assert!(!events[2].kind.ends_start());
        assert_eq!(events[0].kind, EventKind::Starting { agent_pid: 7 });
        assert!(events[1].kind.ends_start());
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.lines()
                .next()
                .unwrap()
                .contains(r#""event":"starting""#),
            "{text}"
        );
        assert!(
            text.contains(r#""event":"ready","api_socket":"/r/m/api.sock""#),
            "{text}"
        );
        assert!(
            text.contains(
                r#""event":"ssh-connected","attempt_started":1.5,"host_key_verified":2.0,"authenticated":2.5}"#
            ),
            "{text}"
        );
        assert_eq!(Event::parse("garbage"), None);
    }
}
