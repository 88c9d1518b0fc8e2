//! `container checkpoint` / `container restore` side by side with
//! `podman --remote` on one real service. Their checks and errors must
//! match podman's everywhere. Where CRIU works (it needs a kernel it
//! knows: on some machines it cannot even start, "Unexpected rt vDSO area
//! bounds"), berth's checkpoints are also checked end to end with podman:
//! in place, `--leave-running`, `--keep`, and `--export` to a tar that
//! `--import` restores under a new name. Where it does not, both clients
//! must fail the same way and leave the container running.

mod common;

use common::compare::{normalize, Run, SideBySide};
use common::podman::BUSYBOX;

fn state(pair: &SideBySide, name: &str) -> String {
    pair.podman_ok(&["inspect", "--format", "{{.State.Status}}", name])
        .trim()
        .to_string()
}

/// The engine's temporary directories (`/var/tmp/checkpoint123`) without
/// their random number.
fn mask_temp_dirs(text: &str) -> String {
    let mut pieces = text.split("/checkpoint");
    let mut out = pieces.next().unwrap_or_default().to_string();
    for piece in pieces {
        out.push_str("/checkpoint");
        out.push_str(piece.trim_start_matches(|c: char| c.is_ascii_digit()));
    }
    out
}

/// Exit code and stderr only: podman's remote client also prints an empty
/// line on stdout for every container it failed to restore.
fn assert_same_failure(pair: &SideBySide, args: &[&str]) {
    let berth = pair.berth(args);
    let podman = pair.podman(args);
    let errors = |run: &Run| {
        let stderr = normalize(&mask_temp_dirs(&run.stderr));
        (run.code, stderr.replace("berth", "podman"))
    };
    assert_eq!(
        errors(&berth),
        errors(&podman),
        "{args:?}\n{berth:?}\n{podman:?}"
    );
    assert_eq!(berth.stdout, "", "{args:?}");
    assert_ne!(berth.code, Some(0), "{args:?}");
}

/// `berth container checkpoint --export FILE NAME`.
fn export_with_berth(pair: &SideBySide, file: &std::path::Path, name: &str) -> Run {
    pair.berth(&[
        "container",
        "checkpoint",
        "-e",
        file.to_str().unwrap(),
        name,
    ])
}

