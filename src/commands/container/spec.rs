//! From `run`/`create` flags to libpod's SpecGenerator, the way podman's
//! remote client fills it in (`specgenutil.FillOutSpecGen`): ports,
//! volumes and mounts, environment and labels, resources, namespaces,
//! security options and the client-side defaults podman sends along.
//! A pure function of the flags (and, for `-e NAME`, the local
//! environment), so every mapping is unit-tested.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context};
use berth_client::api::containers::{Mount, NamedVolume, PortMapping, SpecGenerator};
use berth_client::api::pods::PodSpec;
use serde_json::{json, Map, Value};

use crate::cli::container::{CreateFlags, SharedCreateFlags};

/// Builds the spec for `image` with `command`; `argv` is recorded as the
/// container's create command (shown by `inspect`).
pub fn build(
    flags: &CreateFlags,
    image: &str,
    command: &[String],
    argv: Vec<String>,
    local_env: &dyn Fn(&str) -> Option<String>,
) -> anyhow::Result<SpecGenerator> {
    let mut spec = SpecGenerator {
        name: flags.name.clone().unwrap_or_default(),
        image: image.to_string(),
        command: command.to_vec(),
        terminal: flags.tty,
        stdin: flags.interactive,
        work_dir: flags.workdir.clone().unwrap_or_default(),
        user: flags.user.clone().unwrap_or_default(),
        hostname: flags.shared.hostname.clone().unwrap_or_default(),
        remove: flags.rm,
        pod: flags.pod.clone().unwrap_or_default(),
        ..SpecGenerator::default()
    };
    let mut other = Map::new();
    if let (Some(pod), Some(_)) = (&flags.pod, &flags.shared.userns) {
        if !pod.starts_with("new:") {
            bail!("--userns and --pod cannot be set together");
        }
    }

    if let Some(entrypoint) = &flags.entrypoint {
        // A JSON array, else one word.
        spec.entrypoint = Some(
            serde_json::from_str::<Vec<String>>(entrypoint)
                .unwrap_or_else(|_| vec![entrypoint.clone()]),
        );
    }

    let mut env = BTreeMap::new();
    for file in &flags.env_file {
        let text = std::fs::read_to_string(file).map_err(|err| {
            anyhow::anyhow!(
                "parsing env file {file:?}: open {file}: {}",
                super::go_io_reason(&err)
            )
        })?;
        for line in text.lines() {
            add_env(&mut env, line.trim_start(), local_env, true)?;
        }
    }
    for entry in &flags.env {
        add_env(&mut env, entry, local_env, false)?;
    }
    spec.env = env;

    let mut labels = BTreeMap::new();
    for file in &flags.shared.label_file {
        let text = std::fs::read_to_string(file).map_err(|err| {
            anyhow::anyhow!(
                "unable to process labels: open {file}: {}",
                super::go_io_reason(&err)
            )
        })?;
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (key, value) = line.split_once('=').unwrap_or((line, ""));
            labels.insert(key.to_string(), value.to_string());
        }
    }
    for label in &flags.shared.label {
        let (key, value) = label.split_once('=').unwrap_or((label, ""));
        labels.insert(key.to_string(), value.to_string());
    }
    spec.labels = labels;

    let mut annotations = Map::new();
    annotations.insert(
        "io.kubernetes.cri-o.TTY".into(),
        Value::String(flags.tty.to_string()),
    );
    for annotation in &flags.annotation {
        let Some((key, value)) = annotation.split_once('=') else {
            bail!("annotations must be formatted KEY=VALUE");
        };
        annotations.insert(key.into(), Value::String(value.into()));
    }
    if let Some(cidfile) = &flags.cidfile {
        annotations.insert(
            "io.podman.annotations.cid-file".into(),
            Value::String(cidfile.clone()),
        );
    }

    for publish in &flags.shared.publish {
        spec.portmappings.push(parse_publish(publish)?);
    }
    if flags.publish_all {
        other.insert("publish_image_ports".into(), json!(true));
    }
    if !flags.expose.is_empty() {
        let mut expose = Map::new();
        for port in &flags.expose {
            let (ports, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
            let (start, end) = parse_port_range(ports, "expose")?;
            for number in start..=end {
                expose.insert(number.to_string(), json!(protocol));
            }
        }
        other.insert("expose".into(), Value::Object(expose));
    }

    let volumes = parse_storage(flags)?;
    spec.mounts = volumes.mounts;
    spec.volumes = volumes.volumes;
    if !flags.shared.volumes_from.is_empty() {
        other.insert("volumes_from".into(), json!(flags.shared.volumes_from));
    }

    if let Some(restart) = &flags.restart {
        if flags.rm && !restart.is_empty() && restart != "no" {
            bail!("the --rm option conflicts with --restart, when the restartPolicy is not \"\" and \"no\"");
        }
        let mut parts = restart.split(':');
        let policy = parts.next().unwrap_or_default();
        match (parts.next(), parts.next()) {
            (None, _) => {}
            (Some(tries), None) => {
                if !policy.eq_ignore_ascii_case("on-failure") {
                    bail!("restart policy retries can only be specified with on-failure restart policy");
                }
                let tries: i64 = tries.parse().map_err(|_| {
                    anyhow::anyhow!(
                        "parsing restart policy retry count: strconv.Atoi: parsing {tries:?}: invalid syntax"
                    )
                })?;
                if tries < 0 {
                    bail!("must specify restart policy retry count as a number greater than 0");
                }
                spec.restart_tries = Some(tries as u32);
            }
            _ => bail!("invalid restart policy: may specify retries at most once"),
        }
        spec.restart_policy = policy.to_string();
    }

    let stop_timeout = flags.stop_timeout.unwrap_or(10);
    other.insert("stop_timeout".into(), json!(stop_timeout));
    if let Some(signal) = &flags.stop_signal {
        other.insert("stop_signal".into(), json!(signal_number(signal)?));
    }
    if let Some(timeout) = flags.timeout.filter(|timeout| *timeout > 0) {
        other.insert("timeout".into(), json!(timeout));
    }
    other.insert("httpproxy".into(), json!(true));
    other.insert("sdnotifyMode".into(), json!("container"));
    other.insert("manage_password".into(), json!(true));
    other.insert("raw_image_name".into(), json!(image));
    other.insert("containerCreateCommand".into(), json!(argv));
    other.insert("use_image_hosts".into(), json!(flags.shared.no_hosts));
    if flags.rm {
        other.insert("volatile".into(), json!(true));
    }
    if let Some(systemd) = &flags.systemd {
        other.insert("systemd".into(), json!(systemd.to_ascii_lowercase()));
    }
    if let Some(tz) = &flags.tz {
        other.insert("timezone".into(), json!(tz));
    }
    if let Some(umask) = &flags.umask {
        other.insert("umask".into(), json!(umask));
    }
    if !flags.unsetenv.is_empty() {
        other.insert("unsetenv".into(), json!(flags.unsetenv));
    }
    if flags.unsetenv_all {
        other.insert("unsetenvall".into(), json!(true));
    }
    if flags.init {
        other.insert("init".into(), json!(true));
    }
    if flags.privileged {
        other.insert("privileged".into(), json!(true));
    }
    if flags.read_only {
        other.insert("read_only_filesystem".into(), json!(true));
    }
    for (key, list) in [
        ("cap_add", &flags.cap_add),
        ("cap_drop", &flags.cap_drop),
        ("groups", &flags.group_add),
        ("dns_server", &flags.shared.dns),
        ("dns_search", &flags.shared.dns_search),
        ("dns_option", &flags.shared.dns_option),
        ("hostadd", &flags.shared.add_host),
    ] {
        if !list.is_empty() {
            other.insert(key.into(), json!(list));
        }
    }
    if flags.shared.no_hosts && !flags.shared.add_host.is_empty() {
        bail!("--no-hosts and --add-host cannot be set together");
    }
    if !flags.shared.device.is_empty() {
        let devices: Vec<Value> = flags
            .shared
            .device
            .iter()
            .map(|path| json!({ "path": path }))
            .collect();
        other.insert("devices".into(), Value::Array(devices));
    }
    if !flags.shared.sysctl.is_empty() {
        let mut sysctl = Map::new();
        for entry in &flags.shared.sysctl {
            let Some((key, value)) = entry.split_once('=') else {
                bail!("invalid sysctl value {entry:?}");
            };
            sysctl.insert(key.into(), json!(value));
        }
        other.insert("sysctl".into(), Value::Object(sysctl));
    }
    if !flags.ulimit.is_empty() {
        let mut limits = Vec::new();
        for ulimit in &flags.ulimit {
            limits.push(parse_ulimit(ulimit)?);
        }
        other.insert("r_limits".into(), Value::Array(limits));
    }
    if let Some(resources) = resource_limits(flags)? {
        other.insert("resource_limits".into(), resources);
    }
    device_limits(&flags.shared, &mut other)?;
    if let Some(mappings) = id_mappings(&flags.shared)? {
        other.insert("idmappings".into(), mappings);
        other.insert("userns".into(), json!({ "nsmode": "private" }));
    }
    if let Some(parent) = &flags.shared.cgroup_parent {
        other.insert("cgroup_parent".into(), json!(parent));
    }
    if let Some(size) = &flags.shared.shm_size {
        let bytes =
            ram_in_bytes(size).with_context(|| "unable to translate --shm-size".to_string())?;
        other.insert("shm_size".into(), json!(bytes));
    }

    let mut log = Map::new();
    if let Some(driver) = &flags.log_driver {
        log.insert("driver".into(), json!(driver));
    }
    let mut log_options = Map::new();
    for option in &flags.log_opt {
        let Some((key, value)) = option.split_once('=') else {
            bail!("invalid log option {option:?}");
        };
        match key.to_ascii_lowercase().as_str() {
            "driver" => {
                log.insert("driver".into(), json!(value));
            }
            "path" => {
                log.insert("path".into(), json!(value));
            }
            "max-size" => {
                log.insert("size".into(), json!(decimal_size(value)?));
            }
            _ => {
                log_options.insert(key.into(), json!(value));
            }
        }
    }
    if !log_options.is_empty() {
        log.insert("options".into(), Value::Object(log_options));
    }
    other.insert("log_configuration".into(), Value::Object(log));

    for option in &flags.shared.security_opt {
        apply_security_opt(option, &mut other, &mut annotations)?;
    }
    other.insert("annotations".into(), Value::Object(annotations));

    for (key, mode) in [
        ("pidns", &flags.shared.pid),
        ("ipcns", &flags.ipc),
        ("utsns", &flags.shared.uts),
        ("userns", &flags.shared.userns),
    ] {
        if let Some(mode) = mode {
            other.insert(key.into(), namespace(mode));
        }
    }
    apply_network(flags, &mut other)?;

    if let Some(platform) = &flags.platform {
        let (os, arch) = platform.split_once('/').unwrap_or((platform, ""));
        other.insert("image_os".into(), json!(os));
        if !arch.is_empty() {
            other.insert("image_arch".into(), json!(arch));
        }
    }
    for (key, value) in [
        ("image_os", &flags.os),
        ("image_arch", &flags.arch),
        ("image_variant", &flags.variant),
    ] {
        if let Some(value) = value {
            other.insert(key.into(), json!(value));
        }
    }
    spec.other = other;
    Ok(spec)
}

