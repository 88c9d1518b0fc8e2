//! `berth system ...`: clap types for connections and engine-wide commands.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum SystemCommand {
    /// Manage remote API service destinations
    #[command(subcommand)]
    Connection(ConnectionCommand),

    /// Display the Podman version information
    Version(VersionArgs),

    /// Display podman system information
    Info(InfoArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// List destination for the Podman service(s)
    #[command(visible_alias = "ls")]
    List,
}

/// `version` / `system version`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

/// `info` / `system info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Change the output format to JSON or a Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,

    /// Show additional information
    #[arg(short = 'D', long)]
    pub debug: bool,
}
