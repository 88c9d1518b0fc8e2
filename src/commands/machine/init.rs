//! `berth machine init [NAME]`: validates podman's flags, then creates
//! everything a machine needs (the shared user key if absent, a host key
//! pinned in the config, the disk, the Ignition config, the machine config
//! and its connections). A failed init leaves nothing behind.

use std::time::SystemTime;

use anyhow::{bail, Context};
use berth_client::connection::ConnectionStore;
use berth_images::ImageRef;
use berth_machine::config::{
    validate_name, ImageConfig, MachineConfig, Mount, Resources, SshConfig,
};
use berth_machine::fsutil;
use berth_machine::host::{self, HostProfile};
use berth_machine::ignition::{self, IgnitionOptions};
use berth_machine::paths::{self, MachinePaths, MAX_SOCKET_PATH};
use berth_machine::ssh::keys;

use super::{connections, machine_name, store, user_error};
use crate::cli::machine::{InitArgs, StartArgs};
use crate::progress::Progress;

pub async fn run(args: InitArgs) -> anyhow::Result<u8> {
    let name = machine_name(args.name.as_deref());
    validate_name(&name)?;
    let store = store()?;
    let paths = store.paths(&name);
    let lock = store.lock(&name)?;
    if store.exists(&name) {
        return Err(user_error(format!("{name}: VM already exists")));
    }
    let resources = resources(&args)?;
    check_socket_paths(&paths)?;
    let mounts = mounts(&args.volumes)?;
    let timezone = timezone(&args.timezone)?;

    // From here on, anything created is removed again if a step fails.
    let mut undo = Undo::new(&paths);
    std::fs::create_dir_all(&paths.data_dir)
        .with_context(|| format!("creating {}", paths.data_dir.display()))?;

    let user_key_path = paths::user_key(store.dirs());
    let (user_key, _) = keys::ensure_user_key(&user_key_path)?;
    let authorized_key = keys::public_openssh(user_key.public_key())?;

    let base = obtain_base(store.dirs(), &args.image).await?;
    berth_images::create_overlay(&base, &paths.disk, resources.disk_size << 30)?;

    let rootful = args.rootful;
    let uid = berth_machine::config::guest_uid();
    let ssh_port = free_port()?;
    let host_key_public = if let Some(user_ignition) = &args.ignition_path {
        std::fs::copy(user_ignition, &paths.ignition)
            .with_context(|| format!("copying Ignition file {user_ignition}"))?;
        // Not injected by berth: pinned on first connection instead.
        String::new()
    } else {
        let host_key = keys::generate_ed25519(&format!("berth-{name}"))?;
        let private = keys::private_openssh(&host_key)?;
        let public = keys::public_openssh(host_key.public_key())?;
        fsutil::write_atomic(&paths.host_key, private.as_bytes(), 0o600)
            .with_context(|| format!("writing {}", paths.host_key.display()))?;
        let config = ignition::generate(&IgnitionOptions {
            username: &args.username,
            uid,
            authorized_key: &authorized_key,
            host_key_private: &private,
            host_key_public: &public,
            rootful,
            timezone: timezone.as_deref(),
            mounts: &mounts,
        });
        fsutil::write_atomic(&paths.ignition, config.to_json().as_bytes(), 0o600)
            .with_context(|| format!("writing {}", paths.ignition.display()))?;
        public
    };

    let config = MachineConfig {
        name: name.clone(),
        created: SystemTime::now(),
        last_up: None,
        resources,
        image: ImageConfig {
            source: args.image.clone(),
            base: Some(base.path.clone()),
            path: paths.disk.clone(),
        },
        ssh: SshConfig {
            identity_path: user_key_path,
            port: ssh_port,
            remote_username: args.username.clone(),
            host_key: host_key_public,
        },
        rootful,
        uid,
        timezone,
        mounts,
        ignition_path: paths.ignition.clone(),
        accelerator: None,
        // berth's own Ignition mounts them at boot; a user's does not.
        mounts_at_boot: args.ignition_path.is_none(),
        volume_driver: None,
    };
    store.save(&lock, &config)?;
    undo.config_saved = true;
    let connection_store = ConnectionStore::from_env()?;
    connections::add(&connection_store, &config, false)?;
    undo.disarm();
    drop(lock);

    if args.now {
        return super::start::run(&StartArgs {
            name: Some(name),
            no_info: false,
            quiet: false,
            system_docker_socket: false,
        })
        .await;
    }
    println!("Machine init complete");
    println!("To start your machine run:\n");
    if name == berth_machine::config::DEFAULT_MACHINE_NAME {
        println!("\tberth machine start\n");
    } else {
        println!("\tberth machine start {name}\n");
    }
    Ok(0)
}

/// Removes what a failed init created.
struct Undo<'a> {
    paths: &'a MachinePaths,
    armed: bool,
    config_saved: bool,
}

