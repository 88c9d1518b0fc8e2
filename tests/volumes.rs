//! Volume commands side by side with `podman --remote` on the same real
//! service (listings, inspect, exists, errors and exit codes), their
//! effects checked with podman, and `volume export` / `import`, which
//! podman's remote client refuses, checked by round-tripping data.

mod common;

use common::compare::SideBySide;
use common::podman::BUSYBOX;

#[test]
fn volume_queries_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&[
        "volume", "create", "--label", "a=b", "--label", "c", "-o", "o=nodev", "v1",
    ]);
    pair.podman_ok(&["volume", "create", "v2"]);
    pair.podman_ok(&["run", "--name", "user", "-v", "v2:/data", BUSYBOX, "true"]);
    for args in [
        &["volume", "ls"][..],
        &["volume", "list", "--noheading"],
        &["volume", "ls", "-q"],
        &["volume", "ls", "--format", "json"],
        &["volume", "ls", "--format", "{{.Name}} {{.Driver}} {{.Mountpoint}} {{.CreatedAt}} {{.Labels}} {{.Options}} {{.Scope}}"],
        &["volume", "ls", "--format", "table {{.Name}} {{.Labels}}"],
        &["volume", "ls", "--filter", "label=a=b"],
        &["volume", "ls", "-f", "name=v1,name=v2"],
        &["volume", "ls", "--filter", "dangling=true"],
        &["volume", "ls", "--filter", "bogus"],
        &["volume", "ls", "-q", "--format", "{{.Name}}"],
        &["volume", "ls", "--format", "{{.Nope}}"],
        &["volume", "inspect", "v1"],
        &["volume", "inspect", "v1", "v2"],
        &["volume", "inspect", "--format", "{{.Name}} {{.Labels}} {{.CreatedAt}} {{.Options}}", "v1"],
        &["volume", "inspect", "--all", "--format", "{{.Name}}"],
        &["volume", "inspect", "nosuch"],
        &["volume", "inspect", "v1", "nosuch", "nosuch2"],
        &["volume", "inspect"],
        &["volume", "inspect", "-a", "v1"],
        &["inspect", "--type", "volume", "v1"],
        &["inspect", "v2"],
        &["volume", "exists", "v1"],
        &["volume", "exists", "nosuch"],
        &["volume", "rm", "nosuch"],
        &["volume", "rm", "-f", "nosuch"],
        &["volume", "rm", "v2"],
        &["volume", "rm", "v2", "nosuch"],
        &["volume", "rm"],
        &["volume", "rm", "-a", "v1"],
        &["volume", "rm", "-t", "3", "v1"],
        &["volume", "prune"],
        &["volume", "create", "v1"],
        &["volume", "create", "--label", "=x", "v9"],
        &["volume", "mount", "v1"],
        &["volume", "unmount", "v1"],
        &["volume", "reload"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn volume_changes_are_made_as_podman_makes_them() {
    let pair = SideBySide::start();
    // The same volume from each client.
    let create = [
        "volume", "create", "--driver", "local", "-l", "team=x", "-o", "o=nodev", "NAME",
    ];
    pair.assert_twins(&create, "bv", "pv");
    let inspect = |name: &str| {
        pair.podman_ok(&[
            "volume",
            "inspect",
            "--format",
            "{{.Driver}} {{.Labels}} {{.Options}} {{.Scope}}",
            name,
        ])
    };
    assert_eq!(inspect("bv"), inspect("pv"));
    assert_eq!(inspect("bv"), "local map[team:x] map[o:nodev] local\n");

    // A generated name.
    let anonymous = pair.berth(&["volume", "create"]);
    assert_eq!(anonymous.code, Some(0), "{}", anonymous.stderr);
    let name = anonymous.stdout.trim();
    assert_eq!(name.len(), 64, "{name}");
    pair.podman_ok(&["volume", "exists", name]);

    // In use: rm fails with exit code 2, -f removes the user too.
    for name in ["bv", "pv"] {
        pair.podman_ok(&[
            "create",
            "--name",
            &format!("{name}-user"),
            "-v",
            &format!("{name}:/data"),
            BUSYBOX,
        ]);
    }
    pair.assert_twins(&["volume", "rm", "NAME"], "bv", "pv");
    pair.assert_twins(&["volume", "rm", "-f", "NAME"], "bv", "pv");
    assert_eq!(pair.podman(&["volume", "exists", "bv"]).code, Some(1));
    assert_eq!(
        pair.podman(&["container", "exists", "bv-user"]).code,
        Some(1)
    );

    // prune -f removes only the unused ones; a prompt answered "n" nothing.
    pair.podman_ok(&["volume", "create", "kept"]);
    pair.podman_ok(&["create", "--name", "keeper", "-v", "kept:/data", BUSYBOX]);
    let mut asked = pair.berth_command(&["volume", "prune"]);
    asked.stdin(std::process::Stdio::piped());
    let answered = answer(asked, "n\n");
    assert!(
        answered.contains("Are you sure you want to continue? [y/N] "),
        "{answered}"
    );
    assert!(answered.contains(name), "{answered}");
    pair.podman_ok(&["volume", "exists", name]);
    let pruned = pair.berth(&["volume", "prune", "-f"]);
    assert_eq!(pruned.code, Some(0), "{}", pruned.stderr);
    assert_eq!(pruned.stdout.trim(), name);
    assert_eq!(pair.podman_ok(&["volume", "ls", "-q"]), "kept\n");

    // rm -a removes what is not in use and reports the rest.
    let all = pair.berth(&["volume", "rm", "-a"]);
    assert_eq!(all.code, Some(2), "{all:?}");
    assert!(
        all.stderr.contains("volume is being used"),
        "{}",
        all.stderr
    );
}

/// Runs `command` with `input` on stdin and returns its stdout.
fn answer(mut command: std::process::Command, input: &str) -> String {
    use std::io::Write;
    command.stdout(std::process::Stdio::piped());
    let mut child = command.spawn().expect("starting berth");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("writing the answer");
    let output = child.wait_with_output().expect("waiting for berth");
    assert!(output.status.success(), "{output:?}");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn volume_export_and_import_round_trip() {
    let pair = SideBySide::start();
    pair.podman_ok(&["volume", "create", "src"]);
    pair.podman_ok(&[
        "run",
        "--rm",
        "-v",
        "src:/data",
        BUSYBOX,
        "sh",
        "-c",
        "echo hello > /data/a; mkdir /data/d; echo deep > /data/d/b",
    ]);
    let tar = pair.env.path().join("src.tar");
    let exported = pair.berth(&["volume", "export", "src", "-o", tar.to_str().unwrap()]);
    assert_eq!(exported.code, Some(0), "{}", exported.stderr);
    let listing = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&tar)
        .output()
        .expect("running tar");
    let mut names: Vec<String> = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .map(|line| {
            line.trim_start_matches("./")
                .trim_end_matches('/')
                .to_string()
        })
        .filter(|line| !line.is_empty())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "d", "d/b"]);

    // Import from a file and from stdin.
    pair.podman_ok(&["volume", "create", "copy"]);
    let imported = pair.berth(&["volume", "import", "copy", tar.to_str().unwrap()]);
    assert_eq!(imported.code, Some(0), "{}", imported.stderr);
    pair.podman_ok(&["volume", "create", "piped"]);
    let mut piped = pair.berth_command(&["volume", "import", "piped", "-"]);
    piped.stdin(std::fs::File::open(&tar).expect("opening the tar"));
    let status = piped.status().expect("running berth");
    assert!(status.success());
    for volume in ["copy", "piped"] {
        let read = pair.podman_ok(&[
            "run",
            "--rm",
            "-v",
            &format!("{volume}:/data"),
            BUSYBOX,
            "cat",
            "/data/a",
            "/data/d/b",
        ]);
        assert_eq!(read, "hello\ndeep\n", "{volume}");
    }
    // No helper container is left behind, and a missing volume is an error.
    assert_eq!(pair.podman_ok(&["ps", "-aq"]), "");
    let missing = pair.berth(&["volume", "export", "nosuch", "-o", tar.to_str().unwrap()]);
    assert_eq!(missing.code, Some(125));
    assert!(
        missing.stderr.contains("no such volume"),
        "{}",
        missing.stderr
    );
    let to_terminal_refused = pair.berth(&["volume", "import", "nosuch", tar.to_str().unwrap()]);
    assert_eq!(to_terminal_refused.code, Some(125));
}
