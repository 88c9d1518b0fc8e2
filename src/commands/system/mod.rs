//! `berth system ...`: connections and engine-wide commands.

mod format;
pub mod info;
pub mod version;
mod yaml;

use crate::cli::system::{ConnectionCommand, SystemCommand};
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, command: SystemCommand) -> anyhow::Result<u8> {
    match command {
        SystemCommand::Connection(ConnectionCommand::List) => {
            anyhow::bail!("berth system connection list is not implemented yet")
        }
        SystemCommand::Version(args) => version::run(global, &args).await,
        SystemCommand::Info(args) => info::run(global, &args).await,
    }
}
