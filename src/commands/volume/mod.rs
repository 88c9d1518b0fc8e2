//! `berth volume ...`: one file per verb.

pub mod create;
pub mod exists;
pub mod export;
pub mod import;
pub mod inspect;
pub mod ls;
pub mod prune;
pub mod rm;

use crate::cli::volume::VolumeCommand;
use crate::cli::GlobalArgs;
use crate::commands::objects::refuse_remote;

pub async fn run(global: &GlobalArgs, command: VolumeCommand) -> anyhow::Result<u8> {
    match command {
        VolumeCommand::Create(args) => create::run(global, &args).await,
        VolumeCommand::Exists(args) => exists::run(global, &args).await,
        VolumeCommand::Export(args) => export::run(global, &args).await,
        VolumeCommand::Import(args) => import::run(global, &args).await,
        VolumeCommand::Inspect(args) => inspect::run(global, &args).await,
        VolumeCommand::Ls(args) => ls::run(global, &args).await,
        VolumeCommand::Prune(args) => prune::run(global, &args).await,
        VolumeCommand::Rm(args) => rm::run(global, &args).await,
        VolumeCommand::Mount(_) => refuse_remote("volume mount"),
        VolumeCommand::Reload(args) => {
            if !args.args.is_empty() {
                anyhow::bail!("`berth volume reload` takes no arguments");
            }
            anyhow::bail!("volume reload is not supported for remote clients")
        }
        VolumeCommand::Unmount(_) => refuse_remote("volume unmount"),
    }
}
