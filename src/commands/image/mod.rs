//! `berth image ...` (and the top-level `images`, `rmi`, `tag`, `untag`,
//! `pull`, `history`): one file per verb.

pub mod build;
pub mod build_query;
pub mod history;
pub mod import;
pub mod list;
pub mod load;
pub mod prune;
pub mod pull;
pub mod push;
pub mod rm;
pub mod save;
pub mod scp;
pub mod search;
pub mod tag;
pub mod tree;
pub mod untag;

use crate::cli::image::ImageCommand;
use crate::cli::GlobalArgs;
use crate::commands::objects::{refuse_remote, refuse_remote_min};

pub async fn run(global: &GlobalArgs, command: ImageCommand) -> anyhow::Result<u8> {
    match command {
        ImageCommand::Build(args) => build::run(global, &args).await,
        ImageCommand::Diff(args) => {
            crate::commands::container::diff::run(global, &args, "image").await
        }
        ImageCommand::History(args) => history::run(global, &args).await,
        ImageCommand::Import(args) => import::run(global, &args).await,
        ImageCommand::Load(args) => load::run(global, &args).await,
        ImageCommand::Push(args) => push::run(global, &args).await,
        ImageCommand::Save(args) => save::run(global, &args).await,
        ImageCommand::Search(args) => search::run(global, &args).await,
        ImageCommand::Inspect(args) => {
            crate::commands::container::inspect::run_images(global, &args).await
        }
        ImageCommand::List(args) => list::run(global, &args).await,
        ImageCommand::Pull(args) => pull::run(global, &args).await,
        ImageCommand::Prune(args) => prune::run(global, &args).await,
        ImageCommand::Rm(args) => rm::run(global, &args).await,
        ImageCommand::Tag(args) => tag::run(global, &args).await,
        ImageCommand::Scp(args) => scp::run(global, &args).await,
        ImageCommand::Tree(args) => tree::run(global, &args).await,
        ImageCommand::Exists(args) => {
            let client = crate::connection::connect(global).await?;
            let found = berth_client::api::images::exists(&client, &args.image).await?;
            Ok(if found { 0 } else { 1 })
        }
        ImageCommand::Untag(args) => untag::run(global, &args).await,
        ImageCommand::Mount(_) => refuse_remote("image mount"),
        ImageCommand::Sign(args) => refuse_remote_min("image sign", &args.args, 1),
        ImageCommand::Trust(args) => match args.args.split_first() {
            Some((verb, rest)) if verb == "set" && rest.len() != 1 => {
                anyhow::bail!("accepts 1 arg(s), received {}", rest.len())
            }
            Some((verb, _)) if verb == "set" || verb == "show" => {
                refuse_remote(&format!("image trust {verb}"))
            }
            _ => refuse_remote("image trust"),
        },
        ImageCommand::Unmount(_) => refuse_remote("image unmount"),
    }
}

/// podman's `errorhandling.JoinErrors`: one error as itself, several as
/// "N errors occurred:" with a bulleted list.
pub fn join_errors(errors: &[String]) -> String {
    match errors {
        [one] => one.clone(),
        many => {
            let mut text = format!("{} errors occurred:", many.len());
            for err in many {
                text.push_str("\n\t* ");
                text.push_str(err);
            }
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_like_podman() {
        assert_eq!(join_errors(&["a".into()]), "a");
        assert_eq!(
            join_errors(&["a".into(), "b".into()]),
            "2 errors occurred:\n\t* a\n\t* b"
        );
    }
}
