//! `berth machine ...`: clap types for the VM lifecycle commands, with
//! podman machine's flags.

pub mod image;

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum MachineCommand {
    /// Initialize a virtual machine
    Init(InitArgs),

    /// Start an existing machine
    Start(StartArgs),

    /// Stop an existing machine
    Stop(StopArgs),

    /// List machines
    #[command(visible_alias = "ls")]
    List(ListArgs),

    /// Inspect an existing machine
    Inspect(InspectArgs),

    /// SSH into an existing machine
    Ssh(SshArgs),

    /// Remove an existing machine
    #[command(visible_alias = "remove")]
    Rm(RmArgs),

    /// Display machine host info
    Info(InfoArgs),

    /// Set a virtual machine setting
    Set(SetArgs),

    /// Remove all machines and berth's machine data
    Reset(ResetArgs),

    /// Securely copy contents between the virtual machine and the host
    Cp(CpArgs),

    /// Manage cached machine base images
    #[command(subcommand)]
    Image(image::MachineImageCommand),

    /// Run a machine's host agent (started by `berth machine start`)
    #[command(hide = true)]
    Agent(AgentArgs),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Name of the machine
    pub name: Option<String>,

    /// Number of CPUs (default: half of the host's, at least 1)
    #[arg(long)]
    pub cpus: Option<u32>,

    /// Memory in MiB
    #[arg(short = 'm', long, default_value_t = 2048)]
    pub memory: u64,

    /// Disk size in GiB
    #[arg(long, default_value_t = 100)]
    pub disk_size: u64,

    /// Bootable image: stream:stable|testing|next, a URL, a local path or docker://REF
    #[arg(long, alias = "image-path", default_value = "stream:stable")]
    pub image: String,

    /// Volumes to mount, HOST:GUEST[:ro] (default: your home directory; -v "" for none)
    #[arg(short = 'v', long = "volume")]
    pub volumes: Vec<String>,

    /// Run containers as root in the machine (the default connection is NAME-root)
    #[arg(long)]
    pub rootful: bool,

    /// Username of the guest user
    #[arg(long, default_value = "core")]
    pub username: String,

    /// Time zone of the machine: "local" for the host's, or a name like Europe/Berlin
    #[arg(long, default_value = "local")]
    pub timezone: String,

    /// Start the machine right after initializing it
    #[arg(long)]
    pub now: bool,

    /// Use this Ignition file instead of generating one
    #[arg(long)]
    pub ignition_path: Option<String>,
}

#[derive(Debug, Args)]
pub struct StartArgs {
    /// Name of the machine
    pub name: Option<String>,

    /// Suppress the socket and DOCKER_HOST information
    #[arg(long)]
    pub no_info: bool,

    /// Suppress progress output
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Also link /var/run/docker.sock to the default machine (needs write access to /var/run)
    #[arg(long)]
    pub system_docker_socket: bool,
}

#[derive(Debug, Args)]
pub struct StopArgs {
    /// Name of the machine
    pub name: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Format the output with a Go template or json
    #[arg(long)]
    pub format: Option<String>,

    /// Do not print headers
    #[arg(short = 'n', long)]
    pub noheading: bool,

    /// Show only machine names
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Accepted for podman compatibility (berth has one provider)
    #[arg(long, hide = true)]
    pub all_providers: bool,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Machines to inspect (default: the default machine)
    pub names: Vec<String>,

    /// Format the output with a Go template
    #[arg(long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct SshArgs {
    /// Machine name and/or command to run; without a command, a login shell
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,

    /// Log in as this user (default: the machine's user, or root when rootful)
    #[arg(long)]
    pub username: Option<String>,
}

#[derive(Debug, Args)]
pub struct RmArgs {
    /// Name of the machine
    pub name: Option<String>,

    /// Stop the machine if it is running, and do not ask
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Keep the machine's disk image
    #[arg(long)]
    pub save_image: bool,

    /// Keep the machine's Ignition file
    #[arg(long)]
    pub save_ignition: bool,
}

#[derive(Debug, Args)]
pub struct SetArgs {
    /// Name of the machine
    pub name: Option<String>,

    /// Number of CPUs
    #[arg(long)]
    pub cpus: Option<u32>,

    /// Memory in MiB
    #[arg(short = 'm', long)]
    pub memory: Option<u64>,

    /// Disk size in GiB (it can only grow)
    #[arg(long)]
    pub disk_size: Option<u64>,

    /// Whether containers run as root (switches the default connection)
    #[arg(long, num_args = 0..=1, default_missing_value = "true", require_equals = true)]
    pub rootful: Option<bool>,
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Do not prompt before removing
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct CpArgs {
    /// Where to copy from: a host path or MACHINE:PATH
    pub source: String,

    /// Where to copy to: a host path or MACHINE:PATH
    pub destination: String,

    /// Suppress copy status output
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct InfoArgs {
    /// Format the output with a Go template or json
    #[arg(short = 'f', long)]
    pub format: Option<String>,
}

#[derive(Debug, Args)]
pub struct AgentArgs {
    /// Name of the machine
    pub name: String,

    /// Also write events to stdout (for `start`, which follows them)
    #[arg(long)]
    pub events_stdout: bool,
}
