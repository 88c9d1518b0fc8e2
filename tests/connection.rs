//! `berth system connection ...`: podman 5's connections file, containers.conf
//! destinations, podman's precedence against a real service, parallel
//! writers, and a corrupt file that is reported and never overwritten.

mod common;

use std::path::PathBuf;
use std::process::Output;

use common::env::TestEnv;
use common::podman::PodmanService;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn connections_file(env: &TestEnv) -> PathBuf {
    env.config
        .join("containers")
        .join("podman-connections.json")
}

fn ok(out: Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    text(&out.stdout)
}

fn list_json(env: &TestEnv) -> serde_json::Value {
    let out = ok(env.run_berth(&["system", "connection", "ls", "--format", "json"]));
    serde_json::from_str(&out).unwrap()
}

#[test]
fn add_list_default_rename_remove_in_podman_5_format() {
    let env = TestEnv::new();
    let key = env.path().join("id_test");
    std::fs::write(&key, "not a real key").unwrap();
    ok(env.run_berth(&[
        "system",
        "connection",
        "add",
        "local",
        "unix:///run/podman/podman.sock",
    ]));
    ok(env.run_berth(&[
        "system",
        "connection",
        "add",
        "--identity",
        key.to_str().unwrap(),
        "-p",
        "2222",
        "remote",
        "core@example.com/run/user/1000/podman/podman.sock",
    ]));
    ok(env.run_berth(&["system", "connection", "add", "tcp", "tcp://127.0.0.1:8080"]));

    let file: serde_json::Value =
        serde_json::from_slice(&std::fs::read(connections_file(&env)).unwrap()).unwrap();
    assert_eq!(
        file,
        serde_json::json!({
            "Connection": {
                "Default": "local",
                "Connections": {
                    "local": {"URI": "unix:///run/podman/podman.sock"},
                    "remote": {
                        "URI": "ssh://core@example.com:2222/run/user/1000/podman/podman.sock",
                        "Identity": key.to_str().unwrap()
                    },
                    "tcp": {"URI": "tcp://127.0.0.1:8080"}
                }
            },
            "Farm": {}
        })
    );

    let table = ok(env.run_berth(&["system", "connection", "list"]));
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["Name", "URI", "Identity", "Default", "ReadWrite"]
    );
    assert_eq!(
        lines[1].split_whitespace().collect::<Vec<_>>(),
        ["local", "unix:///run/podman/podman.sock", "true", "true"]
    );
    assert!(
        lines[2].starts_with("remote      ssh://core@example.com:2222/"),
        "{table}"
    );
    assert_eq!(
        ok(env.run_berth(&["system", "connection", "ls", "-q"])),
        "local\nremote\ntcp\n"
    );
    assert_eq!(
        ok(env.run_berth(&[
            "system",
            "connection",
            "ls",
            "--format",
            "{{.Name}} {{.Default}}"
        ])),
        "local true\nremote false\ntcp false\n"
    );
    let json = list_json(&env);
    assert_eq!(json[1]["Identity"], key.to_str().unwrap());
    assert_eq!(json[0]["ReadWrite"], true);

    ok(env.run_berth(&["system", "connection", "default", "remote"]));
    ok(env.run_berth(&["system", "connection", "mv", "remote", "far"]));
    let json = list_json(&env);
    assert_eq!(json[0]["Name"], "far");
    assert_eq!(json[0]["Default"], true);

    ok(env.run_berth(&["system", "connection", "rm", "far"]));
    assert_eq!(
        ok(env.run_berth(&["system", "connection", "ls", "-q"])),
        "local\ntcp\n"
    );
    ok(env.run_berth(&[
        "system",
        "connection",
        "add",
        "-d",
        "again",
        "unix:///x.sock",
    ]));
    assert!(ok(env.run_berth(&[
        "system",
        "connection",
        "ls",
        "--format",
        "{{.Name}} {{.Default}}"
    ]))
    .contains("again true"));
    ok(env.run_berth(&["system", "connection", "rm", "--all"]));
    assert_eq!(ok(env.run_berth(&["system", "connection", "ls", "-q"])), "");
}

