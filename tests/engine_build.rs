//! `build`'s flags beside `podman --remote build` on one service: the
//! query of `POST /libpod/build` that each client sends (read through a
//! byte-level recording proxy in front of the service), the effects of
//! the flags on the image and on its RUN steps, `--logfile` and
//! `--manifest`, and the errors of flags that the client checks itself.

mod common;

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};

use common::compare::SideBySide;

/// A unix-socket proxy in front of the service that records the request
/// line of every build request passing through.
struct RecordingProxy {
    socket: PathBuf,
    builds: Arc<Mutex<Vec<String>>>,
}

impl RecordingProxy {
    fn start(dir: &Path, upstream: &Path) -> Self {
        let socket = dir.join("proxy.sock");
        let listener = UnixListener::bind(&socket).expect("binding the proxy socket");
        let builds = Arc::new(Mutex::new(Vec::new()));
        let upstream = upstream.to_path_buf();
        let recorded = builds.clone();
        // The accept loop ends with the test process.
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { return };
                let Ok(server) = UnixStream::connect(&upstream) else {
                    return;
                };
                let recorded = recorded.clone();
                std::thread::spawn(move || relay(client, server, recorded));
            }
        });
        RecordingProxy { socket, builds }
    }

    fn url(&self) -> String {
        format!("unix://{}", self.socket.display())
    }

    /// The build requests' query parameters so far, one sorted list per
    /// request, and forgets them.
    fn take_queries(&self) -> Vec<Vec<String>> {
        let lines = std::mem::take(&mut *self.builds.lock().unwrap());
        lines.iter().map(|line| query_params(line)).collect()
    }
}

