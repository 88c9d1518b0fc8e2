//! Registry commands against a real registry (Debian's docker-registry on
//! loopback with htpasswd auth), side by side with `podman --remote` on the
//! same service, each client with its own auth files: `login` / `logout`
//! (the auth.json they write), `push`, `pull --creds`, `search`, `kube
//! play --authfile`, and the `manifest` commands.

mod common;

use std::process::Stdio;

use common::compare::{mask_ids, Run, SideBySide};
use common::env::TestEnv;
use common::podman::BUSYBOX;
use common::registry::Registry;

const USER: &str = "berth";
const PASSWORD: &str = "s3cret:pw";

struct Setup {
    pair: SideBySide,
    registry: Registry,
    /// The reference client's own HOME and runtime dir.
    podman_env: TestEnv,
}

impl Setup {
    fn start() -> Option<Setup> {
        let registry = Registry::start_with_htpasswd(USER, PASSWORD)?;
        Some(Setup {
            pair: SideBySide::start(),
            registry,
            podman_env: TestEnv::new(),
        })
    }

    fn podman(&self, args: &[&str]) -> Run {
        let mut command = self.pair.service.podman_remote();
        self.podman_env.apply(&mut command);
        command.env("CONTAINERS_CONF", &self.pair.service.containers_conf);
        command
            .args(args)
            .stdin(Stdio::null())
            .output()
            .expect("running podman --remote")
            .into()
    }

    fn berth(&self, args: &[&str]) -> Run {
        self.pair.berth(args)
    }

    /// Both clients, compared on exit code, stdout and stderr.
    fn same(&self, args: &[&str]) -> Run {
        let berth = self.berth(args);
        let podman = self.podman(args);
        assert_eq!(
            (berth.code, mask_ids(&berth.stdout), mask_ids(&berth.stderr)),
            (
                podman.code,
                mask_ids(&podman.stdout),
                mask_ids(&podman.stderr)
            ),
            "{args:?}"
        );
        berth
    }

    fn image(&self, path: &str) -> String {
        format!("{}/{path}", self.registry.host)
    }
}

fn auth_json(env: &TestEnv) -> String {
    std::fs::read_to_string(env.runtime.join("containers/auth.json")).unwrap_or_default()
}

