//! `berth pod ...`: clap types only, with podman 4.3's flags and defaults.
//! Behaviour lives in `crate::commands::pod`.

use clap::{ArgAction, Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum PodCommand {
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

    /// Set container hostname
    #[arg(short = 'h', long)]
    pub hostname: Option<String>,

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

    /// Set metadata on container
    #[arg(short = 'l', long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,

    /// Publish a container's port, or a range of ports, to the host (default [])
    #[arg(
        short = 'p',
        long = "publish",
        value_name = "PORT",
        value_delimiter = ','
    )]
    pub publish: Vec<String>,

    /// A comma delimited list of kernel namespaces the pod will share (default "ipc,net,uts")
    #[arg(long)]
    pub share: Option<String>,

    /// Set the pod's cgroup as the cgroup parent for all containers joining the pod
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub share_parent: bool,

    /// Behaviour when the last container exits
    #[arg(long, default_value = "continue", value_parser = ["continue", "stop"])]
    pub exit_policy: String,

    /// Optional parent cgroup for the container
    #[arg(long = "cgroup-parent", value_name = "PATH")]
    pub cgroup_parent: Option<String>,

    /// CPU shares (relative weight)
    #[arg(long = "cpu-shares", value_name = "SHARES")]
    pub cpu_shares: Option<u64>,

    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long, value_name = "CPUS")]
    pub cpus: Option<f64>,

    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long = "cpuset-cpus", value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,

    /// Add a host device to the container
    #[arg(long = "device", value_name = "DEVICE", value_delimiter = ',')]
    pub devices: Vec<String>,

    /// Read in a line delimited file of labels
    #[arg(long = "label-file", value_name = "FILE", value_delimiter = ',')]
    pub label_files: Vec<String>,

    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,

    /// PID namespace to use
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,

    /// Security Options
    #[arg(long = "security-opt", value_name = "OPTION")]
    pub security_opts: Vec<String>,

    /// Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(long = "shm-size", value_name = "<number>[<unit>]")]
    pub shm_size: Option<String>,

    /// Sysctl options
    #[arg(long = "sysctl", value_name = "KEY=VALUE", value_delimiter = ',')]
    pub sysctls: Vec<String>,

    /// User namespace to use
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,

    /// UTS namespace to use
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,

    /// Bind mount a volume into the container. Volume source will be on the server machine, not the client
    #[arg(short = 'v', long = "volume", value_name = "VOLUME")]
    pub volumes: Vec<String>,

    /// Mount volumes from the specified container(s)
    #[arg(long = "volumes-from", value_name = "CONTAINER")]
    pub volumes_from: Vec<String>,

    /// Connect a container to a network
    #[arg(long = "network", value_name = "NETWORK")]
    pub networks: Vec<String>,

    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", value_name = "ALIAS", value_delimiter = ',')]
    pub network_aliases: Vec<String>,

    /// Add a custom host-to-IP mapping (host:ip) (default [])
    #[arg(long = "add-host", value_name = "HOST:IP", value_delimiter = ',')]
    pub add_hosts: Vec<String>,

    /// Set custom DNS servers
    #[arg(long = "dns", value_name = "IP", value_delimiter = ',')]
    pub dns: Vec<String>,

    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "DOMAIN", value_delimiter = ',')]
    pub dns_search: Vec<String>,

    /// Set custom DNS options
    #[arg(long = "dns-option", value_name = "OPTION", value_delimiter = ',')]
    pub dns_options: Vec<String>,

    /// Do not create /etc/hosts within the container, instead use the version from the image
    #[arg(long)]
    pub no_hosts: bool,

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
pub struct PodPsArgs {
    /// Display the container names
    #[arg(long)]
    pub ctr_names: bool,

    /// Display the container UUIDs. If no-trunc is not set they will be truncated
    #[arg(long)]
    pub ctr_ids: bool,

    /// Display the container status
    #[arg(long)]
    pub ctr_status: bool,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Pretty-print pods to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,

    /// Display namespace information of the pod
    #[arg(long = "ns")]
    pub namespace: bool,

    /// Do not truncate pod and container IDs
    #[arg(long)]
    pub no_trunc: bool,

    /// Print the numeric IDs of the pods only
    #[arg(short = 'q', long)]
    pub quiet: bool,

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
