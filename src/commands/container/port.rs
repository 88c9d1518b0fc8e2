//! `berth port`: a running container's published ports
//! (`80/tcp -> 0.0.0.0:8080`), or where one port is published.

use berth_client::api::containers::{self, ListContainer, ListOptions};

use super::{no_such_container, print_line};
use crate::cli::container::PortArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &PortArgs) -> anyhow::Result<u8> {
    if args.args.is_empty() && !args.all {
        anyhow::bail!("you must supply a running container name or id");
    }
    if args.all && args.args.len() > 1 {
        anyhow::bail!("the -a option cannot be used with a container name and a port");
    }
    let (container, wanted) = if args.all {
        (None, args.args.first())
    } else {
        (args.args.first(), args.args.get(1))
    };
    let wanted = wanted.map(|port| parse_wanted(port)).transpose()?;
    let client = crate::connection::connect(global).await?;
    let listed = containers::list(
        &client,
        &ListOptions {
            all: true,
            ..Default::default()
        },
    )
    .await?;
    let selected: Vec<&ListContainer> = match container {
        None => listed.iter().collect(),
        Some(name) => vec![find(&client, &listed, name).await?],
    };
    for container in selected {
        if container.state != "running" {
            continue;
        }
        let ports = container.ports.as_deref().unwrap_or_default();
        if ports.is_empty() {
            continue;
        }
        let prefix = if args.all {
            format!("{}\t", &container.id[..container.id.len().min(12)])
        } else {
            String::new()
        };
        let mut found = false;
        for mapping in ports {
            let host_ip = if mapping.host_ip.is_empty() {
                "0.0.0.0"
            } else {
                &mapping.host_ip
            };
            for protocol in mapping.protocol.split(',') {
                match &wanted {
                    None => {
                        for offset in 0..mapping.range.max(1) {
                            print_line(&format!(
                                "{prefix}{}/{protocol} -> {host_ip}:{}",
                                u32::from(mapping.container_port) + u32::from(offset),
                                u32::from(mapping.host_port) + u32::from(offset)
                            ))?;
                        }
                    }
                    Some((port, proto, _)) => {
                        let start = u32::from(mapping.container_port);
                        let end = start + u32::from(mapping.range.max(1));
                        if mapping.protocol == *proto && (start..end).contains(&u32::from(*port)) {
                            let host_port = u32::from(mapping.host_port) + u32::from(*port) - start;
                            print_line(&format!("{prefix}{host_ip}:{host_port}"))?;
                            found = true;
                            break;
                        }
                    }
                }
            }
        }
        if let Some((_, _, text)) = &wanted {
            if !found {
                anyhow::bail!("failed to find published port {text:?}");
            }
        }
    }
    Ok(0)
}

/// `PORT[/PROTO]`, the protocol defaulting to tcp.
fn parse_wanted(text: &str) -> anyhow::Result<(u16, String, String)> {
    let fields: Vec<&str> = text.split('/').collect();
    if fields.len() > 2 {
        anyhow::bail!("port formats are port/protocol. '{text}' is invalid");
    }
    let port = fields[0].parse::<u16>().map_err(|_| {
        anyhow::anyhow!("strconv.ParseUint: parsing {:?}: invalid syntax", fields[0])
    })?;
    let proto = fields.get(1).copied().unwrap_or("tcp").to_string();
    Ok((port, proto, text.to_string()))
}

/// The listed container `name` refers to: an exact name or id, else the
/// engine's own lookup (which also takes id prefixes).
async fn find<'a>(
    client: &berth_client::Client,
    listed: &'a [ListContainer],
    name: &str,
) -> anyhow::Result<&'a ListContainer> {
    let by_name = listed
        .iter()
        .find(|c| c.id == name || c.names.iter().any(|n| n == name));
    if let Some(found) = by_name {
        return Ok(found);
    }
    let inspect = containers::inspect(client, name, false).await?;
    let id = inspect["Id"].as_str().unwrap_or_default();
    listed
        .iter()
        .find(|c| c.id == id)
        .ok_or_else(|| no_such_container(name))
}
