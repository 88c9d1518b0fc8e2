//! `berth machine image pull|ls|prune` against a real HTTP server on loopback:
//! every source kind and compression, the one-pass pipeline's checks, resume
//! within a run and across runs, and each bad input of issue 3 (exit 125,
//! a message naming the problem, no half image left in the cache).

mod common;

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use berth_images::hash::Sha256;
use common::env::TestEnv;
use common::http::{stream_json, Fault, HttpServer};
use common::process::ChildGuard;

const XZ_PATH: &str = "/images/disk.qcow2.xz";

/// A disk image made with real tools, compressed several ways.
struct Images {
    dir: tempfile::TempDir,
    /// A raw disk: pseudo-random data with runs of zeros.
    raw: Vec<u8>,
    /// The same disk as qcow2.
    qcow2: Vec<u8>,
    /// `xz -T2 --block-size=256KiB` of the qcow2 (several blocks).
    qcow2_xz: Vec<u8>,
}

fn sha(data: &[u8]) -> String {
    let mut hash = Sha256::new();
    hash.update(data);
    hash.finish_hex()
}

fn run_tool(command: &mut Command) -> Vec<u8> {
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("running {command:?}: {e}"));
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

impl Images {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        // 6 MiB: 1 MiB data, 1 MiB zeros, 2 MiB data, 2 MiB zeros.
        let mut raw = vec![0u8; 6 << 20];
        let mut state = 0x2545_f491_4f6c_dd1du64;
        for (i, byte) in raw.iter_mut().enumerate() {
            let mib = i >> 20;
            if mib == 0 || mib == 2 || mib == 3 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *byte = (state >> 24) as u8;
            }
        }
        let raw_path = dir.path().join("disk.raw");
        std::fs::write(&raw_path, &raw).unwrap();
        let qcow2_path = dir.path().join("disk.qcow2");
        run_tool(
            Command::new("qemu-img")
                .args(["convert", "-q", "-f", "raw", "-O", "qcow2"])
                .arg(&raw_path)
                .arg(&qcow2_path),
        );
        let qcow2 = std::fs::read(&qcow2_path).unwrap();
        let qcow2_xz = run_tool(
            Command::new("xz")
                .args(["-T2", "--block-size=256KiB", "-1", "-c"])
                .arg(&qcow2_path),
        );
        Images {
            dir,
            raw,
            qcow2,
            qcow2_xz,
        }
    }

    fn compress(&self, tool: &[&str], name: &str) -> Vec<u8> {
        let path = self.dir.path().join(name);
        run_tool(Command::new(tool[0]).args(&tool[1..]).arg(&path))
    }
}

/// A test environment with a server that serves the images and a stream.
struct Setup {
    env: TestEnv,
    server: HttpServer,
    images: Images,
}

impl Setup {
    fn new() -> Self {
        let images = Images::new();
        let server = HttpServer::start(None);
        server.add(XZ_PATH, images.qcow2_xz.clone());
        let setup = Setup {
            env: TestEnv::new(),
            server,
            images,
        };
        setup.set_stream(
            &sha(&setup.images.qcow2_xz),
            Some(&sha(&setup.images.qcow2)),
        );
        setup
    }

    fn set_stream(&self, sha256: &str, uncompressed: Option<&str>) {
        self.server.add(
            "/streams/stable.json",
            stream_json("x86_64", "../images/disk.qcow2.xz", sha256, uncompressed),
        );
    }

    /// `berth ARGS` against the test server; retries without back-off.
    fn berth_command(&self, args: &[&str]) -> Command {
        let mut command = self.env.berth();
        command
            .env("BERTH_FCOS_STREAM_BASE", self.server.url("/streams"))
            .env(berth_images::RETRY_BACKOFF_ENV, "0")
            .args(args);
        command
    }

    fn berth(&self, args: &[&str]) -> Output {
        self.berth_command(args).output().expect("running berth")
    }

    fn images_dir(&self) -> PathBuf {
        self.env.data.join("berth/images")
    }