fn relay(mut client: UnixStream, mut server: UnixStream, builds: Arc<Mutex<Vec<String>>>) {
    let (mut client_reader, mut server_writer) = (
        client.try_clone().expect("cloning the client stream"),
        server.try_clone().expect("cloning the server stream"),
    );
    let answers = std::thread::spawn(move || {
        let _ = std::io::copy(&mut server, &mut client);
        let _ = client.shutdown(std::net::Shutdown::Both);
    });
    let mut buffer = vec![0u8; 256 * 1024];
    let mut head: Option<Vec<u8>> = None;
    while let Ok(read) = client_reader.read(&mut buffer) {
        if read == 0 {
            break;
        }
        let chunk = &buffer[..read];
        // A request line may arrive in more than one read.
        let pending = match head.take() {
            Some(mut start) => {
                start.extend_from_slice(chunk);
                Some(start)
            }
            None => find(chunk, b"POST /").map(|at| chunk[at..].to_vec()),
        };
        if let Some(line) = pending {
            match find(&line, b"\r\n") {
                Some(end) => {
                    let line = String::from_utf8_lossy(&line[..end]).into_owned();
                    if line.contains("/libpod/build?") {
                        builds.lock().unwrap().push(line);
                    }
                }
                None => head = Some(line),
            }
        }
        if server_writer.write_all(chunk).is_err() {
            break;
        }
    }
    let _ = server_writer.shutdown(std::net::Shutdown::Write);
    let _ = answers.join();
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// `POST /v4.x/libpod/build?a=1&b=2 HTTP/1.1` -> sorted decoded `key=value`.
fn query_params(line: &str) -> Vec<String> {
    let query = line
        .split_once('?')
        .map(|(_, rest)| rest)
        .unwrap_or_default();
    let query = query.split(' ').next().unwrap_or_default();
    let mut params: Vec<String> = query.split('&').map(percent_decode).collect();
    params.sort();
    params
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    while at < bytes.len() {
        match bytes[at] {
            b'%' if at + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[at + 1..at + 3]).unwrap();
                out.push(u8::from_str_radix(hex, 16).unwrap());
                at += 3;
            }
            b'+' => {
                out.push(b' ');
                at += 1;
            }
            byte => {
                out.push(byte);
                at += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// What legitimately differs between the two clients' queries: podman
/// sends its own host's default seccomp profile path (berth leaves the
/// default to the engine, which picks the same profile), an empty `t=`
/// without `-t`, and each client names the secret file it ships its own
/// way. JSON values are compared parsed (Go writes maps in any order).
fn comparable(params: &[String]) -> Vec<(String, serde_json::Value)> {
    params
        .iter()
        .filter(|param| *param != "t=" && *param != "seccomp=/usr/share/containers/seccomp.json")
        .map(|param| {
            if !param.starts_with("secrets=") {
                return param.clone();
            }
            let (head, rest) = param.split_once("src=").unwrap();
            let end = rest.find('"').unwrap();
            format!("{head}src=SECRETFILE{}", &rest[end..])
        })
        .map(|param| {
            let (key, value) = param.split_once('=').unwrap_or((&param, ""));
            let parsed = serde_json::from_str(value)
                .unwrap_or_else(|_| serde_json::Value::String(value.to_string()));
            (key.to_string(), parsed)
        })
        .collect()
}

fn containerfile(dir: &Path, text: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("Containerfile"), text).unwrap();
    dir.to_path_buf()
}

#[test]
fn build_sends_the_query_podman_remote_sends() {
    let pair = SideBySide::start();
    let dir = pair.env.path().join("query");
    let ctx = containerfile(
        &dir.join("ctx"),
        "FROM localhost/busybox:test\nRUN echo hi\n",
    );
    let extra = dir.join("extra");
    std::fs::create_dir_all(&extra).unwrap();
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, "s3cret\n").unwrap();
    let proxy = RecordingProxy::start(&dir, &pair.service.socket);
    let ctx_arg = ctx.to_str().unwrap();
    let everything = vec![
        "--all-platforms".to_string(),
        format!("--build-context=a={}", extra.display()),
        "--build-context=b=docker-image://busybox".into(),
        "--build-context=c=https://example.com/ctx.tar".into(),
        "--cache-from=quay.io/a/b".into(),
        "--cache-to=c/d".into(),
        "--cache-ttl=90m".into(),
        "--cap-add=CAP_NET_ADMIN,sys_admin".into(),
        "--cap-drop=mknod".into(),
        "--cgroup-parent=/parent".into(),
        "--cgroupns=host".into(),
        "--cpp-flag=-DX".into(),
        "--cpu-period=100000".into(),
        "--cpu-quota=50000".into(),
        "--cpu-shares=512".into(),
        "--cpuset-cpus=0".into(),
        "--cpuset-mems=0".into(),
        "--device=/dev/null:/dev/n:rw".into(),
        "--dns=1.1.1.1,8.8.8.8".into(),
        "--dns-option=ndots:2".into(),
        "--dns-search=example.com".into(),
        "--http-proxy".into(),
        "--identity-label=false".into(),
        "--ipc=host".into(),
        "--isolation=chroot".into(),
        "--network=host".into(),
        "--jobs=2".into(),
        "--manifest=list".into(),
        "--memory=100m".into(),
        "--memory-swap=200m".into(),
        "--omit-history".into(),
        "--os-feature=f1".into(),
        "--os-version=10".into(),
        "--pid=private".into(),
        format!("--secret=id=s1,src={}", secret.display()),
        "--security-opt=label=disable".into(),
        "--security-opt=seccomp=unconfined".into(),
        "--security-opt=apparmor=profile".into(),
        "--shm-size=1g".into(),
        "--skip-unused-stages=false".into(),
        "--timestamp=1000".into(),
        "--ulimit=nofile=100:200".into(),
        "--ulimit=nproc=10".into(),
        "--userns-uid-map=0:1000:100".into(),
        "--uts=host".into(),
        // Accepted and not sent, by both clients.
        "--cert-dir=/nonexistent".into(),
        "--decryption-key=/etc/hostname".into(),
        "--disable-compression=false".into(),
        "--hooks-dir=/nonexistent".into(),
        "--retry=5".into(),
        "--retry-delay=1s".into(),
        "--runtime-flag=debug".into(),
        "--ssh=default".into(),
        "--stdin".into(),
        "-t".into(),
        "first".into(),
        "-t".into(),
        "second".into(),
    ];
    let flag_sets: Vec<Vec<String>> = vec![
        Vec::new(),
        everything,
        vec![
            "--network=none".into(),
            "--pull".into(),
            "--squash".into(),
            "--no-hosts".into(),
            "--userns=auto:size=10".into(),
            "--arch=arm64".into(),
            "--variant=v8".into(),
        ],
        vec![
            "--platform=linux/amd64,linux/arm64/v8".into(),
            "--squash-all".into(),
            "--userns=host".into(),
            "--ipc=private".into(),
            "--uts=ns:/proc/self/ns/uts".into(),
            "--network=mynet".into(),
            "--pull=never".into(),
            "--format=docker".into(),
            "--add-host=h:1.2.3.4".into(),
        ],
    ];
    for flags in &flag_sets {
        let mut args: Vec<&str> = vec!["build", "-q"];
        args.extend(flags.iter().map(String::as_str));
        args.push(ctx_arg);
        // Some of these builds fail (no manifest list for
        // --all-platforms, no arm64 busybox): only the request matters.
        let podman = Command::new("podman")
            .args(["--remote", "--url", &proxy.url()])
            .args(&args)
            .env("CONTAINERS_CONF", &pair.service.containers_conf)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let podman_queries = proxy.take_queries();
        let berth = pair
            .env
            .berth()
            .args(["--url", &proxy.url()])
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let berth_queries = proxy.take_queries();
        assert_eq!(
            podman_queries.len(),
            1,
            "podman {flags:?}: {}",
            String::from_utf8_lossy(&podman.stderr)
        );
        assert_eq!(
            berth_queries.len(),
            1,
            "berth {flags:?}: {}",
            String::from_utf8_lossy(&berth.stderr)
        );
        assert_eq!(
            comparable(&berth_queries[0]),
            comparable(&podman_queries[0]),
            "queries differ for {flags:?}"
        );
        assert_eq!(
            berth.status.code(),
            podman.status.code(),
            "{flags:?}: berth {} podman {}",
            String::from_utf8_lossy(&berth.stderr),
            String::from_utf8_lossy(&podman.stderr)
        );
    }
}

#[test]
fn build_flags_shape_the_image_and_its_run_steps_like_podman() {
    let pair = SideBySide::start();
    let dir = pair.env.path().join("effects");
    let ctx = containerfile(
        &dir.join("ctx"),
        "FROM localhost/busybox:test\n\
         ARG WHO\n\
         RUN --mount=type=secret,id=token cat /run/secrets/token > /secret-copy\n\
         RUN echo \"$WHO\" > /who; ulimit -n > /nofile; \
             ls /sys/class/net | tr '\\n' ' ' > /nets; \
             cat /sys/fs/cgroup/cpu/cpu.shares > /shares 2>/dev/null; \
             cat /sys/fs/cgroup/memory/memory.limit_in_bytes > /memory 2>/dev/null; \
             grep search /etc/resolv.conf > /search; true\n",
    );
    let token = dir.join("token.txt");
    std::fs::write(&token, "topsecret\n").unwrap();
    let secret = format!("id=token,src={}", token.display());
    let build = |tag: &str| -> Vec<String> {
        [
            "build",
            "-q",
            "--no-cache",
            "--secret",
            &secret,
            "--build-arg",
            "WHO=me",
            "--timestamp",
            "1000",
            "--omit-history",
            "--label",
            "made=here",
            "--ulimit",
            "nofile=512:512",
            "--cpu-shares",
            "512",
            "--memory",
            "100m",
            "--dns-search",
            "example.com",
            "-t",
            tag,
            ctx.to_str().unwrap(),
        ]
        .iter()
        .map(|arg| arg.to_string())
        .collect()
    };
    let podman_args = build("effects-podman");
    let podman = pair.podman_ok(&podman_args.iter().map(String::as_str).collect::<Vec<_>>());
    let berth_args = build("effects-berth");
    let berth = pair.berth(&berth_args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(berth.code, Some(0), "{}", berth.stderr);
    // Same flags, same steps, a fixed timestamp: the very same image.
    assert_eq!(berth.stdout, podman);

    let files = "cat /secret-copy /who /nofile /nets /shares /memory /search";
    let seen = pair.podman_ok(&["run", "--rm", "effects-berth", "sh", "-c", files]);
    assert_eq!(
        seen,
        "topsecret\nme\n512\neth0 lo 512\n104857600\nsearch example.com\n"
    );
    let inspect = pair.podman_ok(&[
        "image",
        "inspect",
        "--format",
        "{{.Created}} {{len .History}} {{.Labels.made}}",
        "effects-berth",
    ]);
    assert_eq!(inspect, "1970-01-01 00:16:40 +0000 UTC 0 here\n");
    // The secret is not left in the image.
    let listing = pair.podman_ok(&["run", "--rm", "effects-berth", "ls", "/"]);
    assert!(!listing.contains("build-secret"), "{listing}");
}

#[test]
fn build_logfile_and_manifest_match_podman() {
    let pair = SideBySide::start();
    let dir = pair.env.path().join("logfile");
    let ctx = containerfile(
        &dir.join("ctx"),
        "FROM localhost/busybox:test\nRUN echo built\n",
    );
    let ctx_arg = ctx.to_str().unwrap();
    for (client, list) in [("berth", "list-berth"), ("podman", "list-podman")] {
        let log = dir.join(format!("{client}.log"));
        let log_arg = log.to_str().unwrap();
        let args = ["build", "--logfile", log_arg, "--manifest", list, ctx_arg];
        let run = if client == "berth" {
            pair.berth(&args)
        } else {
            pair.podman(&args)
        };
        assert_eq!(run.code, Some(0), "{client}: {}", run.stderr);
        assert_eq!(run.stdout, "", "{client} wrote build output to stdout");
        let logged = std::fs::read_to_string(&log).unwrap();
        assert!(
            logged.starts_with("STEP 1/2: FROM localhost/busybox:test\n"),
            "{client}: {logged}"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&log).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{client}");
        let manifests = pair.podman_ok(&["manifest", "inspect", list]);
        let parsed: serde_json::Value = serde_json::from_str(&manifests).unwrap();
        assert_eq!(
            parsed["manifests"].as_array().map(Vec::len),
            Some(1),
            "{client}: {manifests}"
        );
    }
}

#[test]
fn build_flag_errors_match_podman() {
    let pair = SideBySide::start();
    let dir = pair.env.path().join("errors");
    let ctx = containerfile(&dir.join("ctx"), "FROM localhost/busybox:test\n");
    let ctx_arg = ctx.to_str().unwrap();
    let cases: &[&[&str]] = &[
        &["--decryption-key=/nonexistent"],
        &["--no-hosts", "--add-host=a:1.2.3.4"],
        &["--add-host=a:b"],
        &["--userns=ns:/nonexistent"],
        &["--ipc=/nonexistent"],
        &["--isolation=bogus"],
        &["--secret=id=x,src=/nonexistent"],
        &["--build-context=foo"],
        &["--cache-ttl=zz"],
        &["--cache-to=a:b"],
        &["--security-opt=foo"],
        &["--security-opt=no-new-privileges"],
        &["--memory=zz"],
        &["--memory-swap=zz"],
        &["--shm-size=zz"],
        &["--dns=none", "--dns=1.1.1.1"],
        &["--network=none", "--dns-search=example.com"],
        &["--isolation=chroot", "--network=none"],
        &["--logfile=/nonexistent/log"],
        &["--pull", "--pull-never"],
        &["--platform=linux"],
        &["--platform=linux/amd64", "--os=linux"],
        &["--userns-uid-map=0:1"],
        &["--userns=host", "--userns-uid-map=0:1:1"],
        &["--format=foo"],
    ];
    for flags in cases {
        let mut args = vec!["build", "-q"];
        args.extend_from_slice(flags);
        args.push(ctx_arg);
        let run = pair.assert_same(&args);
        assert_eq!(run.code, Some(125), "{flags:?}");
    }
}
