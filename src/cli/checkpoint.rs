//! `berth container checkpoint|restore|clone` and `berth pod clone`: clap
//! types only, with podman 4.3's flags and defaults. Behaviour lives in
//! `crate::commands::container::{checkpoint, restore, clone}` and
//! `crate::commands::pod::clone`.

use clap::{ArgAction, Args};

use super::container::SharedCreateFlags;
use super::housekeeping::ResourceFlags;

/// `container checkpoint [options] CONTAINER...`.
#[derive(Debug, Args)]
pub struct CheckpointArgs {
    /// Checkpoint all running containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Select compression algorithm (gzip, none, zstd) for checkpoint archive. (default "zstd")
    #[arg(long, value_name = "ALGORITHM")]
    pub compress: Option<String>,

    /// Create checkpoint image with specified name
    #[arg(long, value_name = "NAME")]
    pub create_image: Option<String>,

    /// Export the checkpoint image to a tar.gz
    #[arg(short = 'e', long, value_name = "FILE")]
    pub export: Option<String>,

    /// Checkpoint a container with file locks
    #[arg(long)]
    pub file_locks: bool,

    /// Do not include root file-system changes when exporting
    #[arg(long)]
    pub ignore_rootfs: bool,

    /// Do not export volumes associated with container
    #[arg(long)]
    pub ignore_volumes: bool,

    /// Keep all temporary checkpoint files
    #[arg(short = 'k', long)]
    pub keep: bool,

    /// Leave the container running after writing checkpoint to disk
    #[arg(short = 'R', long)]
    pub leave_running: bool,

    /// Dump container's memory information only, leave the container running
    #[arg(short = 'P', long)]
    pub pre_checkpoint: bool,

    /// Display checkpoint statistics
    #[arg(long)]
    pub print_stats: bool,

    /// Checkpoint a container with established TCP connections
    #[arg(long)]
    pub tcp_established: bool,

    /// Checkpoint container with pre-checkpoint images
    #[arg(long)]
    pub with_previous: bool,

    #[arg(value_name = "CONTAINER")]
    pub containers: Vec<String>,
}

/// `container restore [options] CONTAINER|IMAGE...`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// Restore all checkpointed containers
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Restore a container with file locks
    #[arg(long)]
    pub file_locks: bool,

    /// Do not apply root file-system changes when importing from exported checkpoint
    #[arg(long)]
    pub ignore_rootfs: bool,

    /// Ignore IP address set via --static-ip
    #[arg(long)]
    pub ignore_static_ip: bool,

    /// Ignore MAC address set via --mac-address
    #[arg(long)]
    pub ignore_static_mac: bool,

    /// Do not export volumes associated with container
    #[arg(long)]
    pub ignore_volumes: bool,

    /// Restore from exported checkpoint archive (tar.gz)
    #[arg(short = 'i', long, value_name = "FILE")]
    pub import: Option<String>,

    /// Restore from exported pre-checkpoint archive (tar.gz)
    #[arg(long, value_name = "FILE")]
    pub import_previous: Option<String>,

    /// Keep all temporary checkpoint files
    #[arg(short = 'k', long)]
    pub keep: bool,

    /// Specify new name for container restored from exported checkpoint (only works with image or --import)
    #[arg(short = 'n', long)]
    pub name: Option<String>,

    /// Restore container into existing Pod (only works with image or --import)
    #[arg(long)]
    pub pod: Option<String>,

    /// Display restore statistics
    #[arg(long)]
    pub print_stats: bool,

    /// Publish a container's port, or a range of ports, to the host (default [])
    #[arg(
        short = 'p',
        long = "publish",
        value_name = "PORTS",
        value_delimiter = ','
    )]
    pub publish: Vec<String>,

    /// Restore a container with established TCP connections
    #[arg(long)]
    pub tcp_established: bool,

    #[arg(value_name = "CONTAINER|IMAGE")]
    pub targets: Vec<String>,
}

/// `container clone [options] CONTAINER [NAME] [IMAGE]`.
#[derive(Debug, Args)]
pub struct ContainerCloneArgs {
    #[command(flatten)]
    pub resources: ResourceFlags,

    /// destroy the original container
    #[arg(long)]
    pub destroy: bool,

    /// force the existing container to be destroyed
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Assign a name to the container
    #[arg(long)]
    pub name: Option<String>,

    /// Run container in an existing pod
    #[arg(long)]
    pub pod: Option<String>,

    /// run the new container
    #[arg(long)]
    pub run: bool,

    #[arg(value_name = "CONTAINER")]
    pub container: String,

    /// The new container's name
    #[arg(value_name = "NAME")]
    pub new_name: Option<String>,

    /// The new container's image
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `pod clone [options] POD [NAME]`: `pod create`'s flags (podman's
/// lists most of them). `-h` is `--hostname`, as in podman.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct PodCloneArgs {
    /// Resources, namespaces and storage, as `pod create` takes them
    #[command(flatten)]
    pub shared: SharedCreateFlags,

    /// destroy the original pod
    #[arg(long)]
    pub destroy: bool,

    /// Print help
    #[arg(long, action = ArgAction::Help)]
    pub help: Option<bool>,

    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_name = "COMMAND")]
    pub infra_command: Option<String>,

    /// Path to the file that will receive the PID of conmon
    #[arg(long, value_name = "FILE")]
    pub infra_conmon_pidfile: Option<String>,

    /// Assign a name to the container
    #[arg(long, value_name = "NAME")]
    pub infra_name: Option<String>,

    /// name the new pod
    #[arg(short = 'n', long)]
    pub name: Option<String>,

    /// start the new pod
    #[arg(long)]
    pub start: bool,

    #[arg(value_name = "POD")]
    pub pod: String,

    /// The new pod's name
    #[arg(value_name = "NAME")]
    pub new_name: Option<String>,
}
