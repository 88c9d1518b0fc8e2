//! The query of `POST /libpod/build` made from `build`'s flags, as podman
//! 4.3's remote client makes it: resources, namespaces, ID mappings,
//! capabilities, DNS, caches, secrets and the like, with podman's checks
//! and error wording for what it validates on the client's side. Flags
//! that podman-remote accepts but does not send (`--cert-dir`, `--ssh`,
//! `--stdin`, `--hooks-dir`, `--retry`, ...) are accepted and not sent.

use std::collections::BTreeMap;
use std::path::Path;

use berth_client::api::build::BuildOptions;
use berth_client::transport::io_reason;
use serde_json::{json, Value};

use crate::cli::build::BuildArgs;
use crate::commands::container::spec::{ram_in_bytes, sub_id_ranges};

/// buildah's `NetworkConfigurationPolicy` values.
const NETWORK_DEFAULT: u8 = 0;
const NETWORK_DISABLED: u8 = 1;
const NETWORK_ENABLED: u8 = 2;

/// Where a build's secrets go in the context archive: the engine moves
/// them out of the context before the build starts.
const SECRET_FILE_PREFIX: &str = "berth-build-secret";

/// Checks that podman makes before it reads the context.
pub fn check_flags(args: &BuildArgs) -> anyhow::Result<()> {
    for platform in &args.platform {
        if !matches!(platform.split('/').count(), 2 | 3) {
            anyhow::bail!("invalid platform syntax for {platform:?} (use OS/ARCH[/VARIANT][,...])");
        }
    }
    if args.network.as_deref() == Some("none") {
        for (flag, given) in [
            ("dns", !args.dns.is_empty()),
            ("dns-option", !args.dns_options.is_empty()),
            ("dns-search", !args.dns_search.is_empty()),
        ] {
            if given {
                anyhow::bail!("the --{flag} option cannot be used with --network=none");
            }
        }
    }
    if let Some(network) = &args.network {
        if network != "host" && args.isolation == "chroot" {
            anyhow::bail!(
                "cannot set --network other than host with --isolation {}",
                args.isolation
            );
        }
    }
    Ok(())
}

/// `--secret` values as the engine gets them: each `src=FILE` is read
/// here and travels in the context archive under a name of its own.
pub struct RemoteSecrets {
    /// The `--secret` values with `src` naming a file in the archive.
    pub specs: Vec<String>,
    /// (name in the archive, contents).
    pub files: Vec<(String, Vec<u8>)>,
}

pub fn remote_secrets(secrets: &[String]) -> anyhow::Result<RemoteSecrets> {
    let mut remote = RemoteSecrets {
        specs: Vec::new(),
        files: Vec::new(),
    };
    let unique = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|elapsed| elapsed.subsec_nanos())
        .unwrap_or_default();
    for secret in secrets {
        let mut tokens = Vec::new();
        for token in secret.split(',') {
            // podman keeps only KEY=VALUE tokens.
            let Some((key, value)) = token.split_once('=') else {
                continue;
            };
            if key != "src" {
                tokens.push(token.to_string());
                continue;
            }
            let contents = std::fs::read(value)
                .map_err(|err| anyhow::anyhow!("open {value}: {}", io_reason(&err)))?;
            let name = format!(
                "{SECRET_FILE_PREFIX}{}-{unique}-{}",
                std::process::id(),
                remote.files.len()
            );
            tokens.push(format!("src={name}"));
            remote.files.push((name, contents));
        }
        remote.specs.push(tokens.join(","));
    }
    Ok(remote)
}

