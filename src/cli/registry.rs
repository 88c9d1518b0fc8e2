//! Registry commands: `login`, `logout`, `push`, `search` and the
//! `manifest` tree. clap types only, with podman 4.3's flags; behaviour
//! lives in `crate::commands::registry` and `crate::commands::manifest`.

use clap::{Args, Subcommand};

/// `login [REGISTRY]`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// use certificates at the specified path to access the registry
    #[arg(long, value_name = "DIR")]
    pub cert_dir: Option<String>,

    /// Return the current login user for the registry
    #[arg(long)]
    pub get_login: bool,

    /// Password for registry
    #[arg(short = 'p', long, value_name = "PASSWORD")]
    pub password: Option<String>,

    /// Take the password from stdin
    #[arg(long)]
    pub password_stdin: bool,

    /// Require HTTPS and verify certificates when contacting registries
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// Username for registry
    #[arg(short = 'u', long, value_name = "USERNAME")]
    pub username: Option<String>,

    /// Write more detailed information to stdout
    #[arg(short = 'v', long)]
    pub verbose: bool,

    #[arg(value_name = "REGISTRY")]
    pub registry: Option<String>,
}

/// `logout [REGISTRY]`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// Remove the cached credentials for all registries in the auth file
    #[arg(short = 'a', long)]
    pub all: bool,

    /// path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    #[arg(value_name = "REGISTRY")]
    pub registry: Option<String>,
}

/// Credentials flags shared by push, search and manifest add/push.
#[derive(Debug, Args, Clone)]
pub struct CredentialArgs {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// Credentials (USERNAME:PASSWORD) to use for authenticating to a registry
    #[arg(long, value_name = "USERNAME:PASSWORD")]
    pub creds: Option<String>,

    /// Require HTTPS and verify certificates when contacting registries
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,
}

/// `push IMAGE [DESTINATION]`.
#[derive(Debug, Args)]
pub struct PushArgs {
    #[command(flatten)]
    pub credentials: CredentialArgs,

    /// compression format to use
    #[arg(long, value_name = "FORMAT")]
    pub compression_format: Option<String>,

    /// This is a Docker specific option and is a NOOP
    #[arg(long)]
    pub disable_content_trust: bool,

    /// Manifest type (oci, v2s2, or v2s1) to use in the destination (default is manifest type of source, with fallbacks)
    #[arg(short = 'f', long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// Suppress output information when pushing images
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Discard any pre-existing signatures in the image
    #[arg(long)]
    pub remove_signatures: bool,

    #[arg(value_name = "IMAGE")]
    pub image: String,

    #[arg(value_name = "DESTINATION")]
    pub destination: Option<String>,
}

/// `search TERM`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// Require HTTPS and verify certificates when contacting registries
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// List stars, official and automated columns (Docker compatibility)
    #[arg(long)]
    pub compatible: bool,

    /// Filter output based on conditions provided (default [])
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Limit the number of results
    #[arg(long, value_name = "N")]
    pub limit: Option<u32>,

    /// List the tags of the input registry
    #[arg(long)]
    pub list_tags: bool,

    /// Do not truncate the output
    #[arg(long)]
    pub no_trunc: bool,

    #[arg(value_name = "TERM")]
    pub term: String,
}

#[derive(Debug, Subcommand)]
pub enum ManifestCommand {
    /// Add images to a manifest list or image index
    Add(ManifestAddArgs),

    /// Add or update information about an entry in a manifest list or image index
    Annotate(ManifestAnnotateArgs),

    /// Create manifest list or image index
    Create(ManifestCreateArgs),

    /// Check if a manifest list exists in local storage
    Exists(ManifestNameArgs),

    /// Display the contents of a manifest list or image index
    Inspect(ManifestInspectArgs),

    /// Push a manifest list or image index to a registry
    Push(ManifestPushArgs),

    /// Remove an entry from a manifest list or image index
    Remove(ManifestRemoveArgs),

    /// Remove manifest list or image index from local storage
    Rm(ManifestRmArgs),
}

