//! The test guest (a Fedora CoreOS stand-in built by `tests/guest/build`) and
//! what machine tests need around it: a loopback HTTP server with the image and
//! an FCOS-format stream JSON, and a fresh berth home whose
//! `BERTH_FCOS_STREAM_BASE` points at that server.
//!
//! `scripts/test` builds the guest and exports `BERTH_TEST_GUEST_DIR`; when it
//! is unset (plain `cargo test`), [`Guest::locate`] prints why and returns
//! `None`, and the test returns early:
//!
//! ```ignore
//! let Some(machine) = MachineEnv::new("machine_start_stop") else { return };
//! let out = machine.run_berth(&["machine", "init", "m1"]);
//! ```

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use super::env::TestEnv;
use super::process::ChildGuard;

/// The variable naming the directory that `tests/guest/build` wrote.
pub const GUEST_DIR_VAR: &str = "BERTH_TEST_GUEST_DIR";

/// The streams the stream server answers for (`<base>/<stream>.json`).
pub const STREAMS: &[&str] = &["stable", "testing", "next"];

/// A built test guest: the files `tests/guest/build OUTDIR` writes.
#[derive(Clone, Debug)]
pub struct Guest {
    pub dir: PathBuf,
    /// `guest.qcow2.xz`: what berth downloads, as it would Fedora CoreOS's.
    pub qcow2_xz: PathBuf,
    /// `guest.qcow2`: the same disk uncompressed, to use as a backing file.
    pub qcow2: PathBuf,
    /// sha256 of `guest.qcow2.xz` (hex).
    pub xz_sha256: String,
    /// sha256 of `guest.qcow2` (hex).
    pub qcow2_sha256: String,
}

impl Guest {
    /// The guest in `$BERTH_TEST_GUEST_DIR`, or `None` (printing that `test`
    /// is skipped) when the variable is unset. A set variable that names no
    /// built guest is a broken setup and panics.
    pub fn locate(test: &str) -> Option<Guest> {
        let Some(dir) = std::env::var_os(GUEST_DIR_VAR) else {
            eprintln!(
                "skipping {test}: {GUEST_DIR_VAR} is not set \
                 (scripts/test builds the guest with tests/guest/build and sets it)"
            );
            return None;
        };
        Some(Guest::at(Path::new(&dir)))
    }

    /// The guest built into `dir`; panics when a file is missing.
    pub fn at(dir: &Path) -> Guest {
        let read_sha = |name: &str| {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).unwrap_or_else(|err| {
                panic!(
                    "{}: {err}; run tests/guest/build {}",
                    path.display(),
                    dir.display()
                )
            });
            let hex = text
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_string();
            assert_eq!(hex.len(), 64, "{}: not a sha256 line", path.display());
            hex
        };
        let guest = Guest {
            dir: dir.to_path_buf(),
            qcow2_xz: dir.join("guest.qcow2.xz"),
            qcow2: dir.join("guest.qcow2"),
            xz_sha256: read_sha("guest.qcow2.xz.sha256"),
            qcow2_sha256: read_sha("guest.qcow2.sha256"),
        };
        for file in [&guest.qcow2_xz, &guest.qcow2] {
            assert!(
                file.is_file(),
                "{} is missing; run tests/guest/build {}",
                file.display(),
                dir.display()
            );
        }
        guest
    }
}

/// Fedora CoreOS stream metadata naming one `qcow2.xz` disk for x86_64, in
/// the format of `https://builds.coreos.fedoraproject.org/streams/<stream>.json`.
pub fn fcos_stream_json(
    stream: &str,
    location: &str,
    sha256: &str,
    uncompressed_sha256: &str,
) -> String {
    let release = "40.20240101.3.0";
    serde_json::json!({
        "stream": stream,
        "metadata": { "last-modified": "2024-01-01T00:00:00Z", "generator": "berth tests" },
        "architectures": {
            "x86_64": {
                "artifacts": {
                    "qemu": {
                        "release": release,
                        "formats": {
                            "qcow2.xz": {
                                "disk": {
                                    "location": location,
                                    "signature": format!("{location}.sig"),
                                    "sha256": sha256,
                                    "uncompressed-sha256": uncompressed_sha256,
                                }
                            }
                        }
                    }
                }
            }
        }
    })
    .to_string()
}