/// The request's options: `containerfiles` as the archive names them,
/// `secrets` from [`remote_secrets`].
pub fn build_options(
    args: &BuildArgs,
    containerfiles: Vec<String>,
    secrets: Vec<String>,
) -> anyhow::Result<BuildOptions> {
    let mut query = Query::default();

    // parse.CommonBuildOptions: resources, hosts, DNS, security options.
    let memory = match &args.memory {
        Some(text) => {
            ram_in_bytes(text).map_err(|err| anyhow::anyhow!("invalid value for memory: {err}"))?
        }
        None => 0,
    };
    let memory_swap = match args.memory_swap.as_deref() {
        Some("-1") => -1,
        Some(text) => ram_in_bytes(text)
            .map_err(|err| anyhow::anyhow!("invalid value for memory-swap: {err}"))?,
        None => 0,
    };
    if !args.add_hosts.is_empty() && args.no_hosts {
        anyhow::bail!("--no-hosts and --add-host conflict, can not be used together");
    }
    for host in &args.add_hosts {
        check_extra_host(host)?;
    }
    let no_dns = args
        .dns
        .iter()
        .any(|server| server.eq_ignore_ascii_case("none"));
    if no_dns && args.dns.len() > 1 {
        anyhow::bail!("invalid --dns, --dns=none may not be used with any other --dns options");
    }
    if no_dns && !args.dns_search.is_empty() {
        anyhow::bail!("invalid --dns-search, --dns-search may not be used with --dns=none");
    }
    if no_dns && !args.dns_options.is_empty() {
        anyhow::bail!("invalid --dns-option, --dns-option may not be used with --dns=none");
    }
    let shm_size =
        ram_in_bytes(&args.shm_size).map_err(|err| anyhow::anyhow!("invalid --shm-size: {err}"))?;
    let security = SecurityOptions::parse(&args.security_opts)?;

    let pull_flags = [args.pull.is_some(), args.pull_always, args.pull_never];
    if pull_flags.into_iter().filter(|given| *given).count() > 1 {
        anyhow::bail!("can only set one of 'pull' or 'pull-always' or 'pull-never'");
    }
    let pull_policy = pull_policy(args);
    let build_args = build_args(&args.build_args);

    let (mut namespaces, network_policy) = namespace_options(args)?;
    let isolation = isolation(&args.isolation)?;
    let (user_namespace, id_mappings) = id_mapping_options(args)?;
    namespaces.push(user_namespace);

    let lower_format = args.format.to_ascii_lowercase();
    let output_format = if lower_format.starts_with("oci") {
        "application/vnd.oci.image.manifest.v1+json"
    } else if lower_format.starts_with("docker") {
        "application/vnd.docker.distribution.manifest.v2+json"
    } else {
        anyhow::bail!("unrecognized image type {:?}", args.format);
    };
    let platforms = platforms(args)?;
    check_decryption_keys(&args.decryption_keys)?;
    let build_contexts = build_contexts(&args.build_contexts)?;
    let cache_to = cache_flag("--cache-to", args.cache_to.as_deref())?;
    let cache_from = cache_flag("--cache-from", args.cache_from.as_deref())?;
    let cache_ttl = args
        .cache_ttl
        .as_deref()
        .map(|ttl| {
            go_duration(ttl).map(format_go_duration).map_err(|err| {
                anyhow::anyhow!("unable to parse value provided {ttl:?} as --cache-ttl: {err}")
            })
        })
        .transpose()?;

    query.json_list("addcaps", &args.cap_add);
    if !build_contexts.is_empty() {
        query.push("additionalbuildcontexts", json!(build_contexts).to_string());
    }
    if args.all_platforms {
        query.push("allplatforms", "1");
    }
    query.opt("apparmor", security.apparmor.as_deref());
    query.opt("cachefrom", cache_from.as_deref());
    query.opt("cacheto", cache_to.as_deref());
    query.opt("cachettl", cache_ttl.as_deref());
    query.opt("cgroupparent", non_empty(&args.cgroup_parent));
    query.json_list("cppflags", &args.cpp_flags);
    query.positive("cpuperiod", args.cpu_period.map(i128::from));
    query.positive("cpuquota", args.cpu_quota.map(i128::from));
    query.opt("cpusetcpus", non_empty(&args.cpuset_cpus));
    query.opt("cpusetmems", non_empty(&args.cpuset_mems));
    query.positive("cpushares", args.cpu_shares.map(i128::from));
    query.json_list("devices", &args.devices);
    query.json_list("dnsoptions", &args.dns_options);
    query.json_list("dnssearch", &args.dns_search);
    query.json_list("dnsservers", &args.dns);
    query.json_list("dropcaps", &args.cap_drop);
    query.json_list("extrahosts", &args.add_hosts);
    query.opt("from", non_empty(&args.from));
    if args.http_proxy {
        query.push("httpproxy", "1");
    }
    query.flag("identitylabel", args.identity_label);
    query.push("idmappingoptions", id_mappings.to_string());
    query.push("isolation", isolation.to_string());
    query.push("jobs", args.jobs.to_string());
    query.json_list("labelopts", &security.label_opts);
    query.opt("manifest", non_empty(&args.manifest));
    query.positive("memory", Some(memory.into()));
    query.positive("memswap", Some(memory_swap.into()));
    query.push("networkmode", network_policy.to_string());
    query.push("nsoptions", Value::Array(namespaces).to_string());
    query.flag("omithistory", args.omit_history);
    for feature in &args.os_features {
        query.push("osfeature", feature.clone());
    }
    query.opt("osversion", non_empty(&args.os_version));
    query.opt("output", args.tags.first().map(String::as_str));
    query.opt("seccomp", security.seccomp.as_deref());
    if !secrets.is_empty() {
        query.push("secrets", json!(secrets).to_string());
    }
    query.push("shmsize", shm_size.to_string());
    if let Some(skip) = args.skip_unused_stages {
        query.flag("skipunusedstages", skip);
    }
    if let Some(timestamp) = args.timestamp {
        query.push("timestamp", timestamp.to_string());
    }
    query.json_list("ulimits", &args.ulimits);
    for env in &args.env {
        query.push("setenv", env.clone());
    }
    for name in &args.unset_env {
        query.push("unsetenv", name.clone());
    }
    // podman's `--squash` builds without layers (new layers squashed into
    // one); `--squash-all` squashes every layer.
    let (squash, layers) = match (args.squash_all, args.squash) {
        (true, _) => (true, false),
        (false, true) => (false, false),
        (false, false) => (false, args.layers),
    };

    let registry_auth =
        crate::commands::registry::registry_auth(args.creds.as_deref(), args.authfile.as_deref())?;
    Ok(BuildOptions {
        dockerfiles: containerfiles,
        tags: args.tags.clone(),
        build_args,
        labels: args.labels.clone(),
        annotations: args.annotations.clone(),
        target: args.target.clone(),
        no_cache: args.no_cache,
        pull_policy: pull_policy.into(),
        layers,
        squash,
        quiet: args.quiet,
        rm: args.rm,
        force_rm: args.force_rm,
        platforms,
        output_format: output_format.into(),
        tls_verify: args.tls_verify,
        extra: query.params,
        registry_auth,
    })
}

