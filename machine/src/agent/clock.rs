//! Keeping the guest's clock on the host's. A guest's clock falls behind
//! whenever it does not run while the host's does: the host slept, the VM
//! was paused (QMP `STOP`/`RESUME`), or QEMU itself was frozen (SIGSTOP, a
//! debugger). The agent notices each of these without asking the guest:
//!
//! - a one-second local tick that compares wall-clock and monotonic time
//!   (the monotonic clock stops while the host sleeps) and notices when the
//!   tick itself came late (the agent was frozen too);
//! - on Linux, QEMU's process state in `/proc` (stopped -> running);
//! - QMP `RESUME` events;
//! - a new SSH session after a drop (the guest stalled or sshd restarted).
//!
//! Each of these triggers a sync: measure the guest's offset over SSH and,
//! when it is off by more than [`TOLERANCE`], step the guest clock by that
//! offset relative to its own time (`date -s '+N seconds'`: one process
//! reads the clock and sets it), so that the command's latency does not
//! matter. The measurement asks one bash in the guest for its clock several
//! times over one channel (`$EPOCHREALTIME`, no process started between a
//! question and its answer, so the reading falls in the middle of the round
//! trip) and keeps the reading with the shortest round trip: its error is at
//! most half of it. A slow periodic check keeps drift from adding up.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::sync::Notify;
use tokio::time::{Instant, MissedTickBehavior};

use russh::ChannelMsg;

use super::log;
use crate::qemu::qmp::Qmp;
use crate::ssh::{as_root, KeptSession, Session, SshError};

/// Offsets up to this are left alone.
pub const TOLERANCE: Duration = Duration::from_millis(500);

/// How often the guest's clock is checked without a reason.
pub const DRIFT_CHECK: Duration = Duration::from_secs(60);

/// How many times a measurement reads the guest's clock.
const READINGS: usize = 5;

/// The guest command that answers each line it reads with its clock
/// (seconds since the epoch, with a fraction): bash's `$EPOCHREALTIME`
/// needs no new process, `date` is the fallback for a shell without it.
const CLOCK_READER: &str = "exec bash -c 'while read -r _; do t=$EPOCHREALTIME; \
     [ -n \"$t\" ] || t=$(date +%s.%N); echo \"$t\"; done'";

fn unix_nanos(time: SystemTime) -> i128 {
    match time.duration_since(UNIX_EPOCH) {
        Ok(since) => since.as_nanos() as i128,
        Err(before) => -(before.duration().as_nanos() as i128),
    }
}

/// Nanoseconds since the epoch from `SECONDS[.FRACTION]` (a locale's
/// decimal comma too).
fn parse_clock(text: &str) -> Option<i128> {
    let text = text.trim();
    let (seconds, fraction) = text.split_once(['.', ',']).unwrap_or((text, ""));
    if fraction.len() > 9 || !fraction.bytes().all(|byte| byte.is_ascii_digit()) {
        return None;
    }
    let seconds: i128 = seconds.parse().ok()?;
    let fraction: i128 = format!("{fraction:0<9}").parse().ok()?;
    Some(seconds * 1_000_000_000 + fraction)
}

/// The guest's clock minus the host's, in nanoseconds, and the round trip
/// of the reading it came from (the offset is right to half of that).
async fn measure(session: &Session) -> Result<(i128, Duration), SshError> {
    let mut channel = session.spawn(CLOCK_READER).await?;
    let mut best: Option<(i128, Duration)> = None;
    let mut pending = Vec::new();
    for _ in 0..READINGS {
        let sent = SystemTime::now();
        let started = Instant::now();
        channel.data(&b"\n"[..]).await?;
        let line = loop {
            if let Some(end) = pending.iter().position(|byte| *byte == b'\n') {
                let line: Vec<u8> = pending.drain(..=end).collect();
                break line;
            }
            match channel.wait().await {
                Some(ChannelMsg::Data { data }) => pending.extend_from_slice(&data),
                Some(ChannelMsg::ExitStatus { .. } | ChannelMsg::Eof | ChannelMsg::Close)
                | None => {
                    return Err(SshError::Protocol(
                        "reading the guest's clock: the reader ended".into(),
                    ))
                }
                Some(_) => {}
            }
        };
        let round_trip = started.elapsed();
        let text = String::from_utf8_lossy(&line);
        let guest = parse_clock(&text).ok_or_else(|| {
            SshError::Protocol(format!("reading the guest's clock: got {:?}", text.trim()))
        })?;
        let middle = unix_nanos(sent) + round_trip.as_nanos() as i128 / 2;
        if best.is_none_or(|(_, best_trip)| round_trip < best_trip) {
            best = Some((guest - middle, round_trip));
        }
    }
    let _ = channel.eof().await;
    best.ok_or_else(|| SshError::Protocol("no reading of the guest's clock".into()))
}

