//! The one place that names every file of a machine, across berth's three
//! directories:
//!
//! - config: `machines/NAME.json` (the machine config) and `machines/NAME.lock`
//!   (serialises read-modify-write of that config and starts);
//! - data: `machines/NAME/` (the disk overlay, Ignition, SSH host key and
//!   pinned known_hosts, logs: things that outlive a run) and `keys/` (the
//!   user key shared by all machines);
//! - runtime: `NAME/` (sockets, pidfiles and the event stream of the running
//!   agent; removed when it exits).

use std::path::{Path, PathBuf};

use crate::dirs::BerthDirs;

/// The SSH user key shared by every machine (and its `.pub`).
pub fn user_key(dirs: &BerthDirs) -> PathBuf {
    dirs.data.join("keys").join("berth-machine")
}

/// Where machine configs live.
pub fn configs_dir(dirs: &BerthDirs) -> PathBuf {
    dirs.config.join("machines")
}

/// Every file of one machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachinePaths {
    pub name: String,
    /// `config/machines/NAME.json`
    pub config: PathBuf,
    /// `config/machines/NAME.lock`
    pub config_lock: PathBuf,
    /// `data/machines/NAME/`
    pub data_dir: PathBuf,
    /// The machine's qcow2 overlay (or copied disk).
    pub disk: PathBuf,
    /// The Ignition config passed through fw_cfg.
    pub ignition: PathBuf,
    /// The guest's SSH host private key (its public half is pinned in the config).
    pub host_key: PathBuf,
    /// An OpenSSH known_hosts file holding only the pinned host key.
    pub known_hosts: PathBuf,
    /// The guest's serial console.
    pub serial_log: PathBuf,
    /// The agent's own log (QEMU's stderr goes here too).
    pub agent_log: PathBuf,
    /// `runtime/NAME/`
    pub runtime_dir: PathBuf,
    /// Held by the agent for its whole life: the machine is up iff it is held.
    pub agent_lock: PathBuf,
    pub agent_pid: PathBuf,
    /// Written (and locked) by QEMU itself through `-pidfile`.
    pub qemu_pid: PathBuf,
    /// The agent's JSON-lines event stream of the current run.
    pub events: PathBuf,
    /// The agent's control socket (`stop`).
    pub control_socket: PathBuf,
    /// The forwarded podman API socket.
    pub api_socket: PathBuf,
    /// QMP: QEMU connects to the agent here.
    pub qmp_socket: PathBuf,
    /// The virtio-serial ready port: QEMU connects to the agent here.
    pub ready_socket: PathBuf,
}

impl MachinePaths {
    pub fn new(dirs: &BerthDirs, name: &str) -> Self {
        let configs = configs_dir(dirs);
        let data_dir = dirs.data.join("machines").join(name);
        let runtime_dir = dirs.runtime.join(name);
        MachinePaths {
            name: name.to_string(),
            config: configs.join(format!("{name}.json")),
            config_lock: configs.join(format!("{name}.lock")),
            disk: data_dir.join(format!("{name}.qcow2")),
            ignition: data_dir.join(format!("{name}.ign")),
            host_key: data_dir.join("ssh_host_ed25519_key"),
            known_hosts: data_dir.join("known_hosts"),
            serial_log: data_dir.join("serial.log"),
            agent_log: data_dir.join("agent.log"),
            data_dir,
            agent_lock: runtime_dir.join("agent.lock"),
            agent_pid: runtime_dir.join("agent.pid"),
            qemu_pid: runtime_dir.join("qemu.pid"),
            events: runtime_dir.join("events.jsonl"),
            control_socket: runtime_dir.join("agent.sock"),
            api_socket: runtime_dir.join("api.sock"),
            qmp_socket: runtime_dir.join("qmp.sock"),
            ready_socket: runtime_dir.join("ready.sock"),
            runtime_dir,
        }
    }

    /// The sockets and pidfiles an agent creates, which it (or a later start
    /// that finds them stale) removes. The lock file itself stays: removing a
    /// lock file that another process may be opening would break the lock.
    pub fn runtime_files(&self) -> [&Path; 7] {
        [
            &self.agent_pid,
            &self.qemu_pid,
            &self.control_socket,
            &self.api_socket,
            &self.qmp_socket,
            &self.ready_socket,
            &self.events,
        ]
    }

    /// The vhost-user socket of the virtiofsd serving the `index`th volume
    /// (no longer than `agent.sock` below ten volumes).
    pub fn virtiofs_socket(&self, index: usize) -> PathBuf {
        self.runtime_dir.join(format!("fs{index}.sock"))
    }

    /// The virtiofsd sockets present in the runtime dir (a run's, or a
    /// crashed run's).
    pub fn virtiofs_sockets(&self) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(&self.runtime_dir) else {
            return Vec::new();
        };
        entries
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| {
                path.file_name()
                    .and_then(|name| name.to_str())
                    .and_then(|name| name.strip_prefix("fs"))
                    .and_then(|rest| rest.strip_suffix(".sock"))
                    .is_some_and(|index| index.parse::<usize>().is_ok())
            })
            .collect()
    }

    /// The longest socket path of this machine, to check against the OS limit.
    pub fn longest_socket(&self) -> &Path {
        [
            &self.control_socket,
            &self.api_socket,
            &self.qmp_socket,
            &self.ready_socket,
        ]
        .into_iter()
        .max_by_key(|path| path.as_os_str().len())
        .map_or(self.api_socket.as_path(), |path| path.as_path())
    }
}

/// The longest unix socket path the OS accepts (sun_path less its NUL).
pub const MAX_SOCKET_PATH: usize = if cfg!(target_os = "macos") { 103 } else { 107 };

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_spread_over_the_three_dirs() {
        let dirs = BerthDirs {
            config: "/c".into(),
            data: "/d".into(),
            runtime: "/r".into(),
        };
        let paths = MachinePaths::new(&dirs, "m1");
        assert_eq!(paths.config, PathBuf::from("/c/machines/m1.json"));
        assert_eq!(paths.disk, PathBuf::from("/d/machines/m1/m1.qcow2"));
        assert_eq!(paths.api_socket, PathBuf::from("/r/m1/api.sock"));
        assert_eq!(paths.longest_socket(), Path::new("/r/m1/ready.sock"));
        assert_eq!(user_key(&dirs), PathBuf::from("/d/keys/berth-machine"));
        assert_eq!(paths.virtiofs_socket(3), PathBuf::from("/r/m1/fs3.sock"));
    }

    #[test]
    fn virtiofs_sockets_are_found_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let dirs = BerthDirs {
            config: dir.path().join("c"),
            data: dir.path().join("d"),
            runtime: dir.path().to_path_buf(),
        };
        let paths = MachinePaths::new(&dirs, "m");
        assert!(paths.virtiofs_sockets().is_empty());
        std::fs::create_dir(&paths.runtime_dir).unwrap();
        for name in ["fs0.sock", "fs12.sock", "fsx.sock", "api.sock"] {
            std::fs::write(paths.runtime_dir.join(name), "").unwrap();
        }
        let mut found = paths.virtiofs_sockets();
        found.sort();
        assert_eq!(found, [paths.virtiofs_socket(0), paths.virtiofs_socket(12)]);
    }
}