/// Query parameters in the order they are added.
#[derive(Default)]
struct Query {
    params: Vec<(String, String)>,
}

impl Query {
    fn push(&mut self, key: &str, value: impl Into<String>) {
        self.params.push((key.to_string(), value.into()));
    }

    fn opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(key, value);
        }
    }

    /// `1` or `0`.
    fn flag(&mut self, key: &str, on: bool) {
        self.push(key, if on { "1" } else { "0" });
    }

    /// Numbers podman sends only when they are above zero.
    fn positive(&mut self, key: &str, value: Option<i128>) {
        if let Some(value) = value.filter(|value| *value > 0) {
            self.push(key, value.to_string());
        }
    }

    /// A JSON list, when there is anything in it.
    fn json_list(&mut self, key: &str, values: &[String]) {
        if !values.is_empty() {
            self.push(key, json!(values).to_string());
        }
    }
}

fn non_empty(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|value| !value.is_empty())
}

/// `--build-arg NAME=VALUE`, or `NAME` taken from the environment.
fn build_args(args: &[String]) -> BTreeMap<String, String> {
    let mut values = BTreeMap::new();
    for arg in args {
        match arg.split_once('=') {
            Some((key, value)) => {
                values.insert(key.to_string(), value.to_string());
            }
            None => match std::env::var(arg) {
                Ok(value) => {
                    values.insert(arg.clone(), value);
                }
                Err(_) => {
                    values.remove(arg);
                }
            },
        }
    }
    values
}

/// podman 4.3: `--pull` (or `=true`) and `--pull-always` pull always,
/// `--pull-never` never; berth also takes buildah's `newer`.
fn pull_policy(args: &BuildArgs) -> &'static str {
    if args.pull_always {
        return "always";
    }
    if args.pull_never {
        return "never";
    }
    match args
        .pull
        .as_deref()
        .map(|p| p.trim().to_ascii_lowercase())
        .as_deref()
    {
        Some("true" | "always") => "always",
        Some("never") => "never",
        Some("newer" | "ifnewer") => "ifnewer",
        _ => "missing",
    }
}

