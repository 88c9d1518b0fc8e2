//! `berth system ...`: clap types for connections and engine-wide commands.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Manage remote API service destinations
    #[command(subcommand)]
    Connection(ConnectionCommand),
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// List destination for the Podman service(s)
    #[command(visible_alias = "ls")]
    List,
}
