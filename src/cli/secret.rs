//! `berth secret ...`: clap types only, with podman 4.3's flags and
//! defaults. Behaviour lives in `crate::commands::secret`.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum SecretCommand {
    /// Create a new secret
    Create(SecretCreateArgs),

    /// Check if a secret exists in local storage
    Exists(SecretExistsArgs),

    /// Inspect a secret
    Inspect(SecretInspectArgs),

    /// List secrets
    #[command(visible_alias = "list")]
    Ls(SecretLsArgs),

    /// Remove one or more secrets
    Rm(SecretRmArgs),
}

#[derive(Debug, Args)]
pub struct SecretCreateArgs {
    #[arg(value_name = "NAME")]
    pub name: String,

    /// A file holding the secret, `-` for stdin, or with `--env` the name
    /// of an environment variable
    #[arg(value_name = "FILE|-")]
    pub source: String,

    /// Specify secret driver
    #[arg(short = 'd', long, default_value = "file")]
    pub driver: String,

    /// Specify driver specific options
    #[arg(long = "driver-opts", value_name = "OPTS", value_delimiter = ',')]
    pub driver_options: Vec<String>,

    /// Read secret data from environment variable
    #[arg(long)]
    pub env: bool,

    /// Specify labels on the secret
    #[arg(short = 'l', long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SecretExistsArgs {
    #[arg(value_name = "SECRET")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct SecretInspectArgs {
    #[arg(value_name = "SECRET", required = true)]
    pub names: Vec<String>,

    /// Format inspect output using Go template
    #[arg(short = 'f', long)]
    pub format: Option<String>,

    /// Print inspect output in human-readable format
    #[arg(long)]
    pub pretty: bool,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("filters", |arg| arg.help("Filter secret output")),
    mut_arg("quiet", |arg| arg.help("Print secret IDs only"))
)]
pub struct SecretLsArgs {
    #[command(flatten)]
    pub list: super::list::ListArgs,
}

#[derive(Debug, Args)]
pub struct SecretRmArgs {
    #[arg(value_name = "SECRET")]
    pub names: Vec<String>,

    /// Remove all secrets
    #[arg(short = 'a', long)]
    pub all: bool,
}
