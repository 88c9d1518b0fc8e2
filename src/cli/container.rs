//! `berth container ...` and its top-level spellings (`run`, `ps`, `rm`,
//! ...): clap types only, with podman 4.3's flags, short options and
//! defaults. Behaviour lives in `crate::commands::container`.

use clap::{ArgAction, Args, Subcommand};

use super::archive::{CommitArgs, CpArgs, DiffArgs, ExportArgs};
use super::checkpoint::{CheckpointArgs, ContainerCloneArgs, RestoreArgs};
use super::housekeeping::{InitArgs, PauseArgs, RenameArgs, StatsArgs, UpdateArgs};

#[derive(Debug, Subcommand)]
pub enum ContainerCommand {
    /// Attach to a running container
    Attach(AttachArgs),

    /// Checkpoints one or more containers
    Checkpoint(CheckpointArgs),

    /// Clone an existing container
    Clone(ContainerCloneArgs),

    /// Create new image based on the changed container
    Commit(CommitArgs),

    /// Copy files/folders between a container and the local filesystem
    Cp(CpArgs),

    /// Create but do not start a container
    Create(CreateArgs),

    /// Inspect changes to the container's file systems
    Diff(DiffArgs),

    /// Run a process in a running container
    Exec(ExecArgs),

    /// Check if a container exists in local storage
    Exists(ContainerExistsArgs),

    /// Export container's filesystem contents as a tar archive
    Export(ExportArgs),

    /// Initialize one or more containers
    Init(InitArgs),

    /// Display the configuration of a container
    Inspect(ContainerInspectArgs),

    /// Kill one or more running containers with a specific signal
    Kill(KillArgs),

    /// List containers
    #[command(visible_aliases = ["ls", "ps"])]
    List(PsArgs),

    /// Fetch the logs of one or more containers
    Logs(LogsArgs),

    /// Pause all the processes in one or more containers
    Pause(PauseArgs),

    /// List port mappings or a specific mapping for the container
    Port(PortArgs),

    /// Remove all non running containers
    Prune(ContainerPruneArgs),

    /// Rename an existing container
    Rename(RenameArgs),

    /// Restart one or more containers
    Restart(RestartArgs),

    /// Restores one or more containers from a checkpoint
    Restore(RestoreArgs),

    /// Remove one or more containers
    Rm(RmArgs),

    /// Run a command in a new container
    Run(RunArgs),

    /// Start one or more containers
    Start(StartArgs),

    /// Display a live stream of container resource usage statistics
    Stats(StatsArgs),

    /// Stop one or more containers
    Stop(StopArgs),

    /// Display the running processes of a container
    Top(TopArgs),

    /// Unpause the processes in one or more containers
    Unpause(PauseArgs),

    /// update an existing container
    Update(UpdateArgs),

    /// Block on one or more containers
    Wait(WaitArgs),

    #[command(hide = true)]
    Cleanup(super::RefusedArgs),

    #[command(hide = true)]
    Mount(super::RefusedArgs),

    #[command(hide = true)]
    Runlabel(super::RefusedArgs),

    #[command(hide = true, alias = "umount")]
    Unmount(super::RefusedArgs),
}

/// `ps` / `container list`.
#[derive(Debug, Args)]
pub struct PsArgs {
    /// Show all the containers, default is only running containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Pretty-print containers to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Print the n last created containers (all states)
    #[arg(short = 'n', long, default_value_t = -1, allow_negative_numbers = true)]
    pub last: i64,

    /// Display the extended information
    #[arg(long)]
    pub no_trunc: bool,

    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,

    /// Print the ID and name of the pod the containers are associated with
    #[arg(short = 'p', long)]
    pub pod: bool,

    /// Print the numeric IDs of the containers only
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Display the total file sizes
    #[arg(short = 's', long)]
    pub size: bool,

    /// Sort output by: command, created, id, image, names, runningfor, size, status
    #[arg(long, default_value = "created", value_parser = ["command", "created", "id", "image", "names", "runningfor", "size", "status"])]
    pub sort: String,
}