#[test]
fn login_logout_push_and_pull_match_podman() {
    let Some(s) = Setup::start() else {
        return;
    };
    let host = s.registry.host.clone();
    let pushed = s.image("bb:1");
    // Not logged in: the registry refuses the push through both clients.
    let berth = s.berth(&["push", "--tls-verify=false", BUSYBOX, &pushed]);
    let podman = s.podman(&["push", "--tls-verify=false", BUSYBOX, &pushed]);
    assert_eq!(berth.code, Some(125));
    assert_eq!(
        (berth.code, berth.stderr.lines().last().map(str::to_string)),
        (
            podman.code,
            podman.stderr.lines().last().map(str::to_string)
        )
    );

    for args in [
        &[
            "login",
            "--tls-verify=false",
            "-u",
            USER,
            "-p",
            "wrong",
            host.as_str(),
        ][..],
        &["login", "--get-login", host.as_str()],
        &["logout", host.as_str()],
        &["login"],
        &["login", "--tls-verify=false", host.as_str()],
        &["login", "--tls-verify=false", "-u", USER, host.as_str()],
    ] {
        s.same(args);
    }
    assert_eq!(auth_json(&s.pair.env), "");
    s.same(&[
        "login",
        "--tls-verify=false",
        "-u",
        USER,
        "-p",
        PASSWORD,
        &host,
    ]);
    // The same auth.json, which podman itself then reads.
    assert_eq!(auth_json(&s.pair.env), auth_json(&s.podman_env));
    assert!(auth_json(&s.pair.env).contains(&host));
    s.same(&["login", "--get-login", &host]);
    s.same(&["login", "--tls-verify=false", &host]);
    let berth = s.berth(&["login", "-u", USER, "-p", PASSWORD, &host]);
    assert_eq!(berth.code, Some(125));
    assert!(
        berth
            .stderr
            .contains("http: server gave HTTP response to HTTPS client"),
        "{}",
        berth.stderr
    );

    // Pushing with the stored credentials (X-Registry-Auth from auth.json).
    let berth = s.berth(&["push", "--tls-verify=false", BUSYBOX, &pushed]);
    assert_eq!(berth.code, Some(0), "{}", berth.stderr);
    assert!(
        berth
            .stderr
            .contains("Writing manifest to image destination"),
        "{}",
        berth.stderr
    );
    let run = s.berth(&[
        "push",
        "-q",
        "--tls-verify=false",
        BUSYBOX,
        &format!("docker://{}", s.image("bb:2")),
    ]);
    assert_eq!((run.code, run.stderr.as_str()), (Some(0), ""));

    // Search through the engine with the stored credentials.
    for args in [
        &["search", "--tls-verify=false", &s.image("bb")][..],
        &[
            "search",
            "--tls-verify=false",
            "--list-tags",
            &s.image("bb"),
        ],
        &[
            "search",
            "--tls-verify=false",
            "--format",
            "json",
            &s.image("bb"),
        ],
        &[
            "search",
            "--tls-verify=false",
            "--format",
            "{{.Name}}|{{.Index}}",
            &format!("{host}/"),
        ],
        &[
            "search",
            "--tls-verify=false",
            "--compatible",
            &format!("{host}/"),
        ],
    ] {
        s.same(args);
    }

    s.same(&["logout", &host]);
    s.same(&["logout", &host]);
    assert!(!auth_json(&s.pair.env).contains(&host));
    s.same(&["logout", "--all"]);

    // pull --creds without any login.
    s.pair.podman_ok(&["untag", BUSYBOX]);
    let creds = format!("{USER}:{PASSWORD}");
    let berth = s.berth(&["pull", "--tls-verify=false", "--creds", &creds, &pushed]);
    assert_eq!(berth.code, Some(0), "{}", berth.stderr);
    assert_eq!(berth.stdout.trim().len(), 64);
    let berth = s.berth(&[
        "pull",
        "--tls-verify=false",
        "--creds",
        "berth:wrong",
        &pushed,
    ]);
    let podman = s.podman(&[
        "pull",
        "--tls-verify=false",
        "--creds",
        "berth:wrong",
        &pushed,
    ]);
    assert_eq!((berth.code, berth.stderr), (podman.code, podman.stderr));

    // kube play pulls a pod's image with the credentials in --authfile
    // (and without them the registry refuses).
    let authfile = s.pair.env.path().join("kube-auth.json");
    let authfile = authfile.to_str().expect("utf-8 path");
    let login = s.berth(&[
        "login",
        "--tls-verify=false",
        "--authfile",
        authfile,
        "-u",
        USER,
        "-p",
        PASSWORD,
        &host,
    ]);
    assert_eq!(login.code, Some(0), "{}", login.stderr);
    let yaml = s.pair.env.path().join("pod.yaml");
    std::fs::write(
        &yaml,
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: kubeauth\nspec:\n  containers:\n  - name: c\n    image: {}\n    command: [\"true\"]\n",
            s.image("bb:2")
        ),
    )
    .expect("writing the kube yaml");
    let yaml = yaml.to_str().expect("utf-8 path");
    let play = ["kube", "play", "--tls-verify=false", "--start=false"];
    let denied = s.berth(&[&play[..], &[yaml]].concat());
    assert_ne!(denied.code, Some(0), "{denied:?}");
    // The refused play leaves its pod behind, as podman's does.
    let played = s.berth(&[&play[..], &["--replace", "--authfile", authfile, yaml]].concat());
    assert_eq!(played.code, Some(0), "{played:?}");
    assert!(played.stdout.contains("Pod:"), "{}", played.stdout);
}

