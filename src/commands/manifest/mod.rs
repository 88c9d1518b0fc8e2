//! `berth manifest ...`: manifest lists (image indexes) kept by the engine:
//! create, add/annotate/remove entries, inspect, push, rm, exists.

pub mod create;
pub mod inspect;
pub mod modify;
pub mod push;

use crate::cli::image::RmiArgs;
use crate::cli::registry::ManifestCommand;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, command: ManifestCommand) -> anyhow::Result<u8> {
    match command {
        ManifestCommand::Add(args) => modify::add(global, &args).await,
        ManifestCommand::Annotate(args) => modify::annotate(global, &args).await,
        ManifestCommand::Create(args) => create::run(global, &args).await,
        ManifestCommand::Exists(args) => {
            let client = crate::connection::connect(global).await?;
            let exists = berth_client::api::registry::manifest_exists(&client, &args.list).await?;
            Ok(if exists { 0 } else { 1 })
        }
        ManifestCommand::Inspect(args) => inspect::run(global, &args).await,
        ManifestCommand::Push(args) => push::run(global, &args).await,
        ManifestCommand::Remove(args) => modify::remove(global, &args).await,
        // A list is an image: removing it is `rmi` of the list.
        ManifestCommand::Rm(args) => {
            let rmi = RmiArgs {
                all: false,
                force: false,
                ignore: false,
                no_prune: false,
                images: args.lists,
            };
            crate::commands::image::rm::run(global, &rmi).await
        }
    }
}
