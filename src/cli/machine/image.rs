//! `berth machine image ...`: clap types for the base-image cache.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum MachineImageCommand {
    /// List cached base images
    #[command(visible_alias = "ls")]
    List,
}
