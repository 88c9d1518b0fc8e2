//! `system df` and `system prune` side by side with `podman --remote` on
//! the same real service (prune's effects checked with podman), and the
//! commands podman's remote client refuses, refused the same way.

mod common;

use common::compare::SideBySide;
use common::podman::BUSYBOX;

#[test]
fn system_df_matches_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["volume", "create", "used"]);
    pair.podman_ok(&["volume", "create", "idle"]);
    pair.podman_ok(&[
        "run",
        "--name",
        "writer",
        "-v",
        "used:/data",
        BUSYBOX,
        "sh",
        "-c",
        "echo data > /data/f; echo x > /tmp/y",
    ]);
    pair.podman_ok(&["run", "-d", "--name", "runner", BUSYBOX, "sleep", "300"]);
    for args in [
        &["system", "df"][..],
        &["system", "df", "-v"],
        &[
            "system",
            "df",
            "--format",
            "{{.Type}} {{.Total}} {{.Active}} {{.Size}} {{.Reclaimable}}",
        ],
        &[
            "system",
            "df",
            "--format",
            "table {{.Type}} {{.Total}} {{.Reclaimable}}",
        ],
        &["system", "df", "--format", "{{.Nope}}"],
        &["system", "df", "extra"],
    ] {
        pair.assert_same(args);
    }
    refusals_match_podman(&pair);
}

#[test]
fn system_prune_matches_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["run", "--name", "stopped", BUSYBOX, "true"]);
    pair.podman_ok(&["run", "-d", "--name", "running", BUSYBOX, "sleep", "300"]);
    pair.podman_ok(&["volume", "create", "idle"]);
    pair.podman_ok(&["network", "create", "unused"]);
    pair.podman_ok(&["pod", "create", "--name", "empty"]);
    // Asked and declined: nothing goes; the prompt is podman's.
    for args in [
        &["system", "prune"][..],
        &["system", "prune", "-a", "--volumes"],
        &["system", "prune", "--filter", "bogus"],
    ] {
        pair.assert_same(args);
    }
    let stopped_id = pair.podman_ok(&["inspect", "--format", "{{.Id}}", "stopped"]);
    let pruned = pair.berth(&["system", "prune", "-f", "--volumes"]);
    assert_eq!(pruned.code, Some(0), "{}", pruned.stderr);
    assert!(
        pruned
            .stdout
            .starts_with(&format!("Deleted Containers\n{}", stopped_id)),
        "{}",
        pruned.stdout
    );
    assert!(
        pruned.stdout.contains("Deleted Volumes\nidle\n"),
        "{}",
        pruned.stdout
    );
    assert!(
        pruned.stdout.contains("Deleted Networks\nunused\n"),
        "{}",
        pruned.stdout
    );
    assert!(
        pruned.stdout.contains("Total reclaimed space: "),
        "{}",
        pruned.stdout
    );
    assert_eq!(
        pair.podman(&["container", "exists", "stopped"]).code,
        Some(1)
    );
    pair.podman_ok(&["container", "exists", "running"]);
    assert_eq!(pair.podman_ok(&["volume", "ls", "-q"]), "");
    assert_eq!(pair.podman_ok(&["network", "ls", "-q"]), "podman\n");
    // The image is used by the running container: kept even with -a.
    let again = pair.berth(&["system", "prune", "-a", "-f"]);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    pair.podman_ok(&["image", "exists", BUSYBOX]);
}

/// Shares `system_df_matches_podman`'s service: refusals never reach it.
fn refusals_match_podman(pair: &SideBySide) {
    for args in [
        &["mount"][..],
        &["mount", "x"],
        &["umount", "x"],
        &["unmount"],
        &["unshare"],
        &["auto-update"],
        &["container", "mount"],
        &["container", "unmount"],
        &["container", "umount", "x"],
        &["container", "cleanup"],
        &["container", "cleanup", "x"],
        &["container", "runlabel", "install", "x"],
        &["container", "runlabel"],
        &["image", "mount"],
        &["image", "umount"],
        &["image", "sign", "x"],
        &["image", "sign"],
        &["image", "trust", "show"],
        &["image", "trust", "set", "-t", "reject", "default"],
        &["image", "trust", "set", "default"],
        &["volume", "mount", "v"],
        &["volume", "unmount", "v"],
        &["volume", "reload"],
        &["network", "reload", "x"],
        &["network", "reload"],
        &["system", "reset"],
        &["system", "reset", "-f"],
        &["system", "service", "--time=0"],
        &["system", "migrate"],
        &["system", "renumber"],
        &["system", "renumber", "x"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn container_and_image_prune_match_podman() {
    let pair = SideBySide::start();
    for args in [
        &["container", "prune"][..],
        &["container", "prune", "--filter", "bogus"],
        &["image", "prune"],
        &["image", "prune", "-a"],
        &["container", "prune", "extra"],
        &["image", "prune", "extra"],
    ] {
        pair.assert_same(args);
    }
    // Twin stopped containers, one pruned by each client with a label
    // filter that spares a third; then the same for images with -a.
    for name in ["bstop", "pstop"] {
        pair.podman_ok(&[
            "create",
            "--name",
            name,
            "-l",
            &format!("who={name}"),
            BUSYBOX,
        ]);
    }
    pair.podman_ok(&["create", "--name", "kept", BUSYBOX]);
    pair.podman_ok(&["run", "-d", "--name", "running", BUSYBOX, "sleep", "300"]);
    let id = |name: &str| pair.podman_ok(&["inspect", "--format", "{{.Id}}", name]);
    let (bstop, pstop) = (id("bstop"), id("pstop"));
    let ran = pair.assert_twins(
        &["container", "prune", "-f", "--filter", "label=who=NAME"],
        "bstop",
        "pstop",
    );
    assert_eq!(ran.stdout, bstop);
    assert_ne!(bstop, pstop);
    for gone in ["bstop", "pstop"] {
        assert_eq!(pair.podman(&["container", "exists", gone]).code, Some(1));
    }
    pair.podman_ok(&["container", "exists", "kept"]);
    pair.podman_ok(&["container", "exists", "running"]);

    // Only dangling images by default; -a also removes unused tagged ones
    // (the busybox image stays: "kept" uses it).
    let commit = |tag: &str| {
        let id = pair.podman_ok(&["commit", "-q", "kept", tag]);
        format!("sha256:{}", id.trim().trim_start_matches("sha256:"))
    };
    let first = commit("localhost/moved:1");
    let _moved = commit("localhost/moved:1");
    let dangling = pair.berth(&["image", "prune", "-f"]);
    assert_eq!(dangling.code, Some(0), "{}", dangling.stderr);
    assert_eq!(
        dangling.stdout.trim().trim_start_matches("sha256:"),
        first.trim_start_matches("sha256:")
    );
    pair.podman_ok(&["image", "exists", "localhost/moved:1"]);
    let unused = pair.berth(&["image", "prune", "-a", "-f"]);
    assert_eq!(unused.code, Some(0), "{}", unused.stderr);
    assert_eq!(
        pair.podman(&["image", "exists", "localhost/moved:1"]).code,
        Some(1)
    );
    pair.podman_ok(&["image", "exists", BUSYBOX]);
}
