//! SSH to a machine's guest: keys ([`keys`]) and a host-key-pinned russh
//! session that keeps itself alive and forwards unix sockets ([`session`]).

pub mod keys;
pub mod session;

pub use session::{KeptSession, Session, SshError, SshTarget};