/// The flags `run` and `create` share: how the container is made.
#[derive(Debug, Args, Default)]
pub struct CreateFlags {
    /// Resources, namespaces, networking and storage (shared with `pod create`)
    #[command(flatten)]
    pub shared: SharedCreateFlags,

    /// Add annotations to container (key=value)
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotation: Vec<String>,

    /// use ARCH instead of the architecture of the machine for choosing images
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// Attach to STDIN, STDOUT or STDERR
    #[arg(
        short = 'a',
        long = "attach",
        value_name = "STREAM",
        value_delimiter = ','
    )]
    pub attach: Vec<String>,

    /// Add capabilities to the container
    #[arg(long = "cap-add", value_name = "CAP", value_delimiter = ',')]
    pub cap_add: Vec<String>,

    /// Drop capabilities from the container
    #[arg(long = "cap-drop", value_name = "CAP", value_delimiter = ',')]
    pub cap_drop: Vec<String>,

    /// Write the container ID to the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Option<String>,

    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "ENTRYPOINT", allow_hyphen_values = true)]
    pub entrypoint: Option<String>,

    /// Set environment variables in container
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "FILE", value_delimiter = ',')]
    pub env_file: Vec<String>,

    /// Expose a port or a range of ports
    #[arg(long = "expose", value_name = "PORT", value_delimiter = ',')]
    pub expose: Vec<String>,

    /// Add additional groups to the primary container process
    #[arg(long = "group-add", value_name = "GROUP", value_delimiter = ',')]
    pub group_add: Vec<String>,

    /// Run an init binary inside the container that forwards signals and reaps processes
    #[arg(long)]
    pub init: bool,

    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,

    /// IPC namespace to use
    #[arg(long, value_name = "MODE")]
    pub ipc: Option<String>,

    /// Logging driver for the container
    #[arg(long = "log-driver", value_name = "DRIVER")]
    pub log_driver: Option<String>,

    /// Logging driver options
    #[arg(long = "log-opt", value_name = "OPTION", value_delimiter = ',')]
    pub log_opt: Vec<String>,

    /// Attach a filesystem mount to the container
    #[arg(long = "mount", value_name = "MOUNT")]
    pub mount: Vec<String>,

    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,

    /// use OS instead of the running OS for choosing images
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// Tune container pids limit (set -1 for unlimited)
    #[arg(
        long = "pids-limit",
        value_name = "LIMIT",
        allow_negative_numbers = true
    )]
    pub pids_limit: Option<i64>,

    /// Specify the platform for selecting the image.  (Conflicts with --arch and --os)
    #[arg(long, value_name = "OS/ARCH", conflicts_with_all = ["arch", "os"])]
    pub platform: Option<String>,

    /// Run container in an existing pod
    #[arg(long, value_name = "POD")]
    pub pod: Option<String>,

    /// Give extended privileges to container
    #[arg(long)]
    pub privileged: bool,

    /// Publish all exposed ports to random ports on the host interface
    #[arg(short = 'P', long = "publish-all")]
    pub publish_all: bool,

    /// Pull image policy
    #[arg(long, value_name = "POLICY", default_value = "missing", value_parser = ["always", "missing", "never", "newer"])]
    pub pull: String,

    /// Suppress output information when pulling images
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Make containers root filesystem read-only
    #[arg(long = "read-only")]
    pub read_only: bool,

    /// If a container with the same name exists, replace it
    #[arg(long)]
    pub replace: bool,

    /// Restart policy to apply when a container exits ("always"|"no"|"on-failure"|"unless-stopped")
    #[arg(long, value_name = "POLICY")]
    pub restart: Option<String>,

    /// Remove container (and pod if created) after exit
    #[arg(long)]
    pub rm: bool,

    /// Signal to stop a container. Default is SIGTERM
    #[arg(long = "stop-signal", value_name = "SIGNAL")]
    pub stop_signal: Option<String>,

    /// Timeout (in seconds) that containers stopped by user command have to exit. If exceeded, the container will be forcibly stopped via SIGKILL.
    #[arg(long = "stop-timeout", value_name = "SECONDS")]
    pub stop_timeout: Option<u64>,

    /// Run container in systemd mode ("true"|"false"|"always")
    #[arg(long, value_name = "MODE", value_parser = ["true", "false", "always"])]
    pub systemd: Option<String>,

    /// Maximum length of time a container is allowed to run. The container will be killed automatically after the time expires.
    #[arg(long, value_name = "SECONDS")]
    pub timeout: Option<u64>,

    /// Require HTTPS and verify certificates when contacting registries for pulling images
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// Mount a temporary filesystem (tmpfs) into a container
    #[arg(long = "tmpfs", value_name = "TMPFS")]
    pub tmpfs: Vec<String>,

    /// Allocate a pseudo-TTY for container
    #[arg(short = 't', long)]
    pub tty: bool,

    /// Set timezone in container
    #[arg(long, value_name = "TZ")]
    pub tz: Option<String>,

    /// Ulimit options
    #[arg(long = "ulimit", value_name = "ULIMIT", value_delimiter = ',')]
    pub ulimit: Vec<String>,

    /// Set umask in container
    #[arg(long, value_name = "UMASK")]
    pub umask: Option<String>,

    /// Unset environment default variables in container
    #[arg(long = "unsetenv", value_name = "KEY")]
    pub unsetenv: Vec<String>,

    /// Unset all default environment variables in container
    #[arg(long = "unsetenv-all")]
    pub unsetenv_all: bool,

    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long, value_name = "USER")]
    pub user: Option<String>,

    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    /// Working directory inside the container
    #[arg(short = 'w', long, value_name = "DIR")]
    pub workdir: Option<String>,
}

