//! `berth image ...` and its top-level spellings (`images`, `rmi`, `tag`,
//! `pull`, ...): clap types only, with podman 4.3's flags and defaults.
//! Behaviour lives in `crate::commands::image`.

use clap::{ArgAction, Args, Subcommand};

use super::archive::{DiffArgs, ImportArgs, LoadArgs, SaveArgs};
use super::build::BuildArgs;
use super::registry::{PushArgs, SearchArgs};

#[derive(Debug, Subcommand)]
pub enum ImageCommand {
    /// Build an image using instructions from Containerfiles
    Build(Box<BuildArgs>),

    /// Inspect changes to the image's file systems
    Diff(DiffArgs),

    /// Check if an image exists in local storage
    Exists(ImageExistsArgs),

    /// Show history of a specified image
    History(HistoryArgs),

    /// Import a tarball to create a filesystem image
    Import(ImportArgs),

    /// Display the configuration of an image
    Inspect(ImageInspectArgs),

    /// List images in local storage
    #[command(visible_alias = "ls")]
    List(ImagesArgs),

    /// Load image(s) from a tar archive
    Load(LoadArgs),

    /// Remove unused images
    Prune(ImagePruneArgs),

    /// Pull an image from a registry
    Pull(PullArgs),

    /// Push an image to a specified destination
    Push(PushArgs),

    /// Removes one or more images from local storage
    Rm(RmiArgs),

    /// Save image(s) to an archive
    Save(SaveArgs),

    /// securely copy images
    Scp(ImageScpArgs),

    /// Search registry for image
    Search(SearchArgs),

    /// Add an additional name to a local image
    Tag(TagArgs),

    /// Prints layer hierarchy of an image in a tree format
    Tree(ImageTreeArgs),

    /// Remove a name from a local image
    Untag(UntagArgs),

    #[command(hide = true)]
    Mount(super::RefusedArgs),

    #[command(hide = true)]
    Sign(super::RefusedArgs),

    #[command(hide = true)]
    Trust(super::RefusedArgs),

    #[command(hide = true, alias = "umount")]
    Unmount(super::RefusedArgs),
}

/// `image scp [options] IMAGE [HOST::]`.
#[derive(Debug, Args)]
pub struct ImageScpArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// Where the server copies the image: one of its connections, `NAME::[IMAGE]`
    #[arg(value_name = "HOST::")]
    pub destination: Option<String>,

    /// Suppress the output
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `image tree [options] IMAGE`.
#[derive(Debug, Args)]
pub struct ImageTreeArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// Show all child images and layers of the specified image
    #[arg(long)]
    pub whatrequires: bool,
}

/// `image exists IMAGE`.
#[derive(Debug, Args)]
pub struct ImageExistsArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `images` / `image list`.
#[derive(Debug, Args)]
pub struct ImagesArgs {
    /// Show all images (default hides intermediate images)
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Show digests
    #[arg(long)]
    pub digests: bool,

    /// Filter output based on conditions provided
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Display the image name history
    #[arg(long)]
    pub history: bool,

    /// Do not truncate output
    #[arg(long)]
    pub no_trunc: bool,

    /// Do not print column headings
    #[arg(short = 'n', long)]
    pub noheading: bool,

    /// Display only image IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Sort by repository, size, tag, created, id
    #[arg(long, default_value = "created", value_parser = ["created", "id", "repository", "size", "tag"])]
    pub sort: String,

    /// Only images of this name (REPOSITORY[:TAG])
    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `image inspect IMAGE...`.
#[derive(Debug, Args)]
pub struct ImageInspectArgs {
    /// Format the output to a Go template or json
    #[arg(short = 'f', long, default_value = "json")]
    pub format: String,

    #[arg(value_name = "IMAGE", required = true)]
    pub names: Vec<String>,
}

/// `rmi` / `image rm`.
#[derive(Debug, Args)]
pub struct RmiArgs {
    /// Remove all images
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Force Removal of the image
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Ignore errors if a specified image does not exist
    #[arg(short = 'i', long)]
    pub ignore: bool,

    /// Do not remove dangling images
    #[arg(long = "no-prune")]
    pub no_prune: bool,

    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
}

/// `tag IMAGE TARGET_NAME...`.
#[derive(Debug, Args)]
pub struct TagArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,

    #[arg(value_name = "TARGET_NAME", required = true)]
    pub targets: Vec<String>,
}

/// `untag IMAGE [NAME...]`.
#[derive(Debug, Args)]
pub struct UntagArgs {
    #[arg(value_name = "IMAGE")]
    pub image: String,

    /// Names to remove (default: all of the image's names)
    #[arg(value_name = "NAME")]
    pub names: Vec<String>,
}

/// `pull IMAGE...`.
#[derive(Debug, Args)]
pub struct PullArgs {
    /// All tagged images in the repository will be pulled
    #[arg(short = 'a', long = "all-tags")]
    pub all_tags: bool,

    /// Use ARCH instead of the architecture of the machine for choosing images
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// Credentials (USERNAME:PASSWORD) to use for authenticating to a registry
    #[arg(long, value_name = "USERNAME:PASSWORD")]
    pub creds: Option<String>,

    /// Use OS instead of the running OS for choosing images
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// Specify the platform for selecting the image.  (Conflicts with arch and os)
    #[arg(long, value_name = "OS/ARCH", conflicts_with_all = ["arch", "os"])]
    pub platform: Option<String>,

    /// Suppress output information when pulling images
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Require HTTPS and verify certificates when contacting registries
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// Use VARIANT instead of the running architecture variant for choosing images
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `history IMAGE`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Change the output to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Display sizes and dates in human readable format
    #[arg(short = 'H', long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub human: bool,

    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,

    /// Display the numeric IDs only
    #[arg(short = 'q', long)]
    pub quiet: bool,

    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `image prune`.
#[derive(Debug, Args)]
pub struct ImagePruneArgs {
    /// Remove all images not in use by containers, not just dangling ones
    #[arg(short = 'a', long)]
    pub all: bool,

    /// Remove images even when they are used by external containers (e.g., by build containers)
    #[arg(long)]
    pub external: bool,

    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}
