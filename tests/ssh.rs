//! The SSH transport against a real OpenSSH sshd and a real podman service:
//! identity file, CONTAINER_SSHKEY, ssh-agent, host keys trusted on first
//! use and recorded in ~/.ssh/known_hosts, a changed key refused, and
//! attach streams through a direct-streamlocal channel.

mod common;

use berth_client::api::containers;
use berth_client::stream::Demux;
use berth_client::Client;
use common::env::TestEnv;
use common::podman::{PodmanService, BUSYBOX};
use common::sshd::{keygen, SshAgent, Sshd};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// `berth -c NAME version` answers with the test service's version.
fn assert_reaches_the_service(env: &TestEnv, connection: &str) {
    let out = env.run_berth(&[
        "-c",
        connection,
        "version",
        "--format",
        "{{.Server.Version}}",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout), "4.3.1\n");
}

fn known_hosts(env: &TestEnv) -> std::path::PathBuf {
    env.home.join(".ssh").join("known_hosts")
}

#[test]
fn version_over_ssh_records_the_host_key_then_refuses_a_changed_one() {
    let service = PodmanService::start();
    let mut sshd = Sshd::start();
    let env = TestEnv::new();
    let uri = sshd.uri(&service.socket);
    let key = sshd.client_key.display().to_string();

    let out = env.run_berth(&[
        "--url",
        &uri,
        "--identity",
        &key,
        "version",
        "--format",
        "{{.Server.APIVersion}}",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\nsshd: {}",
        text(&out.stderr),
        sshd.log()
    );
    assert_eq!(text(&out.stdout), "4.3.1\n");

    // Trusted on first use: recorded like OpenSSH records it.
    let recorded = std::fs::read_to_string(known_hosts(&env)).unwrap();
    let host_public_key = sshd.host_public_key();
    let host_key: Vec<&str> = host_public_key.split_whitespace().take(2).collect();
    assert_eq!(
        recorded,
        format!(
            "[127.0.0.1]:{} {} {}\n",
            sshd.port, host_key[0], host_key[1]
        )
    );
    // OpenSSH agrees with what berth recorded.
    let check = std::process::Command::new("ssh-keygen")
        .arg("-F")
        .arg(format!("[127.0.0.1]:{}", sshd.port))
        .arg("-f")
        .arg(known_hosts(&env))
        .output()
        .unwrap();
    assert!(check.status.success());

    // The same key again: accepted, nothing added.
    let out = env.run_berth(&["--url", &uri, "--identity", &key, "version"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(known_hosts(&env)).unwrap(),
        recorded
    );

    // Another server with another host key on the same address: refused.
    let port = sshd.port;
    sshd.stop();
    let impostor = Sshd::start_on(port);
    let out = env.run_berth(&[
        "--url",
        &impostor.uri(&service.socket),
        "--identity",
        &impostor.client_key.display().to_string(),
        "version",
    ]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "the SSH host key of [127.0.0.1]:{port} has changed"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!("{} line 1", known_hosts(&env).display())),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"));
    assert_eq!(
        std::fs::read_to_string(known_hosts(&env)).unwrap(),
        recorded,
        "the new key is not recorded"
    );
}

#[test]
fn key_from_container_sshkey_connection_identity_and_agent() {
    let service = PodmanService::start();
    let sshd = Sshd::start();
    let env = TestEnv::new();
    let uri = sshd.uri(&service.socket);
    let version = ["version", "--format", "{{.Server.Version}}"];

    // CONTAINER_HOST + CONTAINER_SSHKEY.
    let out = env
        .berth()
        .env("CONTAINER_HOST", &uri)
        .env("CONTAINER_SSHKEY", &sshd.client_key)
        .args(version)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // A connection with its Identity.
    let key = sshd.client_key.display().to_string();
    let out = env.run_berth(&[
        "system",
        "connection",
        "add",
        "--identity",
        &key,
        "remote",
        &uri,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_reaches_the_service(&env, "remote");

    // ssh-agent, no identity anywhere.
    let agent = SshAgent::start(env.path());
    agent.add(&sshd.client_key);
    let out = env
        .berth()
        .env("SSH_AUTH_SOCK", &agent.socket)
        .args(["--url", &uri])
        .args(version)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));

    // A key sshd does not accept.
    let stranger = env.path().join("stranger");
    keygen(&stranger);
    let out = env.run_berth(&[
        "--url",
        &uri,
        "--identity",
        &stranger.display().to_string(),
        "version",
    ]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "ssh: unable to authenticate as {}@[127.0.0.1]:{}",
            sshd.user, sshd.port
        )),
        "{stderr}"
    );
    assert!(stderr.contains(&stranger.display().to_string()), "{stderr}");

    // No key at all.
    let out = env.run_berth(&["--url", &uri, "version"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("no SSH key: give --identity"),
        "{}",
        text(&out.stderr)
    );

    // A remote socket that does not exist.
    let missing = sshd.uri(&env.path().join("nothing.sock"));
    let out = env.run_berth(&["--url", &missing, "--identity", &key, "version"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(
        text(&out.stderr).contains("opening the remote socket"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test]
async fn attach_streams_through_an_ssh_channel() {
    let service = PodmanService::start();
    service.import_busybox();
    let sshd = Sshd::start();
    let env = TestEnv::new();
    // The transport reads ~/.ssh from HOME; point it at the test's home.
    let transport = berth_client::transport::ssh::SshTransport::new(
        match berth_client::connection::Endpoint::parse(&sshd.uri(&service.socket)).unwrap() {
            berth_client::connection::Endpoint::Ssh(target) => target,
            other => panic!("not ssh: {other:?}"),
        },
        Some(&sshd.client_key),
    )
    .with_known_hosts(env.home.join(".ssh/known_hosts"));
    let client = Client::connect_with(
        sshd.uri(&service.socket),
        berth_client::transport::Transport::Ssh(Box::new(transport)),
    )
    .await
    .unwrap();
    let spec = containers::SpecGenerator {
        image: BUSYBOX.into(),
        command: vec![
            "sh".into(),
            "-c".into(),
            "echo over-ssh; echo err >&2".into(),
        ],
        ..Default::default()
    };
    let created = containers::create(&client, &spec).await.unwrap();
    let options = containers::AttachOptions {
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let stream = containers::attach(&client, &created.id, &options)
        .await
        .unwrap();
    containers::start(&client, &created.id, None).await.unwrap();
    let (mut out, mut err) = (Vec::new(), Vec::new());
    Demux::new(stream)
        .copy_to(&mut out, &mut err)
        .await
        .unwrap();
    assert_eq!(
        (text(&out), text(&err)),
        ("over-ssh\n".into(), "err\n".into())
    );
    assert_eq!(
        containers::wait(&client, &created.id, &[]).await.unwrap(),
        0
    );
}

#[test]
fn connection_add_asks_the_remote_podman_for_its_socket_path() {
    let service = PodmanService::start();
    // The remote `podman info --format {{.Host.RemoteSocket.Path}}`, played
    // by sshd's ForceCommand (direct-streamlocal channels are not affected).
    let sshd = Sshd::start_with(
        Sshd::free_port(),
        &format!("ForceCommand echo unix://{}\n", service.socket.display()),
    );
    let env = TestEnv::new();
    let key = sshd.client_key.display().to_string();
    let port = sshd.port.to_string();
    let destination = format!("{}@127.0.0.1", sshd.user);
    let add = [
        "system",
        "connection",
        "add",
        "--identity",
        &key,
        "-p",
        &port,
    ];
    let out = env
        .berth()
        .args(add)
        .args(["remote", &destination])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let listed = env.run_berth(&["system", "connection", "ls", "--format", "{{.URI}}"]);
    assert_eq!(
        text(&listed.stdout),
        format!("{}\n", sshd.uri(&service.socket))
    );
    assert_reaches_the_service(&env, "remote");
}

/// A destination with its own known_hosts file (as a machine's connections
/// have): the key in that file is required, and `~/.ssh/known_hosts` is
/// neither read nor written.
#[tokio::test]
async fn a_destination_known_hosts_file_pins_the_host_key() {
    let service = PodmanService::start();
    let sshd = Sshd::start();
    let env = TestEnv::new();
    let destination = |known_hosts: &std::path::Path| berth_client::connection::Destination {
        name: Some("m1-root".into()),
        uri: sshd.uri(&service.socket),
        identity: Some(sshd.client_key.clone()),
        is_machine: true,
        source: berth_client::connection::Source::ConnectionFlag,
        known_hosts: Some(known_hosts.to_path_buf()),
    };
    let host_key: Vec<String> = sshd
        .host_public_key()
        .split_whitespace()
        .take(2)
        .map(str::to_string)
        .collect();
    let pinned = env.path().join("pinned_known_hosts");
    let line = format!(
        "[127.0.0.1]:{} {} {}\n",
        sshd.port, host_key[0], host_key[1]
    );
    std::fs::write(&pinned, &line).unwrap();
    let client = Client::connect(&destination(&pinned)).await.unwrap();
    assert!(client.uri().starts_with("ssh://"), "{}", client.uri());
    assert_eq!(std::fs::read_to_string(&pinned).unwrap(), line);

    // Another key pinned for that address: refused, naming the file.
    let other = env.path().join("other");
    keygen(&other);
    let other_key = std::fs::read_to_string(other.with_extension("pub")).unwrap();
    let wrong = env.path().join("wrong_known_hosts");
    std::fs::write(
        &wrong,
        format!("[127.0.0.1]:{} {}", sshd.port, other_key.trim()),
    )
    .unwrap();
    let err = Client::connect(&destination(&wrong)).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("has changed"), "{message}");
    assert!(message.contains(&wrong.display().to_string()), "{message}");
}