/// `--add-host HOST:IP`.
fn check_extra_host(host: &str) -> anyhow::Result<()> {
    match host.split_once(':') {
        Some((name, ip)) if !name.is_empty() => {
            if ip.trim().parse::<std::net::IpAddr>().is_err() {
                anyhow::bail!("invalid value for add-host: invalid IP address in add-host: {ip:?}");
            }
            Ok(())
        }
        _ => anyhow::bail!("invalid value for add-host: bad format for add-host: {host:?}"),
    }
}

/// `--security-opt label=...|apparmor=...|seccomp=...`.
#[derive(Default)]
struct SecurityOptions {
    label_opts: Vec<String>,
    apparmor: Option<String>,
    seccomp: Option<String>,
}

impl SecurityOptions {
    fn parse(options: &[String]) -> anyhow::Result<Self> {
        let mut parsed = SecurityOptions::default();
        for option in options {
            if option == "no-new-privileges" {
                anyhow::bail!("no-new-privileges is not supported");
            }
            let Some((key, value)) = option.split_once('=') else {
                anyhow::bail!("invalid --security-opt name=value pair: {option:?}");
            };
            match key {
                "label" => parsed.label_opts.push(value.to_string()),
                "apparmor" => parsed.apparmor = Some(value.to_string()),
                "seccomp" => parsed.seccomp = Some(value.to_string()),
                _ => anyhow::bail!("invalid --security-opt 2: {option:?}"),
            }
        }
        Ok(parsed)
    }
}

/// buildah's namespace options for `--cgroupns`, `--ipc`, `--network`,
/// `--pid` and `--uts`, and the network policy they imply.
fn namespace_options(args: &BuildArgs) -> anyhow::Result<(Vec<Value>, u8)> {
    let mut options = Vec::new();
    let mut policy = NETWORK_DEFAULT;
    for (name, how) in [
        ("cgroup", &args.cgroupns),
        ("ipc", &args.ipc),
        ("network", &args.network),
        ("pid", &args.pid),
        ("uts", &args.uts),
    ] {
        let Some(how) = how else { continue };
        let (host, path) = match how.as_str() {
            "" | "container" | "private" => (false, ""),
            "host" => (true, ""),
            "none" if name == "network" => {
                options.push(namespace(name, false, ""));
                policy = NETWORK_DISABLED;
                continue;
            }
            other => {
                let path = other.strip_prefix("ns:").unwrap_or(other);
                // A network that is not a path names networks to join.
                if Path::new(path).is_absolute() || name != "network" {
                    check_namespace_path(name, path)?;
                }
                (false, path)
            }
        };
        policy = NETWORK_ENABLED;
        options.push(namespace(name, host, path));
    }
    Ok((options, policy))
}

fn namespace(name: &str, host: bool, path: &str) -> Value {
    json!({ "Name": name, "Host": host, "Path": path })
}

fn check_namespace_path(name: &str, path: &str) -> anyhow::Result<()> {
    std::fs::metadata(path).map(|_| ()).map_err(|err| {
        anyhow::anyhow!(
            "checking {name} namespace: stat {path}: {}",
            io_reason(&err)
        )
    })
}

/// `--isolation` as buildah's number.
fn isolation(text: &str) -> anyhow::Result<u8> {
    match text.to_ascii_lowercase().as_str() {
        "" => Ok(0),
        "oci" | "default" => Ok(1),
        "chroot" => Ok(2),
        "rootless" => Ok(3),
        _ => anyhow::bail!("unrecognized isolation type {text:?}"),
    }
}

