//! `berth pod create [options] [NAME]`: builds libpod's PodSpecGenerator
//! the way podman's remote client does (shared namespaces, infra
//! container, published ports, networks, DNS and hosts) and prints the
//! new pod's id.

use std::io::Write;

use anyhow::Context;
use berth_client::api::pods::{self, PodSpec};
use serde_json::{json, Map, Value};

use crate::cli::container::{CreateFlags, SharedCreateFlags};
use crate::cli::pod::PodCreateArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::container::spec::{apply_static_addresses, parse_publish};
use crate::commands::objects::key_values;

pub async fn run(global: &GlobalArgs, args: &PodCreateArgs) -> anyhow::Result<u8> {
    let spec = build(args, std::env::args().collect())?;
    let id_file = match &args.pod_id_file {
        Some(path) => Some(open_id_file(path)?),
        None => None,
    };
    let client = crate::connection::connect(global).await?;
    if args.replace && !spec.name.is_empty() && pods::exists(&client, &spec.name).await? {
        pods::remove(&client, &spec.name, true, None).await?;
    }
    let id = pods::create(&client, &spec).await?;
    if let Some((mut file, path)) = id_file {
        file.write_all(id.as_bytes())
            .map_err(|err| anyhow::anyhow!("failed to write pod ID to file: {path}: {err}"))?;
    }
    print_line(&id)?;
    Ok(0)
}

/// `--pod-id-file` is created before the pod, and must not exist yet.
fn open_id_file(path: &str) -> anyhow::Result<(std::fs::File, String)> {
    match std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
    {
        Ok(file) => Ok((file, path.to_string())),
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
            anyhow::bail!("pod id file exists. Ensure another pod is not using it or delete {path}")
        }
        Err(_) => anyhow::bail!("opening pod-id-file {path}"),
    }
}

/// The PodSpecGenerator for the command line (`argv` is recorded as the
/// pod's create command, as podman does).
pub fn build(args: &PodCreateArgs, argv: Vec<String>) -> anyhow::Result<PodSpec> {
    let mut spec = PodSpec {
        exit_policy: args.exit_policy.clone(),
        pod_create_command: argv,
        ..PodSpec::default()
    };
    match args.args.as_slice() {
        [] => spec.name = args.name.clone().unwrap_or_default(),
        [name] if args.name.is_none() => spec.name = name.clone(),
        [_] => anyhow::bail!("cannot specify --name and NAME at the same time"),
        more => anyhow::bail!("accepts at most 1 arg(s), received {}", more.len()),
    }
    spec.labels = key_values(&args.shared.label).context("unable to process labels")?;
    let share = args.share.as_deref().unwrap_or("ipc,net,uts");
    // No namespaces to share: no infra container, unless asked for.
    let infra = args.infra.unwrap_or(share != "none" && !share.is_empty());
    let other = &mut spec.other;
    other.insert("pidns".into(), json!({"nsmode": "private"}));
    other.insert("userns".into(), json!({}));
    other.insert("utsns".into(), json!({}));
    apply_network(args, infra, other)?;
    if !infra {
        if args.shared.no_hosts {
            anyhow::bail!("cannot specify --no-hosts without an infra container");
        }
        if args.infra_name.is_some() {
            anyhow::bail!("cannot set infra-name without an infra container");
        }
        if args.share.is_some() && share != "none" && !share.is_empty() {
            anyhow::bail!("cannot set share({share}) namespaces without an infra container");
        }
        if !args.shared.publish.is_empty() {
            anyhow::bail!("you must have an infra container to publish port bindings to the host");
        }
        for (given, flag) in [
            (args.shared.ip.is_some(), "--ip"),
            (args.shared.ip6.is_some(), "--ip6"),
            (args.shared.mac_address.is_some(), "--mac"),
        ] {
            if given {
                anyhow::bail!("cannot set {flag} without infra container: invalid argument");
            }
        }
        spec.no_infra = true;
        return Ok(spec);
    }
    if share.contains("cgroup") && args.share_parent {
        anyhow::bail!("cannot define the pod as the cgroup parent at the same time as joining the infra container's cgroupNS: invalid argument");
    }
    let mut shared: Vec<String> = Vec::new();
    let share = match share.strip_prefix('+') {
        Some(rest) => {
            shared.extend(["ipc", "net", "uts"].map(String::from));
            rest
        }
        None => share,
    };
    shared.extend(share.split(',').map(String::from));
    spec.shared_namespaces = Some(shared);
    other.insert("share_parent".into(), json!(args.share_parent));
    if let Some(hostname) = &args.shared.hostname {
        spec.hostname = hostname.clone();
    }
    if let Some(image) = &args.infra_image {
        other.insert("infra_image".into(), json!(image));
    }
    if let Some(name) = &args.infra_name {
        other.insert("infra_name".into(), json!(name));
    }
    if let Some(command) = &args.infra_command {
        // podman splits the command at spaces.
        other.insert(
            "infra_command".into(),
            json!(command.split(' ').collect::<Vec<_>>()),
        );
    }
    if let Some(pidfile) = &args.infra_conmon_pidfile {
        other.insert("infra_conmon_pid_file".into(), json!(pidfile));
    }
    spec.portmappings = args
        .shared
        .publish
        .iter()
        .map(|publish| parse_publish(publish))
        .collect::<anyhow::Result<_>>()?;
    if args.shared.no_hosts {
        if !args.shared.add_host.is_empty() {
            anyhow::bail!("--no-hosts and --add-host cannot be set together");
        }
        other.insert("no_manage_hosts".into(), json!(true));
    }
    for (key, values) in [
        ("hostadd", &args.shared.add_host),
        ("dns_server", &args.shared.dns),
        ("dns_search", &args.shared.dns_search),
        ("dns_option", &args.shared.dns_option),
    ] {
        if !values.is_empty() {
            other.insert(key.into(), json!(values));
        }
    }
    apply_infra_settings(args, &mut spec)?;
    Ok(spec)
}