#[test]
fn errors_use_podmans_wording_and_exit_125() {
    let env = TestEnv::new();
    let cases: &[(&[&str], &str)] = &[
        (&["add", "x", "tcp://localhost"], "Error: tcp scheme requires a port either via --port or in destination URL\n"),
        (&["--identity", "/k", "add", "x", "tcp://localhost:1"], "Error: --identity option not supported for tcp scheme\n"),
        (&["--identity", "/k", "add", "x", "unix:///x"], "Error: --identity option not supported for unix scheme\n"),
        (&["add", "x", "unix:///etc/passwd"], "Error: \"/etc/passwd\" exists and is not a unix domain socket\n"),
        (&["default", "nosuch"], "Error: \"nosuch\" destination is not defined. See \"berth system connection add ...\" to create a connection\n"),
        (&["rename", "nosuch", "b"], "Error: \"nosuch\" destination is not defined. See \"berth system connection add ...\" to create a connection\n"),
    ];
    for (args, expected) in cases {
        let mut full = vec!["system", "connection"];
        full.extend_from_slice(args);
        let out = env.run_berth(&full);
        assert_eq!(out.status.code(), Some(125), "{args:?}");
        assert_eq!(text(&out.stderr), *expected, "{args:?}");
    }
    // Removing an unknown name succeeds quietly, like podman.
    ok(env.run_berth(&["system", "connection", "rm", "nosuch"]));
}

