//! `berth machine image ...`: list and prune the base-image cache.

use crate::cli::machine::image::MachineImageCommand;

pub async fn run(command: MachineImageCommand) -> anyhow::Result<u8> {
    match command {
        MachineImageCommand::List => {
            anyhow::bail!("berth machine image list is not implemented yet")
        }
    }
}
