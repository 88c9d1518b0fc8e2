//! Files and images as archives, side by side with `podman --remote` on
//! the same real service: `cp` in both directions (files, directories,
//! renames, `-` tar streams, errors), `export`, `import`, `save`, `load`,
//! `commit`, `diff`, and `build` (context tar honouring `.containerignore`,
//! output, exit codes), compared on output, exit codes and the bytes of
//! the archives.

mod common;

use std::io::Write;
use std::process::{Command, Stdio};

use common::compare::{mask_ids, SideBySide};
use common::podman::BUSYBOX;

/// A running container `c` with `/tmp/f` (a file) and `/tmp/d/e/g`.
fn with_files(pair: &SideBySide) {
    pair.podman_ok(&["run", "-d", "--name", "c", BUSYBOX, "sleep", "3600"]);
    pair.podman_ok(&[
        "exec",
        "c",
        "sh",
        "-c",
        "echo hi > /tmp/f; mkdir -p /tmp/d/e; echo x > /tmp/d/e/g",
    ]);
}

/// The names, types, modes and contents of a tar archive (times left out:
/// the two copies are made a moment apart).
fn tar_listing(bytes: &[u8]) -> Vec<String> {
    let mut archive = tar::Archive::new(bytes);
    let mut out = Vec::new();
    for entry in archive.entries().expect("a tar archive") {
        let mut entry = entry.expect("a tar entry");
        let header = entry.header().clone();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        out.push(format!(
            "{} {:?} {:o} {}:{} {}",
            entry.path().unwrap().display(),
            header.entry_type(),
            header.mode().unwrap(),
            header.uid().unwrap(),
            header.gid().unwrap(),
            common::registry::sha256_hex(&data)
        ));
    }
    out
}

fn stdout_bytes(mut command: Command) -> (Option<i32>, Vec<u8>) {
    let out = command.stderr(Stdio::inherit()).output().expect("running");
    (out.status.code(), out.stdout)
}

