//! `build [CONTEXT]` (also `image build`): clap types only, with the flags
//! of podman 4.3 that a remote build sends to the engine.

use clap::{ArgAction, Args};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// add a custom host-to-IP mapping (host:ip)
    #[arg(long = "add-host", value_name = "HOST:IP")]
    pub add_hosts: Vec<String>,

    /// set metadata for an image (default [])
    #[arg(long = "annotation", value_name = "KEY=VALUE")]
    pub annotations: Vec<String>,

    /// set the ARCH of the image to the provided value instead of the architecture of the host
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// path of the authentication file.
    #[arg(long, value_name = "FILE")]
    pub authfile: Option<String>,

    /// argument=value to supply to the builder
    #[arg(long = "build-arg", value_name = "ARGUMENT=VALUE")]
    pub build_args: Vec<String>,

    /// use [username[:password]] for accessing the registry
    #[arg(long, value_name = "USERNAME[:PASSWORD]")]
    pub creds: Option<String>,

    /// set environment variable for the image
    #[arg(long = "env", value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// pathname or URL of a Dockerfile
    #[arg(short = 'f', long = "file", value_name = "PATHNAME")]
    pub files: Vec<String>,

    /// always remove intermediate containers after a build, even if the build is unsuccessful.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub force_rm: bool,

    /// format of the built image's manifest and metadata. Use BUILDAH_FORMAT environment variable to override.
    #[arg(
        long,
        value_name = "FORMAT",
        env = "BUILDAH_FORMAT",
        default_value = "oci"
    )]
    pub format: String,

    /// image name used to replace the value in the first FROM instruction in the Containerfile
    #[arg(long, value_name = "IMAGE")]
    pub from: Option<String>,

    /// path to an alternate .dockerignore file
    #[arg(long, value_name = "FILE")]
    pub ignorefile: Option<String>,

    /// file to write the image ID to
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<String>,

    /// set metadata for an image (default [])
    #[arg(long = "label", value_name = "KEY=VALUE")]
    pub labels: Vec<String>,

    /// cache intermediate layers during build. Use BUILDAH_LAYERS environment variable to override.
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub layers: bool,

    /// 'private', 'none', 'ns:path' of network namespace to join, or 'host'
    #[arg(long, value_name = "MODE")]
    pub network: Option<String>,

    /// do not use existing cached images for the container build. Build from the start with a new set of cached layers.
    #[arg(long)]
    pub no_cache: bool,

    /// set the OS to the provided value instead of the current operating system of the host
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// set the OS/ARCH/VARIANT of the image to the provided value instead of the current operating system and architecture of the host (for example linux/arm)
    #[arg(long, value_name = "OS/ARCH[/VARIANT]", value_delimiter = ',')]
    pub platform: Vec<String>,

    /// Always attempt to pull the image (errors are fatal): true, false, always, missing, never, newer
    #[arg(long, value_name = "POLICY", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub pull: Option<String>,

    /// Always pull the image (same as --pull=always)
    #[arg(long = "pull-always")]
    pub pull_always: bool,

    /// Never pull the image (same as --pull=never)
    #[arg(long = "pull-never")]
    pub pull_never: bool,

    /// refrain from announcing build instructions and image read/write progress
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// remove intermediate containers after a successful build
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub rm: bool,

    /// squash newly built layers into a single new layer
    #[arg(long)]
    pub squash: bool,

    /// Squash all layers into a single layer
    #[arg(long = "squash-all")]
    pub squash_all: bool,

    /// tagged name to apply to the built image
    #[arg(short = 't', long = "tag", value_name = "NAME")]
    pub tags: Vec<String>,

    /// set the target build stage to build
    #[arg(long, value_name = "STAGE")]
    pub target: Option<String>,

    /// Require HTTPS and verify certificates when accessing the registry
    #[arg(long = "tls-verify", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tls_verify: Option<bool>,

    /// unset environment variable from final image
    #[arg(long = "unsetenv", value_name = "NAME")]
    pub unset_env: Vec<String>,

    /// override the variant of the specified image
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    /// The build context directory (default: the current directory)
    #[arg(value_name = "CONTEXT")]
    pub context: Option<String>,
}
