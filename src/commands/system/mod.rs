//! `berth system ...`: connections and engine-wide commands.

mod connection;
pub mod df;
pub mod info;
pub mod prune;
pub mod version;
pub(crate) mod yaml;

use crate::cli::system::SystemCommand;
use crate::cli::GlobalArgs;
use crate::commands::objects::{refuse_remote, refuse_remote_no_args};

pub async fn run(global: &GlobalArgs, command: SystemCommand) -> anyhow::Result<u8> {
    match command {
        SystemCommand::Connection(command) => connection::run(global, command).await,
        SystemCommand::Version(args) => version::run(global, &args).await,
        SystemCommand::Info(args) => info::run(global, &args).await,
        SystemCommand::Df(args) => df::run(global, &args).await,
        SystemCommand::Prune(args) => prune::run(global, &args).await,
        SystemCommand::Migrate(args) => refuse_remote_no_args("system migrate", &args.args),
        SystemCommand::Renumber(args) => refuse_remote_no_args("system renumber", &args.args),
        SystemCommand::Reset(args) => refuse_remote_no_args("system reset", &args.args),
        SystemCommand::Service(_) => refuse_remote("system service"),
    }
}
