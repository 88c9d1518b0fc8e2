//! `berth network ...`: clap types only, with podman 4.3's flags and
//! defaults. Behaviour lives in `crate::commands::network`.

use clap::{Args, Subcommand};

use super::RefusedArgs;

#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// network connect
    Connect(NetworkConnectArgs),

    /// network create
    Create(NetworkCreateArgs),

    /// network rm
    Disconnect(NetworkDisconnectArgs),

    /// network exists
    Exists(NetworkExistsArgs),

    /// Inspect network
    Inspect(NetworkInspectArgs),

    /// network list
    Ls(NetworkLsArgs),

    /// network prune
    Prune(NetworkPruneArgs),

    /// network rm
    #[command(visible_alias = "remove")]
    Rm(NetworkRmArgs),

    #[command(hide = true)]
    Reload(RefusedArgs),
}

#[derive(Debug, Args)]
pub struct NetworkConnectArgs {
    #[arg(value_name = "NETWORK")]
    pub network: String,

    #[arg(value_name = "CONTAINER")]
    pub container: String,

    /// network scoped alias for container
    #[arg(long = "alias", value_name = "ALIAS", value_delimiter = ',')]
    pub aliases: Vec<String>,

    /// set a static ipv4 address for this container network
    #[arg(long, value_name = "IP")]
    pub ip: Option<std::net::Ipv4Addr>,

    /// set a static ipv6 address for this container network
    #[arg(long, value_name = "IP")]
    pub ip6: Option<std::net::Ipv6Addr>,

    /// set a static mac address for this container network
    #[arg(long, value_name = "MAC")]
    pub mac_address: Option<String>,
}

#[derive(Debug, Args)]
pub struct NetworkCreateArgs {
    /// Name of the network (default: the next free `podmanN`)
    #[arg(value_name = "NAME")]
    pub name: Option<String>,

    /// disable dns plugin
    #[arg(long)]
    pub disable_dns: bool,

    /// driver to manage the network
    #[arg(short = 'd', long, default_value = "bridge")]
    pub driver: String,

    /// IPv4 or IPv6 gateway for the subnet
    #[arg(long = "gateway", value_name = "IP", value_delimiter = ',')]
    pub gateways: Vec<std::net::IpAddr>,

    /// restrict external access from this network
    #[arg(long)]
    pub internal: bool,

    /// IP Address Management Driver
    #[arg(long, value_name = "DRIVER")]
    pub ipam_driver: Option<String>,

    /// allocate container IP from range
    #[arg(long = "ip-range", value_name = "RANGE")]
    pub ip_ranges: Vec<String>,

    /// enable IPv6 networking
    #[arg(long)]
    pub ipv6: bool,

    /// set metadata on a network
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,

    /// Set driver specific options (default [])
    #[arg(short = 'o', long = "opt", value_name = "OPT")]
    pub options: Vec<String>,

    /// subnets in CIDR format
    #[arg(long = "subnet", value_name = "SUBNET")]
    pub subnets: Vec<String>,
}

#[derive(Debug, Args)]
pub struct NetworkDisconnectArgs {
    #[arg(value_name = "NETWORK")]
    pub network: String,

    #[arg(value_name = "CONTAINER")]
    pub container: String,

    /// force removal of container from network
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NetworkExistsArgs {
    #[arg(value_name = "NETWORK")]
    pub name: String,
}

#[derive(Debug, Args)]
pub struct NetworkInspectArgs {
    #[arg(value_name = "NETWORK", required = true)]
    pub names: Vec<String>,

    /// Pretty-print network to JSON or using a Go template
    #[arg(short = 'f', long, default_value = "")]
    pub format: String,
}

#[derive(Debug, Args)]
#[command(
    mut_arg("filters", |arg| arg.help("Provide filter values (e.g. 'name=podman')")),
    mut_arg("format", |arg| arg.help("Pretty-print networks to JSON or using a Go template")),
    mut_arg("quiet", |arg| arg.help("display only names"))
)]
pub struct NetworkLsArgs {
    #[command(flatten)]
    pub list: super::list::ListArgs,

    /// Do not truncate the network ID
    #[arg(long)]
    pub no_trunc: bool,
}

#[derive(Debug, Args)]
pub struct NetworkPruneArgs {
    /// Provide filter values (e.g. 'label=<key>=<value>')
    #[arg(long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// do not prompt for confirmation
    #[arg(short = 'f', long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NetworkRmArgs {
    #[arg(value_name = "NETWORK", required = true)]
    pub names: Vec<String>,

    /// remove any containers using network
    #[arg(short = 'f', long)]
    pub force: bool,

    /// Seconds to wait for running containers to stop before killing the container
    #[arg(short = 't', long, value_name = "SECONDS")]
    pub time: Option<u32>,
}
