//! `berth machine ...`: clap types for the VM lifecycle commands.

pub mod image;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// List machines
    #[command(visible_alias = "ls")]
    List,

    /// Manage cached machine base images
    #[command(subcommand)]
    Image(image::MachineImageCommand),
}
