//! The test guest (a Fedora CoreOS stand-in built by `tests/guest/build`, see
//! tests/guest/README.md) and what machine tests need around it: a loopback
//! HTTP server with the image and an FCOS-format stream JSON, and a fresh
//! berth home whose `BERTH_FCOS_STREAM_BASE` points at that server.
//!
//! `scripts/test` builds the guest and exports `BERTH_TEST_GUEST_DIR`; when it
//! is unset (plain `cargo test`), [`Guest::locate`] prints why and returns
//! `None`, and the test returns early:
//!
//! ```ignore
//! let Some(machine) = MachineEnv::new("machine_start_stop") else { return };
//! let out = machine.run_berth(&["machine", "init", "m1"]);
//! ```

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use super::env::TestEnv;
use super::http::{stream_json, HttpServer};

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

/// A loopback HTTP server (tests/common/http.rs) serving the guest's directory
/// (`/guest.qcow2.xz`, ...) and FCOS stream JSON for it at `/streams/<stream>.json`;
/// stopped when dropped.
pub struct StreamServer {
    pub http: HttpServer,
}

impl StreamServer {
    pub fn start(guest: &Guest) -> StreamServer {
        let http = HttpServer::start(Some(&guest.dir));
        let location = http.url("/guest.qcow2.xz");
        let stream = stream_json(
            "x86_64",
            &location,
            &guest.xz_sha256,
            Some(&guest.qcow2_sha256),
        );
        for name in STREAMS {
            http.add(&format!("/streams/{name}.json"), stream.clone());
        }
        StreamServer { http }
    }

    /// The value for `BERTH_FCOS_STREAM_BASE` (berth reads `<it>/<stream>.json`).
    pub fn stream_base(&self) -> String {
        self.http.url("/streams")
    }

    /// The image's URL (also usable with `berth machine init --image URL`).
    pub fn image_url(&self) -> String {
        self.http.url("/guest.qcow2.xz")
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
