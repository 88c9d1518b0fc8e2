//! The command line, as clap derive types only: global flags and every command
//! tree. Behaviour lives in `crate::commands`, one file per verb.

pub mod machine;
pub mod system;

use clap::{Parser, Subcommand};

/// Manage pods, containers and images on a podman engine, local or in a berth machine.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version,
    disable_version_flag = true,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// podman's global flags for a remote client.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// Connection to use for remote podman service (CONTAINER_CONNECTION)
    #[arg(short = 'c', long, global = true)]
    pub connection: Option<String>,

    /// URL to access podman service (CONTAINER_HOST)
    #[arg(long, global = true)]
    pub url: Option<String>,

    /// path to ssh identity file (CONTAINER_SSHKEY)
    #[arg(long, global = true)]
    pub identity: Option<String>,

    /// Access remote podman service (always on: berth is a remote client)
    #[arg(short = 'r', long, global = true)]
    pub remote: bool,

    /// Log messages above specified level (trace, debug, info, warn, error, fatal, panic)
    #[arg(long, global = true, default_value = "warn")]
    pub log_level: String,

    /// Print the version
    #[arg(short = 'v', long, action = clap::ArgAction::Version)]
    pub version: Option<bool>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Manage virtual machines
    #[command(subcommand)]
    Machine(machine::MachineCommand),

    /// Manage podman
    #[command(subcommand)]
    System(system::SystemCommand),

    /// Display the Podman version information
    Version(system::VersionArgs),

    /// Display podman system information
    Info(system::InfoArgs),
}
