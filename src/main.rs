//! berth: a podman-compatible remote client with its own QEMU machines.
//!
//! `main` only parses the command line, runs the chosen command on a tokio
//! runtime and turns the outcome into podman's exit codes: the command's own
//! code on success (e.g. a container's exit status), 125 for berth's and the
//! engine's errors, or the code an [`exit::ExitError`] carries (126, 127, ...).

mod build_info;
mod cli;
mod commands;
mod connection;
mod exit;
#[allow(dead_code)] // filled in by the output module work
mod output;
mod progress;
mod terminal;
mod usage;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => return exit::clap_error(err),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            return exit::report(&anyhow::Error::new(err).context("starting the async runtime"))
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(err) => exit::report(&err),
    }
}