/// The flags `run`, `create` and `pod create` share. `pod create` sends
/// them the way podman's client does: through its infra container's spec.
#[derive(Debug, Args, Default, Clone)]
pub struct SharedCreateFlags {
    /// Add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "HOST:IP", value_delimiter = ',')]
    pub add_host: Vec<String>,

    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long = "blkio-weight", value_name = "WEIGHT")]
    pub blkio_weight: Option<u16>,

    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)
    #[arg(long = "blkio-weight-device", value_name = "DEVICE_NAME:WEIGHT")]
    pub blkio_weight_device: Vec<String>,

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

    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long = "cpuset-mems", value_name = "MEMS")]
    pub cpuset_mems: Option<String>,

    /// Add a host device to the container
    #[arg(long = "device", value_name = "DEVICE", value_delimiter = ',')]
    pub device: Vec<String>,

    /// Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)
    #[arg(
        long = "device-read-bps",
        value_name = "DEVICE:RATE",
        value_delimiter = ','
    )]
    pub device_read_bps: Vec<String>,

    /// Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)
    #[arg(
        long = "device-write-bps",
        value_name = "DEVICE:RATE",
        value_delimiter = ','
    )]
    pub device_write_bps: Vec<String>,

    /// Set custom DNS servers
    #[arg(long = "dns", value_name = "IP", value_delimiter = ',')]
    pub dns: Vec<String>,

    /// Set custom DNS options
    #[arg(long = "dns-option", value_name = "OPTION", value_delimiter = ',')]
    pub dns_option: Vec<String>,

    /// Set custom DNS search domains
    #[arg(long = "dns-search", value_name = "DOMAIN", value_delimiter = ',')]
    pub dns_search: Vec<String>,

    /// GID map to use for the user namespace
    #[arg(
        long = "gidmap",
        value_name = "CONTAINER_GID:HOST_GID:AMOUNT",
        value_delimiter = ','
    )]
    pub gidmap: Vec<String>,

    /// Set container hostname
    #[arg(short = 'h', long, value_name = "NAME")]
    pub hostname: Option<String>,

    /// Specify a static IPv4 address for the container
    #[arg(long, value_name = "IPV4")]
    pub ip: Option<String>,

    /// Specify a static IPv6 address for the container
    #[arg(long, value_name = "IPV6")]
    pub ip6: Option<String>,

    /// Set metadata on container
    #[arg(short = 'l', long = "label", value_name = "KEY=VALUE")]
    pub label: Vec<String>,

    /// Read in a line delimited file of labels
    #[arg(long = "label-file", value_name = "FILE", value_delimiter = ',')]
    pub label_file: Vec<String>,

    /// Container MAC address (e.g. 92:d0:c6:0a:29:33)
    #[arg(long = "mac-address", value_name = "MAC")]
    pub mac_address: Option<String>,

    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,

    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(
        long = "memory-swap",
        value_name = "<number>[<unit>]",
        allow_hyphen_values = true
    )]
    pub memory_swap: Option<String>,

    /// Connect a container to a network
    #[arg(long = "network", alias = "net", value_name = "MODE")]
    pub network: Vec<String>,

    /// Add network-scoped alias for the container
    #[arg(long = "network-alias", value_name = "ALIAS", value_delimiter = ',')]
    pub network_alias: Vec<String>,

    /// Do not create /etc/hosts within the container, instead use the version from the image
    #[arg(long)]
    pub no_hosts: bool,

    /// PID namespace to use
    #[arg(long, value_name = "MODE")]
    pub pid: Option<String>,

    /// Publish a container's port, or a range of ports, to the host
    #[arg(
        short = 'p',
        long = "publish",
        value_name = "PORTS",
        value_delimiter = ','
    )]
    pub publish: Vec<String>,

    /// Security Options
    #[arg(long = "security-opt", value_name = "OPTION")]
    pub security_opt: Vec<String>,

    /// Size of /dev/shm (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(long = "shm-size", value_name = "<number>[<unit>]")]
    pub shm_size: Option<String>,

    /// Name of range listed in /etc/subgid for use in user namespace
    #[arg(long, value_name = "NAME")]
    pub subgidname: Option<String>,

    /// Name of range listed in /etc/subuid for use in user namespace
    #[arg(long, value_name = "NAME")]
    pub subuidname: Option<String>,

    /// Sysctl options
    #[arg(long = "sysctl", value_name = "KEY=VALUE", value_delimiter = ',')]
    pub sysctl: Vec<String>,

    /// UID map to use for the user namespace
    #[arg(
        long = "uidmap",
        value_name = "CONTAINER_UID:HOST_UID:AMOUNT",
        value_delimiter = ','
    )]
    pub uidmap: Vec<String>,

    /// User namespace to use
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,

    /// UTS namespace to use
    #[arg(long, value_name = "MODE")]
    pub uts: Option<String>,

    /// Bind mount a volume into the container. Volume source will be on the server machine, not the client
    #[arg(short = 'v', long = "volume", value_name = "VOLUME")]
    pub volume: Vec<String>,

    /// Mount volumes from the specified container(s)
    #[arg(long = "volumes-from", value_name = "CONTAINER")]
    pub volumes_from: Vec<String>,
}