/// One `-e`/`--env-file` entry: `KEY=VALUE`, `KEY` (the local value, if
/// any), or `PREFIX*` (every local variable with that prefix).
fn add_env(
    env: &mut BTreeMap<String, String>,
    entry: &str,
    local_env: &dyn Fn(&str) -> Option<String>,
    from_file: bool,
) -> anyhow::Result<()> {
    if from_file && (entry.is_empty() || entry.starts_with('#')) {
        return Ok(());
    }
    if let Some((key, value)) = entry.split_once('=') {
        if key.is_empty() {
            bail!("invalid environment variable: {entry:?}");
        }
        env.insert(key.to_string(), value.to_string());
        return Ok(());
    }
    if let Some(prefix) = entry.strip_suffix('*') {
        for (key, value) in std::env::vars() {
            if key.starts_with(prefix) {
                env.insert(key, value);
            }
        }
        return Ok(());
    }
    if let Some(value) = local_env(entry) {
        env.insert(entry.to_string(), value);
    }
    Ok(())
}

/// `-p [[ip:][hostPort]:]containerPort[/protocol]`, ports may be ranges.
pub fn parse_publish(publish: &str) -> anyhow::Result<PortMapping> {
    let (rest, protocol) = match publish.rsplit_once('/') {
        Some((rest, protocol)) => (rest, protocol.to_string()),
        None => (publish, String::new()),
    };
    // An IPv6 host address is bracketed: [::1]:8080:80.
    let (host_ip, rest) = if let Some(stripped) = rest.strip_prefix('[') {
        let Some((ip, after)) = stripped.split_once(']') else {
            bail!("invalid IP address in port mapping {publish:?}");
        };
        (ip.to_string(), after.strip_prefix(':').unwrap_or(after))
    } else {
        let parts: Vec<&str> = rest.split(':').collect();
        match parts.len() {
            1 | 2 => (String::new(), rest),
            3 => (parts[0].to_string(), &rest[parts[0].len() + 1..]),
            _ => bail!("invalid port format {publish:?}"),
        }
    };
    let (host, container) = match rest.rsplit_once(':') {
        Some((host, container)) => (host, container),
        None => ("", rest),
    };
    let (container_start, container_end) = parse_port_range(container, "container")?;
    let range = container_end - container_start + 1;
    let host_port = if host.is_empty() {
        0
    } else {
        let (host_start, host_end) = parse_port_range(host, "host")?;
        if host_end - host_start + 1 != range {
            bail!("host and container port ranges have different lengths: {host} vs {container}");
        }
        host_start
    };
    Ok(PortMapping {
        host_ip,
        container_port: container_start,
        host_port,
        range,
        protocol,
    })
}

/// `80` or `8000-8010`, with podman's messages for bad numbers.
fn parse_port_range(text: &str, what: &str) -> anyhow::Result<(u16, u16)> {
    let number = |part: &str| -> anyhow::Result<u16> {
        let value: i64 = part.parse().map_err(|_| {
            anyhow::anyhow!(
                "parsing {what} port: invalid port number: strconv.Atoi: parsing {part:?}: invalid syntax"
            )
        })?;
        if !(1..=65535).contains(&value) {
            bail!("parsing {what} port: port numbers must be between 1 and 65535 (inclusive), got {value}");
        }
        Ok(value as u16)
    };
    match text.split_once('-') {
        Some((start, end)) => {
            let (start, end) = (number(start)?, number(end)?);
            if end < start {
                bail!("parsing {what} port: invalid port range {text}");
            }
            Ok((start, end))
        }
        None => {
            let port = number(text)?;
            Ok((port, port))
        }
    }
}

