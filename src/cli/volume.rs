//! `berth volume ...`: clap types only, with podman 4.3's flags and
//! defaults. Behaviour lives in `crate::commands::volume`.

use clap::{Args, Subcommand};

use super::RefusedArgs;

#[derive(Debug, Subcommand)]
pub enum VolumeCommand {
    /// Create a new volume
    Create(VolumeCreateArgs),

    /// Volume exists
    Exists(VolumeExistsArgs),

    /// Export volumes
    Export(VolumeExportArgs),

    /// Import a tarball contents into a podman volume
    Import(VolumeImportArgs),

    /// Display detailed information on one or more volumes
    Inspect(VolumeInspectArgs),

    /// List volumes
    #[command(visible_alias = "list")]
    Ls(VolumeLsArgs),

    /// Remove all unused volumes
    Prune(VolumePruneArgs),

    /// Remove one or more volumes
    #[command(visible_alias = "remove")]
    Rm(VolumeRmArgs),

    #[command(hide = true)]
    Mount(RefusedArgs),

    /// reload all volumes from volume plugins
    Reload(VolumeReloadArgs),

    #[command(hide = true, alias = "umount")]
    Unmount(RefusedArgs),
}

/// `volume reload`: no flags, no arguments (both are checked before
/// podman's remote client refuses it).
#[derive(Debug, Args)]
pub struct VolumeReloadArgs {
    #[arg(hide = true)]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VolumeCreateArgs {
    /// Name of the volume (default: a generated id)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// Specify volume driver name
    #[arg(long, default_value = "local")]
    pub driver: String,

    /// Set metadata for a volume (default [])
    #[arg(short = 'l', long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,

    /// Set driver specific options (default [])
    #[arg(short = 'o', long = "opt", value_name = "OPT")]
    pub options: Vec<String>,
}

#[derive(Debug, Args)]
pub struct VolumeExistsArgs {
    #[arg(value_name = "VOLUME")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct VolumeExportArgs {
    #[arg(value_name = "VOLUME")]
    pub name: String,

    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long)]
    pub output: Option<String>,
}

#[derive(Debug, Args)]
pub struct VolumeImportArgs {
    #[arg(value_name = "VOLUME")]
    pub name: String,

    /// The tarball to import, or `-` for stdin
    #[arg(value_name = "SOURCE")]
    pub source: String,
}

#[derive(Debug, Args)]
pub struct VolumeInspectArgs {
    #[arg(value_name = "VOLUME")]
    pub names: Vec<String>,

    /// Inspect all volumes
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Format volume output using Go template
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("filters", |arg| arg.help("Filter volume output")),
    mut_arg("quiet", |arg| arg.help("Print volume output in quiet mode"))
)]
pub struct VolumeLsArgs {
    #[command(flatten)]
    pub list: super::list::ListArgs,
}

#[derive(Debug, Args)]
pub struct VolumePruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct VolumeRmArgs {
    #[arg(value_name = "VOLUME")]
    pub names: Vec<String>,

    /// Remove all volumes
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Remove a volume by force, even if it is being used by a container
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Seconds to wait for running containers to stop before killing the container
    #[arg(short = 't', long, value_name = "SECONDS")]
    pub time: Option<u32>,
}
