//! berth-client's API against a real podman service: containers, attach and
//! exec streams (demuxed and tty), logs, images.

mod common;

use berth_client::api::{containers, exec, images};
use berth_client::connection::{Destination, Source};
use berth_client::stream::{Demux, StreamKind};
use berth_client::Client;
use common::podman::{PodmanService, BUSYBOX};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn connect(service: &PodmanService) -> Client {
    let destination = Destination {
        name: None,
        uri: service.url(),
        identity: None,
        is_machine: false,
        source: Source::UrlFlag,
        known_hosts: None,
    };
    Client::connect(&destination).await.expect("connecting")
}

fn busybox_spec(command: &[&str]) -> containers::SpecGenerator {
    containers::SpecGenerator {
        image: BUSYBOX.into(),
        command: command.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    }
}

/// Reads all frames, returning (stdout, stderr).
async fn read_demuxed<R: tokio::io::AsyncRead + Unpin>(demux: &mut Demux<R>) -> (String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    demux
        .copy_to(&mut out, &mut err)
        .await
        .expect("reading frames");
    (
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[tokio::test]
async fn attach_demuxes_stdout_and_stderr_and_wait_returns_the_exit_code() {
    let service = PodmanService::start();
    service.import_busybox();
    let client = connect(&service).await;

    let mut spec = busybox_spec(&[
        "sh",
        "-c",
        "echo out1; echo err1 >&2; sleep 0.3; echo out2; exit 3",
    ]);
    spec.name = "attached".into();
    let created = containers::create(&client, &spec).await.unwrap();
    assert_eq!(created.id.len(), 64);
    let options = containers::AttachOptions {
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let stream = containers::attach(&client, "attached", &options)
        .await
        .unwrap();
    containers::start(&client, &created.id, None).await.unwrap();
    let mut demux = Demux::new(stream);
    let (stdout, stderr) = read_demuxed(&mut demux).await;
    assert_eq!(stdout, "out1\nout2\n");
    assert_eq!(stderr, "err1\n");
    assert_eq!(
        containers::wait(&client, &created.id, &[]).await.unwrap(),
        3
    );

    // The log keeps the two streams apart too.
    let mut logs = containers::logs(&client, "attached", &Default::default())
        .await
        .unwrap();
    let mut frames = Vec::new();
    while let Some(frame) = logs.next_frame().await.unwrap() {
        frames.push((
            frame.kind,
            String::from_utf8_lossy(&frame.data).into_owned(),
        ));
    }
    let of = |kind| {
        frames
            .iter()
            .filter(|(k, _)| *k == kind)
            .map(|(_, text)| text.as_str())
            .collect::<String>()
    };
    assert_eq!(
        (of(StreamKind::Stdout), of(StreamKind::Stderr)),
        ("out1\nout2\n".into(), "err1\n".into())
    );
    let tail = containers::LogsOptions {
        tail: Some(1),
        stderr: false,
        ..Default::default()
    };
    let mut logs = containers::logs(&client, "attached", &tail).await.unwrap();
    assert_eq!(
        read_demuxed(&mut logs).await,
        ("out2\n".to_string(), String::new())
    );

    let inspect = containers::inspect(&client, "attached", false)
        .await
        .unwrap();
    assert_eq!(inspect["State"]["ExitCode"], 3);
    assert_eq!(inspect["Name"], "attached");
}

#[tokio::test]
async fn attach_with_stdin_feeds_the_container() {
    let service = PodmanService::start();
    service.import_busybox();
    let client = connect(&service).await;
    let mut spec = busybox_spec(&["sh", "-c", "read line; echo got:$line"]);
    spec.stdin = true;
    let created = containers::create(&client, &spec).await.unwrap();
    let options = containers::AttachOptions {
        stdin: true,
        stdout: true,
        stderr: true,
        ..Default::default()
    };
    let mut stream = containers::attach(&client, &created.id, &options)
        .await
        .unwrap();
    containers::start(&client, &created.id, None).await.unwrap();
    stream.write_all(b"hello\n").await.unwrap();
    stream.flush().await.unwrap();
    let mut demux = Demux::new(stream);
    let (stdout, _) = read_demuxed(&mut demux).await;
    assert_eq!(stdout, "got:hello\n");
    assert_eq!(
        containers::wait(&client, &created.id, &[]).await.unwrap(),
        0
    );
}

#[tokio::test]
async fn exec_with_a_tty_is_raw_and_without_is_demuxed() {
    let service = PodmanService::start();
    service.import_busybox();
    let client = connect(&service).await;
    let created = containers::create(&client, &busybox_spec(&["sleep", "1000"]))
        .await
        .unwrap();
    containers::start(&client, &created.id, None).await.unwrap();

    // With a tty: one raw stream, the shell sees a terminal of the given
    // size (podman applies it just after the process starts, hence the wait).
    let config = exec::ExecConfig {
        attach_stdout: true,
        attach_stderr: true,
        tty: true,
        cmd: vec![
            "sh".into(),
            "-c".into(),
            "tty; i=0; while [ \"$(stty size)\" = \"0 0\" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; stty size; echo err >&2; exit 5".into(),
        ],
        ..Default::default()
    };
    let id = exec::create(&client, &created.id, &config).await.unwrap();
    let mut stream = exec::start(&client, &id, true, Some((30, 100)))
        .await
        .unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("/dev/pts/"), "{raw:?}");
    assert!(raw.contains("30 100\r\n"), "{raw:?}");
    assert!(raw.ends_with("err\r\n"), "{raw:?}");
    let inspect = exec::inspect(&client, &id).await.unwrap();
    assert_eq!((inspect.running, inspect.exit_code), (false, 5));

    // Without a tty, stdin in: frames, stderr apart.
    let config = exec::ExecConfig {
        attach_stdin: true,
        attach_stdout: true,
        attach_stderr: true,
        cmd: vec![
            "sh".into(),
            "-c".into(),
            "read a; echo in:$a; echo e >&2".into(),
        ],
        env: vec!["X=1".into()],
        ..Default::default()
    };
    let id = exec::create(&client, &created.id, &config).await.unwrap();
    let mut stream = exec::start(&client, &id, false, None).await.unwrap();
    stream.write_all(b"abc\n").await.unwrap();
    let mut demux = Demux::new(stream);
    assert_eq!(
        read_demuxed(&mut demux).await,
        ("in:abc\n".to_string(), "e\n".to_string())
    );
    assert_eq!(exec::inspect(&client, &id).await.unwrap().exit_code, 0);

    let missing = exec::inspect(&client, "nosuchexec").await.unwrap_err();
    assert!(missing.is_not_found(), "{missing}");
}

#[tokio::test]
async fn container_lifecycle_list_top_and_errors() {
    let service = PodmanService::start();
    service.import_busybox();
    let client = connect(&service).await;
    let mut spec = busybox_spec(&["sleep", "1000"]);
    spec.name = "sleeper".into();
    spec.labels.insert("app".into(), "berth".into());
    spec.terminal = true;
    spec.portmappings.push(containers::PortMapping {
        container_port: 80,
        host_port: 0,
        protocol: "tcp".into(),
        ..Default::default()
    });
    let created = containers::create(&client, &spec).await.unwrap();
    assert!(containers::exists(&client, "sleeper").await.unwrap());
    assert!(!containers::exists(&client, "nosuch").await.unwrap());

    let listed = containers::list(&client, &containers::ListOptions::default())
        .await
        .unwrap();
    assert!(
        listed.is_empty(),
        "created containers are listed only with all"
    );
    let mut options = containers::ListOptions {
        all: true,
        ..Default::default()
    };
    options
        .filters
        .insert("label".into(), vec!["app=berth".into()]);
    let listed = containers::list(&client, &options).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].names, ["sleeper"]);
    assert_eq!(listed[0].state, "created");

    containers::start(&client, "sleeper", None).await.unwrap();
    // Starting a running container again is fine (304).
    containers::start(&client, "sleeper", None).await.unwrap();
    containers::resize(&client, "sleeper", 40, 120)
        .await
        .unwrap();
    // Right after start the process may still be runc's init: poll briefly.
    let mut top = containers::TopReport::default();
    for _ in 0..50 {
        top = containers::top(&client, "sleeper", &["pid".into(), "args".into()])
            .await
            .unwrap();
        if top
            .processes
            .first()
            .is_some_and(|row| row[1] == "sleep 1000")
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(top.titles, ["PID", "COMMAND"]);
    assert_eq!(top.processes[0][1], "sleep 1000", "{top:?}");
    let listed = containers::list(&client, &containers::ListOptions::default())
        .await
        .unwrap();
    assert_eq!(listed[0].state, "running");
    assert!(listed[0]
        .ports
        .as_ref()
        .is_some_and(|ports| ports[0].container_port == 80));

    containers::kill(&client, "sleeper", "KILL").await.unwrap();
    let code = containers::wait(&client, "sleeper", &[]).await.unwrap();
    assert_eq!(code, 137);
    containers::restart(&client, "sleeper", Some(0))
        .await
        .unwrap();
    containers::stop(&client, "sleeper", Some(0)).await.unwrap();
    let report = containers::remove(&client, &created.id, &Default::default())
        .await
        .unwrap();
    assert_eq!(report[0].id, created.id);

    let err = containers::start(&client, "sleeper", None)
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(404));
    assert_eq!(
        err.to_string(),
        "no container with name or ID \"sleeper\" found: no such container"
    );
    let mut missing_image = busybox_spec(&["true"]);
    missing_image.image = "localhost/nosuch:1".into();
    let err = containers::create(&client, &missing_image)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("nosuch"), "{err}");
}

