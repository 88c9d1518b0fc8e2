//! `berth network rm [-f] [-t N] NETWORK...`. Exit codes as podman's: 1
//! when a network does not exist, 2 when one is in use; `-f` makes a
//! missing network no error.

use crate::cli::network::NetworkRmArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{finish_removal, removal_exit_code};

pub async fn run(global: &GlobalArgs, args: &NetworkRmArgs) -> anyhow::Result<u8> {
    if args.time.is_some() && !args.force {
        anyhow::bail!("--force option must be specified to use the --time option");
    }
    let client = crate::connection::connect(global).await?;
    let mut errors = Vec::new();
    let mut code = 0;
    for name in &args.names {
        let reports =
            match berth_client::api::networks::remove(&client, name, args.force, args.time).await {
                Ok(reports) => reports,
                Err(err) => vec![berth_client::api::networks::NetworkRemoveReport {
                    name: name.clone(),
                    err: Some(err.to_string()),
                }],
            };
        for report in reports {
            match report.err.filter(|err| !err.is_empty()) {
                None => print_line(&report.name)?,
                Some(err) if args.force && err.contains(NO_SUCH_NETWORK) => {}
                Some(err) => {
                    code = removal_exit_code(
                        code,
                        &err,
                        NO_SUCH_NETWORK,
                        Some("network is being used"),
                    );
                    errors.push(err);
                }
            }
        }
    }
    finish_removal(errors, code)
}

const NO_SUCH_NETWORK: &str = "network not found";
