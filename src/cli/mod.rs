//! The command line, as clap derive types only: global flags and every command
//! tree. Behaviour lives in `crate::commands`, one file per verb.

pub mod archive;
pub mod build;
pub mod checkpoint;
pub mod completion;
pub mod container;
pub mod events;
pub mod housekeeping;
pub mod image;
pub mod kube;
pub mod list;
pub mod machine;
pub mod network;
pub mod pod;
pub mod registry;
pub mod secret;
pub mod system;
pub mod volume;

use clap::{Parser, Subcommand};

/// Manage pods, containers and images on a podman engine, local or in a berth machine.
#[derive(Debug, Parser)]
#[command(
    name = "berth",
    version = crate::build_info::VERSION_LINE,
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
#[derive(Debug, Clone, clap::Args)]
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
    /// Attach to a running container
    Attach(container::AttachArgs),

    /// Build an image using instructions from Containerfiles
    Build(Box<build::BuildArgs>),

    /// Create new image based on the changed container
    Commit(archive::CommitArgs),

    /// Manage containers
    #[command(subcommand)]
    Container(container::ContainerCommand),

    /// Copy files/folders between a container and the local filesystem
    Cp(archive::CpArgs),

    /// Create but do not start a container
    Create(container::CreateArgs),

    /// Display the changes to the object's file system
    Diff(archive::DiffArgs),

    /// Run a process in a running container
    Exec(container::ExecArgs),

    /// Show podman events
    Events(events::EventsArgs),

    /// Export container's filesystem contents as a tar archive
    Export(archive::ExportArgs),

    /// Manage health checks on containers
    #[command(subcommand)]
    Healthcheck(housekeeping::HealthcheckCommand),

    /// Show history of a specified image
    History(image::HistoryArgs),

    /// Manage images
    #[command(subcommand)]
    Image(image::ImageCommand),

    /// List images in local storage
    Images(image::ImagesArgs),

    /// Import a tarball to create a filesystem image
    Import(archive::ImportArgs),

    /// Initialize one or more containers
    Init(housekeeping::InitArgs),

    /// Display the configuration of object denoted by ID
    Inspect(container::InspectArgs),

    /// Kill one or more running containers with a specific signal
    Kill(container::KillArgs),

    /// Load image(s) from a tar archive
    Load(archive::LoadArgs),

    /// Login to a container registry
    Login(registry::LoginArgs),

    /// Logout of a container registry
    Logout(registry::LogoutArgs),

    /// Fetch the logs of one or more containers
    Logs(container::LogsArgs),

    /// Manipulate manifest lists and image indexes
    #[command(subcommand)]
    Manifest(registry::ManifestCommand),

    /// Pause all the processes in one or more containers
    Pause(housekeeping::PauseArgs),

    /// List port mappings or a specific mapping for the container
    Port(container::PortArgs),

    /// List containers
    Ps(container::PsArgs),

    /// Pull an image from a registry
    Pull(image::PullArgs),

    /// Push an image to a specified destination
    Push(registry::PushArgs),

    /// Rename an existing container
    Rename(housekeeping::RenameArgs),

    /// Restart one or more containers
    Restart(container::RestartArgs),

    /// Remove one or more containers
    Rm(container::RmArgs),

    /// Removes one or more images from local storage
    Rmi(image::RmiArgs),

    /// Run a command in a new container
    Run(container::RunArgs),

    /// Save image(s) to an archive
    Save(archive::SaveArgs),

    /// Search registry for image
    Search(registry::SearchArgs),

    /// Start one or more containers
    Start(container::StartArgs),

    /// Display a live stream of container resource usage statistics
    Stats(housekeeping::StatsArgs),

    /// Stop one or more containers
    Stop(container::StopArgs),

    /// Add an additional name to a local image
    Tag(image::TagArgs),

    /// Display the running processes of a container
    Top(container::TopArgs),

    /// Unpause the processes in one or more containers
    Unpause(housekeeping::PauseArgs),

    /// Remove a name from a local image
    Untag(image::UntagArgs),

    /// update an existing container
    Update(housekeeping::UpdateArgs),

    /// Block on one or more containers
    Wait(container::WaitArgs),

    #[command(hide = true)]
    AutoUpdate(RefusedArgs),

    #[command(hide = true)]
    Mount(RefusedArgs),

    #[command(hide = true, alias = "umount")]
    Unmount(RefusedArgs),

    #[command(hide = true)]
    Unshare(RefusedArgs),

    /// Manage virtual machines
    #[command(subcommand)]
    Machine(machine::MachineCommand),

    /// Play containers, pods or volumes from a structured file
    #[command(subcommand)]
    Kube(kube::KubeCommand),

    /// Generate structured data based on containers, pods or volumes
    #[command(subcommand)]
    Generate(kube::GenerateCommand),

    /// Play containers, pods or volumes from a structured file
    #[command(subcommand)]
    Play(kube::PlayCommand),

    /// Manage networks
    #[command(subcommand)]
    Network(network::NetworkCommand),

    /// Manage pods
    #[command(subcommand)]
    Pod(pod::PodCommand),

    /// Manage secrets
    #[command(subcommand)]
    Secret(secret::SecretCommand),

    /// Manage podman
    #[command(subcommand)]
    System(system::SystemCommand),

    /// Manage volumes
    #[command(subcommand)]
    Volume(volume::VolumeCommand),

    /// Display the Podman version information
    Version(system::VersionArgs),

    /// Display podman system information
    Info(system::InfoArgs),

    /// Generate shell autocompletions
    Completion(completion::CompletionArgs),

    /// Write a man page for every command into a directory (for packagers)
    #[command(hide = true)]
    GenerateMan(completion::GenerateManArgs),
}

/// The arguments of a command podman's remote client does not offer:
/// anything is accepted, the command refuses to run.
#[derive(Debug, clap::Args)]
#[command(disable_help_flag = true)]
pub struct RefusedArgs {
    #[arg(num_args = 0.., allow_hyphen_values = true, trailing_var_arg = true, hide = true)]
    pub args: Vec<String>,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap's own consistency checks (unique short flags, valid defaults)
    /// over the whole command tree.
    #[test]
    fn command_tree_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
