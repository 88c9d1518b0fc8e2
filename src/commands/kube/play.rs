//! `berth kube play [options] KUBEFILE|-`: creates (and starts) the pods,
//! containers and volumes the YAML describes and prints podman's report.
//! `--replace` takes the YAML's pods down first, `--down` only does that.
//! `--configmap` files are sent along with the YAML as extra documents, so
//! they work against a remote engine (podman's remote client lacks the flag).

use std::collections::BTreeMap;

use berth_client::api::kube::{self, PlayOptions};

use super::down::teardown;
use crate::cli::kube::KubePlayArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{print_line, warn_unforwarded_ports};
use crate::commands::objects::check_mac;
use crate::commands::registry::registry_auth;

pub async fn run(global: &GlobalArgs, args: &KubePlayArgs) -> anyhow::Result<u8> {
    let options = play_options(args)?;
    let mut yaml = super::read_yaml(&args.file).await?;
    let client = crate::connection::connect(global).await?;
    if args.down {
        return teardown(&client, yaml).await;
    }
    if args.replace {
        if let Err(err) = teardown(&client, yaml.clone()).await {
            if !err.to_string().contains("no such pod") {
                return Err(err);
            }
        }
    }
    for path in &args.configmaps {
        let document = std::fs::read(path).map_err(|err| {
            anyhow::anyhow!("{path}: {}", crate::commands::container::go_io_reason(&err))
        })?;
        yaml.extend_from_slice(b"\n---\n");
        yaml.extend_from_slice(&document);
    }
    let report = kube::play(&client, yaml.into(), &options).await?;
    for (index, volume) in report.volumes.iter().flatten().enumerate() {
        if index == 0 {
            print_line("Volumes:")?;
        }
        print_line(&volume.name)?;
    }
    let pods = report.pods.unwrap_or_default();
    for pod in &pods {
        for log in pod.logs.iter().flatten() {
            eprint!("{log}");
        }
    }
    // A machine's agent forwards the pods' published ports; it says which it cannot.
    if args.start != Some(false) {
        let agent_control = crate::connection::machine_agent_control(global);
        for pod in &pods {
            let wait = std::time::Duration::ZERO;
            warn_unforwarded_ports(agent_control.clone(), pod.id.clone(), wait).await;
        }
    }
    let mut failed = 0;
    for pod in &pods {
        print_line("Pod:")?;
        print_line(&pod.id)?;
        let containers = pod.containers.clone().unwrap_or_default();
        match containers.len() {
            0 => continue,
            1 => print_line("Container:")?,
            _ => print_line("Containers:")?,
        }
        for container in &containers {
            print_line(container)?;
        }
        let errors = pod.container_errors.clone().unwrap_or_default();
        failed += errors.len();
        if !errors.is_empty() {
            print_line("")?;
        }
        for err in &errors {
            eprintln!("{err}");
        }
        print_line("")?;
    }
    if failed > 0 {
        anyhow::bail!("failed to start {failed} containers");
    }
    Ok(0)
}

fn play_options(args: &KubePlayArgs) -> anyhow::Result<PlayOptions> {
    let mut annotations = BTreeMap::new();
    for annotation in &args.annotations {
        let Some((key, value)) = annotation.split_once('=') else {
            anyhow::bail!("annotation {annotation:?} must include an '=' sign");
        };
        // Kubernetes' limit on an annotation's size.
        if value.len() > 63 {
            anyhow::bail!("annotation exceeds maximum size, 63, of kubernetes annotation: {value}");
        }
        annotations.insert(key.to_string(), value.to_string());
    }
    for mac in &args.mac_addresses {
        check_mac(mac)?;
    }
    Ok(PlayOptions {
        networks: args.networks.clone(),
        log_driver: args.log_driver.clone(),
        log_options: args.log_options.clone(),
        start: args.start,
        no_hosts: args.no_hosts,
        userns: args.userns.clone(),
        annotations,
        static_ips: args.ips.iter().map(ToString::to_string).collect(),
        static_macs: args.mac_addresses.clone(),
        quiet: args.quiet,
        tls_verify: args.credentials.tls_verify,
        registry_auth: registry_auth(
            args.credentials.creds.as_deref(),
            args.credentials.authfile.as_deref(),
        )?,
    })
}
