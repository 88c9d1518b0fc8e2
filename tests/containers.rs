//! Container commands side by side with `podman --remote` on the same real
//! service: listings, inspect, logs, ports and processes, the lifecycle
//! verbs with their messages and exit codes, and `run`/`create` (the
//! container berth creates is compared with the one podman creates from
//! the same flags).

mod common;

use std::io::{Read, Write};
use std::process::Stdio;

use common::compare::{free_port_pair, mask_ids, SideBySide};
use common::podman::BUSYBOX;

/// A running container with ports and a label, an exited one with output
/// on both streams and exit code 3, and one only created.
fn populate(pair: &SideBySide) {
    let tcp = format!("{}:80", free_port_pair());
    let udp = free_port_pair();
    let udp = format!("{udp}-{}:9000-9001/udp", udp + 1);
    pair.podman_ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &tcp,
        "-p",
        &udp,
        "-l",
        "tier=front",
        BUSYBOX,
        "sleep",
        "3600",
    ]);
    let done = pair.podman(&[
        "run",
        "--name",
        "done",
        BUSYBOX,
        "sh",
        "-c",
        "echo out; echo err >&2; echo more; exit 3",
    ]);
    assert_eq!(done.code, Some(3), "{}", done.stderr);
    pair.podman_ok(&["create", "--name", "made", BUSYBOX]);
}