/// `manifest create LIST [IMAGE...]`.
#[derive(Debug, Args)]
pub struct ManifestCreateArgs {
    /// add all of the lists' images if the images to add are lists
    #[arg(long)]
    pub all: bool,

    /// modify an existing list if one with the desired name already exists
    #[arg(short = 'a', long)]
    pub amend: bool,

    /// require HTTPS and verify certificates when accessing the registry
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    #[arg(value_name = "LIST")]
    pub list: String,

    #[arg(value_name = "IMAGE")]
    pub images: Vec<String>,
}

/// Platform overrides of one entry (`manifest add`, `manifest annotate`).
#[derive(Debug, Args)]
pub struct ManifestEntryArgs {
    /// set an annotation for the specified image
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// override the architecture of the specified image
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// override the features of the specified image
    #[arg(long, value_name = "FEATURES")]
    pub features: Vec<String>,

    /// override the OS of the specified image
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// override the OS features of the specified image
    #[arg(long = "os-features", value_name = "FEATURES")]
    pub os_features: Vec<String>,

    /// override the OS version of the specified image
    #[arg(long = "os-version", value_name = "VERSION")]
    pub os_version: Option<String>,

    /// override the Variant of the specified image
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,
}

/// `manifest add LIST IMAGE [IMAGE...]`.
#[derive(Debug, Args)]
pub struct ManifestAddArgs {
    /// add all of the list's images if the image is a list
    #[arg(long)]
    pub all: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    #[command(flatten)]
    pub entry: ManifestEntryArgs,

    #[arg(value_name = "LIST")]
    pub list: String,

    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `manifest annotate LIST IMAGE`.
#[derive(Debug, Args)]
pub struct ManifestAnnotateArgs {
    #[command(flatten)]
    pub entry: ManifestEntryArgs,

    #[arg(value_name = "LIST")]
    pub list: String,

    #[arg(value_name = "IMAGE")]
    pub image: String,
}

/// `manifest exists LIST`.
#[derive(Debug, Args)]
pub struct ManifestNameArgs {
    #[arg(value_name = "LIST")]
    pub list: String,
}

/// `manifest inspect LIST`.
#[derive(Debug, Args)]
pub struct ManifestInspectArgs {
    /// require HTTPS and verify certificates when accessing the registry
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    #[arg(value_name = "IMAGE")]
    pub list: String,
}

/// `manifest push LIST DESTINATION`.
#[derive(Debug, Args)]
pub struct ManifestPushArgs {
    /// also push the images in the list
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = clap::ArgAction::Set)]
    pub all: bool,

    #[command(flatten)]
    pub credentials: CredentialArgs,

    /// compression format to use
    #[arg(long, value_name = "FORMAT")]
    pub compression_format: Option<String>,

    /// after copying the image, write the digest of the resulting digest to the file
    #[arg(long, value_name = "FILE")]
    pub digestfile: Option<String>,

    /// manifest type (oci or v2s2) to attempt to use when pushing the manifest list (default is manifest type of source)
    #[arg(short = 'f', long, value_name = "FORMAT")]
    pub format: Option<String>,

    /// don't output progress information when pushing lists
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// don't copy signatures when pushing images
    #[arg(long)]
    pub remove_signatures: bool,

    /// remove the manifest list if push succeeds
    #[arg(long)]
    pub rm: bool,

    #[arg(value_name = "LIST")]
    pub list: String,

    #[arg(value_name = "DESTINATION")]
    pub destination: Option<String>,
}

/// `manifest remove LIST IMAGE`.
#[derive(Debug, Args)]
pub struct ManifestRemoveArgs {
    #[arg(value_name = "LIST")]
    pub list: String,

    #[arg(value_name = "DIGEST")]
    pub digest: String,
}

/// `manifest rm LIST...`.
#[derive(Debug, Args)]
pub struct ManifestRmArgs {
    #[arg(value_name = "LIST", required = true)]
    pub lists: Vec<String>,
}
