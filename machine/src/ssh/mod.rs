//! SSH to a machine's guest: keys ([`keys`]) and a host-key-pinned russh
//! session that keeps itself alive ([`session`]), channels opened ahead of
//! the connections that use them ([`preopen`]), and the copying between a
//! local connection and a channel ([`splice`]) seen as a byte stream that
//! notices the guest closing it ([`stream`]).

pub mod keys;
pub mod paced;
pub mod preopen;
pub mod session;
pub mod splice;
pub mod stream;

pub use session::{KeptSession, Session, SshError, SshTarget};
pub use stream::GuestStream;

/// Runs `command` as root in the guest (sudo for a non-root session user).
pub fn as_root(user: &str, command: &str) -> String {
    if user == "root" {
        command.to_string()
    } else {
        format!("sudo -n sh -c '{}'", command.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_commands_use_sudo_for_other_users() {
        assert_eq!(as_root("root", "date"), "date");
        assert_eq!(
            as_root("core", "echo 'x'"),
            r"sudo -n sh -c 'echo '\''x'\'''"
        );
    }
}
