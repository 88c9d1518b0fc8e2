//! `berth pod ...`: clap types only, with podman 4.3's flags and defaults.
//! Behaviour lives in `crate::commands::pod`.

use clap::{ArgAction, Args, Subcommand};

use super::checkpoint::PodCloneArgs;
use super::container::SharedCreateFlags;

#[derive(Debug, Subcommand)]
pub enum PodCommand {
    /// Clone an existing pod
    Clone(Box<PodCloneArgs>),

    /// Create a new empty pod
    Create(Box<PodCreateArgs>),

    /// Check if a pod exists in local storage
    Exists(PodExistsArgs),

    /// Displays a pod configuration
    Inspect(PodInspectArgs),

    /// Send the specified signal or SIGKILL to containers in pod
    Kill(PodKillArgs),

    /// Fetch logs for pod with one or more containers
    Logs(PodLogsArgs),

    /// Pause one or more pods
    Pause(PodSelectArgs),

    /// Remove all stopped pods and their containers
    Prune(PodPruneArgs),

    /// List pods
    #[command(visible_aliases = ["ls", "list"])]
    Ps(PodPsArgs),

    /// Restart one or more pods
    Restart(PodSelectArgs),

    /// Remove one or more pods
    Rm(PodRmArgs),

    /// Start one or more pods
    Start(PodStartArgs),

    /// Display a live stream of resource usage statistics for the containers in one or more pods
    Stats(PodStatsArgs),

    /// Stop one or more pods
    Stop(PodStopArgs),

    /// Display the running processes of containers in a pod
    Top(PodTopArgs),

    /// Unpause one or more pods
    Unpause(PodSelectArgs),
}

/// `pod create [options] [NAME]`. As in podman, flags end at the name.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct PodCreateArgs {
    /// Assign a name to the pod
    #[arg(short = 'n', long)]
    pub name: Option<String>,

    /// Resources, namespaces, networking and storage, as `run` and `create` take them
    #[command(flatten)]
    pub shared: SharedCreateFlags,

    /// Create an infra container associated with the pod to share namespaces with (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub infra: Option<bool>,

    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "COMMAND")]
    pub infra_command: Option<String>,

    /// Path to the file that will receive the PID of conmon
    #[arg(long, value_name = "FILE")]
    pub infra_conmon_pidfile: Option<String>,

    /// Image to use to override builtin infra container
    #[arg(long, value_name = "IMAGE")]
    pub infra_image: Option<String>,

    /// Assign a name to the container
    #[arg(long, value_name = "NAME")]
    pub infra_name: Option<String>,

    /// A comma delimited list of kernel namespaces the pod will share (default "ipc,net,uts")
    #[arg(long)]
    pub share: Option<String>,

    /// Set the pod's cgroup as the cgroup parent for all containers joining the pod
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub share_parent: bool,

    /// Behaviour when the last container exits
    #[arg(long, default_value = "continue", value_parser = ["continue", "stop"])]
    pub exit_policy: String,

    /// Write the pod ID to the file
    #[arg(long, value_name = "FILE")]
    pub pod_id_file: Option<String>,

    /// If a pod with the same name exists, replace it
    #[arg(long)]
    pub replace: bool,

    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// The pod's name; anything after it is an error, as in podman
    #[arg(value_name = "NAME", num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PodExistsArgs {
    #[arg(value_name = "POD")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct PodInspectArgs {
    #[arg(value_name = "POD", required = true)]
    pub names: Vec<String>,

    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
}

/// Pods named, or all of them.
#[derive(Debug, Args)]
pub struct PodSelectArgs {
    #[arg(value_name = "POD")]
    pub names: Vec<String>,

    /// Act on all pods
    #[arg(short = 'a', long)]
    pub all: bool,
}

#[derive(Debug, Args)]
pub struct PodKillArgs {
    #[command(flatten)]
    pub select: PodSelectArgs,

    /// Signal to send to the containers in the pod
    #[arg(short = 's', long, default_value = "KILL")]
    pub signal: String,
}