#[test]
fn checkpoint_and_restore_match_podman() {
    let pair = SideBySide::start();
    for name in ["ck-b", "ck-p"] {
        pair.podman_ok(&["run", "-d", "--name", name, BUSYBOX, "sleep", "1000"]);
    }
    pair.podman_ok(&["create", "--name", "fresh", BUSYBOX, "true"]);
    let dir = pair.env.path().to_path_buf();
    let missing_tar = dir.join("nosuch.tar");
    let not_a_checkpoint = common::podman::busybox_tar(&dir);
    for args in [
        &["container", "checkpoint", "nosuch"][..],
        &["container", "checkpoint", "ck-b", "nosuch"],
        &["container", "checkpoint", "fresh"],
        &["container", "checkpoint"],
        &["container", "checkpoint", "-a", "ck-b"],
        &["container", "checkpoint", "--compress", "gzip", "ck-b"],
        &[
            "container",
            "checkpoint",
            "-e",
            "x.tar",
            "--compress",
            "bogus",
            "ck-b",
        ],
        &["container", "checkpoint", "--ignore-rootfs", "ck-b"],
        &["container", "checkpoint", "--ignore-volumes", "ck-b"],
        &["container", "checkpoint", "-P", "--with-previous", "ck-b"],
        &["container", "restore", "nosuch"],
        &["container", "restore", "fresh", "nosuch"],
        &["container", "restore", BUSYBOX],
        &["container", "restore"],
        &["container", "restore", "-a", "ck-b"],
        &["container", "restore", "--name", "x", "fresh"],
        &["container", "restore", "--pod", "x", "fresh"],
        &["container", "restore", "--ignore-rootfs", "fresh"],
        &["container", "restore", "--import-previous", "x", "fresh"],
        &["container", "restore", "-i", missing_tar.to_str().unwrap()],
        &[
            "container",
            "restore",
            "-i",
            missing_tar.to_str().unwrap(),
            "fresh",
        ],
        &[
            "container",
            "restore",
            "--tcp-established",
            "--name",
            "x",
            "-i",
            "x.tar",
        ],
        // Nothing has been checkpointed: nothing to restore.
        &["container", "restore", "--all"],
    ] {
        pair.assert_same(args);
    }
    for args in [
        &["container", "restore", "ck-b"][..],
        &["container", "restore", "fresh"],
        &["container", "restore", "fresh", "ck-b"],
        &[
            "container",
            "restore",
            "-i",
            not_a_checkpoint.to_str().unwrap(),
        ],
    ] {
        assert_same_failure(&pair, args);
    }

    let probe = pair.podman(&["container", "checkpoint", "--leave-running", "ck-p"]);
    if probe.code != Some(0) {
        eprintln!(
            "CRIU cannot checkpoint here, comparing failures: {}",
            probe.stderr
        );
        // The same container, so the same runc command line in the error.
        pair.assert_same(&["container", "checkpoint", "ck-b"]);
        pair.assert_same(&[
            "container",
            "checkpoint",
            "--leave-running",
            "--keep",
            "ck-b",
        ]);
        let export = dir.join("ck-b.tar");
        let berth = export_with_berth(&pair, &export, "ck-b");
        assert_eq!(berth.code, Some(125), "{berth:?}");
        assert!(!export.exists(), "a failed export leaves no file");
        assert!(
            std::fs::read_dir(&dir).unwrap().all(|entry| !entry
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("ck-b.tar")),
            "nor a temporary file"
        );
        assert_eq!(state(&pair, "ck-b"), "running");
        return;
    }

    // In place, twice: stopped and restored, then left running.
    assert_eq!(
        pair.berth(&["container", "checkpoint", "ck-b"]).stdout,
        "ck-b\n"
    );
    assert_eq!(state(&pair, "ck-b"), "exited");
    let checkpointed = pair.podman_ok(&["inspect", "--format", "{{.State.Checkpointed}}", "ck-b"]);
    assert_eq!(checkpointed.trim(), "true");
    let restore = pair.berth(&["container", "restore", "--keep", "ck-b"]);
    assert_eq!(
        (restore.code, restore.stdout.as_str()),
        (Some(0), "ck-b\n"),
        "{restore:?}"
    );
    assert_eq!(state(&pair, "ck-b"), "running");
    let leave = pair.berth(&[
        "container",
        "checkpoint",
        "--leave-running",
        "--keep",
        "ck-b",
    ]);
    assert_eq!(
        (leave.code, leave.stdout.as_str()),
        (Some(0), "ck-b\n"),
        "{leave:?}"
    );
    assert_eq!(state(&pair, "ck-b"), "running");

    // Exported to a tar, and imported under a new name beside the original.
    let export = dir.join("ck-b.tar");
    let berth = export_with_berth(&pair, &export, "ck-b");
    assert_eq!(
        (berth.code, berth.stdout.as_str()),
        (Some(0), "ck-b\n"),
        "{berth:?}"
    );
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&export).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "the archive holds the container's memory"
    );
    let listed = std::process::Command::new("tar")
        .arg("-tf")
        .arg(&export)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&listed.stdout).contains("spec.dump"),
        "{listed:?}"
    );
    let imported = pair.berth(&[
        "container",
        "restore",
        "-i",
        export.to_str().unwrap(),
        "--name",
        "ck-copy",
    ]);
    assert_eq!(imported.code, Some(0), "{imported:?}");
    let id = pair.podman_ok(&["inspect", "--format", "{{.Id}}", "ck-copy"]);
    assert_eq!(imported.stdout, id);
    assert_eq!(state(&pair, "ck-copy"), "running");

    // --print-stats: podman's JSON with the engine's statistics.
    let stats = pair.berth(&["container", "checkpoint", "--print-stats", "ck-copy"]);
    assert_eq!(stats.code, Some(0), "{stats:?}");
    let stats: serde_json::Value = serde_json::from_str(&stats.stdout).unwrap();
    assert!(stats["podman_checkpoint_duration"].is_u64(), "{stats}");
    assert_eq!(stats["container_statistics"][0]["RawInput"], "ck-copy");
    let all = pair.berth(&["container", "restore", "--all"]);
    assert_eq!(all.code, Some(0), "{all:?}");
    assert_eq!(state(&pair, "ck-copy"), "running");
}
