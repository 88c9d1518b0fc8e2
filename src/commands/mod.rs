//! Command behaviour, one file per verb, grouped like the clap tree in
//! `crate::cli`. Each command returns the process exit code on success.

pub(crate) mod machine;
pub(crate) mod system;

use crate::cli::{Cli, Command};

/// Runs the parsed command line and returns the exit code.
pub async fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Machine(command) => machine::run(&cli.global, command).await,
        Command::System(command) => system::run(&cli.global, command).await,
        Command::Version(args) => system::version::run(&cli.global, &args).await,
        Command::Info(args) => system::info::run(&cli.global, &args).await,
    }
}
