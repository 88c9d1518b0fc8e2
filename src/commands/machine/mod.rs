//! `berth machine ...`: the VM lifecycle, wiring berth-images and berth-machine
//! (and berth-client's connection store for the machines' connections).

mod agent;
mod connections;
mod cp;
mod docker_socket;
mod image;
mod info;
mod init;
mod inspect;
mod list;
mod reset;
mod rm;
pub mod route;
mod set;
mod ssh;
mod start;
mod stop;

use anyhow::Context;
use berth_machine::config::{MachineConfig, MachineStore, DEFAULT_MACHINE_NAME};
use berth_machine::dirs::BerthDirs;

use crate::cli::machine::MachineCommand;
use crate::cli::GlobalArgs;
use crate::exit::ExitError;

pub async fn run(_global: &GlobalArgs, command: MachineCommand) -> anyhow::Result<u8> {
    match command {
        MachineCommand::Init(args) => init::run(args).await,
        MachineCommand::Start(args) => start::run(&args).await,
        MachineCommand::Stop(args) => stop::run(&args).await,
        MachineCommand::List(args) => list::run(&args),
        MachineCommand::Inspect(args) => inspect::run(&args),
        MachineCommand::Ssh(args) => ssh::run(&args),
        MachineCommand::Rm(args) => rm::run(&args).await,
        MachineCommand::Info(args) => info::run(&args),
        MachineCommand::Set(args) => set::run(&args),
        MachineCommand::Reset(args) => reset::run(&args).await,
        MachineCommand::Cp(args) => cp::run(&args),
        MachineCommand::Image(command) => image::run(command).await,
        MachineCommand::Agent(args) => agent::run(args).await,
    }
}

/// The machine store in berth's directories.
fn store() -> anyhow::Result<MachineStore> {
    let dirs = BerthDirs::current().context("finding berth's directories")?;
    Ok(MachineStore::new(dirs))
}

/// The machine a command names, or podman's default machine name.
fn machine_name(name: Option<&str>) -> String {
    name.filter(|name| !name.is_empty())
        .unwrap_or(DEFAULT_MACHINE_NAME)
        .to_string()
}

/// Loads a machine, with podman's message and exit code 125 when it does
/// not exist.
fn load(store: &MachineStore, name: &str) -> anyhow::Result<MachineConfig> {
    Ok(store.load(name)?)
}

/// An error that exits with podman's generic code and a plain message.
fn user_error(message: impl Into<String>) -> anyhow::Error {
    ExitError {
        code: crate::exit::GENERIC_ERROR,
        message: message.into(),
    }
    .into()
}
