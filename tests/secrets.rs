//! Secret commands side by side with `podman --remote` on the same real
//! service, and their effects checked with podman (and inside a container).

mod common;

use std::io::Write;
use std::process::Stdio;

use common::compare::{mask_ids, SideBySide};
use common::podman::BUSYBOX;

#[test]
fn secrets_match_podman() {
    let pair = SideBySide::start();
    let file = pair.env.path().join("secret.txt");
    std::fs::write(&file, "from a file").expect("writing the secret file");
    let file = file.to_str().expect("utf-8 path");
    pair.podman_ok(&["secret", "create", "--label", "team=x", "s1", file]);
    // The engine lists secrets in no fixed order: one at a time.
    for args in [
        &["secret", "ls"][..],
        &["secret", "list", "--noheading"],
        &["secret", "ls", "-q"],
        &[
            "secret",
            "ls",
            "--format",
            "{{.ID}} {{.Name}} {{.Driver}} {{.CreatedAt}} {{.UpdatedAt}}",
        ],
        &["secret", "ls", "--format", "table {{.Name}} {{.Driver}}"],
        &["secret", "ls", "--filter", "name=s1"],
    ] {
        pair.assert_same(args);
    }
    pair.podman_ok(&["secret", "create", "s2", file]);
    for args in [
        &["secret", "inspect", "s1"][..],
        &["secret", "inspect", "s1", "s2"],
        &["secret", "inspect", "--pretty", "s1"],
        &[
            "secret",
            "inspect",
            "--format",
            "{{.ID}} {{.Spec.Name}} {{.Spec.Labels}} {{.CreatedAt}}",
            "s1",
        ],
        &["secret", "inspect", "nosuch"],
        &["secret", "inspect", "s1", "nosuch", "nosuch2"],
        &["secret", "rm", "nosuch"],
        &["secret", "rm"],
        &["secret", "rm", "-a", "s1"],
        &["secret", "create", "s1", file],
        &["secret", "create", "s3", "/nonexistent"],
        &[
            "secret",
            "create",
            "--env",
            "s3",
            "BERTH_TEST_UNSET_VARIABLE",
        ],
        &["secret", "create", "s3"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn secrets_are_stored_as_podman_stores_them() {
    let pair = SideBySide::start();
    // From stdin, with a label and the default file driver.
    let mut create = pair.berth_command(&["secret", "create", "-l", "a=b", "piped", "-"]);
    create.stdin(Stdio::piped()).stdout(Stdio::piped());
    let mut child = create.spawn().expect("starting berth");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(b"top secret")
        .expect("writing the secret");
    let created = child.wait_with_output().expect("waiting for berth");
    assert!(created.status.success(), "{created:?}");
    let id = String::from_utf8_lossy(&created.stdout).trim().to_string();
    assert_eq!(
        pair.podman_ok(&[
            "secret",
            "inspect",
            "--format",
            "{{.ID}} {{.Spec.Labels}} {{.Spec.Driver.Name}}",
            "piped"
        ]),
        format!("{id} map[a:b] file\n")
    );
    let read = pair.podman_ok(&[
        "run",
        "--rm",
        "--secret",
        "piped",
        BUSYBOX,
        "cat",
        "/run/secrets/piped",
    ]);
    assert_eq!(read, "top secret");

    // From the environment.
    let mut from_env =
        pair.berth_command(&["secret", "create", "--env", "envy", "BERTH_TEST_SECRET"]);
    from_env.env("BERTH_TEST_SECRET", "from env");
    assert!(from_env.status().expect("running berth").success());
    let read = pair.podman_ok(&[
        "run",
        "--rm",
        "--secret",
        "envy",
        BUSYBOX,
        "cat",
        "/run/secrets/envy",
    ]);
    assert_eq!(read, "from env");

    // exists (podman 4.3 has no such command), rm and rm -a.
    assert_eq!(pair.berth(&["secret", "exists", "piped"]).code, Some(0));
    assert_eq!(pair.berth(&["secret", "exists", "nosuch"]).code, Some(1));
    let removed = pair.berth(&["secret", "rm", "piped", "nosuch"]);
    assert_eq!(removed.code, Some(125));
    assert_eq!(removed.stdout, format!("{id}\n"));
    assert_eq!(
        mask_ids(&removed.stderr),
        "Error: no secret with name or id \"nosuch\": no such secret \n"
    );
    let all = pair.berth(&["secret", "rm", "--all"]);
    assert_eq!(all.code, Some(0), "{}", all.stderr);
    assert_eq!(pair.podman_ok(&["secret", "ls", "-q"]), "");
}
