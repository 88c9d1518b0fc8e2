//! Image commands side by side with `podman --remote` on the same real
//! service: listings, inspect, history, and tag/untag/rmi with their
//! output and exit codes.

mod common;

use common::compare::SideBySide;
use common::podman::BUSYBOX;

#[test]
fn listings_inspect_and_history_match_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["tag", BUSYBOX, "localhost/other:one"]);
    pair.podman_ok(&["create", "--name", "user", BUSYBOX]);
    for args in [
        &["images"][..],
        &["image", "ls"],
        &["image", "list", "-a"],
        &["images", "-q"],
        &["images", "--no-trunc"],
        &["images", "--digests"],
        &["images", "--history"],
        &["images", "--noheading"],
        &["images", "--sort", "repository"],
        &["images", "--sort", "tag"],
        &["images", "--format", "json"],
        &["images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}} {{.Created}} {{.Containers}} {{.Labels}} {{.History}}"],
        &["images", "--format", "table {{.ID}} {{.Repository}} {{.CreatedAt}} {{.ReadOnly}}"],
        &["images", "--filter", "reference=localhost/other"],
        &["images", "localhost/busybox"],
        &["images", "a", "b"],
        &["images", "-f", "reference=x", "x"],
        &["image", "inspect", BUSYBOX],
        &["image", "inspect", "--format", "{{.Id}} {{.RepoTags}} {{.Os}} {{.Architecture}} {{.Created}}", BUSYBOX],
        &["image", "inspect", "nosuch"],
        &["inspect", "--type", "image", "localhost/other:one"],
        &["history", BUSYBOX],
        &["image", "history", "--no-trunc", BUSYBOX],
        &["history", "-q", BUSYBOX],
        &["history", "--format", "json", BUSYBOX],
        &["history", "--format", "{{.ID}} {{.CreatedBy}} {{.Size}} {{.Comment}} {{.Tags}}", BUSYBOX],
        &["history", "nosuch"],
        &["history"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn tag_untag_and_rmi_match_podman() {
    let pair = SideBySide::start();
    for args in [
        &["tag", "nosuch", "localhost/x:1"][..],
        &["tag", BUSYBOX],
        &["untag", "nosuch"],
        &["rmi", "nosuch"],
        &["rmi", "nosuch", "nosuch2"],
        &["rmi", "-f", "nosuch"],
        &["rmi"],
        &["rmi", "-a", BUSYBOX],
    ] {
        pair.assert_same(args);
    }

    // berth tags, both clients see it.
    let tagged = pair.berth(&["tag", BUSYBOX, "localhost/mine:a", "localhost/mine:b"]);
    assert_eq!(tagged.code, Some(0), "{}", tagged.stderr);
    let names = pair.podman_ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(
        names.contains("localhost/mine:a") && names.contains("localhost/mine:b"),
        "{names}"
    );

    // Untag one name, then remove the other with rmi: podman's lines.
    assert_eq!(
        pair.berth(&["untag", BUSYBOX, "localhost/mine:a"]).code,
        Some(0)
    );
    let names = pair.podman_ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"]);
    assert!(
        !names.contains("localhost/mine:a") && names.contains("localhost/mine:b"),
        "{names}"
    );
    pair.podman_ok(&["tag", BUSYBOX, "localhost/theirs:b"]);
    let berth = pair.berth(&["rmi", "localhost/mine:b"]);
    let podman = pair.podman(&["rmi", "localhost/theirs:b"]);
    assert_eq!(berth.code, podman.code);
    assert_eq!(berth.stdout.replace("mine", "theirs"), podman.stdout);
    assert_eq!(berth.stdout, "Untagged: localhost/mine:b\n");

    // An image in use: exit 2 and podman's message.
    pair.podman_ok(&["create", "--name", "user", BUSYBOX]);
    pair.assert_same(&["rmi", BUSYBOX]);
    assert_eq!(pair.berth(&["rmi", BUSYBOX]).code, Some(2));

    // -f removes it with its container; the image is gone for both.
    pair.podman_ok(&["tag", BUSYBOX, "localhost/keep:1"]);
    let forced = pair.berth(&["rmi", "-f", "localhost/keep:1", BUSYBOX]);
    assert_eq!(forced.code, Some(0), "{}", forced.stderr);
    assert!(
        forced.stdout.contains("Untagged: localhost/busybox:test\n"),
        "{}",
        forced.stdout
    );
    assert!(forced.stdout.contains("Deleted: "), "{}", forced.stdout);
    assert_eq!(pair.podman_ok(&["images", "-q"]), "");
}

#[test]
fn pull_matches_podman() {
    let Some(registry) = common::registry::Registry::start() else {
        return;
    };
    let pair = SideBySide::start();
    let remote = format!("{}/busybox:pushed", registry.host);
    pair.podman_ok(&["push", "--tls-verify=false", BUSYBOX, &remote]);
    // The same starting point for each client: the pushed name not local.
    let fresh_pull = |client: &str, args: &[&str]| {
        let _ = pair.podman(&["untag", BUSYBOX, &remote]);
        if client == "berth" {
            pair.berth(args)
        } else {
            pair.podman(args)
        }
    };
    for args in [
        &["pull", "--tls-verify=false", remote.as_str()][..],
        &["image", "pull", "-q", "--tls-verify=false", remote.as_str()],
    ] {
        let berth = fresh_pull("berth", args);
        let podman = fresh_pull("podman", args);
        assert_eq!(berth, podman, "{args:?}");
        assert_eq!(berth.code, Some(0), "{}", berth.stderr);
    }
    let pulled = pair.berth(&["pull", "--tls-verify=false", &remote]);
    assert!(
        pulled
            .stderr
            .starts_with(&format!("Trying to pull {remote}...\n")),
        "{}",
        pulled.stderr
    );
    assert_eq!(pulled.stdout.trim().len(), 64, "{}", pulled.stdout);

    let missing = format!("{}/busybox:nope", registry.host);
    pair.assert_same(&["pull", "--tls-verify=false", &missing]);
    assert_eq!(
        pair.berth(&["pull", "--tls-verify=false", &missing]).code,
        Some(125)
    );
    pair.assert_same(&["pull"]);
}