#[test]
fn manifest_lists_match_podman() {
    let Some(s) = Setup::start() else {
        return;
    };
    let creds = format!("{USER}:{PASSWORD}");
    let host = s.registry.host.clone();
    s.pair.podman_ok(&[
        "push",
        "--tls-verify=false",
        "--creds",
        &creds,
        BUSYBOX,
        &s.image("bb:1"),
    ]);
    // Twin lists, one made by each client.
    for (client, list) in [("berth", "list-b"), ("podman", "list-p")] {
        let run = |args: &[&str]| {
            if client == "berth" {
                s.berth(args)
            } else {
                s.podman(args)
            }
        };
        let created = run(&["manifest", "create", list]);
        assert_eq!(created.code, Some(0), "{}", created.stderr);
        assert_eq!(created.stdout.trim().len(), 64);
        let added = run(&[
            "manifest",
            "add",
            "--tls-verify=false",
            "--creds",
            &creds,
            "--arch",
            "arm64",
            "--variant",
            "v8",
            list,
            &format!("docker://{}", s.image("bb:1")),
        ]);
        assert_eq!(added.stdout, created.stdout, "{}", added.stderr);
    }
    let inspect_b = s.berth(&["manifest", "inspect", "list-b"]);
    let inspect_p = s.podman(&["manifest", "inspect", "list-p"]);
    assert_eq!(
        (inspect_b.code, &inspect_b.stdout),
        (inspect_p.code, &inspect_p.stdout)
    );
    assert!(
        inspect_b.stdout.contains("\"variant\": \"v8\""),
        "{}",
        inspect_b.stdout
    );
    for args in [
        &["manifest", "inspect", "list-b"][..],
        &["manifest", "exists", "list-b"],
        &["manifest", "exists", "nosuch"],
        &["manifest", "create", "list-b"],
        &["manifest", "inspect"],
    ] {
        s.same(args);
    }
    // annotate (podman's remote client refuses it; the engine supports it).
    let digest = inspect_b
        .stdout
        .split("\"digest\": \"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_string();
    let run = s.berth(&[
        "manifest", "annotate", "--arch", "s390x", "--os", "linux", "list-b", &digest,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(s
        .podman(&["manifest", "inspect", "list-b"])
        .stdout
        .contains("\"architecture\": \"s390x\""));

    // push with a digest file; the registry then serves the list.
    let digestfile = s.pair.env.path().join("digest");
    let run = s.berth(&[
        "manifest",
        "push",
        "--tls-verify=false",
        "--creds",
        &creds,
        "--digestfile",
        digestfile.to_str().unwrap(),
        "list-b",
        &format!("docker://{}", s.image("list:1")),
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("Writing manifest list to image destination"),
        "{}",
        run.stderr
    );
    let digest_pushed = std::fs::read_to_string(&digestfile).unwrap();
    assert!(digest_pushed.starts_with("sha256:"), "{digest_pushed}");
    let served = std::process::Command::new("curl")
        .args([
            "-s",
            "-u",
            &creds,
            "-H",
            "Accept: application/vnd.oci.image.index.v1+json",
        ])
        .arg(s.registry.url("/v2/list/manifests/1"))
        .output()
        .unwrap();
    let served = String::from_utf8_lossy(&served.stdout);
    assert!(served.contains("s390x"), "{served}");

    // remove an entry, then the lists.
    let berth = s.berth(&["manifest", "remove", "list-b", &digest]);
    let podman = s.podman(&["manifest", "remove", "list-p", &digest]);
    assert_eq!(
        (berth.code, mask_ids(&berth.stdout)),
        (podman.code, mask_ids(&podman.stdout))
    );
    // podman 4.3's remote client loses the engine's reason; berth keeps it.
    let zero = format!("sha256:{}", "0".repeat(64));
    let berth = s.berth(&["manifest", "remove", "list-b", &zero]);
    let podman = s.podman(&["manifest", "remove", "list-b", &zero]);
    assert_eq!(berth.code, podman.code);
    assert!(
        berth
            .stderr
            .contains(&format!("no instance matching digest \"{zero}\"")),
        "{}",
        berth.stderr
    );
    let berth = s.berth(&["manifest", "rm", "list-b"]);
    let podman = s.podman(&["manifest", "rm", "list-p"]);
    assert_eq!(
        (berth.code, mask_ids(&berth.stdout).replace("list-b", "L")),
        (podman.code, mask_ids(&podman.stdout).replace("list-p", "L"))
    );
    s.same(&["manifest", "rm", "nosuch"]);
    let _ = host;
}