/// `container exists CONTAINER`.
#[derive(Debug, Args)]
pub struct ContainerExistsArgs {
    /// Check external storage containers as well as Podman containers
    #[arg(long)]
    pub external: bool,

    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `create IMAGE [COMMAND [ARG...]]`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct CreateArgs {
    #[command(flatten)]
    pub flags: CreateFlags,

    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// The image, then the command and its arguments (default: the
    /// image's); flags after the image belong to the command
    #[arg(
        value_name = "IMAGE [COMMAND [ARG...]]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true
    )]
    pub args: Vec<String>,
}

/// `run IMAGE [COMMAND [ARG...]]`.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct RunArgs {
    #[command(flatten)]
    pub flags: CreateFlags,

    /// Run container in background and print container ID
    #[arg(short = 'd', long)]
    pub detach: bool,

    /// Override the key sequence for detaching a container. Format is a single character [a-Z] or a comma separated sequence of `ctrl-<value>`, where `<value>` is one of: `a-cf`, `@`, `^`, `[`, `\`, `]`, `^` or `_`
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,

    /// Proxy received signals to the process
    #[arg(long = "sig-proxy", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub sig_proxy: bool,

    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// The image, then the command and its arguments (default: the
    /// image's); flags after the image belong to the command
    #[arg(
        value_name = "IMAGE [COMMAND [ARG...]]",
        required = true,
        num_args = 1..,
        trailing_var_arg = true
    )]
    pub args: Vec<String>,
}