#[test]
fn listings_match_podman() {
    let pair = SideBySide::start();
    populate(&pair);
    for args in [
        &["ps"][..],
        &["ps", "-a"],
        &["container", "ps", "-a"],
        &["container", "list", "-a"],
        &["container", "ls", "-a", "--no-trunc"],
        &["ps", "-a", "-q"],
        &["ps", "-aq", "--no-trunc"],
        &["ps", "-a", "--format", "json"],
        &["ps", "-a", "--format", "{{json .}}"],
        &[
            "ps",
            "-a",
            "--format",
            "{{.Names}} {{.State}} {{.Status}} {{.Labels}} {{.Ports}} {{.ExitCode}} {{.Command}}",
        ],
        &[
            "ps",
            "-a",
            "--format",
            "table {{.ID}} {{.Names}} {{.RunningFor}} {{.Networks}}",
        ],
        &["ps", "-a", "--format", "{{.ID}}", "-q"],
        &["ps", "-a", "--noheading"],
        &["ps", "-a", "--sort", "names"],
        &["ps", "-a", "--sort", "status"],
        &["ps", "-a", "-n", "2"],
        &["ps", "-a", "--filter", "status=exited"],
        &["ps", "-a", "--filter", "label=tier=front"],
        &["ps", "-a", "-f", "name=web", "-f", "name=done"],
        &["ps", "-a", "--size"],
        &["ps", "-a", "--pod"],
        &["ps", "-a", "--format", "{{.Nope}}"],
        &["ps", "extra"],
        &["ps", "--sort", "nope"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn inspect_logs_ports_and_top_match_podman() {
    let pair = SideBySide::start();
    populate(&pair);
    for args in [
        &["inspect", "web"][..],
        &["container", "inspect", "done", "made"],
        &[
            "inspect",
            "--format",
            "{{.State.Status}} {{.Name}} {{.Config.Cmd}} {{.Id}} {{.Created}}",
            "web",
            "done",
        ],
        &["inspect", "-f", "{{json .Config.Labels}}", "web"],
        &["inspect", "nosuch"],
        &["inspect", "web", "nosuch", "nosuch2"],
        &["container", "inspect", "nosuch"],
        &["inspect", "--type", "container", BUSYBOX],
        &["inspect", "--type", "bogus", "web"],
        &["inspect"],
        &["logs", "done"],
        &["container", "logs", "--tail", "1", "done"],
        &["logs", "-t", "done"],
        &["logs", "--since", "10m", "done"],
        &["logs", "--until", "1s", "done"],
        &["port", "web"],
        &["port", "web", "80"],
        &["port", "web", "9001/udp"],
        &["port", "web", "81"],
        &["port", "-a"],
        &["port"],
        &["top", "web", "pid", "user", "args", "comm"],
        &["top", "web", "-ef"],
        &["wait", "done"],
        &["wait", "done", "nosuch"],
    ] {
        pair.assert_same(args);
    }
    // A missing container's log: podman's remote client trips over its own
    // stream here; berth gives the engine's message.
    let logs = pair.berth(&["logs", "nosuch"]);
    assert_eq!(logs.code, Some(125));
    assert_eq!(
        logs.stderr,
        "Error: no container with name or ID \"nosuch\" found: no such container\n"
    );
}

#[test]
fn lifecycle_verbs_match_podman() {
    let pair = SideBySide::start();
    populate(&pair);
    // Errors and usage first, while the state is fixed.
    for args in [
        &["stop", "nosuch"][..],
        &["stop", "web", "nosuch"],
        &["stop"],
        &["stop", "-a", "web"],
        &["start", "nosuch"],
        &["start", "made", "nosuch"],
        &["start"],
        &["kill", "nosuch"],
        &["kill", "-s", "NOPE", "web"],
        &["kill", "-s", "65", "web"],
        &["restart", "nosuch"],
        &["rm", "nosuch"],
        &["rm", "-f", "nosuch"],
        &["rm", "web"],
        &["rm", "web", "nosuch"],
        &["wait", "nosuch"],
        &["exec", "nosuch", "ls"],
        &["exec", "web"],
        &["exec", "done", "ls"],
        &["attach", "nosuch"],
        &["top", "nosuch"],
        &["port", "nosuch"],
        // exec: output, exit codes, 126/127, options.
        &["exec", "web", "echo", "hi"],
        &["exec", "web", "sh", "-c", "echo out; echo err >&2; exit 7"],
        &["exec", "web", "/nonexistent"],
        &[
            "exec",
            "-e",
            "X=5",
            "-w",
            "/tmp",
            "-u",
            "1000",
            "web",
            "sh",
            "-c",
            "echo $X; pwd; id -u",
        ],
    ] {
        pair.assert_same(args);
    }

    // The same verbs on twin containers, one driven by each client.
    for name in ["b1", "p1"] {
        pair.podman_ok(&["run", "-d", "--name", name, BUSYBOX, "sleep", "3600"]);
    }
    let both = |args: &[&str]| {
        let with = |name: &str| {
            args.iter()
                .map(|arg| {
                    if *arg == "NAME" {
                        name.to_string()
                    } else {
                        arg.to_string()
                    }
                })
                .collect::<Vec<String>>()
        };
        let berth_args = with("b1");
        let podman_args = with("p1");
        let berth = pair.berth(&berth_args.iter().map(String::as_str).collect::<Vec<_>>());
        let podman = pair.podman(&podman_args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            (
                berth.code,
                mask_ids(&berth.stdout).replace("b1", "NAME"),
                mask_ids(&berth.stderr).replace("b1", "NAME")
            ),
            (
                podman.code,
                mask_ids(&podman.stdout).replace("p1", "NAME"),
                mask_ids(&podman.stderr).replace("p1", "NAME")
            ),
            "{args:?}"
        );
    };
    both(&["stop", "-t", "0", "NAME"]);
    both(&["wait", "NAME"]);
    both(&["start", "NAME"]);
    both(&["start", "NAME"]);
    both(&["restart", "-t", "0", "NAME"]);
    // sleep as PID 1 ignores SIGTERM: only KILL ends it.
    both(&["kill", "-s", "TERM", "NAME"]);
    both(&["kill", "NAME"]);
    both(&["wait", "NAME"]);
    both(&["kill", "NAME"]);
    both(&["rm", "NAME"]);
    both(&["rm", "NAME"]);
    let remaining = pair.podman_ok(&["ps", "-a", "--format", "{{.Names}}"]);
    assert!(
        !remaining.contains("b1") && !remaining.contains("p1"),
        "{remaining}"
    );

    // --all forms print full ids, like podman.
    let stopped = pair.berth(&["stop", "-a", "-t", "0"]);
    assert_eq!(stopped.code, Some(0), "{}", stopped.stderr);
    let web_id = pair.podman_ok(&["inspect", "--format", "{{.Id}}", "web"]);
    assert!(stopped.stdout.contains(web_id.trim()), "{}", stopped.stdout);
    let removed = pair.berth(&["rm", "-a"]);
    assert_eq!(removed.code, Some(0), "{}", removed.stderr);
    assert_eq!(pair.podman_ok(&["ps", "-aq"]), "");
}

#[test]
fn run_and_create_make_the_container_podman_makes() {
    let pair = SideBySide::start();
    // Plain runs: output, stderr, exit codes.
    for args in [
        &["run", "--rm", BUSYBOX, "echo", "hello"][..],
        &[
            "run",
            "--rm",
            BUSYBOX,
            "sh",
            "-c",
            "echo out; echo err >&2; exit 3",
        ],
        &[
            "container",
            "run",
            "--rm",
            "-e",
            "A=1",
            "-w",
            "/tmp",
            "-u",
            "1000",
            "--entrypoint",
            "/bin/sh",
            BUSYBOX,
            "-c",
            "echo $A $(pwd) $(id -u)",
        ],
        &["run", "--rm", "--hostname", "hh", BUSYBOX, "hostname"],
        &[
            "run",
            "--rm",
            "-a",
            "stderr",
            BUSYBOX,
            "sh",
            "-c",
            "echo out; echo err >&2",
        ],
        &["run", "--rm", "-p", "abc", BUSYBOX],
        &["run", "--rm", "-v", "a:b", BUSYBOX],
        &["run", "--rm", "--restart", "on-fail:3", BUSYBOX],
        &["run", "--rm", "--env-file", "/nonexistent", BUSYBOX],
        &["run", "--rm", "-m", "abc", BUSYBOX],
        &["run", "--rm", "--pull", "never", "localhost/none:x"],
    ] {
        pair.assert_same(args);
    }
    // 127 and 126 with podman's message (the container id differs).
    for (command, code) in [("/nonexistent", 127), ("/etc", 126)] {
        let berth = pair.berth(&["run", "--rm", BUSYBOX, command]);
        let podman = pair.podman(&["run", "--rm", BUSYBOX, command]);
        assert_eq!(berth.code, Some(code), "{}", berth.stderr);
        assert_eq!(podman.code, Some(code));
        assert_eq!(mask_ids(&berth.stderr), mask_ids(&podman.stderr));
    }
    // --rm leaves nothing behind, even when the command could not run.
    assert_eq!(pair.podman_ok(&["ps", "-aq"]), "");

    // stdin through -i.
    let mut child = pair
        .berth_command(&["run", "-i", "--rm", BUSYBOX, "sh", "-c", "cat; exit 4"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"piped\n").unwrap();
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    assert_eq!(out, "piped\n");
    assert_eq!(child.wait().unwrap().code(), Some(4));

    // -d prints the id of a running container; create prints the id of a
    // created one.
    let detached = pair.berth(&["run", "-d", "--name", "bg", BUSYBOX, "sleep", "3600"]);
    assert_eq!(detached.code, Some(0), "{}", detached.stderr);
    let id = detached.stdout.trim();
    assert_eq!(id.len(), 64, "{id}");
    assert_eq!(
        pair.podman_ok(&["inspect", "--format", "{{.State.Status}} {{.Id}}", "bg"]),
        format!("running {id}\n")
    );
    let name_taken = pair.berth(&["create", "--name", "bg", BUSYBOX]);
    assert_eq!(name_taken.code, Some(125));
    assert!(
        name_taken.stderr.contains("that name is already in use"),
        "{}",
        name_taken.stderr
    );
    let replaced = pair.berth(&[
        "run",
        "-d",
        "--replace",
        "--name",
        "bg",
        BUSYBOX,
        "sleep",
        "3600",
    ]);
    assert_eq!(replaced.code, Some(0), "{}", replaced.stderr);
    assert_ne!(replaced.stdout.trim(), id);

    // The same create flags through both clients give the same container.
    let env_file = pair.env.path().join("env");
    std::fs::write(&env_file, "# comment\nFROM_FILE=1\nB=file\n").unwrap();
    let env_file = env_file.display().to_string();
    let flags = [
        "-it",
        "-e",
        "A=1",
        "-e",
        "B=flag",
        "--env-file",
        &env_file,
        "-l",
        "x=y",
        "--label",
        "bare",
        "-v",
        "/tmp:/data:ro",
        "-v",
        "vol1:/v",
        "--mount",
        "type=tmpfs,destination=/tt,tmpfs-size=1m",
        "--tmpfs",
        "/t2:size=2m",
        "-p",
        "127.0.0.1::90/tcp",
        "-p",
        "91",
        "--expose",
        "92",
        "-w",
        "/w",
        "-u",
        "1000",
        "--hostname",
        "hh",
        "--restart",
        "on-failure:3",
        "--entrypoint",
        "[\"/bin/sh\",\"-c\"]",
        "--cap-add",
        "NET_ADMIN",
        "--cap-drop",
        "CHOWN",
        "--dns",
        "1.1.1.1",
        "--dns-search",
        "example.com",
        "--add-host",
        "h:1.2.3.4",
        "--ulimit",
        "nofile=100:200",
        "-m",
        "64m",
        "--cpus",
        "0.5",
        "--cpu-shares",
        "512",
        "--pids-limit",
        "100",
        "--shm-size",
        "32m",
        "--stop-signal",
        "TERM",
        "--stop-timeout",
        "5",
        "--security-opt",
        "label=disable",
        "--security-opt",
        "no-new-privileges",
        "--sysctl",
        "net.ipv4.ip_forward=1",
        "--log-opt",
        "max-size=1m",
        "--read-only",
        "--init",
        "--tz",
        "UTC",
        "--unsetenv",
        "PATH",
        "--group-add",
        "10",
        "--umask",
        "0027",
        "--systemd",
        "false",
        "--timeout",
        "60",
        "--annotation",
        "note=1",
    ];
    let create = |client: &str, name: &str| {
        let mut args = vec!["create", "--name", name];
        args.extend_from_slice(&flags);
        args.extend_from_slice(&[BUSYBOX, "echo a"]);
        let run = if client == "berth" {
            pair.berth(&args)
        } else {
            pair.podman(&args)
        };
        assert_eq!(run.code, Some(0), "{client} create: {}", run.stderr);
        assert_eq!(run.stdout.trim().len(), 64, "{}", run.stdout);
    };
    create("berth", "twin-b");
    create("podman", "twin-p");
    assert_eq!(
        comparable_inspect(&pair, "twin-b"),
        comparable_inspect(&pair, "twin-p")
    );

    // Defaults alone, and a few common shapes.
    for (index, flags) in [
        &[][..],
        &["--rm"],
        &["-p", "80", "--network", "bridge"],
        &["--network", "host"],
        &["-i", "--pull", "never"],
    ]
    .iter()
    .enumerate()
    {
        let (b, p) = (format!("plain-b{index}"), format!("plain-p{index}"));
        let mut berth_args = vec!["create", "--name", &b];
        berth_args.extend_from_slice(flags);
        berth_args.push(BUSYBOX);
        let mut podman_args = vec!["create", "--name", &p];
        podman_args.extend_from_slice(flags);
        podman_args.push(BUSYBOX);
        assert_eq!(pair.berth(&berth_args).code, Some(0));
        pair.podman_ok(&podman_args);
        assert_eq!(
            comparable_inspect(&pair, &b),
            comparable_inspect(&pair, &p),
            "{flags:?}"
        );
    }
}

/// A container's inspect data without what differs between two twins:
/// ids, names, times, paths, the command line that created it, generated
/// ports and anonymous volumes; lists that podman fills from Go maps
/// (random order) are sorted.
fn comparable_inspect(pair: &SideBySide, name: &str) -> serde_json::Value {
    let text = pair.podman_ok(&["inspect", name]);
    let mut data: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut object = data[0].take();
    for key in [
        "Id",
        "Name",
        "Created",
        "ResolvConfPath",
        "HostsPath",
        "StaticDir",
        "OCIConfigPath",
        "ConmonPidFile",
        "PidFile",
        "Rootfs",
        "GraphDriver",
        "Mounts",
    ] {
        object.as_object_mut().unwrap().remove(key);
    }
    object["Config"]
        .as_object_mut()
        .unwrap()
        .remove("CreateCommand");
    object["HostConfig"]["LogConfig"]
        .as_object_mut()
        .unwrap()
        .remove("Path");
    let text = serde_json::to_string(&object).unwrap();
    let text = text.replace(name, "NAME");
    let mut object: serde_json::Value = serde_json::from_str(&mask_ids(&text)).unwrap();
    sort_lists(&mut object);
    // Ports podman picked at random.
    strip_key(&mut object, "HostPort");
    object
}

fn sort_lists(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Array(items) => {
            for item in items.iter_mut() {
                sort_lists(item);
            }
            items.sort_by_key(|item| item.to_string());
        }
        serde_json::Value::Object(map) => map.values_mut().for_each(sort_lists),
        _ => {}
    }
}

fn strip_key(value: &mut serde_json::Value, key: &str) {
    match value {
        serde_json::Value::Array(items) => items.iter_mut().for_each(|item| strip_key(item, key)),
        serde_json::Value::Object(map) => {
            map.remove(key);
            map.values_mut().for_each(|item| strip_key(item, key));
        }
        _ => {}
    }
}

#[test]
fn a_closed_stdout_is_not_an_error() {
    let pair = SideBySide::start();
    pair.podman_ok(&[
        "run",
        "--name",
        "chatty",
        BUSYBOX,
        "sh",
        "-c",
        "i=0; while [ $i -lt 20000 ]; do echo line $i; i=$((i+1)); done",
    ]);
    for args in [&["logs", "chatty"][..], &["ps", "-a"]] {
        let mut child = pair
            .berth_command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = child.stdout.take().unwrap();
        let mut first = [0u8; 16];
        let n = stdout.read(&mut first).unwrap();
        assert!(n > 0);
        drop(stdout); // like `| head -c 16`
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{args:?}");
    }
}
