//! `berth secret ...`: one file per verb.

pub mod create;
pub mod exists;
pub mod inspect;
pub mod ls;
pub mod rm;

use crate::cli::secret::SecretCommand;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, command: SecretCommand) -> anyhow::Result<u8> {
    match command {
        SecretCommand::Create(args) => create::run(global, &args).await,
        SecretCommand::Exists(args) => exists::run(global, &args).await,
        SecretCommand::Inspect(args) => inspect::run(global, &args).await,
        SecretCommand::Ls(args) => ls::run(global, &args).await,
        SecretCommand::Rm(args) => rm::run(global, &args).await,
    }
}