/// `start CONTAINER...`.
#[derive(Debug, Args)]
pub struct StartArgs {
    /// Start all containers regardless of their state or configuration
    #[arg(long)]
    pub all: bool,

    /// Attach container's STDOUT and STDERR
    #[arg(short = 'a', long)]
    pub attach: bool,

    /// Select the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,

    /// Proxy received signals to the process (default true if attaching, false otherwise)
    #[arg(long = "sig-proxy", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub sig_proxy: Option<bool>,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `stop [-t N] CONTAINER...`.
#[derive(Debug, Args)]
pub struct StopArgs {
    /// Stop all running containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Seconds to wait for stop before killing the container
    #[arg(
        short = 't',
        long = "time",
        value_name = "SECONDS",
        default_value_t = 10
    )]
    pub time: u32,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `restart CONTAINER...`.
#[derive(Debug, Args)]
pub struct RestartArgs {
    /// Restart all non-running containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Restart only running containers
    #[arg(long)]
    pub running: bool,

    /// Seconds to wait for stop before killing the container
    #[arg(
        short = 't',
        long = "time",
        value_name = "SECONDS",
        default_value_t = 10
    )]
    pub time: u32,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `kill [-s SIGNAL] CONTAINER...`.
#[derive(Debug, Args)]
pub struct KillArgs {
    /// Signal all running containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Read the container ID from the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Vec<String>,

    /// Signal to send to the container
    #[arg(short = 's', long, value_name = "SIGNAL", default_value = "KILL")]
    pub signal: String,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `rm [-f] [-a] [-v] CONTAINER...`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Remove all containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Read the container ID from the file
    #[arg(long, value_name = "FILE")]
    pub cidfile: Vec<String>,

    /// Remove container and all containers that depend on the selected container
    #[arg(long)]
    pub depend: bool,

    /// Filter output based on conditions given
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Force removal of a running or unusable container
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Ignore errors when a specified container is missing
    #[arg(short = 'i', long)]
    pub ignore: bool,

    /// Seconds to wait for stop before killing the container
    #[arg(short = 't', long = "time", value_name = "SECONDS")]
    pub time: Option<u32>,

    /// Remove anonymous volumes associated with the container
    #[arg(short = 'v', long)]
    pub volumes: bool,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `logs CONTAINER`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Follow log output.  The default is false
    #[arg(short = 'f', long)]
    pub follow: bool,

    /// Output the container name in the log
    #[arg(short = 'n', long)]
    pub names: bool,

    /// Show logs since TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,

    /// Output the specified number of LINES at the end of the logs.  Defaults to -1, which prints all lines
    #[arg(long, value_name = "LINES", default_value_t = -1, allow_negative_numbers = true)]
    pub tail: i64,

    /// Output the timestamps in the log
    #[arg(short = 't', long)]
    pub timestamps: bool,

    /// Show logs until TIMESTAMP
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,

    #[arg(value_name = "CONTAINER", required = true, num_args = 1)]
    pub container: String,
}

