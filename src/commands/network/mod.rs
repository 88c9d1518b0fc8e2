//! `berth network ...`: one file per verb.

pub mod connect;
pub mod create;
pub mod disconnect;
pub mod exists;
pub mod inspect;
pub mod ls;
pub mod prune;
pub mod rm;

use crate::cli::network::NetworkCommand;
use crate::cli::GlobalArgs;
use crate::commands::objects::refuse_remote_named;

pub async fn run(global: &GlobalArgs, command: NetworkCommand) -> anyhow::Result<u8> {
    match command {
        NetworkCommand::Connect(args) => connect::run(global, &args).await,
        NetworkCommand::Create(args) => create::run(global, &args).await,
        NetworkCommand::Disconnect(args) => disconnect::run(global, &args).await,
        NetworkCommand::Exists(args) => exists::run(global, &args).await,
        NetworkCommand::Inspect(args) => inspect::run(global, &args).await,
        NetworkCommand::Ls(args) => ls::run(global, &args).await,
        NetworkCommand::Prune(args) => prune::run(global, &args).await,
        NetworkCommand::Rm(args) => rm::run(global, &args).await,
        NetworkCommand::Reload(args) => refuse_remote_named("network reload", &args.args),
    }
}