/// The user namespace option and buildah's `IDMappingOptions` from
/// `--userns`, `--userns-uid-map[-user]` and `--userns-gid-map[-group]`.
fn id_mapping_options(args: &BuildArgs) -> anyhow::Result<(Value, Value)> {
    let user = args
        .userns_uid_map_user
        .as_ref()
        .or(args.userns_gid_map_group.as_ref());
    let group = args
        .userns_gid_map_group
        .as_ref()
        .or(args.userns_uid_map_user.as_ref());
    let (mut uids, mut gids) = (Vec::new(), Vec::new());
    if let (Some(user), Some(group)) = (user, group) {
        uids = sub_id_ranges(Path::new("/etc/subuid"), user, "subuid", "user")?;
        gids = sub_id_ranges(Path::new("/etc/subgid"), group, "subgid", "group")?;
    }
    uids.extend(parse_id_map(&args.userns_uid_map)?);
    gids.extend(parse_id_map(&args.userns_gid_map)?);
    if uids.is_empty() {
        uids = gids.clone();
    }
    if gids.is_empty() {
        gids = uids.clone();
    }
    let mut host = uids.is_empty();
    let mut path = String::new();
    let mut auto = None;
    if let Some(how) = &args.userns {
        if how.starts_with("auto") {
            auto = Some(auto_userns_options(how)?);
            host = false;
        } else {
            match how.as_str() {
                "" | "container" | "private" => host = false,
                "host" => host = true,
                other => {
                    let other = other.strip_prefix("ns:").unwrap_or(other);
                    check_namespace_path("user", other)?;
                    path = other.to_string();
                }
            }
        }
    }
    if !uids.is_empty() && host {
        anyhow::bail!("can not specify ID mappings while using host's user namespace");
    }
    let linux_map = |ranges: &[[u64; 3]]| -> Value {
        ranges
            .iter()
            .map(|[container, host, size]| {
                json!({ "containerID": container, "hostID": host, "size": size })
            })
            .collect()
    };
    let options = json!({
        "HostUIDMapping": host,
        "HostGIDMapping": host,
        "UIDMap": linux_map(&uids),
        "GIDMap": linux_map(&gids),
        "AutoUserNs": auto.is_some(),
        "AutoUserNsOpts": auto.unwrap_or_else(|| auto_options(0, Vec::new(), Vec::new())),
    });
    Ok((namespace("user", host, &path), options))
}

/// `auto[:size=N,uidmapping=C:H:S,gidmapping=C:H:S]`.
fn auto_userns_options(how: &str) -> anyhow::Result<Value> {
    let mut size = 0u32;
    let (mut uids, mut gids) = (Vec::new(), Vec::new());
    if let Some((_, options)) = how.split_once(':') {
        for option in options.split(',') {
            let Some((key, value)) = option.split_once('=') else {
                anyhow::bail!("invalid option specified: {option:?}");
            };
            match key {
                "size" => size = value.parse()?,
                "uidmapping" | "gidmapping" => {
                    let entries = parse_id_map(&[value.to_string()])?;
                    let list = if key == "uidmapping" {
                        &mut uids
                    } else {
                        &mut gids
                    };
                    list.extend(entries.iter().map(|[container, host, size]| {
                        json!({ "container_id": container, "host_id": host, "size": size })
                    }));
                }
                _ => anyhow::bail!("unknown option specified: {key:?}"),
            }
        }
    } else if how != "auto" {
        anyhow::bail!("wrong user namespace mode");
    }
    Ok(auto_options(size, uids, gids))
}

fn auto_options(size: u32, uids: Vec<Value>, gids: Vec<Value>) -> Value {
    let list = |entries: Vec<Value>| {
        if entries.is_empty() {
            Value::Null
        } else {
            Value::Array(entries)
        }
    };
    json!({
        "Size": size,
        "InitialSize": 0,
        "PasswdFile": "",
        "GroupFile": "",
        "AdditionalUIDMappings": list(uids),
        "AdditionalGIDMappings": list(gids),
    })
}

/// `CONTAINER:HOST:SIZE[,...]` triples (any non-digits separate numbers).
fn parse_id_map(specs: &[String]) -> anyhow::Result<Vec<[u64; 3]>> {
    let mut ranges = Vec::new();
    for spec in specs {
        let numbers: Vec<&str> = spec
            .split(|c: char| !c.is_ascii_digit())
            .filter(|part| !part.is_empty())
            .collect();
        if !numbers.len().is_multiple_of(3) {
            anyhow::bail!("mapping {spec:?} is not in the form containerid:hostid:size[,...]");
        }
        for triple in numbers.chunks(3) {
            let mut range = [0u64; 3];
            for (slot, text) in range.iter_mut().zip(triple) {
                *slot = text
                    .parse::<u32>()
                    .map_err(|err| {
                        anyhow::anyhow!("parsing {text:?} from mapping {spec:?} as a number: {err}")
                    })?
                    .into();
            }
            ranges.push(range);
        }
    }
    Ok(ranges)
}