/// `exec CONTAINER COMMAND [ARG...]`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Run the exec session in detached mode (backgrounded)
    #[arg(short = 'd', long)]
    pub detach: bool,

    /// Select the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,

    /// Set environment variables
    #[arg(short = 'e', long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// Read in a file of environment variables
    #[arg(long = "env-file", value_name = "FILE", value_delimiter = ',')]
    pub env_file: Vec<String>,

    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    pub interactive: bool,

    /// Give the process extended Linux capabilities inside the container.  The default is false
    #[arg(long)]
    pub privileged: bool,

    /// Allocate a pseudo-TTY. The default is false
    #[arg(short = 't', long)]
    pub tty: bool,

    /// Sets the username or UID used and optionally the groupname or GID for the specified command
    #[arg(short = 'u', long, value_name = "USER")]
    pub user: Option<String>,

    /// Working directory inside the container
    #[arg(short = 'w', long, value_name = "DIR")]
    pub workdir: Option<String>,

    /// The container, then the command and its arguments; flags after the
    /// container belong to the command
    #[arg(value_name = "CONTAINER COMMAND [ARG...]", num_args = 1.., trailing_var_arg = true)]
    pub args: Vec<String>,
}

/// `attach CONTAINER`.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Select the key sequence for detaching a container
    #[arg(
        long = "detach-keys",
        value_name = "KEYS",
        default_value = "ctrl-p,ctrl-q"
    )]
    pub detach_keys: String,

    /// Do not attach STDIN. The default is false
    #[arg(long = "no-stdin")]
    pub no_stdin: bool,

    /// Proxy received signals to the process
    #[arg(long = "sig-proxy", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub sig_proxy: bool,

    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `container inspect CONTAINER...`.
#[derive(Debug, Args)]
pub struct ContainerInspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,

    /// Display total file size
    #[arg(short = 's', long)]
    pub size: bool,

    #[arg(value_name = "CONTAINER", required = true)]
    pub names: Vec<String>,
}

/// `inspect [--type T] NAME...`: containers, images, or whatever matches.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,

    /// Display total file size
    #[arg(short = 's', long)]
    pub size: bool,

    /// Specify inspect-object type
    #[arg(short = 't', long = "type", default_value = "all", value_name = "TYPE")]
    pub kind: String,

    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

/// `wait CONTAINER...`.
#[derive(Debug, Args)]
pub struct WaitArgs {
    /// Condition to wait on
    #[arg(long = "condition", value_name = "CONDITION", value_delimiter = ',')]
    pub conditions: Vec<String>,

    /// Time Interval to wait before polling for completion
    #[arg(short = 'i', long, value_name = "INTERVAL", default_value = "250ms")]
    pub interval: String,

    #[arg(value_name = "CONTAINER", required = true)]
    pub containers: Vec<String>,
}

/// `port [-a] CONTAINER [PORT]`.
#[derive(Debug, Args)]
pub struct PortArgs {
    /// Display port information for all containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// The container, then optionally a PORT[/PROTO]
    #[arg(value_name = "CONTAINER [PORT]", num_args = 0..=2)]
    pub args: Vec<String>,
}

/// `top CONTAINER [DESCRIPTOR...]`.
#[derive(Debug, Args)]
pub struct TopArgs {
    #[arg(value_name = "CONTAINER")]
    pub container: String,

    /// ps-style descriptors (pid, user, args, comm, ...); podman's default set when none
    #[arg(value_name = "DESCRIPTOR", allow_hyphen_values = true)]
    pub descriptors: Vec<String>,
}

/// `IMAGE [COMMAND...]` / `CONTAINER COMMAND...` split into the first word
/// and the rest.
fn split_first(args: &[String]) -> (&str, &[String]) {
    match args.split_first() {
        Some((first, rest)) => (first, rest),
        None => ("", &[]),
    }
}

impl CreateArgs {
    pub fn image(&self) -> &str {
        split_first(&self.args).0
    }

    pub fn command(&self) -> &[String] {
        split_first(&self.args).1
    }
}

impl RunArgs {
    pub fn image(&self) -> &str {
        split_first(&self.args).0
    }

    pub fn command(&self) -> &[String] {
        split_first(&self.args).1
    }
}

impl ExecArgs {
    pub fn container(&self) -> &str {
        split_first(&self.args).0
    }

    pub fn command(&self) -> &[String] {
        split_first(&self.args).1
    }
}

/// `container prune`.
#[derive(Debug, Args)]
pub struct ContainerPruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Do not prompt for confirmation.  The default is false
    #[arg(short = 'f', long)]
    pub force: bool,
}
