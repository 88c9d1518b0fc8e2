//! `generate systemd` / `generate spec`, `image tree` / `image scp`,
//! `container clone` / `pod clone` and `volume reload` side by side with
//! `podman --remote` on one real service: the same units (apart from the
//! header's timestamp), `--files` writing the same unit files, the same
//! layer trees, and the same refusals, errors and exit codes.

mod common;

use common::compare::{normalize, Run, SideBySide};
use common::podman::BUSYBOX;

/// A run's stdout and stderr without what differs between two runs a
/// second apart: the units' "# Sat Nov 28 11:56:11 UTC 2026" header line
/// (in text and in JSON) and logrus's `time="..."`.
fn comparable(run: &Run) -> (Option<i32>, String, String) {
    let without_date = |text: &str| -> String {
        let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let mut text = text
            .lines()
            .filter(|line| {
                !days
                    .iter()
                    .any(|day| line.starts_with(&format!("# {day} ")))
            })
            .collect::<Vec<_>>()
            .join("\n");
        for day in days {
            // In JSON the header is one string: drop "# Day ... YYYY\n".
            while let Some(start) = text.find(&format!("\\n# {day} ")) {
                let rest = &text[start + 2..];
                let end = rest.find("\\n").map_or(text.len(), |end| start + 2 + end);
                text.replace_range(start..end, "");
            }
        }
        text
    };
    let without_time = |text: &str| -> String {
        text.lines()
            .map(|line| match line.strip_prefix("time=\"") {
                Some(rest) => rest.split_once("\" ").map_or(line, |(_, rest)| rest),
                None => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    (
        run.code,
        normalize(&without_date(&run.stdout)),
        normalize(&without_time(&run.stderr)).replace("berth", "podman"),
    )
}

fn assert_same_units(pair: &SideBySide, args: &[&str]) {
    let berth = pair.berth(args);
    let podman = pair.podman(args);
    assert_eq!(
        comparable(&berth),
        comparable(&podman),
        "berth and podman differ for {args:?}\n--- berth:\n{berth:?}\n--- podman:\n{podman:?}"
    );
}

#[test]
fn generate_systemd_matches_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["create", "--name", "web", BUSYBOX, "sleep", "1000"]);
    pair.podman_ok(&["pod", "create", "--name", "pod1"]);
    pair.podman_ok(&[
        "create", "--pod", "pod1", "--name", "inpod", BUSYBOX, "sleep", "9",
    ]);
    for args in [
        &["generate", "systemd", "web"][..],
        &["generate", "systemd", "--name", "--new", "web"],
        &["generate", "systemd", "-n", "--template", "web"],
        &["generate", "systemd", "--format", "json", "-n", "web"],
        &["generate", "systemd", "--format", "{{json .}}", "web"],
        &["generate", "systemd", "--name", "--format", "json", "pod1"],
        &["generate", "systemd", "-t", "5", "--no-header", "web"],
        &[
            "generate",
            "systemd",
            "--stop-timeout",
            "3",
            "--start-timeout",
            "4",
            "--restart-sec",
            "9",
            "--restart-policy",
            "always",
            "--wants",
            "a.service",
            "--wants",
            "b.service",
            "--after",
            "c.service",
            "--requires",
            "d.service",
            // One variable: podman orders several as a Go map iterates
            // (at random); berth sorts them.
            "-e",
            "FOO=bar",
            "--separator",
            "_",
            "--container-prefix",
            "cc",
            "--pod-prefix",
            "pp",
            "--name",
            "web",
        ],
        &["generate", "systemd", "--new=false", "--template", "web"],
        &[
            "generate",
            "systemd",
            "-t",
            "1",
            "--stop-timeout",
            "2",
            "web",
        ],
        &["generate", "systemd", "--restart-policy", "bogus", "web"],
        &["generate", "systemd", "--format", "yaml", "web"],
        &["generate", "systemd", "nosuch"],
        &["generate", "systemd"],
        &["generate", "spec", "web"],
        &[
            "generate",
            "spec",
            "--compact",
            "--name=false",
            "-f",
            "out.json",
            "nosuch",
        ],
        &["generate", "spec"],
    ] {
        assert_same_units(&pair, args);
    }

    // --files: the same unit files in the working directory, their paths
    // printed instead of their text.
    let berth_dir = pair.env.path().join("berth-units");
    let podman_dir = pair.env.path().join("podman-units");
    for dir in [&berth_dir, &podman_dir] {
        std::fs::create_dir_all(dir).unwrap();
    }
    let args = ["generate", "systemd", "--files", "--name", "pod1"];
    let berth = pair
        .berth_command(&args)
        .current_dir(&berth_dir)
        .output()
        .unwrap();
    let podman = pair
        .service
        .podman_remote()
        .args(args)
        .current_dir(&podman_dir)
        .output()
        .unwrap();
    assert!(berth.status.success(), "{berth:?}");
    assert!(podman.status.success(), "{podman:?}");
    let mut berth_lines: Vec<String> = String::from_utf8_lossy(&berth.stdout)
        .lines()
        .map(|line| line.replace(berth_dir.to_str().unwrap(), "DIR"))
        .collect();
    let mut podman_lines: Vec<String> = String::from_utf8_lossy(&podman.stdout)
        .lines()
        .map(|line| line.replace(podman_dir.to_str().unwrap(), "DIR"))
        .collect();
    berth_lines.sort();
    podman_lines.sort();
    assert_eq!(
        berth_lines,
        ["DIR/container-inpod.service", "DIR/pod-pod1.service"]
    );
    assert_eq!(berth_lines, podman_lines);
    for unit in ["container-inpod.service", "pod-pod1.service"] {
        let read = |dir: &std::path::Path| {
            let text = std::fs::read_to_string(dir.join(unit)).unwrap();
            comparable(&Run {
                code: Some(0),
                stdout: text,
                stderr: String::new(),
            })
        };
        assert_eq!(read(&berth_dir), read(&podman_dir), "{unit}");
    }
}

#[test]
fn image_tree_scp_clone_and_reload_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&[
        "run",
        "--name",
        "base",
        BUSYBOX,
        "sh",
        "-c",
        "echo hi > /tmp/hi",
    ]);
    pair.podman_ok(&["commit", "-q", "base", "localhost/child:1"]);
    pair.podman_ok(&["pod", "create", "--name", "pod1"]);
    for args in [
        &["image", "tree", BUSYBOX][..],
        &["image", "tree", "localhost/child:1"],
        &["image", "tree", "--whatrequires", BUSYBOX],
        &["image", "tree", "nosuch"],
        &["image", "tree"],
        // The engine makes the copy, to its own connections: none here.
        &["image", "scp", BUSYBOX],
        &["image", "scp", BUSYBOX, "nosuchhost::"],
        &["image", "scp", "-q", "nosuch", "x::"],
        &["image", "scp"],
        &["container", "clone", "base"],
        &[
            "container",
            "clone",
            "--memory",
            "64m",
            "--name",
            "copy",
            "base",
            "copy2",
        ],
        &["container", "clone", "--force", "base"],
        &["container", "clone"],
        &["container", "clone", "a", "b", "c", "d"],
        &["image", "scp", "a", "b::", "c"],
        &["pod", "clone"],
        &["volume", "reload"],
        &["volume", "reload", "extra"],
    ] {
        pair.assert_same(args);
    }
    // Nothing was cloned.
    let names = pair.podman_ok(&["ps", "-a", "--format", "{{.Names}}"]);
    assert!(!names.contains("copy"), "{names}");

    // podman's remote client crashes on `pod clone` (exit 2, a Go panic);
    // berth refuses it with podman's wording for containers.
    let berth = pair.berth(&["pod", "clone", "pod1", "pod2"]);
    assert_eq!(berth.code, Some(125), "{berth:?}");
    assert_eq!(
        berth.stderr,
        "Error: cloning a pod is not supported on the remote client\n"
    );
    let podman = pair.podman(&["pod", "clone", "pod1", "pod2"]);
    assert_eq!(podman.code, Some(2), "{podman:?}");
    assert!(
        podman.stderr.contains("nil pointer dereference"),
        "{podman:?}"
    );
    let pods = pair.podman_ok(&["pod", "ps", "--format", "{{.Name}}"]);
    assert_eq!(pods.trim(), "pod1");
    // pod clone's -h is --hostname, as in podman; --help still helps.
    let help = pair.berth(&["pod", "clone", "--help"]);
    assert_eq!(help.code, Some(0), "{help:?}");
    assert!(help.stdout.starts_with("Clone an existing pod"), "{help:?}");
}
