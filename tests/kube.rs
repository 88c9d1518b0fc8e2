//! Kubernetes YAML side by side with `podman --remote` on the same real
//! service: `kube generate` / `generate kube` output, `kube play` (file or
//! stdin, `--replace`, `--down`, `--start`, `--network`, `--log-driver`,
//! `--configmap`), `play kube` and `kube down`, with the pods and
//! containers they make checked with podman.

mod common;

use std::process::Stdio;

use common::compare::{mask_ids, normalize, Run, SideBySide};
use common::podman::BUSYBOX;

/// A pod running `sleep` as `NAME`, with an environment variable taken
/// from a ConfigMap that is not in the file.
const POD_YAML: &str = "apiVersion: v1
kind: Pod
metadata:
  name: NAME
  labels:
    app: NAME
spec:
  containers:
  - name: main
    image: IMAGE
    command: [\"/bin/sh\", \"-c\", \"trap 'exit 0' TERM; sleep 300 & wait\"]
    env:
    - name: COLOUR
      valueFrom:
        configMapKeyRef:
          name: settings
          key: colour
          optional: true
";

const CONFIG_MAP: &str = "apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  colour: blue
";

fn write_yaml(pair: &SideBySide, name: &str) -> String {
    let path = pair.env.path().join(format!("{name}.yaml"));
    std::fs::write(
        &path,
        POD_YAML.replace("NAME", name).replace("IMAGE", BUSYBOX),
    )
    .expect("writing the YAML");
    path.to_str().expect("utf-8 path").to_string()
}

/// The outputs with ids masked, the pod name as `NAME` and the YAML's
/// path as `FILE`.
fn comparable(run: &Run, name: &str, file: &str) -> (Option<i32>, String, String) {
    let clean =
        |text: &str| normalize(&mask_ids(&text.replace(file, "FILE")).replace(name, "NAME"));
    (run.code, clean(&run.stdout), clean(&run.stderr))
}

#[test]
fn kube_play_and_down_match_podman() {
    let pair = SideBySide::start();
    let (berth_file, podman_file) = (write_yaml(&pair, "kb"), write_yaml(&pair, "kp"));
    let both = |args: &[&str]| {
        let with = |file: &str| -> Vec<String> {
            args.iter().map(|arg| arg.replace("FILE", file)).collect()
        };
        let berth_args = with(&berth_file);
        let podman_args = with(&podman_file);
        let berth = pair.berth(&berth_args.iter().map(String::as_str).collect::<Vec<_>>());
        let podman = pair.podman(&podman_args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_eq!(
            comparable(&berth, "kb", &berth_file),
            comparable(&podman, "kp", &podman_file),
            "berth and podman differ for {args:?}"
        );
        berth
    };
    // --network podman: no per-test kube network (bridges are host-wide).
    let played = both(&["kube", "play", "--network", "podman", "FILE"]);
    assert!(played.stdout.starts_with("Pod:\n"), "{}", played.stdout);
    both(&["kube", "play", "--network", "podman", "FILE"]);
    both(&["play", "kube", "--replace", "--network", "podman", "FILE"]);
    both(&["kube", "down", "FILE"]);
    both(&["kube", "down", "FILE"]);
    both(&[
        "kube",
        "play",
        "--start=false",
        "--network",
        "podman",
        "FILE",
    ]);
    both(&["play", "kube", "--down", "FILE"]);
    for args in [
        &["kube", "play", "/nonexistent.yaml"][..],
        &["kube", "play"],
        &["kube", "down", "/nonexistent.yaml"],
        &["kube", "play", "--mac-address", "bogus", "x.yaml"],
    ] {
        pair.assert_same(args);
    }

    // podman panics on an annotation without a value; berth says why.
    let annotation = pair.berth(&["kube", "play", "--annotation", "novalue", &berth_file]);
    assert_eq!(
        (annotation.code, annotation.stderr.as_str()),
        (
            Some(125),
            "Error: annotation \"novalue\" must include an '=' sign\n"
        )
    );

    // What berth made, checked with podman.
    let played = pair.berth(&[
        "kube",
        "play",
        "--network",
        "podman",
        "--log-driver",
        "k8s-file",
        "--start=false",
        &berth_file,
    ]);
    assert_eq!(played.code, Some(0), "{}", played.stderr);
    assert_eq!(
        pair.podman_ok(&[
            "pod",
            "ps",
            "--filter",
            "name=kb",
            "--format",
            "{{.Name}} {{.Status}} {{.Labels}}"
        ]),
        "kb Created map[app:kb]\n"
    );
    assert_eq!(
        pair.podman_ok(&[
            "inspect",
            "--format",
            "{{.HostConfig.LogConfig.Type}} {{.State.Status}}",
            "kb-main"
        ]),
        "k8s-file created\n"
    );
    let down = pair.berth(&["kube", "down", &berth_file]);
    assert_eq!(down.code, Some(0), "{}", down.stderr);
    assert_eq!(pair.podman(&["pod", "exists", "kb"]).code, Some(1));
}

#[test]
fn kube_play_reads_stdin_and_configmaps() {
    let pair = SideBySide::start();
    let file = write_yaml(&pair, "cm");
    let maps = pair.env.path().join("settings.yaml");
    std::fs::write(&maps, CONFIG_MAP).expect("writing the configmap");
    let mut play = pair.berth_command(&[
        "kube",
        "play",
        "--network",
        "podman",
        "--configmap",
        maps.to_str().unwrap(),
        "-",
    ]);
    play.stdin(std::fs::File::open(&file).expect("opening the YAML"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let output = play.output().expect("running berth");
    assert!(output.status.success(), "{output:?}");
    let env = pair.podman_ok(&["exec", "cm-main", "/bin/sh", "-c", "echo $COLOUR"]);
    assert_eq!(env, "blue\n");
    // A missing configmap file is named.
    let missing = pair.berth(&["kube", "play", "--configmap", "/nonexistent.yaml", &file]);
    assert_eq!(missing.code, Some(125));
    assert!(
        missing.stderr.contains("/nonexistent.yaml"),
        "{}",
        missing.stderr
    );
}

#[test]
fn kube_generate_matches_podman() {
    let pair = SideBySide::start();
    pair.podman_ok(&["pod", "create", "--name", "gen", "-p", "127.0.0.1:18765:80"]);
    pair.podman_ok(&[
        "create", "--pod", "gen", "--name", "gen-web", "-e", "A=b", BUSYBOX, "sleep", "300",
    ]);
    pair.podman_ok(&[
        "create", "--name", "solo", "-l", "x=y", BUSYBOX, "sleep", "300",
    ]);
    pair.podman_ok(&["volume", "create", "vol"]);
    // The creation timestamp is the time of generation; a service's node
    // port is chosen at random.
    let without_time = |text: &str| -> String {
        text.lines()
            .filter(|line| {
                let line = line.trim_start();
                !line.starts_with("creationTimestamp:") && !line.starts_with("nodePort:")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    for args in [
        &["kube", "generate", "gen"][..],
        &["generate", "kube", "-s", "gen"],
        &["kube", "generate", "--service", "solo"],
        &["kube", "generate", "vol"],
        &["kube", "generate", "solo", "vol"],
        &["kube", "generate", "nosuch"],
        &["kube", "generate", "gen-web"],
        &["kube", "generate"],
    ] {
        let berth = pair.berth(args);
        let podman = pair.podman(args);
        assert_eq!(
            (
                berth.code,
                without_time(&berth.stdout),
                normalize(&berth.stderr)
            ),
            (
                podman.code,
                without_time(&podman.stdout),
                normalize(&podman.stderr)
            ),
            "{args:?}"
        );
    }
    let target = pair.env.path().join("gen.yaml");
    let target = target.to_str().unwrap();
    let written = pair.berth(&["kube", "generate", "-f", target, "gen"]);
    assert_eq!(
        (written.code, written.stdout.as_str()),
        (Some(0), ""),
        "{}",
        written.stderr
    );
    let text = std::fs::read_to_string(target).expect("the generated file");
    assert!(
        text.contains("kind: Pod") && text.contains("name: gen"),
        "{text}"
    );
    pair.assert_same(&["kube", "generate", "-f", target, "gen"]);
}
