//! A private environment for one test: its own temp HOME, XDG config, data,
//! cache and runtime dirs, and a `berth` command that uses only them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use tempfile::TempDir;

/// Variables that would leak the developer's own setup into a test.
const CLEARED_VARS: &[&str] = &[
    "CONTAINER_HOST",
    "CONTAINER_CONNECTION",
    "CONTAINER_SSHKEY",
    "CONTAINERS_CONF",
    "PODMAN_CONNECTIONS_CONF",
    "DOCKER_HOST",
    "SSH_AUTH_SOCK",
    "BERTH_ACCEL",
];

/// One test's isolated home and XDG directories, removed on drop.
pub struct TestEnv {
    pub root: TempDir,
    pub home: PathBuf,
    pub config: PathBuf,
    pub data: PathBuf,
    pub cache: PathBuf,
    pub runtime: PathBuf,
}

impl TestEnv {
    pub fn new() -> Self {
        // Short paths: unix socket paths must stay under 108 bytes.
        let root = tempfile::Builder::new()
            .prefix("bt")
            .tempdir_in("/tmp")
            .expect("creating the test's temp dir");
        let dir = |name: &str| {
            let path = root.path().join(name);
            std::fs::create_dir_all(&path).expect("creating a test dir");
            path
        };
        let env = TestEnv {
            home: dir("home"),
            config: dir("config"),
            data: dir("data"),
            cache: dir("cache"),
            runtime: dir("run"),
            root,
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&env.runtime, std::fs::Permissions::from_mode(0o700))
                .expect("chmod runtime dir");
        }
        env
    }

    pub fn path(&self) -> &Path {
        self.root.path()
    }

    /// Applies this environment to `command` (HOME, XDG_*, no CONTAINER_* leaks).
    pub fn apply(&self, command: &mut Command) {
        for var in CLEARED_VARS {
            command.env_remove(var);
        }
        command
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", &self.config)
            .env("XDG_DATA_HOME", &self.data)
            .env("XDG_CACHE_HOME", &self.cache)
            .env("XDG_RUNTIME_DIR", &self.runtime)
            .env("NO_COLOR", "1");
    }

    /// A `berth` command running in this environment.
    pub fn berth(&self) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_berth"));
        self.apply(&mut command);
        command
    }

    /// Runs `berth ARGS...` and returns its output.
    pub fn run_berth(&self, args: &[&str]) -> Output {
        self.berth().args(args).output().expect("running berth")
    }
}

impl Default for TestEnv {
    fn default() -> Self {
        Self::new()
    }
}