impl<'a> Undo<'a> {
    fn new(paths: &'a MachinePaths) -> Self {
        Undo {
            paths,
            armed: true,
            config_saved: false,
        }
    }

    fn disarm(&mut self) {
        self.armed = false;
    }
}

impl Drop for Undo<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let _ = std::fs::remove_dir_all(&self.paths.data_dir);
        if self.config_saved {
            let _ = fsutil::remove_if_exists(&self.paths.config);
        }
    }
}

/// CPUs, memory and disk from the flags, checked against the host.
fn resources(args: &InitArgs) -> anyhow::Result<Resources> {
    let host_cpus = host::cpu_count();
    let resources = Resources {
        cpus: args.cpus.unwrap_or((host_cpus / 2).max(1)),
        memory: args.memory,
        disk_size: args.disk_size,
    };
    check_resources(&resources)?;
    Ok(resources)
}

/// Refuses resources this host cannot give (for `init` and `set`).
pub(super) fn check_resources(resources: &Resources) -> anyhow::Result<()> {
    let host_cpus = host::cpu_count();
    let cpus = resources.cpus;
    if cpus == 0 {
        bail!("--cpus must be at least 1");
    }
    if cpus > host_cpus {
        bail!("--cpus {cpus} is more than this host's {host_cpus} CPUs");
    }
    if resources.memory < 256 {
        bail!(
            "--memory {} MiB is too little: use at least 256",
            resources.memory
        );
    }
    if let Some(host_memory) = host::memory_mib() {
        if resources.memory > host_memory {
            bail!(
                "--memory {} MiB is more than this host's {host_memory} MiB",
                resources.memory
            );
        }
    }
    if resources.disk_size == 0 {
        bail!("--disk-size must be at least 1 GiB");
    }
    Ok(())
}

fn check_socket_paths(paths: &MachinePaths) -> anyhow::Result<()> {
    let longest = paths.longest_socket();
    let length = longest.as_os_str().len();
    if length > MAX_SOCKET_PATH {
        bail!(
            "the machine's socket path {} would be {length} bytes, over the OS limit of \
             {MAX_SOCKET_PATH}: use a shorter machine name or a shorter XDG_RUNTIME_DIR",
            longest.display()
        );
    }
    Ok(())
}

/// `-v` flags; none given means the home directory at the same path, and
/// `-v ""` means no volumes.
fn mounts(volumes: &[String]) -> anyhow::Result<Vec<Mount>> {
    if volumes.is_empty() {
        let home = std::env::var("HOME").unwrap_or_default();
        if home.is_empty() || cfg!(windows) {
            return Ok(Vec::new());
        }
        return Ok(vec![Mount {
            source: home.clone(),
            target: home,
            read_only: false,
        }]);
    }
    volumes
        .iter()
        .filter(|spec| !spec.is_empty())
        .map(|spec| Mount::parse(spec).map_err(user_error))
        .collect()
}

/// `--timezone`: `local` is the host's zone (from TZ or /etc/localtime).
fn timezone(flag: &str) -> anyhow::Result<Option<String>> {
    let zone = if flag == "local" {
        match local_timezone() {
            Some(zone) => zone,
            None => return Ok(None),
        }
    } else {
        flag.to_string()
    };
    let valid = !zone.is_empty()
        && !zone.starts_with('/')
        && zone
            .split('/')
            .all(|part| !part.is_empty() && part != ".." && part != ".")
        && zone
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '/' | '_' | '-' | '+'));
    if !valid {
        bail!("invalid --timezone {zone:?}: use a zone name like Europe/Berlin, or local");
    }
    Ok(Some(zone))
}

fn local_timezone() -> Option<String> {
    if let Ok(tz) = std::env::var("TZ") {
        let tz = tz.trim_start_matches(':');
        if !tz.is_empty() {
            return Some(tz.to_string());
        }
    }
    let target = std::fs::read_link("/etc/localtime").ok()?;
    let target = target.to_string_lossy();
    let (_, zone) = target.split_once("zoneinfo/")?;
    Some(zone.to_string())
}

/// A free 127.0.0.1 port for the guest's SSH.
pub(super) fn free_port() -> anyhow::Result<u16> {
    let listener =
        std::net::TcpListener::bind("127.0.0.1:0").context("finding a free local port")?;
    Ok(listener.local_addr()?.port())
}

/// The cached base image for `--image` (downloaded and unpacked if needed).
async fn obtain_base(
    dirs: &berth_machine::dirs::BerthDirs,
    image: &str,
) -> anyhow::Result<berth_images::BaseImage> {
    let image = ImageRef::parse(image)?;
    let progress = Progress::new(false);
    let arch = super::image::image_arch(HostProfile::current().arch);
    let base = super::image::image_cache(dirs)
        .obtain(&image, arch, &progress)
        .await?;
    Ok(base)
}