/// A directory tree as `path kind content` lines.
fn tree(root: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let relative = path.strip_prefix(root).unwrap().display().to_string();
            if path.is_dir() {
                out.push(format!("{relative}/"));
                stack.push(path);
            } else {
                out.push(format!(
                    "{relative} {}",
                    std::fs::read_to_string(&path).unwrap()
                ));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn cp_out_of_a_container_matches_podman() {
    let pair = SideBySide::start();
    with_files(&pair);
    let base = pair.env.path().join("out");
    for client in ["berth", "podman"] {
        std::fs::create_dir_all(base.join(client).join("existing")).unwrap();
    }
    let run = |client: &str, source: &str, dest: &str| {
        let dest = base.join(client).join(dest).display().to_string();
        let args = ["cp", source, dest.as_str()];
        if client == "berth" {
            pair.berth(&args)
        } else {
            pair.podman(&args)
        }
    };
    for (source, dest) in [
        ("c:/tmp/f", "existing"),
        ("c:/tmp/f", "renamed"),
        ("c:/tmp/d", "existing"),
        ("c:/tmp/d", "newdir"),
        ("c:/tmp/d/.", "existing"),
        ("c:/tmp/f", "existing/f"),
        ("c:/nope", "existing"),
        ("c:/tmp/f", "missing/dir/x"),
        ("nosuch:/tmp/f", "existing"),
        ("c:/tmp/d", "renamed"),
    ] {
        let berth = run("berth", source, dest);
        let podman = run("podman", source, dest);
        assert_eq!(
            berth.code, podman.code,
            "cp {source} {dest}: {berth:?} {podman:?}"
        );
        assert_eq!(
            berth
                .stderr
                .replace(&base.join("berth").display().to_string(), "<dir>"),
            podman
                .stderr
                .replace(&base.join("podman").display().to_string(), "<dir>"),
            "cp {source} {dest}"
        );
    }
    let berth_tree = tree(&base.join("berth"));
    assert_eq!(berth_tree, tree(&base.join("podman")));
    assert!(
        berth_tree.contains(&"renamed hi\n".to_string()),
        "{berth_tree:?}"
    );
    assert!(
        berth_tree.contains(&"newdir/e/g x\n".to_string()),
        "{berth_tree:?}"
    );

    // `-`: the same tar on stdout.
    for source in ["c:/tmp/d", "c:/tmp/f", "c:/etc/."] {
        let (berth_code, berth) = stdout_bytes(pair.berth_command(&["cp", source, "-"]));
        let mut podman = pair.service.podman_remote();
        podman.args(["cp", source, "-"]).stdin(Stdio::null());
        let (podman_code, podman) = stdout_bytes(podman);
        assert_eq!(
            (berth_code, tar_listing(&berth)),
            (podman_code, tar_listing(&podman))
        );
        assert_eq!(berth_code, Some(0));
    }
}

#[test]
fn cp_into_a_container_matches_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["run", "-d", "--name", "cb", BUSYBOX, "sleep", "3600"]);
    pair.podman_ok(&["run", "-d", "--name", "cp", BUSYBOX, "sleep", "3600"]);
    pair.podman_ok(&["exec", "cb", "mkdir", "/dst"]);
    pair.podman_ok(&["exec", "cp", "mkdir", "/dst"]);
    let src = pair.env.path().join("src");
    std::fs::create_dir_all(src.join("tree/sub")).unwrap();
    std::fs::write(src.join("file.txt"), "one\n").unwrap();
    std::fs::write(src.join("tree/a"), "a\n").unwrap();
    std::fs::write(src.join("tree/sub/b"), "b\n").unwrap();
    std::os::unix::fs::symlink("a", src.join("tree/link")).unwrap();
    let file = src.join("file.txt").display().to_string();
    let tree_dir = src.join("tree").display().to_string();
    let contents = format!("{tree_dir}/.");
    let missing = src.join("nope").display().to_string();
    for (host, dest) in [
        (file.as_str(), "/dst"),
        (file.as_str(), "/dst/renamed.txt"),
        (tree_dir.as_str(), "/dst"),
        (tree_dir.as_str(), "/dst/newtree"),
        (contents.as_str(), "/dst"),
        (file.as_str(), "/dst/file.txt"),
        (tree_dir.as_str(), "/dst/file.txt"),
        (missing.as_str(), "/dst"),
        (file.as_str(), "/nodir/x/y"),
    ] {
        let berth = pair.berth(&["cp", "-a=false", host, &format!("cb:{dest}")]);
        let podman = pair.podman(&["cp", "-a=false", host, &format!("cp:{dest}")]);
        assert_eq!(
            (
                berth.code,
                berth.stdout.clone(),
                berth.stderr.replace("cb", "C")
            ),
            (
                podman.code,
                podman.stdout.clone(),
                podman.stderr.replace("cp", "C")
            ),
            "cp {host} {dest}"
        );
    }
    // Both containers now hold the same files, byte for byte.
    let listing = |name: &str| {
        let (code, bytes) = stdout_bytes(pair.berth_command(&["cp", &format!("{name}:/dst"), "-"]));
        assert_eq!(code, Some(0));
        tar_listing(&bytes)
    };
    let copied = listing("cb");
    assert_eq!(copied, listing("cp"));
    assert!(
        copied
            .iter()
            .any(|l| l.starts_with("dst/newtree/link Symlink")),
        "{copied:?}"
    );

    // A tar on stdin lands in a directory.
    let archive = pair.env.path().join("in.tar");
    let status = Command::new("tar")
        .arg("-C")
        .arg(&src)
        .arg("-cf")
        .arg(&archive)
        .arg("tree")
        .status()
        .unwrap();
    assert!(status.success());
    let mut berth = pair.berth_command(&["cp", "-", "cb:/tmp"]);
    berth.stdin(std::fs::File::open(&archive).unwrap());
    assert!(berth.status().unwrap().success());
    assert_eq!(
        pair.podman_ok(&["exec", "cb", "cat", "/tmp/tree/sub/b"]),
        "b\n"
    );
    // Between two containers, without the host's disk.
    let run = pair.berth(&["cp", "cb:/dst/renamed.txt", "cp:/tmp/from-cb"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        pair.podman_ok(&["exec", "cp", "cat", "/tmp/from-cb"]),
        "one\n"
    );
    pair.assert_same(&["cp", "/a", "/b"]);
    pair.assert_same(&["cp", "cb:", "/tmp"]);
}

#[test]
fn export_import_save_and_load_match_podman() {
    let pair = SideBySide::start();
    with_files(&pair);
    // export: the same tar (names, modes, owners, contents).
    let (code, berth) = stdout_bytes(pair.berth_command(&["export", "c"]));
    assert_eq!(code, Some(0));
    let mut podman = pair.service.podman_remote();
    podman.args(["export", "c"]).stdin(Stdio::null());
    let (_, podman) = stdout_bytes(podman);
    assert_eq!(tar_listing(&berth), tar_listing(&podman));
    let out = pair.env.path().join("c.tar");
    let run = pair.berth(&["export", "-o", out.to_str().unwrap(), "c"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        tar_listing(&std::fs::read(&out).unwrap()),
        tar_listing(&podman)
    );
    pair.assert_same(&["export", "nosuch"]);
    pair.assert_same(&["export", "-o", "/nonexistent-dir/x.tar", "nosuch"]);

    // import: from a file, from stdin with --change and --message.
    let run = pair.berth(&["import", out.to_str().unwrap(), "imported"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stdout.starts_with("sha256:") && run.stdout.len() == 72,
        "{}",
        run.stdout
    );
    let mut import = pair.berth_command(&[
        "import",
        "--change",
        "CMD [\"/bin/cat\", \"/tmp/f\"]",
        "--message",
        "from stdin",
        "-",
        "piped",
    ]);
    import.stdin(std::fs::File::open(&out).unwrap());
    assert!(import.status().unwrap().success());
    assert_eq!(pair.podman_ok(&["run", "--rm", "piped"]), "hi\n");
    assert_eq!(
        pair.podman_ok(&["history", "--format", "{{.Comment}}", "piped"])
            .trim(),
        "from stdin"
    );
    pair.assert_same(&["import", "/nonexistent.tar"]);

    // save: each format, then load back what was saved.
    let saved = pair.env.path().join("saved.tar");
    let run = pair.berth(&["save", "-o", saved.to_str().unwrap(), "imported", "piped"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let podman_saved = pair.env.path().join("podman.tar");
    pair.podman_ok(&[
        "save",
        "-o",
        podman_saved.to_str().unwrap(),
        "imported",
        "piped",
    ]);
    assert_eq!(
        tar_listing(&std::fs::read(&saved).unwrap()),
        tar_listing(&std::fs::read(&podman_saved).unwrap())
    );
    let (code, oci) =
        stdout_bytes(pair.berth_command(&["save", "--format", "oci-archive", "piped"]));
    assert_eq!(code, Some(0));
    assert!(tar_listing(&oci)
        .iter()
        .any(|l| l.starts_with("index.json ")));
    let dir = pair.env.path().join("oci-dir");
    let run = pair.berth(&[
        "save",
        "--format",
        "oci-dir",
        "-o",
        dir.to_str().unwrap(),
        "piped",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(dir.join("oci-layout").is_file());
    pair.assert_same(&[
        "save",
        "--format",
        "oci-archive",
        "-o",
        "/tmp/x",
        "imported",
        "piped",
    ]);
    pair.assert_same(&["save", "nosuch"]);
    // podman leaves an empty file behind; berth leaves nothing.
    let never = pair.env.path().join("never.tar");
    let run = pair.berth(&["save", "-o", never.to_str().unwrap(), "nosuch"]);
    assert_eq!(run.code, Some(125));
    assert!(!never.exists());
    pair.assert_same(&["save", "--format", "bogus", "-o", "/tmp/x", "piped"]);

    pair.podman_ok(&["rmi", "imported", "piped"]);
    let run = pair.berth(&["load", "-i", saved.to_str().unwrap()]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            Some(0),
            "Loaded image: localhost/imported:latest\nLoaded image: localhost/piped:latest\n"
        ),
        "{}",
        run.stderr
    );
    pair.podman_ok(&["rmi", "piped"]);
    let mut load = pair.berth_command(&["load", "-q"]);
    load.stdin(std::io::Cursor::new(oci).into_stdin());
    let loaded = load.output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&loaded.stdout),
        "Loaded image: localhost/piped:latest\n",
        "{}",
        String::from_utf8_lossy(&loaded.stderr)
    );
    pair.assert_same(&["load", "-i", "/nonexistent.tar"]);
    let run = pair.berth(&["load"]);
    let podman = pair.podman(&["load"]);
    assert_eq!(run.code, podman.code);
}

/// Bytes on a child's stdin through a temporary file.
trait IntoStdin {
    fn into_stdin(self) -> Stdio;
}

impl IntoStdin for std::io::Cursor<Vec<u8>> {
    fn into_stdin(self) -> Stdio {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(self.get_ref()).unwrap();
        std::io::Seek::rewind(&mut file).unwrap();
        file.into()
    }
}

#[test]
fn commit_and_diff_match_podman() {
    let pair = SideBySide::start();
    with_files(&pair);
    for args in [
        &["diff", "c"][..],
        &["container", "diff", "c"],
        &["diff", "--format", "json", "c"],
        &["diff", "--format", "{{.}}", "c"],
        &["diff", BUSYBOX],
        &["image", "diff", BUSYBOX],
        &["image", "diff", "c"],
        &["container", "diff", BUSYBOX],
        &["diff", "nosuch"],
        &["diff"],
    ] {
        pair.assert_same(args);
    }
    let iid = pair.env.path().join("iid");
    let run = pair.berth(&[
        "commit",
        "-q",
        "-f",
        "docker",
        "--author",
        "me",
        "-m",
        "msg",
        "--change",
        "CMD [\"/bin/cat\", \"/tmp/d/e/g\"]",
        "--iidfile",
        iid.to_str().unwrap(),
        "c",
        "committed:v1",
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let id = run.stdout.trim().to_string();
    assert_eq!(id.len(), 64, "{}", run.stdout);
    assert_eq!(std::fs::read_to_string(&iid).unwrap(), id);
    assert_eq!(pair.podman_ok(&["run", "--rm", "committed:v1"]), "x\n");
    assert_eq!(
        pair.podman_ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Author}} {{.Comment}}",
            "committed:v1"
        ])
        .trim(),
        "me msg"
    );
    let berth = pair.berth(&["commit", "c"]);
    let podman = pair.podman(&["commit", "c"]);
    assert_eq!(
        (berth.code, berth.stdout.len()),
        (podman.code, podman.stdout.len())
    );
    for args in [
        &["commit", "nosuch", "x"][..],
        &["commit", "-f", "bogus", "c"],
        &["commit"],
    ] {
        pair.assert_same(args);
    }
}

#[test]
fn build_sends_the_filtered_context_and_matches_podman() {
    let pair = SideBySide::start();
    let ctx = pair.env.path().join("ctx");
    std::fs::create_dir_all(ctx.join("sub/deep")).unwrap();
    std::fs::create_dir_all(ctx.join("logs")).unwrap();
    std::fs::write(
        ctx.join("Containerfile"),
        format!("FROM {BUSYBOX}\nARG WHO=nobody\nLABEL who=$WHO\nCOPY . /ctx\nRUN ls -aR /ctx\n"),
    )
    .unwrap();
    std::fs::write(ctx.join("keep.txt"), "keep\n").unwrap();
    std::fs::write(ctx.join("secret.key"), "secret\n").unwrap();
    std::fs::write(ctx.join("logs/a.log"), "log\n").unwrap();
    std::fs::write(ctx.join("logs/important.log"), "important\n").unwrap();
    std::fs::write(ctx.join("sub/deep/x.tmp"), "tmp\n").unwrap();
    std::fs::write(ctx.join("sub/y"), "y\n").unwrap();
    std::fs::write(
        ctx.join(".containerignore"),
        "# comments and blank lines\n\n*.key\nlogs\n!logs/important.log\n**/*.tmp\n",
    )
    .unwrap();
    let ctx_arg = ctx.to_str().unwrap();
    // podman first: berth's build must then hit the same cached layers,
    // which only happens when the context it sent is the same.
    let podman = pair.podman(&["build", "--build-arg", "WHO=me", "-t", "built:p", ctx_arg]);
    assert_eq!(podman.code, Some(0), "{}", podman.stderr);
    let berth = pair.berth(&["build", "--build-arg", "WHO=me", "-t", "built:b", ctx_arg]);
    assert_eq!(berth.code, Some(0), "{}", berth.stderr);
    assert!(
        berth.stdout.contains("STEP 4/5: COPY . /ctx"),
        "{}",
        berth.stdout
    );
    assert!(berth.stdout.contains("--> Using cache"), "{}", berth.stdout);
    let listing = podman.stdout.split("RUN ls -aR /ctx").nth(1).unwrap();
    assert!(listing.contains("important.log") && !listing.contains("secret.key"));
    assert!(
        !listing.contains("a.log") && !listing.contains("x.tmp"),
        "{listing}"
    );
    let ids = |tag: &str| pair.podman_ok(&["image", "inspect", "--format", "{{.Id}}", tag]);
    assert_eq!(ids("built:b"), ids("built:p"));
    assert_eq!(
        pair.podman_ok(&["image", "inspect", "--format", "{{.Labels.who}}", "built:b"])
            .trim(),
        "me"
    );

    // -q prints only the id; --iidfile gets it with its algorithm.
    let iid = pair.env.path().join("iid");
    let quiet = pair.berth(&[
        "build",
        "-q",
        "--build-arg",
        "WHO=me",
        "--iidfile",
        iid.to_str().unwrap(),
        ctx_arg,
    ]);
    assert_eq!(quiet.stdout, ids("built:b").replace("sha256:", ""));
    assert_eq!(
        std::fs::read_to_string(&iid).unwrap(),
        format!("sha256:{}", ids("built:b").trim())
    );

    // A Containerfile outside the context and one from stdin.
    let outside = pair.env.path().join("Outside");
    std::fs::write(
        &outside,
        format!("FROM {BUSYBOX}\nCOPY keep.txt /\nCMD [\"cat\", \"/keep.txt\"]\n"),
    )
    .unwrap();
    let run = pair.berth(&[
        "build",
        "-t",
        "outside",
        "-f",
        outside.to_str().unwrap(),
        ctx_arg,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(pair.podman_ok(&["run", "--rm", "outside"]), "keep\n");
    let mut stdin_build = pair.berth_command(&["build", "-t", "fromstdin", "-f", "-", ctx_arg]);
    stdin_build.stdin(
        std::io::Cursor::new(format!("FROM {BUSYBOX}\nCMD [\"echo\", \"stdin\"]\n").into_bytes())
            .into_stdin(),
    );
    assert!(stdin_build.status().unwrap().success());
    assert_eq!(pair.podman_ok(&["run", "--rm", "fromstdin"]), "stdin\n");

    // A failing RUN: the same output and the step's exit status.
    std::fs::write(ctx.join("Failing"), format!("FROM {BUSYBOX}\nRUN exit 3\n")).unwrap();
    let failing = ctx.join("Failing");
    let args = ["build", "-f", failing.to_str().unwrap(), ctx_arg];
    let berth = pair.berth(&args);
    let podman = pair.podman(&args);
    assert_eq!(berth.code, Some(3), "{}", berth.stderr);
    assert_eq!(
        (berth.code, mask_ids(&berth.stdout), berth.stderr),
        (podman.code, mask_ids(&podman.stdout), podman.stderr)
    );
    let empty = pair.env.path().join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    // podman only learns on the engine that there is no Containerfile and
    // says so in the engine's temp paths; berth names the context.
    let berth = pair.berth(&["build", empty.to_str().unwrap()]);
    let podman = pair.podman(&["build", empty.to_str().unwrap()]);
    assert_eq!(berth.code, podman.code);
    assert_eq!(
        berth.stderr,
        format!(
            "Error: no Containerfile or Dockerfile specified or found in context directory, {}: no such file or directory\n",
            empty.display()
        )
    );
}
