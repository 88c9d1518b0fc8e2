//! `berth version` / `info`, the `_ping` check and connection errors,
//! side by side with `podman --remote` on the same real service.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::UnixListener;

use common::env::TestEnv;
use common::podman::PodmanService;

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The `Server:` block of `version` output.
fn server_block(output: &str) -> String {
    output
        .split("\n\n")
        .find(|block| block.starts_with("Server:"))
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

#[test]
fn version_matches_podman_remote() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let url = service.url();

    let berth = env.run_berth(&["--url", &url, "version"]);
    assert_eq!(berth.status.code(), Some(0), "{}", text(&berth.stderr));
    let podman = service.run_podman_remote(&["version"]);
    assert!(podman.status.success());
    let (berth_out, podman_out) = (text(&berth.stdout), text(&podman.stdout));
    assert!(
        berth_out.starts_with("Client:       berth\nVersion:      "),
        "{berth_out}"
    );
    assert_eq!(server_block(&berth_out), server_block(&podman_out));
    assert!(!server_block(&berth_out).is_empty());

    // JSON: the server half is identical to podman's.
    let berth = env.run_berth(&["--url", &url, "version", "--format", "json"]);
    let podman = service.run_podman_remote(&["version", "--format", "json"]);
    let berth_json: serde_json::Value = serde_json::from_slice(&berth.stdout).unwrap();
    let podman_json: serde_json::Value = serde_json::from_slice(&podman.stdout).unwrap();
    assert_eq!(berth_json["Server"], podman_json["Server"]);
    let client_keys: Vec<_> = berth_json["Client"].as_object().unwrap().keys().collect();
    let podman_keys: Vec<_> = podman_json["Client"].as_object().unwrap().keys().collect();
    assert_eq!(client_keys, podman_keys);

    // A template.
    let format = "{{.Server.Version}} {{.Server.APIVersion}}";
    let berth = env.run_berth(&["--url", &url, "version", "--format", format]);
    let podman = service.run_podman_remote(&["version", "--format", format]);
    assert_eq!(text(&berth.stdout), text(&podman.stdout));
}

#[test]
fn info_matches_podman_remote() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let url = service.url();
    // Values that change between two calls.
    let volatile = [
        "idlePercent",
        "systemPercent",
        "userPercent",
        "memFree",
        "uptime",
        "graphRootUsed",
        "swapFree",
        "graphRootAllocated",
    ];
    let stable = |output: &str| -> String {
        output
            .lines()
            .filter(|line| {
                !volatile
                    .iter()
                    .any(|key| line.trim_start().starts_with(&format!("{key}:")))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let berth = env.run_berth(&["--url", &url, "info"]);
    assert_eq!(berth.status.code(), Some(0), "{}", text(&berth.stderr));
    let podman = service.run_podman_remote(&["info"]);
    assert_eq!(stable(&text(&berth.stdout)), stable(&text(&podman.stdout)));
    assert!(text(&berth.stdout).ends_with("\n\n"));

    let format = "{{.Host.Arch}} {{.Store.GraphRoot}} {{.Version.APIVersion}}";
    let berth = env.run_berth(&["--url", &url, "info", "--format", format]);
    let podman = service.run_podman_remote(&["info", "--format", format]);
    assert_eq!(text(&berth.stdout), text(&podman.stdout));

    let berth = env.run_berth(&["--url", &url, "info", "--format", "json"]);
    let podman = service.run_podman_remote(&["info", "--format", "json"]);
    let berth_json: serde_json::Value = serde_json::from_slice(&berth.stdout).unwrap();
    let podman_json: serde_json::Value = serde_json::from_slice(&podman.stdout).unwrap();
    assert_eq!(
        berth_json["store"]["graphRoot"],
        podman_json["store"]["graphRoot"]
    );
    assert_eq!(berth_json["host"]["serviceIsRemote"], true);
}

#[test]
fn unreachable_socket_is_one_clear_error() {
    let env = TestEnv::new();
    let socket = env.path().join("none.sock");
    let out = env.run_berth(&["--url", &format!("unix://{}", socket.display()), "version"]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = text(&out.stderr);
    assert!(
        stderr.ends_with(&format!(
            "Error: unable to connect to Podman socket: dial unix {}: connect: no such file or directory\n",
            socket.display()
        )),
        "{stderr}"
    );
    assert!(stderr.starts_with("Cannot connect to Podman."), "{stderr}");
    assert!(!stderr.contains("panicked"));
}

#[test]
fn refused_tcp_port_and_bad_url_fail_with_125() {
    let env = TestEnv::new();
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let out = env.run_berth(&["--url", &format!("tcp://127.0.0.1:{port}"), "version"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(text(&out.stderr).contains(&format!(
        "dial tcp 127.0.0.1:{port}: connect: connection refused"
    )));

    let out = env.run_berth(&["--url", "foo://bar", "version"]);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "Error: unable to create connection. \"foo\" is not a supported schema (use unix://, tcp:// or ssh://)\n"
    );
}

#[test]
fn unknown_connection_name_fails_with_podmans_wording() {
    let env = TestEnv::new();
    let out = env.run_berth(&["-c", "nosuch", "version"]);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "Error: failed to resolve active destination: \"nosuch\" service destination not found\n"
    );
    let out = env
        .berth()
        .env("CONTAINER_CONNECTION", "nosuch")
        .arg("version")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(125));
}

#[test]
fn container_host_env_reaches_the_service() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let out = env
        .berth()
        .env("CONTAINER_HOST", service.url())
        .args(["version", "--format", "{{.Server.Version}}"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let podman = service.run_podman_remote(&["version", "--format", "{{.Server.Version}}"]);
    assert_eq!(text(&out.stdout), text(&podman.stdout));
}

/// A podman 3 server cannot be run here, so this one fault is injected at
/// the byte level: a socket that answers `_ping` like podman 3.4.4 would.
#[test]
fn servers_older_than_4_are_refused() {
    let env = TestEnv::new();
    let socket = env.path().join("old.sock");
    let listener = UnixListener::bind(&socket).unwrap();
    let server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = [0u8; 4096];
        let _ = stream.read(&mut request);
        stream
            .write_all(
                b"HTTP/1.1 200 OK\r\nLibpod-Api-Version: 3.4.4\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nOK",
            )
            .unwrap();
        String::from_utf8_lossy(&request).into_owned()
    });
    let out = env.run_berth(&["--url", &format!("unix://{}", socket.display()), "version"]);
    let request = server.join().unwrap();
    assert!(
        request.starts_with("GET /v4.0.0/libpod/_ping HTTP/1.1\r\n"),
        "{request}"
    );
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        text(&out.stderr),
        "Error: server API version is too old. Client \"4.0.0\" server \"3.4.4\": berth needs podman 4.0.0 or newer on the server\n"
    );
}