/// `OS/ARCH[/VARIANT]` values as podman sends them: each `--platform`, or
/// one made of `--os`, `--arch` and `--variant` (empty when not given).
fn platforms(args: &BuildArgs) -> anyhow::Result<Vec<String>> {
    let os = args.os.as_deref().unwrap_or_default();
    let arch = args.arch.as_deref().unwrap_or_default();
    let variant = args.variant.as_deref().unwrap_or_default();
    let join = |os: &str, arch: &str, variant: &str| {
        let mut platform = format!("{os}/{arch}");
        if !variant.is_empty() {
            platform.push('/');
            platform.push_str(variant);
        }
        platform
    };
    if args.platform.is_empty() {
        return Ok(vec![join(os, arch, variant)]);
    }
    if !os.is_empty() || !arch.is_empty() || !variant.is_empty() {
        anyhow::bail!("invalid --platform may not be used with --os, --arch, or --variant");
    }
    args.platform
        .iter()
        .map(|spec| {
            let parts: Vec<&str> = spec.split('/').collect();
            match parts.as_slice() {
                [os, arch] => Ok(join(os, arch, "")),
                [os, arch, variant] => Ok(join(os, arch, variant)),
                _ => anyhow::bail!(
                    "unable to parse platform {spec:?}: invalid platform syntax for {spec:?} (use OS/ARCH[/VARIANT][,...])"
                ),
            }
        })
        .collect()
}

/// `--decryption-key FILE[:PASSWORD]`: podman reads each key before the
/// build (and does not send it).
fn check_decryption_keys(keys: &[String]) -> anyhow::Result<()> {
    for key in keys {
        let file = key.split(':').next().unwrap_or_default();
        if let Err(err) = std::fs::read(file) {
            anyhow::bail!(
                "unable to obtain decrypt config: invalid decryption keys: Unable to read file: open {file}: {}",
                io_reason(&err)
            );
        }
    }
    Ok(())
}

/// `--build-context NAME=VALUE`: an image (`docker-image://`,
/// `container-image://`, `docker://`), a URL, or a directory, which the
/// engine reads at its absolute path as podman 4.3's remote client sends it.
fn build_contexts(specs: &[String]) -> anyhow::Result<BTreeMap<String, Value>> {
    let mut contexts = BTreeMap::new();
    for spec in specs {
        let Some((name, value)) = spec.split_once('=') else {
            anyhow::bail!(
                "while parsing additional build context: [{spec:?}], accepts value in the form of key=value"
            );
        };
        let image = ["docker-image://", "container-image://", "docker://"]
            .into_iter()
            .find_map(|prefix| value.strip_prefix(prefix));
        let url = value.starts_with("http://") || value.starts_with("https://");
        let value = match image {
            Some(reference) => reference.to_string(),
            None if url => value.to_string(),
            None => std::path::absolute(value)
                .map_err(|err| {
                    anyhow::anyhow!(
                        "while parsing additional build context: unable to convert additional build-context {value:?} path to absolute: {err}"
                    )
                })?
                .to_string_lossy()
                .into_owned(),
        };
        contexts.insert(
            name.to_string(),
            json!({ "IsURL": url, "IsImage": image.is_some(), "Value": value, "DownloadedCache": "" }),
        );
    }
    Ok(contexts)
}

/// `--cache-to` / `--cache-from REPOSITORY`, normalised.
fn cache_flag(flag: &str, repo: Option<&str>) -> anyhow::Result<Option<String>> {
    repo.map(|repo| {
        cache_repository(repo).map_err(|err| {
            anyhow::anyhow!("unable to parse value provided `{repo}` to {flag}: {err}")
        })
    })
    .transpose()
}