/// A loopback HTTP server with the guest image at `/images/guest.qcow2.xz` and
/// stream JSON at `/streams/<stream>.json`; stopped (by pid) when dropped.
pub struct StreamServer {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    _root: tempfile::TempDir,
    _server: ChildGuard,
}

impl StreamServer {
    pub fn start(guest: &Guest) -> StreamServer {
        let root = tempfile::Builder::new()
            .prefix("bguest-www")
            .tempdir()
            .expect("creating the web root");
        std::fs::create_dir_all(root.path().join("images")).expect("mkdir images");
        std::fs::create_dir_all(root.path().join("streams")).expect("mkdir streams");
        std::os::unix::fs::symlink(&guest.qcow2_xz, root.path().join("images/guest.qcow2.xz"))
            .expect("linking the image into the web root");
        // The port is known only once the server listens: a first pass
        // writes the streams after reading it.
        let mut server = ChildGuard::spawn(
            "python3 http.server",
            Command::new("python3")
                .args(["-u", "-m", "http.server", "--bind", "127.0.0.1", "0"])
                .current_dir(root.path())
                .stdout(Stdio::piped())
                .stderr(Stdio::null()),
        );
        let stdout = server.child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("reading the server's first line");
        // "Serving HTTP on 127.0.0.1 port 38199 (http://127.0.0.1:38199/) ..."
        let port: u16 = line
            .split_whitespace()
            .skip_while(|word| *word != "port")
            .nth(1)
            .and_then(|word| word.parse().ok())
            .unwrap_or_else(|| panic!("no port in the HTTP server's output: {line:?}"));
        let base_url = format!("http://127.0.0.1:{port}");
        let location = format!("{base_url}/images/guest.qcow2.xz");
        for stream in STREAMS {
            std::fs::write(
                root.path().join(format!("streams/{stream}.json")),
                fcos_stream_json(stream, &location, &guest.xz_sha256, &guest.qcow2_sha256),
            )
            .expect("writing a stream JSON");
        }
        StreamServer {
            base_url,
            _root: root,
            _server: server,
        }
    }

    /// The value for `BERTH_FCOS_STREAM_BASE` (berth reads `<it>/<stream>.json`).
    pub fn stream_base(&self) -> String {
        format!("{}/streams", self.base_url)
    }

    /// The image's URL (also usable with `berth machine init --image URL`).
    pub fn image_url(&self) -> String {
        format!("{}/images/guest.qcow2.xz", self.base_url)
    }
}

/// One machine test's world: a fresh berth home ([`TestEnv`]), the guest and
/// a stream server for it; berth commands made here see
/// `BERTH_FCOS_STREAM_BASE` = the server and `BERTH_ACCEL=tcg`.
pub struct MachineEnv {
    pub env: TestEnv,
    pub guest: Guest,
    pub server: StreamServer,
}

impl MachineEnv {
    /// `None` (after printing that `test` is skipped) without a built guest.
    pub fn new(test: &str) -> Option<MachineEnv> {
        let guest = Guest::locate(test)?;
        let server = StreamServer::start(&guest);
        Some(MachineEnv {
            env: TestEnv::new(),
            guest,
            server,
        })
    }

    /// Applies this environment to any command (berth, podman, docker...).
    pub fn apply(&self, command: &mut Command) {
        self.env.apply(command);
        command
            .env("BERTH_FCOS_STREAM_BASE", self.server.stream_base())
            .env("BERTH_ACCEL", "tcg");
    }

    /// A `berth` command in this environment.
    pub fn berth(&self) -> Command {
        let mut command = self.env.berth();
        self.apply(&mut command);
        command
    }

    /// Runs `berth ARGS...` and returns its output.
    pub fn run_berth(&self, args: &[&str]) -> Output {
        self.berth().args(args).output().expect("running berth")
    }
}
