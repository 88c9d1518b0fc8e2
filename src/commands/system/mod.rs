//! `berth system ...`: connections and engine-wide commands.

use crate::cli::system::{ConnectionCommand, SystemCommand};
use crate::cli::GlobalArgs;

pub async fn run(_global: &GlobalArgs, command: SystemCommand) -> anyhow::Result<u8> {
    match command {
        SystemCommand::Connection(ConnectionCommand::List) => {
            anyhow::bail!("berth system connection list is not implemented yet")
        }
    }
}