#[test]
fn parallel_writers_lose_nothing() {
    let env = TestEnv::new();
    let count = 32;
    let children: Vec<_> = (0..count)
        .map(|i| {
            env.berth()
                .args([
                    "system",
                    "connection",
                    "add",
                    &format!("c{i:02}"),
                    &format!("tcp://127.0.0.1:{}", 10000 + i),
                ])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
    let names = ok(env.run_berth(&["system", "connection", "ls", "-q"]));
    let expected: String = (0..count).map(|i| format!("c{i:02}\n")).collect();
    assert_eq!(names, expected);
    // Exactly one default: the first writer to get the lock.
    let defaults = ok(env.run_berth(&["system", "connection", "ls", "--format", "{{.Default}}"]));
    assert_eq!(defaults.lines().filter(|line| *line == "true").count(), 1);
}

#[test]
fn corrupt_file_is_reported_and_never_overwritten() {
    let env = TestEnv::new();
    let path = connections_file(&env);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, b"{\"Connection\": {oops").unwrap();
    for args in [
        &["system", "connection", "add", "x", "tcp://127.0.0.1:1"][..],
        &["system", "connection", "ls"][..],
        &["system", "connection", "rm", "--all"][..],
        &["version"][..],
    ] {
        let out = env.run_berth(args);
        assert_eq!(out.status.code(), Some(125), "{args:?}");
        let stderr = text(&out.stderr);
        assert!(
            stderr.starts_with(&format!(
                "Error: {} is not a valid connections file",
                path.display()
            )),
            "{stderr}"
        );
        assert!(stderr.contains("will not overwrite it"), "{stderr}");
    }
    assert_eq!(std::fs::read(&path).unwrap(), b"{\"Connection\": {oops");
}

#[test]
fn podman_connections_conf_overrides_the_location() {
    let env = TestEnv::new();
    let custom = env.path().join("elsewhere.json");
    let out = env
        .berth()
        .env("PODMAN_CONNECTIONS_CONF", &custom)
        .args(["system", "connection", "add", "x", "tcp://127.0.0.1:1"])
        .output()
        .unwrap();
    ok(out);
    assert!(std::fs::read_to_string(&custom)
        .unwrap()
        .contains("tcp://127.0.0.1:1"));
    assert!(!connections_file(&env).exists());
}

#[test]
fn containers_conf_destinations_are_listed_and_usable() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let conf = env.path().join("containers.conf");
    std::fs::write(
        &conf,
        format!(
            "[engine]\nactive_service = \"svc\"\n[engine.service_destinations.svc]\nuri = \"{}\"\n[engine.service_destinations.other]\nuri = \"tcp://127.0.0.1:1\"\n",
            service.url()
        ),
    )
    .unwrap();
    let berth = |args: &[&str]| {
        env.berth()
            .env("CONTAINERS_CONF", &conf)
            .args(args)
            .output()
            .unwrap()
    };
    let listed = ok(berth(&[
        "system",
        "connection",
        "ls",
        "--format",
        "{{.Name}} {{.Default}} {{.ReadWrite}}",
    ]));
    assert_eq!(listed, "other false false\nsvc true false\n");
    // active_service is the default connection: it reaches the service.
    let version = ok(berth(&["version", "--format", "{{.Server.APIVersion}}"]));
    assert_eq!(version, "4.3.1\n");

    let missing = env.path().join("missing.conf");
    let out = env
        .berth()
        .env("CONTAINERS_CONF", &missing)
        .args(["system", "connection", "ls"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("CONTAINERS_CONF file"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn precedence_against_a_real_service() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let dead = format!("unix://{}", env.path().join("dead.sock").display());
    ok(env.run_berth(&["system", "connection", "add", "good", &service.url()]));
    ok(env.run_berth(&["system", "connection", "add", "bad", &dead]));
    let reaches = |extra: &[&str], envs: &[(&str, &str)]| {
        let mut command = env.berth();
        for (key, value) in envs {
            command.env(key, value);
        }
        let out = command
            .args(extra)
            .args(["version", "--format", "{{.Server.Version}}"])
            .output()
            .unwrap();
        match out.status.code() {
            Some(0) => true,
            Some(125) => {
                assert!(
                    text(&out.stderr).contains("unable to connect"),
                    "{}",
                    text(&out.stderr)
                );
                false
            }
            other => panic!("unexpected exit {other:?}: {}", text(&out.stderr)),
        }
    };
    // The first one added ("good") is the default.
    assert!(reaches(&[], &[]));
    ok(env.run_berth(&["system", "connection", "default", "bad"]));
    assert!(!reaches(&[], &[]));
    // CONTAINER_HOST beats the default; CONTAINER_CONNECTION beats CONTAINER_HOST.
    assert!(reaches(&[], &[("CONTAINER_HOST", &service.url())]));
    assert!(!reaches(
        &[],
        &[
            ("CONTAINER_HOST", &service.url()),
            ("CONTAINER_CONNECTION", "bad")
        ]
    ));
    assert!(reaches(
        &[],
        &[("CONTAINER_HOST", &dead), ("CONTAINER_CONNECTION", "good")]
    ));
    // --url beats the environment; --connection beats --url.
    assert!(reaches(
        &["--url", &service.url()],
        &[("CONTAINER_CONNECTION", "bad")]
    ));
    assert!(!reaches(&["--url", &service.url(), "-c", "bad"], &[]));
    assert!(reaches(&["--url", &dead, "--connection", "good"], &[]));
    // Without any connection: podman's default socket is tried (rootful
    // /run/podman/podman.sock as root, else $XDG_RUNTIME_DIR/podman/podman.sock).
    ok(env.run_berth(&["system", "connection", "rm", "--all"]));
    let rootful = std::path::Path::new("/run/podman/podman.sock");
    if !rootful.exists() {
        let out = env.run_berth(&["version"]);
        assert_eq!(out.status.code(), Some(125));
        let expected = if std::fs::metadata("/proc/self")
            .map(|m| std::os::unix::fs::MetadataExt::uid(&m))
            .unwrap()
            == 0
        {
            rootful.to_path_buf()
        } else {
            env.runtime.join("podman/podman.sock")
        };
        assert!(
            text(&out.stderr).contains(&format!("dial unix {}", expected.display())),
            "{}",
            text(&out.stderr)
        );
    }
}
