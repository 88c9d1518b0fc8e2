//! `berth kube ...`, `berth play kube` and `berth generate kube`: clap
//! types only, with podman 4.3's flags. Behaviour lives in
//! `crate::commands::kube`.

use clap::{ArgAction, Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum KubeCommand {
    #[command(about = "Remove pods based on Kubernetes YAML.")]
    Down(KubeDownArgs),

    #[command(about = "Generate Kubernetes YAML from containers, pods or volumes.")]
    Generate(KubeGenerateArgs),

    #[command(about = "Play a pod or volume based on Kubernetes YAML.")]
    Play(Box<KubePlayArgs>),
}

/// `play ...` (podman 3's spelling of `kube play`).
#[derive(Debug, Subcommand)]
pub enum PlayCommand {
    #[command(about = "Play a pod or volume based on Kubernetes YAML.")]
    Kube(KubePlayArgs),
}

/// `generate ...`.
#[derive(Debug, Subcommand)]
pub enum GenerateCommand {
    #[command(about = "Generate Kubernetes YAML from containers, pods or volumes.")]
    Kube(KubeGenerateArgs),
}

#[derive(Debug, Args)]
pub struct KubeDownArgs {
    /// The YAML file, `-` for stdin, or an http(s) URL
    #[arg(value_name = "KUBEFILE|-")]
    pub file: String,
}

#[derive(Debug, Args)]
pub struct KubeGenerateArgs {
    #[arg(value_name = "CONTAINER...|POD...|VOLUME...", required = true)]
    pub names: Vec<String>,

    /// Write output to the specified path
    #[arg(short = 'f', long, value_name = "FILE")]
    pub filename: Option<String>,

    /// Generate YAML for a Kubernetes service object
    #[arg(short = 's', long)]
    pub service: bool,
}

#[derive(Debug, Args)]
pub struct KubePlayArgs {
    /// The YAML file, `-` for stdin, or an http(s) URL
    #[arg(value_name = "KUBEFILE|-")]
    pub file: String,

    /// Add annotations to pods (key=value)
    #[arg(long = "annotation", value_name = "KEY=VALUE", value_delimiter = ',')]
    pub annotations: Vec<String>,

    /// Path of a YAML file containing a kubernetes configmap (sent with the
    /// pods, so it works against a remote engine too)
    #[arg(long = "configmap", value_name = "FILE", value_delimiter = ',')]
    pub configmaps: Vec<String>,

    /// --authfile, --creds and --tls-verify for pulling the pods' images
    #[command(flatten)]
    pub credentials: super::registry::CredentialArgs,

    /// Stop and remove the pods defined in the YAML file
    #[arg(long, hide = true)]
    pub down: bool,

    /// Static IP addresses to assign to the pods
    #[arg(long = "ip", value_name = "IP", value_delimiter = ',')]
    pub ips: Vec<std::net::IpAddr>,

    /// Logging driver for the container
    #[arg(long, value_name = "DRIVER")]
    pub log_driver: Option<String>,

    /// Logging driver options
    #[arg(long = "log-opt", value_name = "OPTION", value_delimiter = ',')]
    pub log_options: Vec<String>,

    /// Static MAC addresses to assign to the pods
    #[arg(long = "mac-address", value_name = "MAC", value_delimiter = ',')]
    pub mac_addresses: Vec<String>,

    /// Connect pod to network(s) or network mode
    #[arg(long = "network", value_name = "NETWORK")]
    pub networks: Vec<String>,

    /// Do not create /etc/hosts within the pod's containers, instead use the version from the image
    #[arg(long)]
    pub no_hosts: bool,

    /// Suppress output information when pulling images
    #[arg(short = 'q', long)]
    pub quiet: bool,

    /// Delete and recreate pods defined in the YAML file
    #[arg(long)]
    pub replace: bool,

    /// Start the pod after creating it (default true)
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub start: Option<bool>,

    /// User namespace to use
    #[arg(long, value_name = "MODE")]
    pub userns: Option<String>,
}
