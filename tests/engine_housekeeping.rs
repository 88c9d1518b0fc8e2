//! Housekeeping commands side by side with `podman --remote` on the same
//! real service: `rename`, `update`, `init`, `pause`, `unpause`, `stats`
//! and `healthcheck run`. Mutating commands run on twin containers (one
//! per client) and are checked with podman itself.

mod common;

use common::compare::{mask_ids, SideBySide};
use common::podman::BUSYBOX;

#[test]
fn pause_unpause_init_and_rename_match_podman() {
    let pair = SideBySide::start();
    for name in ["bb", "pp"] {
        pair.podman_ok(&["run", "-d", "--name", name, BUSYBOX, "sleep", "3600"]);
        pair.podman_ok(&["create", "--name", &format!("{name}-new"), BUSYBOX]);
    }
    // The same verb on each client's own twin: same output, same state.
    let twin = |args: &[&str]| {
        let on =
            |name: &str| -> Vec<String> { args.iter().map(|a| a.replace("TWIN", name)).collect() };
        let berth_args = on("bb");
        let podman_args = on("pp");
        let berth = pair.berth(&berth_args.iter().map(String::as_str).collect::<Vec<_>>());
        let podman = pair.podman(&podman_args.iter().map(String::as_str).collect::<Vec<_>>());
        let unify = |text: &str, name: &str| mask_ids(text).replace(name, "TWIN");
        assert_eq!(
            (
                berth.code,
                unify(&berth.stdout, "bb"),
                unify(&berth.stderr, "bb")
            ),
            (
                podman.code,
                unify(&podman.stdout, "pp"),
                unify(&podman.stderr, "pp")
            ),
            "{args:?}"
        );
    };
    for args in [
        &["pause", "TWIN"][..],
        &["pause", "TWIN"],
        &["container", "unpause", "TWIN"],
        &["unpause", "TWIN"],
        &["init", "TWIN-new"],
        &["container", "init", "TWIN-new"],
        &["rename", "TWIN-new", "TWIN-renamed"],
        &["rename", "TWIN-new", "x"],
    ] {
        twin(args);
    }
    let states = pair.podman_ok(&[
        "inspect",
        "--format",
        "{{.Name}} {{.State.Status}}",
        "bb",
        "bb-renamed",
        "pp",
        "pp-renamed",
    ]);
    assert_eq!(
        states,
        "bb running\nbb-renamed initialized\npp running\npp-renamed initialized\n"
    );
    for args in [
        &["pause", "nosuch"][..],
        &["unpause", "nosuch"],
        &["init", "nosuch"],
        &["rename", "nosuch", "x"],
        &["pause"],
        &["init"],
        &["rename", "bb"],
    ] {
        pair.assert_same(args);
    }
    // --all pauses every running container and unpauses every paused one.
    let run = pair.berth(&["pause", "--all"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert_eq!(
        pair.podman_ok(&["ps", "--filter", "status=paused", "-q"])
            .lines()
            .count(),
        2
    );
    let run = pair.berth(&["unpause", "-a"]);
    assert_eq!(run.stdout.lines().count(), 2, "{}", run.stdout);
    assert_eq!(
        pair.podman_ok(&["ps", "--filter", "status=paused", "-q"]),
        ""
    );
}

#[test]
fn update_changes_the_cgroup_limits() {
    let pair = SideBySide::start();
    pair.podman_ok(&["run", "-d", "--name", "u", BUSYBOX, "sleep", "3600"]);
    let run = pair.berth(&["update", "--memory", "64m", "--cpus", "0.5", "u"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (Some(0), "u\n"),
        "{}",
        run.stderr
    );
    let limits = pair.podman_ok(&[
        "exec",
        "u",
        "sh",
        "-c",
        "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/cpu.max 2>/dev/null || cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us",
    ]);
    let numbers: Vec<&str> = limits.split_whitespace().collect();
    assert_eq!(numbers, ["67108864", "50000", "100000"], "{limits}");
    for args in [
        &["update", "--memory", "1x", "u"][..],
        &["update", "--cpus", "1", "nosuch"],
        &["update"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn stats_and_healthcheck_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&[
        "run",
        "-d",
        "--name",
        "s",
        "--health-cmd",
        "cat /tmp/healthy",
        BUSYBOX,
        "sleep",
        "3600",
    ]);
    pair.podman_ok(&["create", "--name", "idle", BUSYBOX]);
    // Numbers move between two reports; the shape must not.
    let shape = |text: &str| -> String {
        let mut out = String::new();
        let mut in_number = false;
        for c in text
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
        {
            if c.is_ascii_digit() || (in_number && c == '.') {
                if !in_number {
                    out.push('N');
                }
                in_number = true;
            } else {
                in_number = false;
                out.push(c);
            }
        }
        // Traffic between the two samples can move a size across a unit
        // boundary (0B -> 1.2kB): the unit is part of the number here.
        for unit in ["NkB", "NMB", "NGB", "NTB"] {
            out = out.replace(unit, "NB");
        }
        out
    };
    for args in [
        &["stats", "--no-stream"][..],
        &["container", "stats", "--no-stream", "s"],
        &["stats", "--no-stream", "--no-trunc", "-a"],
        &["stats", "--no-stream", "--format", "json"],
        &[
            "stats",
            "--no-stream",
            "--format",
            "{{.Name}} {{.PIDS}} {{.MemPerc}}",
        ],
        &[
            "stats",
            "--no-stream",
            "--format",
            "table {{.ID}} {{.Name}} {{.NetIO}} {{.BlockIO}}",
        ],
        &["stats", "--no-stream", "--format", "{{.Nope}}"],
        &["stats", "--no-stream", "-i", "0"],
    ] {
        let berth = pair.berth(args);
        let podman = pair.podman(args);
        assert_eq!(
            (berth.code, shape(&berth.stdout), berth.stderr.clone()),
            (podman.code, shape(&podman.stdout), podman.stderr.clone()),
            "{args:?}"
        );
    }
    let run = pair.berth(&["stats", "--no-stream", "nosuch"]);
    assert_eq!(
        (run.code, run.stderr.as_str()),
        (
            Some(125),
            "Error: no container with name or ID \"nosuch\" found: no such container\n"
        )
    );
    // Streaming: a new report every interval until stopped.
    let child = pair
        .berth_command(&["stats", "-i", "1", "--format", "{{.Name}}", "s"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let guard_pid = child.id();
    std::thread::sleep(std::time::Duration::from_millis(3500));
    // SAFETY: the pid is our own child's.
    unsafe { libc::kill(guard_pid as i32, libc::SIGTERM) };
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.lines().filter(|l| *l == "s").count() >= 2, "{text}");

    pair.assert_same(&["healthcheck", "run", "s"]);
    let run = pair.berth(&["healthcheck", "run", "s"]);
    assert_eq!((run.code, run.stdout.as_str()), (Some(1), "unhealthy\n"));
    pair.podman_ok(&["exec", "s", "touch", "/tmp/healthy"]);
    pair.assert_same(&["healthcheck", "run", "s"]);
    assert_eq!(pair.berth(&["healthcheck", "run", "s"]).code, Some(0));
    pair.assert_same(&["healthcheck", "run", "idle"]);
    pair.assert_same(&["healthcheck", "run", "nosuch"]);
}
