//! `berth system ...`: connections and engine-wide commands.

mod connection;
pub mod info;
pub mod version;
pub(crate) mod yaml;

use crate::cli::system::SystemCommand;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, command: SystemCommand) -> anyhow::Result<u8> {
    match command {
        SystemCommand::Connection(command) => connection::run(global, command).await,
        SystemCommand::Version(args) => version::run(global, &args).await,
        SystemCommand::Info(args) => info::run(global, &args).await,
    }
}
