//! Commands that move files and images as archives or turn containers into
//! images: `cp`, `export`, `import`, `save`, `load`, `commit`, `diff`.
//! clap types only, with podman 4.3's flags; behaviour lives in
//! `crate::commands::container` and `crate::commands::image`.

use clap::{ArgAction, Args};

/// `cp [CONTAINER:]SRC_PATH [CONTAINER:]DEST_PATH`.
#[derive(Debug, Args)]
pub struct CpArgs {
    /// Chown copied files to the primary uid/gid of the destination container.
    #[arg(short = 'a', long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub archive: bool,

    /// Allow to overwrite directories with non-directories and vice versa
    #[arg(long)]
    pub overwrite: bool,

    /// `[CONTAINER:]SRC_PATH`
    #[arg(value_name = "[CONTAINER:]SRC_PATH")]
    pub source: String,

    /// `[CONTAINER:]DEST_PATH`
    #[arg(value_name = "[CONTAINER:]DEST_PATH")]
    pub destination: String,
}

/// `export CONTAINER`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<String>,

    #[arg(value_name = "CONTAINER")]
    pub container: String,
}

/// `import PATH [REFERENCE]`.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Set the architecture of the imported image
    #[arg(long, value_name = "ARCH")]
    pub arch: Option<String>,

    /// Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR
    #[arg(long = "change", value_name = "INSTRUCTION")]
    pub changes: Vec<String>,

    /// Set commit message for imported image
    #[arg(short = 'm', long, value_name = "MESSAGE")]
    pub message: Option<String>,

    /// Set the OS of the imported image
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,

    /// Suppress output
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Set the variant of the imported image
    #[arg(long, value_name = "VARIANT")]
    pub variant: Option<String>,

    /// A tarball (file, URL, or `-` for stdin)
    #[arg(value_name = "PATH")]
    pub path: String,

    #[arg(value_name = "REFERENCE")]
    pub reference: Option<String>,
}

/// `save IMAGE...`.
#[derive(Debug, Args)]
pub struct SaveArgs {
    /// Compress tarball image layers when saving to a directory using the 'dir' transport. (default is same compression type as source)
    #[arg(long)]
    pub compress: bool,

    /// Save image to oci-archive, oci-dir (directory with oci manifest type), docker-archive, docker-dir (directory with v2s2 manifest type)
    #[arg(long, value_name = "FORMAT", default_value = "docker-archive")]
    pub format: String,

    /// Interpret additional arguments as images not tags and create a multi-image-archive (only for docker-archive)
    #[arg(short = 'm', long = "multi-image-archive")]
    pub multi_image_archive: bool,

    /// Write to a specified file (default: stdout, which must be redirected)
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<String>,

    /// Suppress the output
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Accept uncompressed layers when copying OCI images
    #[arg(long)]
    pub uncompressed: bool,

    #[arg(value_name = "IMAGE", required = true)]
    pub images: Vec<String>,
}

/// `load [-i FILE]`.
#[derive(Debug, Args)]
pub struct LoadArgs {
    /// Read from specified archive file (default: stdin)
    #[arg(short = 'i', long, value_name = "FILE")]
    pub input: Option<String>,

    /// Suppress the output
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

/// `commit CONTAINER [IMAGE]`.
#[derive(Debug, Args)]
pub struct CommitArgs {
    /// Set the author for the image committed
    #[arg(short = 'a', long, value_name = "AUTHOR")]
    pub author: Option<String>,

    /// Apply the following possible instructions to the created image (default []): CMD | ENTRYPOINT | ENV | EXPOSE | LABEL | ONBUILD | STOPSIGNAL | USER | VOLUME | WORKDIR
    #[arg(long = "change", value_name = "INSTRUCTION")]
    pub changes: Vec<String>,

    /// Format of the image manifest and metadata
    #[arg(short = 'f', long, value_name = "FORMAT", default_value = "oci")]
    pub format: String,

    /// file to write the image ID to
    #[arg(long, value_name = "FILE")]
    pub iidfile: Option<String>,

    /// Include container volumes as image volumes
    #[arg(long)]
    pub include_volumes: bool,

    /// Set commit message for imported image
    #[arg(short = 'm', long, value_name = "MESSAGE")]
    pub message: Option<String>,

    /// Pause container during commit
    #[arg(short = 'p', long)]
    pub pause: bool,

    /// Suppress output
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// squash newly built layers into a single new layer
    #[arg(short = 's', long)]
    pub squash: bool,

    #[arg(value_name = "CONTAINER")]
    pub container: String,

    #[arg(value_name = "IMAGE")]
    pub image: Option<String>,
}

/// `diff {CONTAINER|IMAGE} [{CONTAINER|IMAGE}]`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Change the output format (json)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<String>,

    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    #[arg(value_name = "PARENT")]
    pub parent: Option<String>,
}
