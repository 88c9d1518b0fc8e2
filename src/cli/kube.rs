//! `berth kube ...`, `berth play kube` and `berth generate kube|spec|systemd`:
//! clap types only, with podman 4.3's flags. Behaviour lives in
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

    /// Generate Specgen JSON based on containers or pods
    Spec(GenerateSpecArgs),

    #[command(about = "Generate systemd units.")]
    Systemd(Box<GenerateSystemdArgs>),
}

/// `generate spec [options] {CONTAINER|POD}`.
#[derive(Debug, Args)]
pub struct GenerateSpecArgs {
    #[arg(value_name = "CONTAINER|POD")]
    pub target: String,

    /// Print the json in a compact format for consumption
    #[arg(long)]
    pub compact: bool,

    /// Write output to the specified path
    #[arg(short = 'f', long, value_name = "FILE")]
    pub filename: Option<String>,

    /// Specify a new name for the generated spec (default true)
    #[arg(short = 'n', long = "name", value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub rename: bool,
}

/// `generate systemd [options] {CONTAINER|POD}`.
#[derive(Debug, Args)]
pub struct GenerateSystemdArgs {
    #[arg(value_name = "CONTAINER|POD")]
    pub target: String,

    /// Add dependencies order to the generated unit file
    #[arg(long, value_name = "UNIT")]
    pub after: Vec<String>,

    /// Systemd unit name prefix for containers
    #[arg(long, value_name = "PREFIX", default_value = "container")]
    pub container_prefix: String,

    /// Set environment variables to the systemd unit files
    #[arg(short = 'e', long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,

    /// Generate .service files instead of printing to stdout
    #[arg(short = 'f', long)]
    pub files: bool,

    /// Print the created units in specified format (json)
    #[arg(long, value_name = "FORMAT", default_value = "")]
    pub format: String,

    /// Use container/pod names instead of IDs
    #[arg(short = 'n', long = "name")]
    pub use_names: bool,

    /// Create a new container or pod instead of starting an existing one
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", action = ArgAction::Set)]
    pub new: Option<bool>,

    /// Skip header generation
    #[arg(long)]
    pub no_header: bool,

    /// Systemd unit name prefix for pods
    #[arg(long, value_name = "PREFIX", default_value = "pod")]
    pub pod_prefix: String,

    /// Similar to wants, but declares stronger requirement dependencies
    #[arg(long, value_name = "UNIT")]
    pub requires: Vec<String>,

    /// Systemd restart-policy (default "on-failure")
    #[arg(long, value_name = "POLICY")]
    pub restart_policy: Option<String>,

    /// Systemd restart-sec
    #[arg(long, value_name = "SECONDS")]
    pub restart_sec: Option<u64>,

    /// Systemd unit name separator between name/id and prefix
    #[arg(long, value_name = "SEPARATOR", default_value = "-")]
    pub separator: String,

    /// Start timeout override
    #[arg(long, value_name = "SECONDS")]
    pub start_timeout: Option<u64>,

    /// Stop timeout override (default 10)
    #[arg(long, value_name = "SECONDS")]
    pub stop_timeout: Option<u64>,

    /// Backwards alias for --stop-timeout
    #[arg(
        short = 't',
        long,
        alias = "timeout",
        value_name = "SECONDS",
        hide = true
    )]
    pub time: Option<u64>,

    /// Make it a template file and use %i and %I specifiers. Working only for containers
    #[arg(long)]
    pub template: bool,

    /// Add (weak) requirement dependencies to the generated unit file
    #[arg(long, value_name = "UNIT")]
    pub wants: Vec<String>,
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
