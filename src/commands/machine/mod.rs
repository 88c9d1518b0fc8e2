//! `berth machine ...`: the VM lifecycle, wiring berth-images and berth-machine.

mod image;

use crate::cli::machine::MachineCommand;
use crate::cli::GlobalArgs;

pub async fn run(_global: &GlobalArgs, command: MachineCommand) -> anyhow::Result<u8> {
    match command {
        MachineCommand::List => {
            anyhow::bail!("berth machine list is not implemented yet")
        }
        MachineCommand::Image(command) => image::run(command).await,
    }
}
