//! `berth machine ...`: clap types for the VM lifecycle commands.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// List machines
    #[command(visible_alias = "ls")]
    List,
}