/// Mounts and named volumes from `-v`, `--mount` and `--tmpfs`.
struct Storage {
    mounts: Vec<Mount>,
    volumes: Vec<NamedVolume>,
}

fn parse_storage(flags: &CreateFlags) -> anyhow::Result<Storage> {
    let mut storage = Storage {
        mounts: Vec::new(),
        volumes: Vec::new(),
    };
    for mount in &flags.mount {
        parse_mount_flag(mount, &mut storage)?;
    }
    for volume in &flags.shared.volume {
        parse_volume_flag(volume, &mut storage)?;
    }
    for tmpfs in &flags.tmpfs {
        let (destination, options) = tmpfs.split_once(':').unwrap_or((tmpfs, ""));
        check_absolute(destination)?;
        storage.mounts.push(Mount {
            destination: destination.to_string(),
            kind: "tmpfs".into(),
            source: "tmpfs".into(),
            options: split_options(options),
        });
    }
    if flags.read_only {
        // podman's --read-only-tmpfs default: writable /tmp, /var/tmp, /run.
        for destination in ["/tmp", "/var/tmp", "/run"] {
            if storage.mounts.iter().any(|m| m.destination == destination) {
                continue;
            }
            storage.mounts.push(Mount {
                destination: destination.into(),
                kind: "tmpfs".into(),
                source: "tmpfs".into(),
                options: ["rw", "rprivate", "nosuid", "nodev", "tmpcopyup"]
                    .map(String::from)
                    .to_vec(),
            });
        }
    }
    let mut seen = std::collections::HashSet::new();
    for destination in storage
        .mounts
        .iter()
        .map(|m| &m.destination)
        .chain(storage.volumes.iter().map(|v| &v.dest))
    {
        if !seen.insert(destination.clone()) {
            bail!("{destination:?}: duplicate mount destination");
        }
    }
    Ok(storage)
}

fn split_options(options: &str) -> Vec<String> {
    options
        .split(',')
        .filter(|option| !option.is_empty())
        .map(String::from)
        .collect()
}

fn check_absolute(path: &str) -> anyhow::Result<()> {
    if !path.starts_with('/') {
        bail!("invalid container path {path:?}, must be an absolute path");
    }
    Ok(())
}

/// The options `-v` accepts (podman's `ValidateVolumeOpts`).
fn check_volume_options(options: &[String]) -> anyhow::Result<()> {
    for option in options {
        let name = option
            .split_once('=')
            .map_or(option.as_str(), |(key, _)| key);
        let known = matches!(
            name,
            "ro" | "rw"
                | "z"
                | "Z"
                | "O"
                | "U"
                | "exec"
                | "noexec"
                | "suid"
                | "nosuid"
                | "dev"
                | "nodev"
                | "copy"
                | "nocopy"
                | "bind"
                | "rbind"
                | "shared"
                | "rshared"
                | "slave"
                | "rslave"
                | "private"
                | "rprivate"
                | "unbindable"
                | "runbindable"
                | "idmap"
                | "upperdir"
                | "workdir"
                | "chown"
                | "nochown"
        );
        if !known {
            bail!("invalid option type {option:?}");
        }
    }
    Ok(())
}

/// `-v SRC:DEST[:OPTS]` or `-v DEST`.
fn parse_volume_flag(volume: &str, storage: &mut Storage) -> anyhow::Result<()> {
    if volume.is_empty() {
        bail!("host directory cannot be empty");
    }
    let parts: Vec<&str> = volume.split(':').collect();
    let (source, destination, options) = match parts.as_slice() {
        [destination] => ("", *destination, Vec::new()),
        [source, destination] => (*source, *destination, Vec::new()),
        [source, destination, options] => (*source, *destination, split_options(options)),
        _ => bail!("incorrect volume format {volume:?}, should be [host-dir:]ctr-dir[:option]"),
    };
    check_absolute(destination)?;
    check_volume_options(&options)?;
    if source.starts_with('/') || source.starts_with('.') {
        storage.mounts.push(Mount {
            destination: destination.to_string(),
            kind: "bind".into(),
            source: source.to_string(),
            options,
        });
    } else {
        storage.volumes.push(NamedVolume {
            name: source.to_string(),
            dest: destination.to_string(),
            options,
        });
    }
    Ok(())
}

/// `--mount type=bind|volume|tmpfs,source=...,destination=...,...`.
fn parse_mount_flag(mount: &str, storage: &mut Storage) -> anyhow::Result<()> {
    let mut kind = String::new();
    let mut source = String::new();
    let mut destination = String::new();
    let mut options = Vec::new();
    for field in mount.split(',') {
        let (key, value) = match field.split_once('=') {
            Some((key, value)) => (key.to_ascii_lowercase(), value),
            None => (field.to_ascii_lowercase(), ""),
        };
        match key.as_str() {
            "type" => kind = value.to_string(),
            "source" | "src" => source = value.to_string(),
            "destination" | "dst" | "target" => destination = value.to_string(),
            "ro" | "readonly" => {
                if value.is_empty() || value == "true" {
                    options.push("ro".to_string());
                } else if value != "false" {
                    bail!("invalid value for {key}: {value:?}");
                }
            }
            "rw" => {
                if value.is_empty() || value == "true" {
                    options.push("rw".to_string());
                }
            }
            "tmpfs-size" => options.push(format!("size={value}")),
            "tmpfs-mode" => options.push(format!("mode={value}")),
            "bind-propagation" => options.push(value.to_string()),
            "relabel" => match value {
                "shared" => options.push("z".into()),
                "private" => options.push("Z".into()),
                _ => bail!("invalid value for relabel: {value:?}"),
            },
            "z" | "Z" | "U" | "exec" | "noexec" | "suid" | "nosuid" | "dev" | "nodev" | "copy"
            | "nocopy" | "chown" | "idmap" => options.push(if value.is_empty() {
                field.to_string()
            } else {
                format!("{key}={value}")
            }),
            "" => {}
            _ => bail!("{key:?}: invalid mount option"),
        }
    }
    if destination.is_empty() {
        bail!("must set target/destination option on mount: invalid argument");
    }
    check_absolute(&destination)?;
    match kind.as_str() {
        "bind" => storage.mounts.push(Mount {
            destination,
            kind: "bind".into(),
            source: if source.is_empty() {
                "/".into()
            } else {
                source
            },
            options,
        }),
        "volume" => storage.volumes.push(NamedVolume {
            name: source,
            dest: destination,
            options,
        }),
        "tmpfs" => storage.mounts.push(Mount {
            destination,
            kind: "tmpfs".into(),
            source: "tmpfs".into(),
            options,
        }),
        "" => bail!("type must be specified on mount: invalid argument"),
        other => bail!("invalid filesystem type {other:?}"),
    }
    Ok(())
}