/// The infra container's settings that podman's client copies into the
/// pod spec (it builds the infra container's SpecGenerator and reads the
/// pod's fields back from its JSON): resources, namespaces, storage,
/// sysctls, labels from files; devices and security options as given.
fn apply_infra_settings(args: &PodCreateArgs, spec: &mut PodSpec) -> anyhow::Result<()> {
    // What the pod sets itself is left out of the infra container's flags.
    let shared = SharedCreateFlags {
        add_host: Vec::new(),
        device: Vec::new(),
        dns: Vec::new(),
        dns_option: Vec::new(),
        dns_search: Vec::new(),
        hostname: None,
        ip: None,
        ip6: None,
        label: Vec::new(),
        mac_address: None,
        network: Vec::new(),
        network_alias: Vec::new(),
        no_hosts: false,
        publish: Vec::new(),
        security_opt: Vec::new(),
        ..args.shared.clone()
    };
    let flags = CreateFlags {
        shared,
        ..CreateFlags::default()
    };
    let infra = crate::commands::container::spec::build(&flags, "", &[], Vec::new(), &|_| None)?;
    for (key, value) in &infra.labels {
        spec.labels
            .entry(key.clone())
            .or_insert_with(|| value.clone());
    }
    let infra = serde_json::to_value(&infra)?;
    // The fields podman's client carries over (its pod spec has no
    // per-device weights or write limits: those are dropped, as there).
    for key in [
        "pidns",
        "userns",
        "utsns",
        "sysctl",
        "mounts",
        "volumes",
        "volumes_from",
        "shm_size",
        "resource_limits",
        "throttleReadBpsDevice",
        "idmappings",
        "cgroup_parent",
    ] {
        if let Some(value) = infra.get(key) {
            spec.other.insert(key.into(), value.clone());
        }
    }
    if !args.shared.device.is_empty() {
        spec.other
            .insert("pod_devices".into(), json!(args.shared.device));
    }
    if !args.shared.security_opt.is_empty() {
        spec.other
            .insert("security_opt".into(), json!(args.shared.security_opt));
    }
    Ok(())
}

/// `--network`: a namespace mode (`host`, `none`, `private`,
/// `slirp4netns[:opts]`, `ns:PATH`, `container:ID`) or network names
/// (joined in bridge mode, with `--network-alias`).
fn apply_network(
    args: &PodCreateArgs,
    infra: bool,
    other: &mut Map<String, Value>,
) -> anyhow::Result<()> {
    let mut netns = json!({});
    let mut networks = Map::new();
    for network in &args.shared.network {
        let (mode, value) = network.split_once(':').unwrap_or((network, ""));
        match mode {
            "host" | "none" | "private" | "bridge" if value.is_empty() => {
                netns = json!({"nsmode": mode});
            }
            "slirp4netns" => netns = json!({"nsmode": "slirp4netns"}),
            "ns" | "container" => {
                netns = json!({"nsmode": if mode == "ns" { "path" } else { "container" }, "value": value})
            }
            _ => {
                netns = json!({"nsmode": "bridge"});
                let mut options = json!({"interface_name": ""});
                if !args.shared.network_alias.is_empty() {
                    options["aliases"] = json!(args.shared.network_alias);
                }
                networks.insert(network.clone(), options);
            }
        }
    }
    if infra {
        apply_static_addresses(&args.shared, Some(&netns), &mut networks)?;
    }
    other.insert("netns".into(), netns);
    other.insert(
        "Networks".into(),
        if networks.is_empty() && args.shared.network.is_empty() {
            Value::Null
        } else {
            Value::Object(networks)
        },
    );
    Ok(())
}