/// The shell command that moves the guest's clock by `-offset_ns` from
/// wherever it is when the command runs (`date` reads the clock and sets
/// it in one process).
pub fn step_command(offset_ns: i128) -> String {
    let step = -offset_ns;
    let sign = if step < 0 { '-' } else { '+' };
    let nanos = step.unsigned_abs();
    format!(
        "date -s '{sign}{}.{:09} seconds' >/dev/null",
        nanos / 1_000_000_000,
        nanos % 1_000_000_000
    )
}

/// Measures the guest's offset and corrects it when it is over
/// [`TOLERANCE`]. Returns the offset found (in seconds, guest minus host).
pub async fn sync(kept: &KeptSession) -> Result<f64, SshError> {
    let session = kept.get().await?;
    let (offset, round_trip) = measure(&session).await?;
    let seconds = offset as f64 / 1e9;
    if offset.unsigned_abs() > TOLERANCE.as_nanos() {
        let command = as_root(&kept.target().user, &step_command(offset));
        let (status, _) = session.exec(&command).await?;
        if status != 0 {
            return Err(SshError::Protocol(format!(
                "setting the guest's clock failed (status {status})"
            )));
        }
        log(format_args!(
            "the guest's clock was {seconds:+.3} s off (read in a {} ms round trip): corrected",
            round_trip.as_millis()
        ));
    }
    Ok(seconds)
}

/// What the local tick saw.
#[derive(Debug, Default)]
struct TickState {
    last_wall: Option<SystemTime>,
    last_mono: Option<Instant>,
    qemu_was_stopped: bool,
}

/// Whether the host clock jumped against the monotonic one (the host slept
/// or its time was set), or the tick came much later than asked (the agent
/// itself was frozen), since the last tick.
fn jumped(state: &mut TickState, wall: SystemTime, mono: Instant, period: Duration) -> bool {
    let jumped = match (state.last_wall, state.last_mono) {
        (Some(last_wall), Some(last_mono)) => {
            let mono_elapsed = mono.duration_since(last_mono).as_secs_f64();
            let wall_elapsed = unix_nanos(wall) - unix_nanos(last_wall);
            let wall_elapsed = wall_elapsed as f64 / 1e9;
            (wall_elapsed - mono_elapsed).abs() > 1.0 || mono_elapsed > period.as_secs_f64() + 2.0
        }
        _ => false,
    };
    state.last_wall = Some(wall);
    state.last_mono = Some(mono);
    jumped
}

/// Whether the process `pid` is stopped (SIGSTOP, a debugger); Linux only.
fn process_stopped(pid: u32) -> bool {
    #[cfg(target_os = "linux")]
    {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // "pid (comm) S ...": the state follows the last ')'.
        stat.rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| matches!(state, "T" | "t"))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = pid;
        false
    }
}