/// `--ulimit name=soft[:hard]` as an OCI rlimit.
fn parse_ulimit(ulimit: &str) -> anyhow::Result<Value> {
    let invalid = || {
        anyhow::anyhow!(
            "ulimit option {ulimit:?} requires name=SOFT:HARD, failed to be parsed: invalid ulimit argument: {ulimit}"
        )
    };
    let (name, limits) = ulimit.split_once('=').ok_or_else(invalid)?;
    let (soft, hard) = limits.split_once(':').unwrap_or((limits, limits));
    let soft: i64 = soft.parse().map_err(|_| invalid())?;
    let hard: i64 = hard.parse().map_err(|_| invalid())?;
    Ok(json!({ "type": name, "hard": hard, "soft": soft }))
}

/// Memory, CPU, block IO and pids limits.
fn resource_limits(flags: &CreateFlags) -> anyhow::Result<Option<Value>> {
    let shared = &flags.shared;
    let mut resources = Map::new();
    let mut memory = Map::new();
    let parse_memory = |size: &str| {
        ram_in_bytes(size).map_err(|err| anyhow::anyhow!("invalid value for memory: {err}"))
    };
    if let Some(limit) = &shared.memory {
        let limit = parse_memory(limit)?;
        memory.insert("limit".into(), json!(limit));
        if shared.memory_swap.is_none() {
            memory.insert("swap".into(), json!(2 * limit));
        }
    }
    // `-1` (unlimited) is the engine's default: podman sends nothing.
    if let Some(swap) = shared.memory_swap.as_deref().filter(|swap| *swap != "-1") {
        memory.insert("swap".into(), json!(parse_memory(swap)?));
    }
    if !memory.is_empty() {
        resources.insert("memory".into(), Value::Object(memory));
    }
    let mut cpu = Map::new();
    if let Some(shares) = shared.cpu_shares {
        cpu.insert("shares".into(), json!(shares));
    }
    if let Some(cpus) = shared.cpus {
        let period = 100_000u64;
        cpu.insert("quota".into(), json!((cpus * period as f64) as i64));
        cpu.insert("period".into(), json!(period));
    }
    if let Some(cpuset) = &shared.cpuset_cpus {
        cpu.insert("cpus".into(), json!(cpuset));
    }
    if let Some(mems) = &shared.cpuset_mems {
        cpu.insert("mems".into(), json!(mems));
    }
    if !cpu.is_empty() {
        resources.insert("cpu".into(), Value::Object(cpu));
    }
    if let Some(weight) = shared.blkio_weight {
        resources.insert("blockIO".into(), json!({ "weight": weight }));
    }
    if let Some(limit) = flags.pids_limit {
        resources.insert("pids".into(), json!({ "limit": limit }));
    }
    Ok((!resources.is_empty()).then_some(Value::Object(resources)))
}

/// `--blkio-weight-device PATH:WEIGHT` and `--device-{read,write}-bps
/// PATH:RATE` as the spec's per-device maps (the engine finds the device
/// numbers), keyed `weightDevice`, `throttleReadBpsDevice`,
/// `throttleWriteBpsDevice`.
fn device_limits(flags: &SharedCreateFlags, other: &mut Map<String, Value>) -> anyhow::Result<()> {
    fn device_path(entry: &str) -> anyhow::Result<(&str, &str)> {
        let Some((path, value)) = entry.split_once(':') else {
            bail!("bad format: {entry}");
        };
        if !path.starts_with("/dev/") {
            bail!("bad format for device path: {entry}");
        }
        Ok((path, value))
    }
    let mut weights = Map::new();
    for entry in &flags.blkio_weight_device {
        let (path, weight) = device_path(entry)?;
        let weight: u16 = weight
            .parse()
            .ok()
            .filter(|w| *w == 0 || (10..=1000).contains(w))
            .ok_or_else(|| anyhow::anyhow!("invalid weight for device: {entry}"))?;
        weights.insert(
            path.into(),
            json!({ "major": 0, "minor": 0, "weight": weight }),
        );
    }
    if !weights.is_empty() {
        other.insert("weightDevice".into(), Value::Object(weights));
    }
    for (key, entries) in [
        ("throttleReadBpsDevice", &flags.device_read_bps),
        ("throttleWriteBpsDevice", &flags.device_write_bps),
    ] {
        let mut rates = Map::new();
        for entry in entries {
            let (path, rate) = device_path(entry)?;
            let rate = ram_in_bytes(rate).ok().filter(|r| *r >= 0).ok_or_else(|| {
                anyhow::anyhow!("invalid rate for device: {entry}. The correct format is <device-path>:<number>[<unit>]. Number must be a positive integer. Unit is optional and can be kb, mb, or gb")
            })?;
            rates.insert(path.into(), json!({ "major": 0, "minor": 0, "rate": rate }));
        }
        if !rates.is_empty() {
            other.insert(key.into(), Value::Object(rates));
        }
    }
    Ok(())
}

/// `--uidmap`, `--gidmap`, `--subuidname` and `--subgidname` as the spec's
/// `idmappings` (with a private user namespace), or `None` without them.
/// Named ranges are read from the client's /etc/subuid and /etc/subgid,
/// as podman's client does.
fn id_mappings(flags: &SharedCreateFlags) -> anyhow::Result<Option<Value>> {
    id_mappings_from(flags, Path::new("/etc/subuid"), Path::new("/etc/subgid"))
}

fn id_mappings_from(
    flags: &SharedCreateFlags,
    subuid: &Path,
    subgid: &Path,
) -> anyhow::Result<Option<Value>> {
    let named = flags.subuidname.is_some() || flags.subgidname.is_some();
    if flags.uidmap.is_empty() && flags.gidmap.is_empty() && !named {
        return Ok(None);
    }
    if flags.userns.is_some() {
        bail!("--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive");
    }
    let (mut uids, mut gids) = (Vec::new(), Vec::new());
    if named {
        let user = flags.subuidname.as_ref().or(flags.subgidname.as_ref());
        let group = flags.subgidname.as_ref().or(flags.subuidname.as_ref());
        let as_json = |ranges: Vec<[u64; 3]>| -> Vec<Value> {
            ranges
                .into_iter()
                .map(|[container, host, size]| {
                    json!({ "container_id": container, "host_id": host, "size": size })
                })
                .collect()
        };
        uids = as_json(sub_id_ranges(
            subuid,
            user.map_or("", String::as_str),
            "subuid",
            "user",
        )?);
        gids = as_json(sub_id_ranges(
            subgid,
            group.map_or("", String::as_str),
            "subgid",
            "group",
        )?);
    }
    let (uid_flags, gid_flags) = match (flags.uidmap.is_empty(), flags.gidmap.is_empty()) {
        (false, true) => (&flags.uidmap, &flags.uidmap),
        (true, false) => (&flags.gidmap, &flags.gidmap),
        _ => (&flags.uidmap, &flags.gidmap),
    };
    uids.extend(parse_id_maps(uid_flags, "UID")?);
    gids.extend(parse_id_maps(gid_flags, "GID")?);
    Ok(Some(json!({
        "HostUIDMapping": uids.is_empty(),
        "HostGIDMapping": gids.is_empty(),
        "UIDMap": uids,
        "GIDMap": gids,
    })))
}

