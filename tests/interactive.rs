//! Interactive sessions on a real pty against a real service: raw mode
//! while attached, window resizes reaching the container's tty, detaching
//! with ctrl-p ctrl-q (and custom keys), exit codes, and the terminal
//! restored however berth leaves (exit, detach, error, signal).

mod common;

use std::process::Command;
use std::time::Duration;

use common::compare::SideBySide;
use common::podman::BUSYBOX;
use common::pty::{cooked_modes, PtyChild};

const TIMEOUT: Duration = Duration::from_secs(30);
const PROMPT: &str = "/ # ";

fn berth(pair: &SideBySide, args: &[&str]) -> Command {
    let mut command = pair.env.berth();
    command.arg("--url").arg(pair.service.url()).args(args);
    command
}

fn is_raw(modes: libc::tcflag_t) -> bool {
    modes & (libc::ICANON | libc::ECHO | libc::ISIG) == 0
}

#[test]
fn run_it_is_raw_follows_resizes_and_restores_the_terminal() {
    let pair = SideBySide::start();
    let mut session = PtyChild::spawn(
        &mut berth(&pair, &["run", "-it", "--rm", BUSYBOX, "sh"]),
        24,
        80,
    );
    session.expect(PROMPT, TIMEOUT);
    assert!(
        is_raw(session.local_modes()),
        "the terminal is not raw while attached"
    );

    session.send(b"stty size\r");
    session.expect("24 80", TIMEOUT);
    session.expect(PROMPT, TIMEOUT);

    // The kernel sends SIGWINCH to berth; the container's tty follows.
    session.resize(40, 120);
    std::thread::sleep(Duration::from_millis(500));
    session.send(b"stty size\r");
    session.expect("40 120", TIMEOUT);
    session.expect(PROMPT, TIMEOUT);

    // Input goes to the container's line discipline, not the local one.
    session.send(b"echo $((6*7))\r");
    session.expect("42", TIMEOUT);

    session.send(b"exit 3\r");
    let status = session.wait(TIMEOUT);
    assert_eq!(status.code(), Some(3));
    assert!(
        cooked_modes(session.local_modes()),
        "the terminal was not restored"
    );
}

#[test]
fn detach_keys_leave_the_container_running() {
    let pair = SideBySide::start();
    let mut session = PtyChild::spawn(
        &mut berth(&pair, &["run", "-it", "--name", "keep", BUSYBOX, "sh"]),
        24,
        80,
    );
    session.expect(PROMPT, TIMEOUT);
    session.send(b"\x10\x11"); // ctrl-p ctrl-q
    assert_eq!(session.wait(TIMEOUT).code(), Some(0));
    assert!(cooked_modes(session.local_modes()));
    assert_eq!(
        pair.podman_ok(&["inspect", "--format", "{{.State.Status}}", "keep"]),
        "running\n"
    );

    // Attach again, with other detach keys; ctrl-p alone is typed through.
    let mut attached = PtyChild::spawn(
        &mut berth(&pair, &["attach", "--detach-keys", "ctrl-x", "keep"]),
        30,
        90,
    );
    std::thread::sleep(Duration::from_millis(500));
    attached.send(b"echo attached-$((1+1))\r");
    attached.expect("attached-2", TIMEOUT);
    attached.send(b"stty size\r");
    attached.expect("30 90", TIMEOUT);
    attached.send(b"\x18");
    assert_eq!(attached.wait(TIMEOUT).code(), Some(0));
    assert!(cooked_modes(attached.local_modes()));

    // exec -it in the same container: its own tty, its own exit code.
    let mut exec = PtyChild::spawn(&mut berth(&pair, &["exec", "-it", "keep", "sh"]), 25, 81);
    exec.expect(PROMPT, TIMEOUT);
    assert!(is_raw(exec.local_modes()));
    exec.send(b"stty size; tty\r");
    exec.expect("25 81", TIMEOUT);
    exec.expect("/dev/pts/", TIMEOUT);
    exec.resize(26, 82);
    std::thread::sleep(Duration::from_millis(500));
    exec.send(b"stty size\r");
    exec.expect("26 82", TIMEOUT);
    exec.send(b"exit 4\r");
    assert_eq!(exec.wait(TIMEOUT).code(), Some(4));
    assert!(cooked_modes(exec.local_modes()));
    assert_eq!(
        pair.podman_ok(&["inspect", "--format", "{{.State.Status}}", "keep"]),
        "running\n"
    );
}

#[test]
fn the_terminal_is_restored_after_errors_and_signals() {
    let pair = SideBySide::start();

    // The command does not exist: podman's 127, terminal as it was.
    let mut missing = PtyChild::spawn(
        &mut berth(&pair, &["run", "-it", "--rm", BUSYBOX, "/nonexistent"]),
        24,
        80,
    );
    assert_eq!(missing.wait(TIMEOUT).code(), Some(127));
    assert!(cooked_modes(missing.local_modes()));
    // The reader thread may still be draining the pty after the exit.
    missing.expect(
        "OCI runtime attempted to invoke a command that was not found",
        TIMEOUT,
    );

    // run proxies SIGTERM to the container, which exits with its own code.
    let trap = "trap 'exit 9' TERM; echo ready; while :; do sleep 0.1; done";
    let mut proxied = PtyChild::spawn(
        &mut berth(&pair, &["run", "-it", "--rm", BUSYBOX, "sh", "-c", trap]),
        24,
        80,
    );
    proxied.expect("ready", TIMEOUT);
    assert!(is_raw(proxied.local_modes()));
    proxied.kill(libc::SIGTERM);
    assert_eq!(proxied.wait(TIMEOUT).code(), Some(9));
    assert!(cooked_modes(proxied.local_modes()));

    // exec does not proxy: SIGTERM ends berth (128+15), terminal restored.
    pair.podman_ok(&["run", "-d", "--name", "bg", BUSYBOX, "sleep", "3600"]);
    let mut exec = PtyChild::spawn(&mut berth(&pair, &["exec", "-it", "bg", "sh"]), 24, 80);
    exec.expect(PROMPT, TIMEOUT);
    assert!(is_raw(exec.local_modes()));
    exec.kill(libc::SIGTERM);
    assert_eq!(exec.wait(TIMEOUT).code(), Some(143));
    assert!(cooked_modes(exec.local_modes()));
}
