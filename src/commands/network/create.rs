//! `berth network create [NAME]`: creates a network (subnets with their
//! gateways and lease ranges, internal, labels, driver options) and
//! prints its name.

use std::net::IpAddr;

use anyhow::Context;

use berth_client::api::networks::{self, LeaseRange, NetworkCreate, Subnet};

use crate::cli::network::NetworkCreateArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::key_values;

pub async fn run(global: &GlobalArgs, args: &NetworkCreateArgs) -> anyhow::Result<u8> {
    let labels = key_values(&args.labels).context("failed to parse labels")?;
    let mut options = key_values(&args.options).context("unable to parse options")?;
    let mut network = NetworkCreate {
        name: args.name.clone().unwrap_or_default(),
        driver: args.driver.clone(),
        ipv6_enabled: args.ipv6,
        internal: args.internal,
        dns_enabled: !args.disable_dns,
        labels,
        ..NetworkCreate::default()
    };
    if let Some(driver) = &args.ipam_driver {
        network
            .ipam_options
            .insert("driver".to_string(), driver.clone());
    }
    if args.driver == "macvlan" {
        if let Some(parent) = options.remove("parent") {
            network.network_interface = parent;
        }
    }
    network.options = options;
    network.subnets = subnets(args)?;
    let client = crate::connection::connect(global).await?;
    let created = networks::create(&client, &network).await?;
    print_line(created["name"].as_str().unwrap_or_default())?;
    Ok(0)
}

/// `--subnet`, with the n-th `--gateway` and `--ip-range` belonging to the
/// n-th subnet, checked as podman checks them.
fn subnets(args: &NetworkCreateArgs) -> anyhow::Result<Vec<Subnet>> {
    if args.subnets.is_empty() {
        if !args.gateways.is_empty() || !args.ip_ranges.is_empty() {
            anyhow::bail!("cannot set gateway or range without subnet");
        }
        return Ok(Vec::new());
    }
    if args.gateways.len() > args.subnets.len() {
        anyhow::bail!("cannot set more gateways than subnets");
    }
    if args.ip_ranges.len() > args.subnets.len() {
        anyhow::bail!("cannot set more ranges than subnets");
    }
    args.subnets
        .iter()
        .enumerate()
        .map(|(index, subnet)| {
            parse_cidr(subnet)?;
            let lease_range = args
                .ip_ranges
                .get(index)
                .map(|range| lease_range(range))
                .transpose()?;
            Ok(Subnet {
                subnet: subnet.clone(),
                gateway: args.gateways.get(index).map(ToString::to_string),
                lease_range,
            })
        })
        .collect()
}

/// Go's `net.ParseCIDR`: an address and a prefix length that fits it.
fn parse_cidr(text: &str) -> anyhow::Result<(IpAddr, u32)> {
    let invalid = || anyhow::anyhow!("invalid CIDR address: {text}");
    let (address, prefix) = text.split_once('/').ok_or_else(invalid)?;
    let address: IpAddr = address.parse().map_err(|_| invalid())?;
    if prefix.is_empty() || prefix.len() > 3 || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return Err(invalid());
    }
    let prefix: u32 = prefix.parse().map_err(|_| invalid())?;
    let bits = if address.is_ipv4() { 32 } else { 128 };
    if prefix > bits {
        return Err(invalid());
    }
    Ok((address, prefix))
}

/// `--ip-range CIDR`: its first and last host addresses, as podman's
/// `parseRange` computes them.
fn lease_range(range: &str) -> anyhow::Result<LeaseRange> {
    let (address, prefix) = parse_cidr(range)?;
    let (value, bits) = match address {
        IpAddr::V4(v4) => (u128::from(u32::from(v4)), 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    let host_bits = bits - prefix;
    let mask = if host_bits == 128 {
        u128::MAX
    } else {
        (1u128 << host_bits) - 1
    };
    let network = value & !mask;
    let (first, last) = (network + 1, (network | mask).saturating_sub(1));
    let text = |n: u128| match address {
        IpAddr::V4(_) => std::net::Ipv4Addr::from(n as u32).to_string(),
        IpAddr::V6(_) => std::net::Ipv6Addr::from(n).to_string(),
    };
    Ok(LeaseRange {
        start_ip: text(first),
        end_ip: text(last),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidrs_and_ranges() {
        assert!(parse_cidr("10.89.0.0/24").is_ok());
        assert_eq!(
            parse_cidr("bad").unwrap_err().to_string(),
            "invalid CIDR address: bad"
        );
        assert!(parse_cidr("10.0.0.0/33").is_err());
        let range = lease_range("10.89.5.128/25").unwrap();
        assert_eq!(
            (range.start_ip.as_str(), range.end_ip.as_str()),
            ("10.89.5.129", "10.89.5.254")
        );
        let range = lease_range("fd00::/120").unwrap();
        assert_eq!(
            (range.start_ip.as_str(), range.end_ip.as_str()),
            ("fd00::1", "fd00::fe")
        );
    }
}