#[derive(Debug, Args)]
pub struct PodStartArgs {
    #[command(flatten)]
    pub select: PodSelectArgs,

    /// Read the pod ID from the file
    #[arg(long = "pod-id-file", value_name = "FILE")]
    pub pod_id_files: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PodStopArgs {
    #[command(flatten)]
    pub select: PodSelectArgs,

    /// Read the pod ID from the file
    #[arg(long = "pod-id-file", value_name = "FILE")]
    pub pod_id_files: Vec<String>,

    /// Seconds to wait for pod stop before killing the container
    #[arg(short = 't', long, value_name = "SECONDS")]
    pub time: Option<u32>,

    /// Ignore errors when a specified pod is missing
    #[arg(short = 'i', long, hide = true)]
    pub ignore: bool,
}

#[derive(Debug, Args)]
pub struct PodRmArgs {
    #[command(flatten)]
    pub select: PodSelectArgs,

    /// Force removal of a running pod by first stopping all containers, then removing all containers in the pod.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Ignore errors when a specified pod is missing
    #[arg(short = 'i', long, hide = true)]
    pub ignore: bool,

    /// Read the pod ID from the file
    #[arg(long = "pod-id-file", value_name = "FILE")]
    pub pod_id_files: Vec<String>,

    /// Seconds to wait for pod stop before killing the container
    #[arg(short = 't', long, value_name = "SECONDS")]
    pub time: Option<u32>,
}

#[derive(Debug, Args)]
pub struct PodPruneArgs {
    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("filters", |arg| arg.help("Filter output based on conditions given")),
    mut_arg("format", |arg| arg.help("Pretty-print pods to JSON or using a Go template")),
    mut_arg("quiet", |arg| arg.help("Print the numeric IDs of the pods only"))
)]
pub struct PodPsArgs {
    #[command(flatten)]
    pub list: super::list::ListArgs,

    /// Display the container names
    #[arg(long)]
    pub ctr_names: bool,

    /// Display the container UUIDs. If no-trunc is not set they will be truncated
    #[arg(long)]
    pub ctr_ids: bool,

    /// Display the container status
    #[arg(long)]
    pub ctr_status: bool,

    /// Display namespace information of the pod
    #[arg(long = "ns")]
    pub namespace: bool,

    /// Do not truncate pod and container IDs
    #[arg(long)]
    pub no_trunc: bool,

    /// Sort output by created, id, name, or number
    #[arg(long, default_value = "created")]
    pub sort: String,
}

#[derive(Debug, Args)]
pub struct PodStatsArgs {
    #[arg(value_name = "POD")]
    pub names: Vec<String>,

    /// Provide stats for all pods
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Pretty-print container statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Disable resetting the screen when streaming
    #[arg(long)]
    pub no_reset: bool,

    /// Disable streaming stats and only pull the first result
    #[arg(long)]
    pub no_stream: bool,
}

/// `pod logs [options] POD`. As in podman, flags end at the pod.
#[derive(Debug, Args)]
pub struct PodLogsArgs {
    /// Output the containers within a pod with different colors in the log
    #[arg(long)]
    pub color: bool,

    /// Filter logs by container name or id which belongs to pod (`-c`
    /// after `logs` means this, as in podman, not `--connection`)
    #[arg(long, value_name = "CONTAINER")]
    pub container: Option<String>,

    /// Follow log output.
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Output container names instead of container IDs in the log
    #[arg(short = 'n', long)]
    pub names: bool,

    /// Show logs since TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,

    /// Output the specified number of LINES at the end of the logs.
    #[arg(long, default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,

    /// Output the timestamps in the log
    #[arg(short = 't', long)]
    pub timestamps: bool,

    /// Show logs until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,

    #[arg(value_name = "POD", num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}

/// `pod top POD [DESCRIPTOR...]`.
#[derive(Debug, Args)]
pub struct PodTopArgs {
    #[arg(value_name = "POD [FORMAT-DESCRIPTORS|ARGS...]", num_args = 0.., trailing_var_arg = true, allow_hyphen_values = true)]
    pub args: Vec<String>,
}