    fn files_in(&self, sub: &str) -> Vec<PathBuf> {
        std::fs::read_dir(self.images_dir().join(sub))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    /// Asserts the command failed like podman (125) with `needle` in the
    /// message, and that no base (or stray partial data) is in the cache.
    fn assert_fails_cleanly(&self, out: &Output, needle: &str) {
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(125), "stderr: {stderr}");
        assert!(stderr.contains(needle), "expected {needle:?} in: {stderr}");
        assert!(stderr.contains("Error: "), "{stderr}");
        assert!(
            self.files_in("bases").is_empty(),
            "bases left: {:?}",
            self.files_in("bases")
        );
        assert!(
            self.files_in("partial").is_empty(),
            "partial left: {:?}",
            self.files_in("partial")
        );
        let ls = self.berth(&["machine", "image", "ls", "-q"]);
        assert!(
            ls.stdout.is_empty(),
            "ls: {}",
            String::from_utf8_lossy(&ls.stdout)
        );
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        stderr(out)
    );
}

#[cfg(unix)]
fn allocated(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().blocks() * 512
}

#[test]
fn stream_pull_verifies_unpacks_and_is_cached() {
    let s = Setup::new();
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    let digest = sha(&s.images.qcow2);
    assert_eq!(stdout(&out), digest);
    let base = s.images_dir().join(format!("bases/{digest}.qcow2"));
    assert_eq!(std::fs::read(&base).unwrap(), s.images.qcow2);
    // Plain progress lines, since stderr is not a terminal.
    let err = stderr(&out);
    assert!(
        err.contains("Fedora CoreOS stable 40.20240101.3.0 (x86_64)"),
        "{err}"
    );
    assert!(err.contains(": done:"), "{err}");

    let ls = s.berth(&["machine", "image", "ls", "--format", "json"]);
    assert_ok(&ls);
    let rows: serde_json::Value = serde_json::from_slice(&ls.stdout).unwrap();
    assert_eq!(rows[0]["Digest"], digest.as_str());
    assert_eq!(rows[0]["Source"], "stream:stable");
    assert_eq!(rows[0]["Format"], "qcow2");
    assert_eq!(rows[0]["Compression"], "xz");

    let again = s.berth(&["machine", "image", "pull", "stream:stable"]);
    assert_ok(&again);
    assert_eq!(stdout(&again), digest);
    assert!(
        stderr(&again).contains("Using cached"),
        "{}",
        stderr(&again)
    );
    assert_eq!(
        s.server.gets(XZ_PATH).len(),
        1,
        "the second pull downloaded again"
    );
    assert!(s.files_in("partial").is_empty());
}

