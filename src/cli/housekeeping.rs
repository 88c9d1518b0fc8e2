//! Container housekeeping: `rename`, `update`, `init`, `pause`,
//! `unpause`, `stats`, `healthcheck run`. clap types only, with podman
//! 4.3's flags.

use clap::{Args, Subcommand};

/// `rename CONTAINER NAME`.
#[derive(Debug, Args)]
pub struct RenameArgs {
    #[arg(value_name = "CONTAINER")]
    pub container: String,

    #[arg(value_name = "NAME")]
    pub name: String,
}

/// `init CONTAINER...`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Initialize all containers
    #[arg(short = 'a', long)]
    pub all: bool,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `pause` / `unpause CONTAINER...`.
#[derive(Debug, Args)]
pub struct PauseArgs {
    /// All running (pause) or paused (unpause) containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `update [options] CONTAINER`: new cgroup limits for a container.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    #[command(flatten)]
    pub resources: ResourceFlags,

    /// Limit read rate (IO per second) from a device (e.g. --device-read-iops=/dev/sda:1000)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_read_iops: Vec<String>,

    /// Limit write rate (IO per second) to a device (e.g. --device-write-iops=/dev/sda:1000)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_write_iops: Vec<String>,

    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// The cgroup limits `update` changes and `container clone` sets on its
/// copy.
#[derive(Debug, Args)]
pub struct ResourceFlags {
    /// Block IO weight (relative weight) accepts a weight value between 10 and 1000.
    #[arg(long, value_name = "WEIGHT")]
    pub blkio_weight: Option<String>,

    /// Block IO weight (relative device weight, format: DEVICE_NAME:WEIGHT)
    #[arg(long, value_name = "DEVICE_NAME:WEIGHT")]
    pub blkio_weight_device: Vec<String>,

    /// Limit the CPU CFS (Completely Fair Scheduler) period
    #[arg(long, value_name = "PERIOD")]
    pub cpu_period: Option<u64>,

    /// Limit the CPU CFS (Completely Fair Scheduler) quota
    #[arg(long, value_name = "QUOTA", allow_negative_numbers = true)]
    pub cpu_quota: Option<i64>,

    /// Limit the CPU real-time period in microseconds
    #[arg(long, value_name = "PERIOD")]
    pub cpu_rt_period: Option<u64>,

    /// Limit the CPU real-time runtime in microseconds
    #[arg(long, value_name = "RUNTIME", allow_negative_numbers = true)]
    pub cpu_rt_runtime: Option<i64>,

    /// CPU shares (relative weight)
    #[arg(long, value_name = "SHARES")]
    pub cpu_shares: Option<u64>,

    /// Number of CPUs. The default is 0.000 which means no limit
    #[arg(long, value_name = "CPUS")]
    pub cpus: Option<f64>,

    /// CPUs in which to allow execution (0-3, 0,1)
    #[arg(long, value_name = "CPUS")]
    pub cpuset_cpus: Option<String>,

    /// Memory nodes (MEMs) in which to allow execution (0-3, 0,1). Only effective on NUMA systems.
    #[arg(long, value_name = "MEMS")]
    pub cpuset_mems: Option<String>,

    /// Limit read rate (bytes per second) from a device (e.g. --device-read-bps=/dev/sda:1mb)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_read_bps: Vec<String>,

    /// Limit write rate (bytes per second) to a device (e.g. --device-write-bps=/dev/sda:1mb)
    #[arg(long, value_name = "DEVICE:RATE")]
    pub device_write_bps: Vec<String>,

    /// Memory limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(short = 'm', long, value_name = "<number>[<unit>]")]
    pub memory: Option<String>,

    /// Memory soft limit (format: <number>[<unit>], where unit = b (bytes), k (kibibytes), m (mebibytes), or g (gibibytes))
    #[arg(long, value_name = "<number>[<unit>]")]
    pub memory_reservation: Option<String>,

    /// Swap limit equal to memory plus swap: '-1' to enable unlimited swap
    #[arg(long, value_name = "LIMIT", allow_hyphen_values = true)]
    pub memory_swap: Option<String>,

    /// Tune container memory swappiness (0 to 100, or -1 for system default)
    #[arg(long, value_name = "SWAPPINESS", default_value_t = -1, allow_negative_numbers = true)]
    pub memory_swappiness: i64,
}

/// `stats [CONTAINER...]`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Show all containers. Only running containers are shown by default. The default is false
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Pretty-print container statistics to JSON or using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Time in seconds between stats reports
    #[arg(short = 'i', long, value_name = "SECONDS", default_value_t = 5)]
    pub interval: i64,

    /// Disable resetting the screen between intervals
    #[arg(long)]
    pub no_reset: bool,

    /// Disable streaming stats and only pull the first result, default setting is false
    #[arg(long)]
    pub no_stream: bool,

    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum HealthcheckCommand {
    /// run the health check of a container
    Run(HealthcheckRunArgs),
}

/// `healthcheck run CONTAINER`.
#[derive(Debug, Args)]
pub struct HealthcheckRunArgs {
    #[arg(value_name = "CONTAINER")]
    pub container: String,
}
