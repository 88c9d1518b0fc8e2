//! `berth machine cp [-q] SRC DEST`: copies files and directories between the
//! host and a running machine with OpenSSH's `scp`, one side written
//! `MACHINE:PATH`, as the machine's user and with its pinned host key.

use std::process::Command;

use berth_machine::config::MachineStore;

use super::ssh::{openssh_options, require_running};
use super::{load, store, user_error};
use crate::cli::machine::CpArgs;

/// One side of a copy.
#[derive(Debug, PartialEq, Eq)]
enum Side<'a> {
    Host(&'a str),
    Machine { name: &'a str, path: &'a str },
}

/// `MACHINE:PATH` when the part before the first `:` names a machine;
/// anything else is a host path.
fn side<'a>(spec: &'a str, is_machine: impl Fn(&str) -> bool) -> Side<'a> {
    match spec.split_once(':') {
        Some((name, path)) if !name.is_empty() && is_machine(name) => Side::Machine { name, path },
        _ => Side::Host(spec),
    }
}

pub fn run(args: &CpArgs) -> anyhow::Result<u8> {
    let store = store()?;
    let exists = |name: &str| store.exists(name);
    let (name, from, to) = match (side(&args.source, exists), side(&args.destination, exists)) {
        (Side::Machine { name, path }, Side::Host(host)) => {
            (name, remote(&store, name, path)?, host.to_string())
        }
        (Side::Host(host), Side::Machine { name, path }) => {
            (name, host.to_string(), remote(&store, name, path)?)
        }
        (Side::Host(_), Side::Host(_)) => {
            return Err(user_error(
                "one of the paths must name a machine, as MACHINE:PATH \
                 (see `berth machine list`)",
            ))
        }
        (Side::Machine { .. }, Side::Machine { .. }) => {
            return Err(user_error(
                "copying from one machine to another is not supported: copy to the host first",
            ))
        }
    };
    let config = load(&store, name)?;
    let paths = store.paths(name);
    require_running(&paths, name)?;
    let mut scp = Command::new("scp");
    scp.args(openssh_options(&config, &paths))
        .args(["-P", &config.ssh.port.to_string()])
        .arg("-r");
    if args.quiet {
        scp.arg("-q");
    }
    scp.arg(from).arg(to);
    let status = scp
        .status()
        .map_err(|err| user_error(format!("running scp: {err}; install an OpenSSH client")))?;
    Ok(status
        .code()
        .map_or(crate::exit::GENERIC_ERROR, |code| code as u8))
}

/// scp's `USER@127.0.0.1:PATH` for a path in machine `name`.
fn remote(store: &MachineStore, name: &str, path: &str) -> anyhow::Result<String> {
    let config = load(store, name)?;
    if path.is_empty() {
        return Err(user_error(format!(
            "{name}: the path in the machine is empty: use {name}:PATH"
        )));
    }
    Ok(format!("{}@127.0.0.1:{path}", config.ssh.remote_username))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_side_is_remote_only_for_a_known_machine() {
        let known = |name: &str| name == "m1";
        assert_eq!(
            side("m1:/etc/hosts", known),
            Side::Machine {
                name: "m1",
                path: "/etc/hosts"
            }
        );
        assert_eq!(side("other:/x", known), Side::Host("other:/x"));
        assert_eq!(side("/tmp/a:b", known), Side::Host("/tmp/a:b"));
        assert_eq!(side(":x", known), Side::Host(":x"));
    }
}