#[test]
fn urls_and_files_in_every_compression() {
    let s = Setup::new();
    let raw_sha = sha(&s.images.raw);
    let zst = s.images.compress(&["zstd", "-q", "-T2", "-c"], "disk.raw");
    let gz = s.images.compress(&["gzip", "-c"], "disk.raw");
    s.server.add("/d/disk.raw.zst", zst);
    s.server.add("/d/disk.raw.gz", gz);
    s.server.add("/d/disk.raw", s.images.raw.clone());
    for path in ["/d/disk.raw.zst", "/d/disk.raw.gz", "/d/disk.raw"] {
        let out = s.berth(&["machine", "image", "pull", &s.server.url(path)]);
        assert_ok(&out);
        assert_eq!(stdout(&out), raw_sha, "{path}");
    }
    // One base: the three sources are the same disk.
    let base = s.images_dir().join(format!("bases/{raw_sha}.raw"));
    assert_eq!(std::fs::read(&base).unwrap(), s.images.raw);
    assert!(
        allocated(&base) <= 3 << 20,
        "the raw base is not sparse: {} bytes allocated",
        allocated(&base)
    );
    assert_eq!(s.berth(&["machine", "image", "ls", "-q"]).stdout.len(), 65);

    // Local files, compressed or not.
    let local_xz = s.images.dir.path().join("local.qcow2.xz");
    std::fs::write(&local_xz, &s.images.qcow2_xz).unwrap();
    let out = s.berth(&["machine", "image", "pull", local_xz.to_str().unwrap()]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    let out = s.berth(&[
        "machine",
        "image",
        "pull",
        s.images.dir.path().join("disk.raw").to_str().unwrap(),
    ]);
    assert_ok(&out);
    assert_eq!(stdout(&out), raw_sha);
}

#[test]
fn quiet_pull_prints_only_the_digest() {
    let s = Setup::new();
    let out = s.berth(&["machine", "image", "pull", "--quiet"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    assert!(out.stderr.is_empty(), "{}", stderr(&out));
}

#[test]
fn slow_drip_shows_progress_steps() {
    let s = Setup::new();
    s.server.set_fault(
        XZ_PATH,
        Fault::SlowDrip {
            chunk: 16 * 1024,
            delay: Duration::from_millis(5),
        },
    );
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    let err = stderr(&out);
    for step in ["10%", "50%", "90%"] {
        assert!(err.contains(step), "no {step} line in: {err}");
    }
}

#[test]
fn a_reset_mid_body_is_resumed_with_a_range_request() {
    let s = Setup::new();
    let half = s.images.qcow2_xz.len() as u64 / 2;
    s.server
        .set_fault(XZ_PATH, Fault::ResetAt { at: half, times: 1 });
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    let gets = s.server.gets(XZ_PATH);
    assert_eq!(gets.len(), 2, "{gets:?}");
    let range = gets[1]
        .range
        .as_deref()
        .expect("the retry asks for a range");
    let from: u64 = range
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(from > 0 && from <= half, "{range}");
}

#[test]
fn a_server_ignoring_range_is_read_from_the_start_again() {
    let s = Setup::new();
    let half = s.images.qcow2_xz.len() as u64 / 2;
    s.server.set_faults(
        XZ_PATH,
        vec![Fault::ResetAt { at: half, times: 1 }, Fault::IgnoreRange],
    );
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    assert_eq!(s.server.gets(XZ_PATH).len(), 2);
}

#[test]
fn an_interrupted_download_resumes_in_the_next_run() {
    let s = Setup::new();
    let at = s.images.qcow2_xz.len() as u64 * 3 / 4;
    s.server
        .set_fault(XZ_PATH, Fault::ResetAt { at, times: 100 });
    let out = s.berth(&["machine", "image", "pull"]);
    assert_eq!(out.status.code(), Some(125), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("run the command again to resume"),
        "{}",
        stderr(&out)
    );
    assert!(s.files_in("bases").is_empty());
    assert_eq!(
        s.files_in("partial").len(),
        2,
        "partial data and its state are kept"
    );
    let first_run = s.server.gets(XZ_PATH).len();

    s.server.clear_faults(XZ_PATH);
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    assert!(stderr(&out).contains("Resuming"), "{}", stderr(&out));
    let resumed = &s.server.gets(XZ_PATH)[first_run];
    let range = resumed
        .range
        .as_deref()
        .expect("the next run asks for a range");
    let from: u64 = range
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(from > 12 && from <= at, "{range}");
    assert!(s.files_in("partial").is_empty());
}

#[test]
fn a_resume_that_the_server_refuses_starts_over() {
    let s = Setup::new();
    let at = s.images.qcow2_xz.len() as u64 * 3 / 4;
    s.server
        .set_fault(XZ_PATH, Fault::ResetAt { at, times: 100 });
    assert_eq!(
        s.berth(&["machine", "image", "pull"]).status.code(),
        Some(125)
    );
    s.server.set_fault(XZ_PATH, Fault::IgnoreRange);
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    assert_eq!(stdout(&out), sha(&s.images.qcow2));
    assert!(
        stderr(&out).contains("starting the download over"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn two_pulls_at_once_share_one_download() {
    let s = Setup::new();
    let half = s.images.qcow2_xz.len() as u64 / 2;
    s.server.set_fault(XZ_PATH, Fault::HoldAt(half));
    let spawn = |name: &str| {
        ChildGuard::spawn(
            name,
            s.berth_command(&["machine", "image", "pull"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped()),
        )
    };
    // The image GET comes after the first pull took the download lock; its
    // body then stays half-sent until the second pull says it waits.
    let mut first = spawn("first pull");
    s.server.wait_for_gets(XZ_PATH, 1);
    let mut second = spawn("second pull");
    let second_stderr = LineWatcher::new(second.child.stderr.take().unwrap());
    second_stderr.wait_for("Waiting for another berth process");
    s.server.release(XZ_PATH);

    let (first, second) = (finish(&mut first), finish(&mut second));
    assert_ok(&first);
    assert_ok(&second);
    assert_eq!(stdout(&first), sha(&s.images.qcow2));
    assert_eq!(stdout(&first), stdout(&second));
    assert_eq!(s.server.gets(XZ_PATH).len(), 1);
    let second_err = second_stderr.finish();
    assert!(
        second_err.contains("downloaded by another berth process"),
        "{second_err}"
    );
}

/// Waits for a guarded child and returns its output (stdout and whatever
/// stderr was not taken).
fn finish(guard: &mut ChildGuard) -> Output {
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    if let Some(mut out) = guard.child.stdout.take() {
        out.read_to_end(&mut stdout).unwrap();
    }
    if let Some(mut err) = guard.child.stderr.take() {
        err.read_to_end(&mut stderr).unwrap();
    }
    let status = guard.child.wait().unwrap();
    Output {
        status,
        stdout,
        stderr,
    }
}

/// Reads a child's stream line by line on a thread, so a test can wait for
/// a line to appear.
struct LineWatcher {
    lines: std::sync::mpsc::Receiver<String>,
    seen: std::cell::RefCell<String>,
}

impl LineWatcher {
    fn new(stream: impl Read + Send + 'static) -> Self {
        let (sender, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        LineWatcher {
            lines,
            seen: Default::default(),
        }
    }

    /// Blocks until a line containing `needle` arrives.
    fn wait_for(&self, needle: &str) {
        loop {
            match self.lines.recv_timeout(Duration::from_secs(120)) {
                Ok(line) => {
                    let found = line.contains(needle);
                    let mut seen = self.seen.borrow_mut();
                    seen.push_str(&line);
                    seen.push('\n');
                    if found {
                        return;
                    }
                }
                Err(_) => panic!("no line with {needle:?} in: {}", self.seen.borrow()),
            }
        }
    }

    /// Everything the stream said, once it is closed.
    fn finish(self) -> String {
        let mut seen = self.seen.into_inner();
        for line in self.lines.iter() {
            seen.push_str(&line);
            seen.push('\n');
        }
        seen
    }
}

#[test]
fn ls_shows_users_and_prune_keeps_used_bases() {
    let s = Setup::new();
    let out = s.berth(&["machine", "image", "pull"]);
    assert_ok(&out);
    let digest = stdout(&out);
    let base = s.images_dir().join(format!("bases/{digest}.qcow2"));
    let machine = s.env.data.join("berth/machines/m1");
    std::fs::create_dir_all(&machine).unwrap();
    run_tool(
        Command::new("qemu-img")
            .args(["create", "-q", "-f", "qcow2", "-F", "qcow2", "-b"])
            .arg(&base)
            .arg(machine.join("disk.qcow2"))
            .arg("1G"),
    );
    let ls = s.berth(&["machine", "image", "ls"]);
    assert_ok(&ls);
    let table = stdout(&ls);
    let mut lines = table.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("ID ") && header.contains("VIRTUAL SIZE") && header.ends_with("USED BY"),
        "{table}"
    );
    let row = lines.next().unwrap();
    assert!(
        row.starts_with(&format!("{} ", &digest[..12]))
            && row.contains(" qcow2 ")
            && row.ends_with("m1"),
        "{table}"
    );
    let bare = stdout(&s.berth(&["machine", "image", "ls", "--noheading"]));
    assert!(
        bare.lines().count() == 1 && bare.starts_with(&digest[..12]) && bare.ends_with("m1"),
        "{bare}"
    );

    let template = s.berth(&[
        "machine",
        "image",
        "ls",
        "--format",
        "{{.Digest}} {{.UsedBy}}",
    ]);
    assert_eq!(stdout(&template), format!("{digest} m1"));
    let table = s.berth(&[
        "machine",
        "image",
        "ls",
        "--format",
        "table {{.ID}} {{.Compression}} {{.UsedBy}}",
    ]);
    assert_eq!(
        stdout(&table),
        format!(
            "ID            COMPRESSION  USED BY\n{}  xz           m1",
            &digest[..12]
        )
    );
    let json = s.berth(&["machine", "image", "ls", "--format", "json"]);
    let entries: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(entries[0]["UsedBy"], serde_json::json!(["m1"]));
    assert_eq!(entries[0]["Path"], base.to_str().unwrap());
    let bad = s.berth(&["machine", "image", "ls", "--format", "{{.Nope}}"]);
    assert_eq!(bad.status.code(), Some(125));
    assert!(
        stderr(&bad).contains("can't evaluate field Nope"),
        "{}",
        stderr(&bad)
    );

    let prune = s.berth(&["machine", "image", "prune", "--force"]);
    assert_ok(&prune);
    assert_eq!(stdout(&prune), "", "a used base was pruned");
    assert!(base.exists());

    std::fs::remove_dir_all(&machine).unwrap();
    let prune = s.berth(&["machine", "image", "prune", "--force"]);
    assert_ok(&prune);
    assert_eq!(stdout(&prune), digest);
    assert!(!base.exists());
    assert!(s.files_in("bases").is_empty());
}

#[test]
fn wrong_checksums_are_rejected() {
    let s = Setup::new();
    s.set_stream(&"0".repeat(64), None);
    let out = s.berth(&["machine", "image", "pull"]);
    s.assert_fails_cleanly(&out, "compressed sha256");

    s.set_stream(&sha(&s.images.qcow2_xz), Some(&"1".repeat(64)));
    let out = s.berth(&["machine", "image", "pull"]);
    s.assert_fails_cleanly(&out, "uncompressed sha256");
}

#[test]
fn a_body_that_always_stops_short_is_an_error() {
    let s = Setup::new();
    let half = s.images.qcow2_xz.len() as u64 / 2;
    s.server.set_fault(XZ_PATH, Fault::TruncateAt(half));
    // A URL without checksum: the pipeline itself must notice.
    let out = s.berth(&["machine", "image", "pull", &s.server.url(XZ_PATH)]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(125), "{err}");
    assert!(
        err.contains(&format!(
            "stopped after {half} of {}",
            s.images.qcow2_xz.len()
        )),
        "{err}"
    );
    assert!(s.files_in("bases").is_empty());
}

#[test]
fn http_errors_are_reported_with_the_url() {
    let s = Setup::new();
    let out = s.berth(&[
        "machine",
        "image",
        "pull",
        &s.server.url("/missing.qcow2.xz"),
    ]);
    s.assert_fails_cleanly(&out, "/missing.qcow2.xz answered HTTP 404");

    s.server.set_fault(XZ_PATH, Fault::Status(500));
    let out = s.berth(&["machine", "image", "pull"]);
    s.assert_fails_cleanly(&out, "answered HTTP 500");

    let out = s.berth(&["machine", "image", "pull", "stream:next"]);
    s.assert_fails_cleanly(&out, "next.json answered HTTP 404");
}

#[test]
fn corrupt_streams_are_rejected() {
    let s = Setup::new();
    let mut xz = s.images.qcow2_xz.clone();
    let middle = xz.len() / 2;
    xz[middle] ^= 0x55;
    s.server.add("/bad/disk.qcow2.xz", xz);
    let out = s.berth(&[
        "machine",
        "image",
        "pull",
        &s.server.url("/bad/disk.qcow2.xz"),
    ]);
    s.assert_fails_cleanly(&out, "corrupt xz data");

    let mut zst = s.images.compress(&["zstd", "-q", "-c"], "disk.raw");
    let middle = zst.len() / 2;
    zst[middle] ^= 0x55;
    s.server.add("/bad/disk.raw.zst", zst);
    let out = s.berth(&[
        "machine",
        "image",
        "pull",
        &s.server.url("/bad/disk.raw.zst"),
    ]);
    s.assert_fails_cleanly(&out, "corrupt zstd data");
}

#[test]
fn bad_stream_metadata_and_references() {
    let s = Setup::new();
    s.server.add(
        "/streams/stable.json",
        stream_json(
            "aarch64",
            "../images/disk.qcow2.xz",
            &sha(&s.images.qcow2_xz),
            None,
        ),
    );
    let out = s.berth(&["machine", "image", "pull"]);
    s.assert_fails_cleanly(
        &out,
        "no entry for architecture x86_64 (available: aarch64)",
    );

    s.server
        .add("/streams/stable.json", "{\"architectures\": [");
    let out = s.berth(&["machine", "image", "pull"]);
    s.assert_fails_cleanly(&out, "malformed Fedora CoreOS stream metadata");

    let out = s.berth(&[
        "machine",
        "image",
        "pull",
        "ftp://example.invalid/disk.qcow2.xz",
    ]);
    s.assert_fails_cleanly(&out, "unsupported URL scheme \"ftp\"");

    let out = s.berth(&["machine", "image", "pull", "/no/such/disk.qcow2"]);
    s.assert_fails_cleanly(&out, "/no/such/disk.qcow2");
}

/// A small tmpfs mounted over a directory, unmounted on drop.
struct SmallFs(PathBuf);

impl SmallFs {
    fn mount(dir: &Path, size: &str) -> Option<Self> {
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir)
            .stderr(std::process::Stdio::null())
            .status()
            .ok()?;
        status.success().then(|| SmallFs(dir.to_path_buf()))
    }
}

impl Drop for SmallFs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_is_reported_and_cleaned_up() {
    let s = Setup::new();
    let Some(_fs) = SmallFs::mount(&s.env.data, "2m") else {
        eprintln!("skipped: cannot mount a small tmpfs here (needs root)");
        return;
    };
    let out = s.berth(&["machine", "image", "pull", &s.server.url(XZ_PATH)]);
    s.assert_fails_cleanly(&out, "no space left on the device");
}
