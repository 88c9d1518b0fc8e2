//! `events` side by side with `podman --remote` on the same real service
//! (past events in text, template and JSON form, filters, errors), and a
//! live stream that shows events as they happen.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::compare::SideBySide;
use common::podman::BUSYBOX;
use common::process::ChildGuard;

#[test]
fn past_events_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["volume", "create", "ev"]);
    pair.podman_ok(&["run", "--name", "evc", BUSYBOX, "true"]);
    pair.podman_ok(&["rm", "evc"]);
    pair.podman_ok(&["volume", "rm", "ev"]);
    // Everything so far: the engine's clock decides what "since" means.
    let since = "10m";
    for args in [
        &["events", "--stream=false", "--since", since][..],
        &["events", "--stream=false", "--since", since, "--no-trunc=false"],
        &["events", "--stream=false", "--since", since, "--format", "json"],
        &["events", "--stream=false", "--since", since, "--format", "{{json .}}"],
        &["events", "--stream=false", "--since", since, "--format", "{{.Type}} {{.Status}} {{.Name}} {{.Image}} {{.ID}} {{.Time}} {{.Attributes}} {{.ContainerExitCode}}"],
        &["events", "--stream=false", "--since", since, "--filter", "type=volume"],
        &["events", "--stream=false", "--since", since, "--filter", "event=died", "--format", "{{.Name}} {{.ContainerExitCode}}"],
        &["events", "--stream=false", "--since", since, "-f", "container=evc", "-f", "event=create"],
        &["events", "--stream=false", "--since", since, "--filter", "type=image"],
        &["events", "--stream=false", "--since", since, "--filter", "bogus"],
        &["events", "--stream=false", "--format", "{{.Nope}}", "--since", since],
        &["events", "extra"],
    ] {
        pair.assert_same(args);
    }
    // podman crashes on a bad time (a nil event); berth reports the
    // engine's error.
    let bad = pair.berth(&["events", "--stream=false", "--since", "bogus"]);
    assert_eq!(
        (bad.code, bad.stdout.as_str(), bad.stderr.as_str()),
        (Some(125), "", "Error: failed to parse event filters: unable to convert since time of bogus: unable to interpret time value\n")
    );
}

#[test]
fn events_stream_live() {
    let pair = SideBySide::start();
    let mut command = pair.berth_command(&[
        "events",
        "--filter",
        "type=volume",
        "--format",
        "{{.Status}} {{.Name}}",
    ]);
    command.stdout(Stdio::piped()).stderr(Stdio::null());
    let mut stream = ChildGuard::spawn("berth events", &mut command);
    let stdout = stream.child.stdout.take().expect("events stdout");
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    // The stream is open once the engine answered; create until it shows.
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut lines = Vec::new();
    let mut round = 0;
    while lines.is_empty() && Instant::now() < deadline {
        round += 1;
        let name = format!("live{round}");
        pair.podman_ok(&["volume", "create", &name]);
        pair.podman_ok(&["volume", "rm", &name]);
        while let Ok(line) = receiver.recv_timeout(Duration::from_millis(500)) {
            lines.push(line);
            if lines.len() >= 2 {
                break;
            }
        }
    }
    assert!(lines.len() >= 2, "no live events: {lines:?}");
    let round = lines[0].trim_start_matches("create live").to_string();
    assert_eq!(
        lines[..2],
        [format!("create live{round}"), format!("remove live{round}")]
    );
    assert_eq!(
        stream.child.try_wait().expect("polling berth"),
        None,
        "the stream ended"
    );
}
