//! `berth volume rm [-a] [-f] [-t N] VOLUME...`. Exit codes as podman's:
//! 1 when a volume does not exist, 2 when one is in use, 125 otherwise;
//! `-f` makes a missing volume no error.

use crate::cli::volume::VolumeRmArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{finish_removal, removal_exit_code};

pub async fn run(global: &GlobalArgs, args: &VolumeRmArgs) -> anyhow::Result<u8> {
    if args.all != args.names.is_empty() {
        anyhow::bail!("choose either one or more volumes or all");
    }
    if args.time.is_some() && !args.force {
        anyhow::bail!("--force option must be specified to use the --time option");
    }
    let client = crate::connection::connect(global).await?;
    let mut names = args.names.clone();
    if args.all {
        let listed = berth_client::api::volumes::list(&client, &Default::default()).await?;
        names.extend(
            listed
                .iter()
                .filter_map(|volume| volume["Name"].as_str().map(String::from)),
        );
    }
    let mut errors = Vec::new();
    let mut code = 0;
    for name in &names {
        match berth_client::api::volumes::remove(&client, name, args.force, args.time).await {
            Ok(()) => print_line(name)?,
            Err(err) => {
                let message = err.to_string();
                if args.force && message.contains(NO_SUCH_VOLUME) {
                    continue;
                }
                code = removal_exit_code(code, &message, NO_SUCH_VOLUME, Some(IN_USE));
                errors.push(message);
            }
        }
    }
    finish_removal(errors, code)
}

const NO_SUCH_VOLUME: &str = "no such volume";
const IN_USE: &str = "volume is being used";
