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

    /// Show podman disk usage
    Df(SystemDfArgs),

    /// Remove unused data
    Prune(SystemPruneArgs),

    #[command(hide = true)]
    Migrate(super::RefusedArgs),

    #[command(hide = true)]
    Renumber(super::RefusedArgs),

    #[command(hide = true)]
    Reset(super::RefusedArgs),

    #[command(hide = true)]
    Service(super::RefusedArgs),
}

#[derive(Debug, Subcommand)]
pub enum ConnectionCommand {
    /// Record destination for the Podman service
    ///
    /// DESTINATION is one of: [user@]hostname (ssh), ssh://[user@]hostname[:port][/path],
    /// tcp://hostname:port (not secured), unix://path. The SSH key is the global --identity.
    Add(ConnectionAddArgs),

    /// List destination for the Podman service(s)
    #[command(visible_alias = "ls")]
    List(ConnectionListArgs),

    /// Delete named destination
    #[command(visible_alias = "rm")]
    Remove(ConnectionRemoveArgs),

    /// Rename "old" to "new"
    #[command(visible_alias = "mv")]
    Rename(ConnectionRenameArgs),

    /// Set named destination as default
    Default(ConnectionDefaultArgs),
}

#[derive(Debug, Args)]
pub struct ConnectionAddArgs {
    /// Name of the new connection
    pub name: String,

    /// Where the service listens
    pub destination: String,

    /// SSH port number for destination (default 22)
    #[arg(short = 'p', long)]
    pub port: Option<u16>,

    /// path to podman socket on remote host. (default '/run/podman/podman.sock' or '/run/user/{uid}/podman/podman.sock)
    #[arg(long)]
    pub socket_path: Option<String>,

    /// Set connection to be default
    #[arg(short = 'd', long)]
    pub default: bool,
}

#[derive(Debug, Args)]
pub struct ConnectionListArgs {
    /// Custom Go template for printing connections
    #[arg(short = 'f', long)]
    pub format: Option<String>,

    /// Print only the connection names
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ConnectionRemoveArgs {
    /// Connection to remove
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub name: Option<String>,

    /// Remove all connections
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Ignored: for Docker compatibility
    #[arg(short = 'f', long, hide = true)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ConnectionRenameArgs {
    pub old: String,
    pub new: String,
}

#[derive(Debug, Args)]
pub struct ConnectionDefaultArgs {
    pub name: String,
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

/// `system df`.
#[derive(Debug, Args)]
pub struct SystemDfArgs {
    /// Pretty-print images using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Show detailed information on disk usage
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

/// `system prune`.
#[derive(Debug, Args)]
pub struct SystemPruneArgs {
    /// Remove all unused data
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Prune volumes
    #[arg(long)]
    pub volumes: bool,
}
