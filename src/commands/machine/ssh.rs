//! `berth machine ssh [NAME] [COMMAND...]`: OpenSSH into the guest, as podman
//! does, but with the machine's pinned host key (a known_hosts file holding
//! only that key, strict checking) instead of host-key checking turned off.
//! A login shell without a command; the command's exit code passes through.

use std::process::Command;

use berth_machine::config::MachineConfig;
use berth_machine::paths::MachinePaths;
use berth_machine::state::{self, State};

use super::{load, machine_name, store, user_error};
use crate::cli::machine::SshArgs;

/// The OpenSSH client options (for `ssh` and `scp`) that log in with the
/// machine's key and check its pinned host key, and nothing else.
pub(super) fn openssh_options(config: &MachineConfig, paths: &MachinePaths) -> Vec<String> {
    // A user-supplied Ignition config: the agent pins the key at the first
    // start; until then OpenSSH records what it sees in the machine's file.
    let strict = if config.ssh.host_key.is_empty() {
        "accept-new"
    } else {
        "yes"
    };
    [
        "-i".to_string(),
        config.ssh.identity_path.display().to_string(),
        "-o".to_string(),
        format!("UserKnownHostsFile={}", paths.known_hosts.display()),
        "-o".to_string(),
        "GlobalKnownHostsFile=/dev/null".to_string(),
        "-o".to_string(),
        format!("StrictHostKeyChecking={strict}"),
        "-o".to_string(),
        "HostKeyAlgorithms=ssh-ed25519".to_string(),
        "-o".to_string(),
        "IdentitiesOnly=yes".to_string(),
        "-o".to_string(),
        "LogLevel=ERROR".to_string(),
    ]
    .into()
}

/// Fails unless the machine is up (its agent runs).
pub(super) fn require_running(paths: &MachinePaths, name: &str) -> anyhow::Result<()> {
    let status = state::probe(paths);
    if !matches!(status.state, State::Running | State::Degraded) || status.agent_pid.is_none() {
        return Err(user_error(format!(
            "vm \"{name}\" is not running: start it with `berth machine start {name}`"
        )));
    }
    Ok(())
}

pub fn run(args: &SshArgs) -> anyhow::Result<u8> {
    let store = store()?;
    // The first argument is the machine if one has that name.
    let (name, command) = match args.args.split_first() {
        Some((first, rest)) if store.exists(first) => (first.clone(), rest.to_vec()),
        _ => (machine_name(None), args.args.clone()),
    };
    let config = load(&store, &name)?;
    let paths = store.paths(&name);
    require_running(&paths, &name)?;
    let user = args.username.clone().unwrap_or_else(|| {
        if config.rootful {
            "root".to_string()
        } else {
            config.ssh.remote_username.clone()
        }
    });
    let mut ssh = Command::new("ssh");
    ssh.args(openssh_options(&config, &paths))
        .args(["-p", &config.ssh.port.to_string()])
        .args(["-o", "SetEnv=LC_ALL="]);
    if command.is_empty() {
        ssh.arg("-t");
    }
    ssh.arg(format!("{user}@127.0.0.1"));
    ssh.args(&command);
    let status = ssh
        .status()
        .map_err(|err| user_error(format!("running ssh: {err}; install an OpenSSH client")))?;
    Ok(status
        .code()
        .map_or(crate::exit::GENERIC_ERROR, |code| code as u8))
}
