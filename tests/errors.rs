//! Errors of the container and image commands: one clear line in podman's
//! words with podman's exit code, never a panic, whatever is wrong (the
//! socket, the URL, the connection name, a flag, a command).

mod common;

use common::env::TestEnv;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn an_unreachable_engine_is_one_error_line_after_podmans_hint() {
    let env = TestEnv::new();
    let socket = env.path().join("none.sock");
    let url = format!("unix://{}", socket.display());
    for args in [
        &["ps", "-a"][..],
        &["images"],
        &["run", "--rm", "localhost/busybox:test", "true"],
        &["rm", "-f", "x"],
        &["logs", "x"],
        &["exec", "-i", "x", "sh"],
        &["pull", "x"],
    ] {
        let out = env
            .berth()
            .arg("--url")
            .arg(&url)
            .args(args)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(125), "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
        let stderr = text(&out.stderr);
        let lines: Vec<&str> = stderr.lines().collect();
        assert_eq!(lines.len(), 2, "{args:?}: {stderr}");
        assert!(
            lines[0].starts_with("Cannot connect to Podman."),
            "{stderr}"
        );
        assert_eq!(
            lines[1],
            format!(
                "Error: unable to connect to Podman socket: dial unix {}: connect: no such file or directory",
                socket.display()
            )
        );
    }
}

#[test]
fn bad_urls_and_unknown_connections_fail_before_connecting() {
    let env = TestEnv::new();
    let out = env.run_berth(&["--url", "foo://bar", "ps"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(text(&out.stderr)
        .starts_with("Error: unable to create connection. \"foo\" is not a supported schema"));
    let out = env.run_berth(&["-c", "nosuch", "images"]);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "Error: failed to resolve active destination: \"nosuch\" service destination not found\n"
    );
}

#[test]
fn usage_errors_read_like_podman() {
    let env = TestEnv::new();
    for (args, expected) in [
        (&["ps", "--foo"][..], "Error: unknown flag: --foo\nSee 'berth ps --help'\n"),
        (&["container", "ls", "--foo=1"], "Error: unknown flag: --foo\nSee 'berth container list --help'\n"),
        (&["run", "-Z", "img"], "Error: unknown shorthand flag: 'Z' in -Z\nSee 'berth run --help'\n"),
        (&["ps", "--format"], "Error: flag needs an argument: --format\nSee 'berth ps --help'\n"),
        (&["run"], "Error: requires at least 1 arg(s), only received 0\n"),
        (&["tag", "img"], "Error: requires at least 2 arg(s), only received 1\n"),
        (&["history"], "Error: accepts 1 arg(s), received 0\n"),
        (&["images", "a", "b"], "Error: accepts at most 1 arg(s), received 2\n"),
        (&["ps", "extra"], "Error: `berth ps` takes no arguments\n"),
        (&["image", "zzzzzz"], "Error: unrecognized command `berth image zzzzzz`\nTry 'berth image --help' for more information\n"),
        (&["stop"], "Error: you must provide at least one name or id\n"),
        (&["rmi"], "Error: image name or ID must be specified\n"),
        (&["exec"], "Error: exec requires the name or ID of a container or the --latest flag\n"),
        (&["kill", "-s", "NOPE", "x"], "Error: invalid signal: NOPE\n"),
        (&["run", "-p", "99999:80", "img"], "Error: parsing host port: port numbers must be between 1 and 65535 (inclusive), got 99999\n"),
        (&["run", "--detach-keys", "ctrl-1", "img"], "Error: invalid detach keys: unknown character: 'ctrl-1'\n"),
    ] {
        let out = env.run_berth(args);
        assert_eq!(out.status.code(), Some(125), "{args:?}");
        assert_eq!(text(&out.stderr), expected, "{args:?}");
        assert_eq!(text(&out.stdout), "", "{args:?}");
    }
    // A command group without a command: its help, then the error.
    let out = env.run_berth(&["container"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stdout).contains("Usage: berth container"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        text(&out.stderr),
        "Error: missing command 'berth container COMMAND'\n"
    );
}