/// Keeps the guest's clock right for the agent's lifetime: a sync at once,
/// then at every trigger (see the module docs) and every [`DRIFT_CHECK`].
/// `resync` is notified by whoever re-establishes the SSH session.
pub async fn keep_in_sync(
    kept: Arc<KeptSession>,
    qmp: Option<Arc<Qmp>>,
    qemu_pid: u32,
    resync: Arc<Notify>,
) {
    let trigger = Arc::new(Notify::new());
    if let Some(qmp) = qmp {
        let trigger = trigger.clone();
        let mut qmp_events = qmp.subscribe();
        tokio::spawn(async move {
            while let Ok(event) = qmp_events.recv().await {
                if event.event == "RESUME" {
                    log("the VM resumed: checking its clock");
                    trigger.notify_one();
                }
            }
        });
    }
    {
        let trigger = trigger.clone();
        tokio::spawn(async move {
            loop {
                resync.notified().await;
                trigger.notify_one();
            }
        });
    }
    {
        let trigger = trigger.clone();
        tokio::spawn(async move {
            let period = Duration::from_secs(1);
            let mut tick = tokio::time::interval(period);
            tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
            let mut state = TickState::default();
            loop {
                tick.tick().await;
                if jumped(&mut state, SystemTime::now(), Instant::now(), period) {
                    log("the host's clock jumped (sleep or a time change): checking the guest's");
                    trigger.notify_one();
                }
                let stopped = process_stopped(qemu_pid);
                if state.qemu_was_stopped && !stopped {
                    log("QEMU runs again after being stopped: checking the guest's clock");
                    trigger.notify_one();
                }
                state.qemu_was_stopped = stopped;
            }
        });
    }
    let mut next_check = Instant::now();
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(next_check) => {}
            _ = trigger.notified() => {}
        }
        match tokio::time::timeout(Duration::from_secs(30), sync(&kept)).await {
            Ok(Ok(_)) => next_check = Instant::now() + DRIFT_CHECK,
            Ok(Err(err)) => {
                log(format_args!("checking the guest's clock: {err}"));
                next_check = Instant::now() + Duration::from_secs(2);
            }
            Err(_) => {
                log("checking the guest's clock timed out");
                next_check = Instant::now() + Duration::from_secs(2);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wall_clock_jump_or_a_late_tick_is_noticed() {
        let period = Duration::from_secs(1);
        let mut state = TickState::default();
        let wall = SystemTime::now();
        let mono = Instant::now();
        assert!(!jumped(&mut state, wall, mono, period));
        // An ordinary tick.
        assert!(!jumped(
            &mut state,
            wall + Duration::from_millis(1000),
            mono + Duration::from_millis(1001),
            period
        ));
        // The host slept for a minute: wall time moved, monotonic did not.
        assert!(jumped(
            &mut state,
            wall + Duration::from_secs(62),
            mono + Duration::from_millis(2002),
            period
        ));
        // The agent was frozen: both moved, but far more than a tick.
        assert!(jumped(
            &mut state,
            wall + Duration::from_secs(92),
            mono + Duration::from_millis(32002),
            period
        ));
    }

    #[test]
    fn the_step_command_moves_the_clock_by_the_offset() {
        assert_eq!(
            step_command(-2_500_000_000),
            "date -s '+2.500000000 seconds' >/dev/null"
        );
        assert_eq!(
            step_command(91_863_000_123),
            "date -s '-91.863000123 seconds' >/dev/null"
        );
        // GNU date's reading of it, relative to its own now, on this host.
        for offset_ns in [-2_500_000_000_i128, 91_863_000_123] {
            let script = step_command(offset_ns)
                .replace("date -s", "date -d")
                .replace(" >/dev/null", " +%s%N");
            let before = unix_nanos(SystemTime::now());
            let out = std::process::Command::new("sh")
                .arg("-c")
                .arg(&script)
                .output()
                .unwrap();
            let after = unix_nanos(SystemTime::now());
            let set: i128 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
            assert!(
                set >= before - offset_ns && set <= after - offset_ns,
                "{script}: {set} not within [{before}, {after}] - {offset_ns}"
            );
        }
    }

    #[test]
    fn clock_readings_are_parsed_to_nanoseconds() {
        assert_eq!(
            parse_clock("1700000000.123456\n"),
            Some(1_700_000_000_123_456_000)
        );
        assert_eq!(parse_clock("1700000000,5"), Some(1_700_000_000_500_000_000));
        assert_eq!(
            parse_clock("1700000000.123456789"),
            Some(1_700_000_000_123_456_789)
        );
        assert_eq!(parse_clock("1700000000"), Some(1_700_000_000_000_000_000));
        assert_eq!(parse_clock(""), None);
        assert_eq!(parse_clock("1700000000.1234567890"), None);
        assert_eq!(parse_clock("soon"), None);
    }

    #[test]
    fn a_stopped_process_is_seen_in_proc() {
        assert!(!process_stopped(std::process::id()));
    }
}