/// A repository without tag or digest, normalised as docker's references
/// are (`name` is `docker.io/library/name`).
fn cache_repository(repo: &str) -> anyhow::Result<String> {
    let (first, rest) = repo.split_once('/').unwrap_or(("", repo));
    let domain_given =
        !first.is_empty() && (first.contains('.') || first.contains(':') || first == "localhost");
    let normalized = match (domain_given, first.is_empty()) {
        (true, _) => repo.to_string(),
        (false, true) => format!("docker.io/library/{rest}"),
        (false, false) => format!("docker.io/{repo}"),
    };
    let last = normalized.rsplit('/').next().unwrap_or_default();
    if normalized.contains('@') || last.contains(':') {
        anyhow::bail!("repository must contain neither a tag nor digest: {normalized}");
    }
    if repo.is_empty() || repo != repo.to_ascii_lowercase() {
        anyhow::bail!(
            "invalid repo {repo:?}: must contain registry and repository: invalid reference format"
        );
    }
    Ok(normalized)
}

/// Go's `time.ParseDuration`, in nanoseconds.
fn go_duration(text: &str) -> anyhow::Result<i128> {
    let invalid = || anyhow::anyhow!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let number = &rest[..number_end];
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        rest = &rest[number_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_end];
        rest = &rest[unit_end..];
        let scale = match unit {
            "" => anyhow::bail!("time: missing unit in duration {text:?}"),
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => anyhow::bail!("time: unknown unit {unit:?} in duration {text:?}"),
        };
        total += value * scale;
    }
    let nanos = total.round() as i128;
    Ok(if negative { -nanos } else { nanos })
}

/// Go's `time.Duration.String()`: `1h30m0s`, `1.5s`, `250ms`.
fn format_go_duration(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let nanos = nanos.unsigned_abs();
    let fraction = |value: u128, unit: u128| {
        let whole = value / unit;
        let rest = value % unit;
        if rest == 0 {
            return whole.to_string();
        }
        let width = unit.to_string().len() - 1;
        let digits = format!("{rest:0width$}");
        format!("{whole}.{}", digits.trim_end_matches('0'))
    };
    if nanos < 1_000 {
        return format!("{sign}{nanos}ns");
    }
    if nanos < 1_000_000 {
        return format!("{sign}{}µs", fraction(nanos, 1_000));
    }
    if nanos < 1_000_000_000 {
        return format!("{sign}{}ms", fraction(nanos, 1_000_000));
    }
    let hours = nanos / 3_600_000_000_000;
    let minutes = nanos / 60_000_000_000 % 60;
    let seconds = fraction(nanos % 60_000_000_000, 1_000_000_000);
    match (hours, minutes) {
        (0, 0) => format!("{sign}{seconds}s"),
        (0, _) => format!("{sign}{minutes}m{seconds}s"),
        _ => format!("{sign}{hours}h{minutes}m{seconds}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_and_print_like_go() {
        assert_eq!(format_go_duration(go_duration("90m").unwrap()), "1h30m0s");
        assert_eq!(format_go_duration(go_duration("1.5s").unwrap()), "1.5s");
        assert_eq!(format_go_duration(go_duration("250ms").unwrap()), "250ms");
        assert_eq!(format_go_duration(go_duration("2h45s").unwrap()), "2h0m45s");
        assert_eq!(format_go_duration(go_duration("0").unwrap()), "0s");
        assert_eq!(
            go_duration("zz").unwrap_err().to_string(),
            "time: invalid duration \"zz\""
        );
        assert_eq!(
            go_duration("10").unwrap_err().to_string(),
            "time: missing unit in duration \"10\""
        );
    }

    #[test]
    fn cache_repositories_are_normalised_without_tags() {
        assert_eq!(cache_repository("c/d").unwrap(), "docker.io/c/d");
        assert_eq!(
            cache_repository("cache").unwrap(),
            "docker.io/library/cache"
        );
        assert_eq!(cache_repository("quay.io/a/b").unwrap(), "quay.io/a/b");
        assert_eq!(
            cache_repository("localhost:5000/a").unwrap(),
            "localhost:5000/a"
        );
        assert_eq!(
            cache_repository("a:b").unwrap_err().to_string(),
            "repository must contain neither a tag nor digest: docker.io/library/a:b"
        );
    }

    #[test]
    fn id_maps_read_triples() {
        assert_eq!(
            parse_id_map(&["0:1000:100".into(), "100:5000:10".into()]).unwrap(),
            vec![[0, 1000, 100], [100, 5000, 10]]
        );
        assert!(parse_id_map(&["0:1000".into()]).is_err());
    }
}