#[tokio::test]
async fn images_list_inspect_tag_untag_history_remove() {
    let service = PodmanService::start();
    service.import_busybox();
    let client = connect(&service).await;

    let listed = images::list(&client, &Default::default()).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].repo_tags.as_deref(),
        Some(&[BUSYBOX.to_string()][..])
    );
    assert!(images::exists(&client, BUSYBOX).await.unwrap());

    images::tag(&client, BUSYBOX, "localhost/other:v1")
        .await
        .unwrap();
    let inspect = images::inspect(&client, "localhost/other:v1")
        .await
        .unwrap();
    assert_eq!(inspect["Id"], listed[0].id.as_str());
    let tags = inspect["RepoTags"].as_array().unwrap().len();
    assert_eq!(tags, 2);

    images::untag(&client, BUSYBOX, Some("localhost/other:v1"))
        .await
        .unwrap();
    assert!(!images::exists(&client, "localhost/other:v1").await.unwrap());

    let history = images::history(&client, BUSYBOX).await.unwrap();
    assert_eq!(history[0].comment, "imported from tarball");

    let report = images::remove(&client, &["localhost/nosuch".into()], &Default::default())
        .await
        .unwrap();
    assert_eq!(report.exit_code, 1);
    let report = images::remove(&client, &[BUSYBOX.into()], &Default::default())
        .await
        .unwrap();
    assert_eq!(report.exit_code, 0);
    assert_eq!(report.deleted.as_deref(), Some(&[listed[0].id.clone()][..]));
    let err = images::inspect(&client, BUSYBOX).await.unwrap_err();
    assert!(err.is_not_found(), "{err}");
}

#[tokio::test]
async fn pull_from_an_unreachable_registry_reports_the_error_in_the_stream() {
    let service = PodmanService::start();
    let client = connect(&service).await;
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = free.local_addr().unwrap().port();
    drop(free);
    let options = images::PullOptions {
        reference: format!("127.0.0.1:{port}/nothing:latest"),
        tls_verify: Some(false),
        ..Default::default()
    };
    let outcome = images::pull(&client, &options).await;
    let error = match outcome {
        Ok(mut progress) => {
            let mut error = None;
            while let Some(event) = progress.next().await.unwrap() {
                if event.error.is_some() {
                    error = event.error;
                }
            }
            error.expect("an error event")
        }
        Err(err) => err.to_string(),
    };
    assert!(error.contains("connection refused"), "{error}");
}