/// `CONTAINER:HOST:SIZE` entries, worded like podman when malformed.
fn parse_id_maps(entries: &[String], what: &str) -> anyhow::Result<Vec<Value>> {
    entries
        .iter()
        .map(|entry| {
            let parts: Vec<Option<u32>> = entry.split(':').map(|p| p.parse().ok()).collect();
            match parts.as_slice() {
                [Some(container), Some(host), Some(size)] => Ok(json!({
                    "container_id": container, "host_id": host, "size": size
                })),
                _ => {
                    let quoted: Vec<String> = entries.iter().map(|e| format!("{e:?}")).collect();
                    bail!(
                        "initializing ID mappings: {what} setting is malformed expected [\"uint32:uint32:uint32\"]: [{}]",
                        quoted.join(" ")
                    )
                }
            }
        })
        .collect()
}

/// The ranges `/etc/subuid`-style `file` lists for `name`, mapped from
/// container id 0 upwards: (container id, host id, size).
pub fn sub_id_ranges(
    file: &Path,
    name: &str,
    kind: &str,
    owner: &str,
) -> anyhow::Result<Vec<[u64; 3]>> {
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let mut next = 0u64;
    let mut ranges = Vec::new();
    for line in text.lines() {
        let mut fields = line.trim().splitn(3, ':');
        let (Some(entry), Some(start), Some(size)) = (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (Ok(start), Ok(size)) = (start.parse::<u64>(), size.parse::<u64>()) else {
            continue;
        };
        if entry == name {
            ranges.push([next, start, size]);
            next += size;
        }
    }
    if ranges.is_empty() {
        bail!(
            "no {kind} ranges found for {owner} {name:?} in {}",
            file.display()
        );
    }
    Ok(ranges)
}

/// go-units `RAMInBytes`: `64m`, `1g`, `512k`, `100` (binary units).
pub fn ram_in_bytes(size: &str) -> anyhow::Result<i64> {
    let (number, multiplier) = split_size(size, 1024)?;
    Ok((number * multiplier as f64) as i64)
}

/// go-units `FromHumanSize`: `1m` is 1000000 (decimal units).
fn decimal_size(size: &str) -> anyhow::Result<i64> {
    let (number, multiplier) = split_size(size, 1000)?;
    Ok((number * multiplier as f64) as i64)
}

fn split_size(size: &str, base: i64) -> anyhow::Result<(f64, i64)> {
    let invalid = || anyhow::anyhow!("invalid size: '{size}'");
    let lower = size.trim().to_ascii_lowercase();
    let digits_end = lower
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(lower.len());
    let number: f64 = lower[..digits_end].parse().map_err(|_| invalid())?;
    let unit = lower[digits_end..]
        .trim_end_matches('b')
        .trim_end_matches('i');
    let power = match unit {
        "" => 0,
        "k" => 1,
        "m" => 2,
        "g" => 3,
        "t" => 4,
        "p" => 5,
        _ => return Err(invalid()),
    };
    Ok((number, base.pow(power)))
}

/// `--security-opt` entries that the spec carries.
fn apply_security_opt(
    option: &str,
    other: &mut Map<String, Value>,
    annotations: &mut Map<String, Value>,
) -> anyhow::Result<()> {
    if option == "no-new-privileges" {
        other.insert("no_new_privileges".into(), json!(true));
        return Ok(());
    }
    let split = if option.contains('=') { '=' } else { ':' };
    let Some((key, value)) = option.split_once(split) else {
        bail!("invalid --security-opt 1: {option:?}");
    };
    let mut push = |field: &str, values: Vec<String>| {
        let list = other
            .entry(field.to_string())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(items) = list {
            items.extend(values.into_iter().map(Value::String));
        }
    };
    match key {
        "apparmor" => {
            other.insert("apparmor_profile".into(), json!(value));
            annotations.insert("io.podman.annotations.apparmor".into(), json!(value));
        }
        "label" => {
            push("selinux_opts", vec![value.to_string()]);
            let joined: Vec<String> = other["selinux_opts"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            annotations.insert(
                "io.podman.annotations.label".into(),
                json!(joined.join(",label=")),
            );
        }
        "mask" => push("mask", value.split(':').map(String::from).collect()),
        "unmask" => push("unmask", vec![value.to_string()]),
        "proc-opts" => {
            other.insert(
                "procfs_opts".into(),
                json!(value.split(',').collect::<Vec<_>>()),
            );
        }
        "seccomp" => {
            other.insert("seccomp_profile_path".into(), json!(value));
            annotations.insert("io.podman.annotations.seccomp".into(), json!(value));
        }
        "systempaths" => {
            if value != "unconfined" {
                bail!("invalid systempaths option {value:?}, only `unconfined` is supported");
            }
            push("unmask", vec!["ALL".to_string()]);
        }
        "no-new-privileges" => {
            let on = value
                .parse::<bool>()
                .map_err(|_| anyhow::anyhow!("invalid --security-opt 2: {option:?}"))?;
            other.insert("no_new_privileges".into(), json!(on));
        }
        _ => bail!("invalid --security-opt 2: {option:?}"),
    }
    Ok(())
}

/// A namespace option (`host`, `private`, `container:NAME`, `ns:PATH`, ...).
fn namespace(mode: &str) -> Value {
    match mode.split_once(':') {
        Some((kind, value)) if matches!(kind, "container" | "ns" | "pod" | "auto") => {
            let nsmode = if kind == "ns" { "path" } else { kind };
            json!({ "nsmode": nsmode, "value": value })
        }
        _ => json!({ "nsmode": mode }),
    }
}

/// `--network` modes and networks, and `--network-alias`.
fn apply_network(flags: &CreateFlags, other: &mut Map<String, Value>) -> anyhow::Result<()> {
    let mut networks = Map::new();
    for network in &flags.shared.network {
        let (name, _options) = network.split_once(':').unwrap_or((network, ""));
        match name {
            "host" | "none" | "private" | "slirp4netns" | "bridge" | "container" | "ns"
            | "pasta" => {
                if name == "bridge" {
                    networks.insert("default".into(), json!({ "interface_name": "" }));
                }
                let mode = if name == "ns" || name == "container" {
                    namespace(network)
                } else {
                    json!({ "nsmode": name })
                };
                other.insert("netns".into(), mode);
            }
            _ => {
                networks.insert(name.to_string(), json!({}));
                other.insert("netns".into(), json!({ "nsmode": "bridge" }));
            }
        }
    }
    if !flags.shared.network_alias.is_empty() {
        if networks.is_empty() {
            networks.insert("default".into(), json!({}));
        }
        for network in networks.values_mut() {
            if let Value::Object(options) = network {
                options.insert("aliases".into(), json!(flags.shared.network_alias));
            }
        }
    }
    apply_static_addresses(&flags.shared, other.get("netns"), &mut networks)?;
    let none = other
        .get("netns")
        .and_then(|ns| ns.get("nsmode"))
        .and_then(Value::as_str)
        == Some("none");
    if none && !flags.shared.dns.is_empty() {
        bail!("conflicting options: dns and the network mode: none");
    }
    if !networks.is_empty() {
        other.insert("Networks".into(), Value::Object(networks));
    }
    Ok(())
}

/// `--ip`, `--ip6` and `--mac-address`: set on the one network joined in
/// bridge mode (podman's default network when none is named).
pub fn apply_static_addresses(
    flags: &SharedCreateFlags,
    netns: Option<&Value>,
    networks: &mut Map<String, Value>,
) -> anyhow::Result<()> {
    let mut ips = Vec::new();
    for address in [&flags.ip, &flags.ip6].into_iter().flatten() {
        if address.parse::<std::net::IpAddr>().is_err() {
            bail!("{address:?} is not an ip address");
        }
        ips.push(address.clone());
    }
    let mac = match &flags.mac_address {
        Some(mac) => Some(parse_mac(mac)?),
        None => None,
    };
    let set: Vec<&str> = [
        (flags.ip.is_some(), "--ip"),
        (flags.ip6.is_some(), "--ip6"),
        (mac.is_some(), "--mac-address"),
    ]
    .into_iter()
    .filter_map(|(given, flag)| given.then_some(flag))
    .collect();
    let Some(flag) = set.first() else {
        return Ok(());
    };
    let mode = netns
        .and_then(|ns| ns.get("nsmode"))
        .and_then(Value::as_str);
    if !matches!(mode, None | Some("bridge")) {
        bail!("{flag} can only be set when the network mode is bridge: invalid argument");
    }
    if networks.len() > 1 {
        bail!("{flag} can only be set for a single network: invalid argument");
    }
    if networks.is_empty() {
        networks.insert("default".into(), json!({ "interface_name": "" }));
    }
    for options in networks.values_mut() {
        if let Value::Object(options) = options {
            if !ips.is_empty() {
                options.insert("static_ips".into(), json!(ips));
            }
            if let Some(mac) = &mac {
                options.insert("static_mac".into(), json!(mac));
            }
        }
    }
    Ok(())
}

/// A MAC address as the engine prints it: lower case, colons.
fn parse_mac(mac: &str) -> anyhow::Result<String> {
    crate::commands::objects::check_mac(mac)?;
    Ok(mac.replace('-', ":").to_ascii_lowercase())
}

/// `--pod new:NAME`: the pod podman's client creates before the container
/// (its `createPodIfNecessary`). The pod takes the container's network
/// settings, hostname and PID and user namespaces; the container joins it
/// by name. `None` for any other `--pod`.
pub fn take_new_pod(
    spec: &mut SpecGenerator,
    argv: Vec<String>,
) -> anyhow::Result<Option<PodSpec>> {
    let Some(name) = spec.pod.strip_prefix("new:") else {
        return Ok(None);
    };
    if name.is_empty() {
        bail!("new pod name must be at least one character");
    }
    let mut pod = PodSpec {
        name: name.to_string(),
        hostname: std::mem::take(&mut spec.hostname),
        portmappings: std::mem::take(&mut spec.portmappings),
        pod_create_command: argv,
        ..PodSpec::default()
    };
    // The container's network configuration moves to the pod (the pod
    // spells "use the image's /etc/hosts" as "don't manage hosts").
    for key in [
        "netns",
        "Networks",
        "dns_server",
        "dns_search",
        "dns_option",
        "hostadd",
    ] {
        if let Some(value) = spec.other.remove(key) {
            pod.other.insert(key.into(), value);
        }
    }
    if spec.other.remove("use_image_hosts") == Some(json!(true)) {
        pod.other.insert("no_manage_hosts".into(), json!(true));
    }
    spec.other.remove("publish_image_ports");
    spec.other.remove("expose");
    for key in ["pidns", "userns"] {
        if let Some(value) = spec.other.get(key) {
            pod.other.insert(key.into(), value.clone());
        }
    }
    spec.pod = name.to_string();
    Ok(Some(pod))
}

/// A signal name or number as Linux numbers it (the engine runs Linux).
pub fn signal_number(signal: &str) -> anyhow::Result<i32> {
    if let Ok(number) = signal.parse::<i32>() {
        if (1..=64).contains(&number) {
            return Ok(number);
        }
        bail!("invalid signal: {signal}");
    }
    let upper = signal.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    let number = match name {
        "HUP" => 1,
        "INT" => 2,
        "QUIT" => 3,
        "ILL" => 4,
        "TRAP" => 5,
        "ABRT" | "IOT" => 6,
        "BUS" => 7,
        "FPE" => 8,
        "KILL" => 9,
        "USR1" => 10,
        "SEGV" => 11,
        "USR2" => 12,
        "PIPE" => 13,
        "ALRM" => 14,
        "TERM" => 15,
        "STKFLT" => 16,
        "CHLD" | "CLD" => 17,
        "CONT" => 18,
        "STOP" => 19,
        "TSTP" => 20,
        "TTIN" => 21,
        "TTOU" => 22,
        "URG" => 23,
        "XCPU" => 24,
        "XFSZ" => 25,
        "VTALRM" => 26,
        "PROF" => 27,
        "WINCH" => 28,
        "IO" | "POLL" => 29,
        "PWR" => 30,
        "SYS" => 31,
        "RTMIN" => 34,
        "RTMAX" => 64,
        _ => {
            let offset = |rest: &str| rest.parse::<i32>().ok();
            match (
                name.strip_prefix("RTMIN+").and_then(offset),
                name.strip_prefix("RTMAX-").and_then(offset),
            ) {
                (Some(n), _) if n <= 30 => 34 + n,
                (_, Some(n)) if n <= 30 => 64 - n,
                _ => bail!("invalid signal: {signal}"),
            }
        }
    };
    Ok(number)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    #[command(disable_help_flag = true)]
    struct Wrapper {
        #[command(flatten)]
        flags: CreateFlags,
    }

    fn flags(args: &[&str]) -> CreateFlags {
        let mut argv = vec!["create"];
        argv.extend_from_slice(args);
        Wrapper::try_parse_from(argv).unwrap().flags
    }

    fn spec_json(args: &[&str]) -> Value {
        let env = |name: &str| (name == "FROM_HOST").then(|| "host-value".to_string());
        let spec = build(
            &flags(args),
            "img",
            &["cmd".into()],
            vec!["berth".into()],
            &env,
        )
        .unwrap();
        serde_json::to_value(spec).unwrap()
    }

    #[test]
    fn ports_like_podman() {
        let p = parse_publish("8081:80").unwrap();
        assert_eq!(
            (p.host_port, p.container_port, p.range, p.protocol.as_str()),
            (8081, 80, 1, "")
        );
        let p = parse_publish("9000-9001:9000-9001/udp").unwrap();
        assert_eq!(
            (p.host_port, p.container_port, p.range, p.protocol.as_str()),
            (9000, 9000, 2, "udp")
        );
        let p = parse_publish("127.0.0.1:8090:90/tcp").unwrap();
        assert_eq!(
            (p.host_ip.as_str(), p.host_port, p.container_port),
            ("127.0.0.1", 8090, 90)
        );
        let p = parse_publish("91").unwrap();
        assert_eq!((p.host_port, p.container_port), (0, 91));
        let p = parse_publish("127.0.0.1::91").unwrap();
        assert_eq!((p.host_ip.as_str(), p.host_port), ("127.0.0.1", 0));
        let p = parse_publish("[::1]:8080:80").unwrap();
        assert_eq!(
            (p.host_ip.as_str(), p.host_port, p.container_port),
            ("::1", 8080, 80)
        );
        assert_eq!(
            parse_publish("abc").unwrap_err().to_string(),
            "parsing container port: invalid port number: strconv.Atoi: parsing \"abc\": invalid syntax"
        );
        assert_eq!(
            parse_publish("70000:80").unwrap_err().to_string(),
            "parsing host port: port numbers must be between 1 and 65535 (inclusive), got 70000"
        );
    }

    #[test]
    fn volumes_mounts_and_tmpfs() {
        let spec = spec_json(&[
            "-v",
            "/tmp:/data:ro",
            "-v",
            "vol1:/v",
            "-v",
            "/anon",
            "--mount",
            "type=tmpfs,destination=/tt",
            "--mount",
            "type=bind,src=/tmp,dst=/b,ro=true",
            "--mount",
            "type=volume,src=v2,dst=/v2",
            "--tmpfs",
            "/t3:size=2m,mode=1777",
        ]);
        let mounts = spec["mounts"].as_array().unwrap();
        assert!(mounts.contains(
            &json!({"destination": "/data", "type": "bind", "source": "/tmp", "options": ["ro"]})
        ));
        assert!(mounts.contains(&json!({"destination": "/tt", "type": "tmpfs", "source": "tmpfs"})));
        assert!(mounts.contains(
            &json!({"destination": "/b", "type": "bind", "source": "/tmp", "options": ["ro"]})
        ));
        assert!(mounts.contains(&json!({"destination": "/t3", "type": "tmpfs", "source": "tmpfs", "options": ["size=2m", "mode=1777"]})));
        let volumes = spec["volumes"].as_array().unwrap();
        assert!(volumes.contains(&json!({"Name": "vol1", "Dest": "/v"})));
        assert!(volumes.contains(&json!({"Name": "", "Dest": "/anon"})));
        assert!(volumes.contains(&json!({"Name": "v2", "Dest": "/v2"})));

        let err = |args: &[&str]| {
            build(&flags(args), "img", &[], vec![], &|_: &str| None)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err(&["-v", "a:b"]),
            "invalid container path \"b\", must be an absolute path"
        );
        assert_eq!(err(&["-v", "/a:/b:xyz"]), "invalid option type \"xyz\"");
        assert_eq!(
            err(&["--mount", "type=foo,dst=/x"]),
            "invalid filesystem type \"foo\""
        );
        assert_eq!(
            err(&["--tmpfs", "rel"]),
            "invalid container path \"rel\", must be an absolute path"
        );
    }

    #[test]
    fn env_labels_and_defaults() {
        let spec = spec_json(&[
            "-e",
            "A=1",
            "-e",
            "FROM_HOST",
            "-e",
            "UNSET",
            "-l",
            "x=y",
            "-l",
            "bare",
            "--rm",
            "-t",
        ]);
        assert_eq!(spec["env"], json!({"A": "1", "FROM_HOST": "host-value"}));
        assert_eq!(spec["labels"], json!({"bare": "", "x": "y"}));
        assert_eq!(
            spec["annotations"],
            json!({"io.kubernetes.cri-o.TTY": "true"})
        );
        assert_eq!(spec["stop_timeout"], 10);
        assert_eq!(spec["remove"], true);
        assert_eq!(spec["volatile"], true);
        assert_eq!(spec["terminal"], true);
        assert_eq!(spec["raw_image_name"], "img");
        assert_eq!(spec["command"], json!(["cmd"]));
        assert_eq!(spec["use_image_hosts"], false);
    }

    #[test]
    fn resources_security_and_namespaces() {
        let spec = spec_json(&[
            "-m",
            "64m",
            "--cpus",
            "0.5",
            "--cpu-shares",
            "512",
            "--pids-limit",
            "100",
            "--shm-size",
            "32m",
            "--ulimit",
            "nofile=100:200",
            "--stop-signal",
            "TERM",
            "--security-opt",
            "label=disable",
            "--security-opt",
            "no-new-privileges",
            "--log-driver",
            "k8s-file",
            "--log-opt",
            "max-size=1m",
            "--pid",
            "host",
            "--network",
            "none",
            "--restart",
            "on-failure:3",
            "--entrypoint",
            "[\"/bin/sh\",\"-c\"]",
        ]);
        assert_eq!(
            spec["resource_limits"],
            json!({"memory": {"limit": 67108864, "swap": 134217728}, "cpu": {"shares": 512, "quota": 50000, "period": 100000}, "pids": {"limit": 100}})
        );
        assert_eq!(spec["shm_size"], 33554432);
        assert_eq!(
            spec["r_limits"],
            json!([{"type": "nofile", "hard": 200, "soft": 100}])
        );
        assert_eq!(spec["stop_signal"], 15);
        assert_eq!(spec["selinux_opts"], json!(["disable"]));
        assert_eq!(
            spec["annotations"]["io.podman.annotations.label"],
            "disable"
        );
        assert_eq!(spec["no_new_privileges"], true);
        assert_eq!(
            spec["log_configuration"],
            json!({"driver": "k8s-file", "size": 1000000})
        );
        assert_eq!(spec["pidns"], json!({"nsmode": "host"}));
        assert_eq!(spec["netns"], json!({"nsmode": "none"}));
        assert_eq!(spec["restart_policy"], "on-failure");
        assert_eq!(spec["restart_tries"], 3);
        assert_eq!(spec["entrypoint"], json!(["/bin/sh", "-c"]));
    }

    #[test]
    fn networks() {
        let spec = spec_json(&["--network", "bridge"]);
        assert_eq!(spec["netns"], json!({"nsmode": "bridge"}));
        assert_eq!(spec["Networks"], json!({"default": {"interface_name": ""}}));
        let spec = spec_json(&["--network", "mynet"]);
        assert_eq!(spec["Networks"], json!({"mynet": {}}));
        let spec = spec_json(&["--network", "container:web"]);
        assert_eq!(
            spec["netns"],
            json!({"nsmode": "container", "value": "web"})
        );
    }

    #[test]
    fn sizes_and_signals() {
        assert_eq!(ram_in_bytes("64m").unwrap(), 64 << 20);
        assert_eq!(ram_in_bytes("1g").unwrap(), 1 << 30);
        assert_eq!(ram_in_bytes("100").unwrap(), 100);
        assert_eq!(
            ram_in_bytes("abc").unwrap_err().to_string(),
            "invalid size: 'abc'"
        );
        assert_eq!(decimal_size("1m").unwrap(), 1_000_000);
        assert_eq!(signal_number("SIGTERM").unwrap(), 15);
        assert_eq!(signal_number("kill").unwrap(), 9);
        assert_eq!(signal_number("RTMIN+2").unwrap(), 36);
        assert_eq!(
            signal_number("FOO").unwrap_err().to_string(),
            "invalid signal: FOO"
        );
    }

    #[test]
    fn a_new_pod_takes_the_network_and_hostname() {
        let build_spec =
            |args: &[&str]| build(&flags(args), "img", &[], vec![], &|_: &str| None).unwrap();
        let mut spec = build_spec(&[
            "--pod",
            "new:web",
            "-p",
            "8080:80",
            "--hostname",
            "h",
            "--network",
            "net1",
            "--dns",
            "1.1.1.1",
            "--add-host",
            "a:10.0.0.1",
            "--expose",
            "90",
            "--pid",
            "host",
        ]);
        let pod = take_new_pod(&mut spec, vec!["berth".into()])
            .unwrap()
            .unwrap();
        let pod = serde_json::to_value(pod).unwrap();
        let spec = serde_json::to_value(spec).unwrap();
        assert_eq!(pod["name"], "web");
        assert_eq!(pod["hostname"], "h");
        assert_eq!(pod["portmappings"][0]["host_port"], 8080);
        assert_eq!(pod["netns"], json!({"nsmode": "bridge"}));
        assert_eq!(pod["Networks"], json!({"net1": {}}));
        assert_eq!(pod["dns_server"], json!(["1.1.1.1"]));
        assert_eq!(pod["hostadd"], json!(["a:10.0.0.1"]));
        assert_eq!(pod["pidns"], json!({"nsmode": "host"}));
        assert_eq!(spec["pod"], "web");
        assert_eq!(spec["pidns"], json!({"nsmode": "host"}));
        for gone in [
            "hostname",
            "portmappings",
            "netns",
            "Networks",
            "dns_server",
            "hostadd",
            "expose",
        ] {
            assert!(spec.get(gone).is_none(), "{gone} left in {spec}");
        }
        let mut spec = build_spec(&["--pod", "new:"]);
        assert_eq!(
            take_new_pod(&mut spec, vec![]).unwrap_err().to_string(),
            "new pod name must be at least one character"
        );
        let mut spec = build_spec(&["--pod", "existing"]);
        assert!(take_new_pod(&mut spec, vec![]).unwrap().is_none());
        assert_eq!(spec.pod, "existing");
        let err = build(
            &flags(&["--pod", "p", "--userns", "host"]),
            "img",
            &[],
            vec![],
            &|_: &str| None,
        );
        assert_eq!(
            err.unwrap_err().to_string(),
            "--userns and --pod cannot be set together"
        );
    }

    fn spec_error(args: &[&str]) -> String {
        build(&flags(args), "img", &[], vec![], &|_: &str| None)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn block_io_memory_swap_and_cpuset_mems_like_podman() {
        let spec = spec_json(&[
            "--blkio-weight",
            "300",
            "--blkio-weight-device",
            "/dev/vda:200",
            "--device-read-bps",
            "/dev/vda:1mb",
            "--device-write-bps",
            "/dev/vda:2mb",
            "--cpuset-mems",
            "0",
            "-m",
            "64m",
            "--memory-swap",
            "128m",
            "--cgroup-parent",
            "/machine",
        ]);
        assert_eq!(
            spec["resource_limits"],
            json!({
                "memory": {"limit": 67108864, "swap": 134217728},
                "cpu": {"mems": "0"},
                "blockIO": {"weight": 300}
            })
        );
        assert_eq!(
            spec["weightDevice"],
            json!({"/dev/vda": {"major": 0, "minor": 0, "weight": 200}})
        );
        assert_eq!(
            spec["throttleReadBpsDevice"],
            json!({"/dev/vda": {"major": 0, "minor": 0, "rate": 1048576}})
        );
        assert_eq!(
            spec["throttleWriteBpsDevice"],
            json!({"/dev/vda": {"major": 0, "minor": 0, "rate": 2097152}})
        );
        assert_eq!(spec["cgroup_parent"], "/machine");
        let unlimited = spec_json(&["-m", "10m", "--memory-swap", "-1"]);
        assert_eq!(
            unlimited["resource_limits"],
            json!({"memory": {"limit": 10485760}})
        );
        assert_eq!(
            spec_error(&["--blkio-weight-device", "/dev/vda"]),
            "bad format: /dev/vda"
        );
        assert_eq!(
            spec_error(&["--blkio-weight-device", "/dev/vda:x"]),
            "invalid weight for device: /dev/vda:x"
        );
        assert!(spec_error(&["--device-read-bps", "/dev/vda:x"])
            .starts_with("invalid rate for device: /dev/vda:x. The correct format"));
        assert_eq!(
            spec_error(&["-m", "10m", "--memory-swap", "5x"]),
            "invalid value for memory: invalid size: '5x'"
        );
    }

    #[test]
    fn id_mappings_like_podman() {
        let spec = spec_json(&["--uidmap", "0:100000:5000"]);
        let map = json!([{"container_id": 0, "host_id": 100000, "size": 5000}]);
        assert_eq!(
            spec["idmappings"],
            json!({"HostUIDMapping": false, "HostGIDMapping": false, "UIDMap": map, "GIDMap": map})
        );
        assert_eq!(spec["userns"], json!({"nsmode": "private"}));
        assert_eq!(
            spec_error(&["--uidmap", "0:1:2", "--gidmap", "0:1"]),
            r#"initializing ID mappings: GID setting is malformed expected ["uint32:uint32:uint32"]: ["0:1"]"#
        );
        assert_eq!(
            spec_error(&["--uidmap", "0:1:2", "--userns", "host"]),
            "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive"
        );
        let dir = tempfile::tempdir().unwrap();
        let (subuid, subgid) = (dir.path().join("subuid"), dir.path().join("subgid"));
        std::fs::write(&subuid, "alice:100000:65536\nbob:1:2\nalice:300000:10\n").unwrap();
        std::fs::write(&subgid, "alice:200000:65536\n").unwrap();
        let named = flags(&["--subuidname", "alice", "--uidmap", "70000:5:1"]);
        let mappings = id_mappings_from(&named.shared, &subuid, &subgid)
            .unwrap()
            .unwrap();
        assert_eq!(
            mappings["UIDMap"],
            json!([
                {"container_id": 0, "host_id": 100000, "size": 65536},
                {"container_id": 65536, "host_id": 300000, "size": 10},
                {"container_id": 70000, "host_id": 5, "size": 1}
            ])
        );
        assert_eq!(
            mappings["GIDMap"],
            json!([
                {"container_id": 0, "host_id": 200000, "size": 65536},
                {"container_id": 70000, "host_id": 5, "size": 1}
            ])
        );
        let unknown = flags(&["--subgidname", "carol"]);
        assert_eq!(
            id_mappings_from(&unknown.shared, &subuid, &subgid)
                .unwrap_err()
                .to_string(),
            format!(
                "no subuid ranges found for user \"carol\" in {}",
                subuid.display()
            )
        );
    }

    #[test]
    fn static_addresses_like_podman() {
        let spec = spec_json(&["--ip", "10.88.0.77", "--mac-address", "92:D0:c6:0a:29:33"]);
        assert_eq!(
            spec["Networks"],
            json!({"default": {"interface_name": "", "static_ips": ["10.88.0.77"], "static_mac": "92:d0:c6:0a:29:33"}})
        );
        let spec = spec_json(&[
            "--network",
            "n1",
            "--ip6",
            "fd00::5",
            "--network-alias",
            "a",
        ]);
        assert_eq!(
            spec["Networks"],
            json!({"n1": {"aliases": ["a"], "static_ips": ["fd00::5"]}})
        );
        assert_eq!(
            spec_error(&["--ip", "1.2.3.4.5"]),
            "\"1.2.3.4.5\" is not an ip address"
        );
        assert_eq!(
            spec_error(&["--mac-address", "92:d0:c6:0a:29"]),
            "address 92:d0:c6:0a:29: invalid MAC address"
        );
        assert_eq!(
            spec_error(&["--network", "host", "--mac-address", "92:d0:c6:0a:29:33"]),
            "--mac-address can only be set when the network mode is bridge: invalid argument"
        );
        assert_eq!(
            spec_error(&["--network", "a", "--network", "b", "--ip", "10.0.0.1"]),
            "--ip can only be set for a single network: invalid argument"
        );
    }
}
