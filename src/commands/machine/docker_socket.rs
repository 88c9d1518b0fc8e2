//! The Docker endpoints `berth machine start` offers for the default machine
//! (the one whose connection is the default): a `docker.sock` link at a
//! stable path in berth's data dir, which follows whichever machine is the
//! default, so `DOCKER_HOST` is set once; and, when asked with
//! `--system-docker-socket`, `/var/run/docker.sock` linked to that stable
//! link, for Docker clients that never read `DOCKER_HOST` (like
//! podman-mac-helper, opt-in because it needs permission and may belong to
//! another engine). A link that cannot be made is reported, never fatal:
//! the machine is running either way.

use std::path::Path;

use anyhow::Context;
use berth_client::connection::{ConnectionConfig, ConnectionStore};
use berth_machine::config::MachineConfig;
use berth_machine::dirs::BerthDirs;
use berth_machine::endpoints::{self, Endpoint};
use berth_machine::host::HostProfile;

use super::connections;
use crate::cli::machine::StartArgs;

/// Links the stable endpoint (and the system socket when asked) to the
/// started machine's API socket, if the machine is the default one.
pub(super) fn offer(config: &MachineConfig, api_socket: &Path, args: &StartArgs) {
    if let Err(err) = try_offer(config, api_socket, args) {
        eprintln!("Warning: no stable Docker socket: {err:#}");
    }
}

fn try_offer(config: &MachineConfig, api_socket: &Path, args: &StartArgs) -> anyhow::Result<()> {
    let profile = HostProfile::current();
    let dirs = BerthDirs::current().context("finding berth's directories")?;
    let stable = endpoints::stable_docker_endpoint(&profile, &dirs);
    if !is_default(config).context("reading the default connection")? {
        if args.system_docker_socket {
            eprintln!(
                "Machine \"{}\" is not the default machine, so berth links neither {} nor \
                 /var/run/docker.sock to it; make it the default with: berth system connection default {}",
                config.name,
                describe(&stable),
                connections::served_name(config)
            );
        }
        return Ok(());
    }
    let Endpoint::Unix(stable) = stable else {
        // Windows: machines are not served there yet (see machine/src/pipe.rs).
        return Ok(());
    };
    link(&stable, api_socket, args);
    if args.system_docker_socket {
        if let Some(system) = endpoints::system_docker_socket(&profile) {
            link_system(system, &stable);
        }
    }
    Ok(())
}

fn describe(endpoint: &Endpoint) -> String {
    match endpoint {
        Endpoint::Unix(path) => path.display().to_string(),
        Endpoint::Pipe(name) => name.clone(),
    }
}

/// Whether the default connection is one of this machine's.
fn is_default(config: &MachineConfig) -> anyhow::Result<bool> {
    let store = ConnectionStore::from_env()?;
    let connections = ConnectionConfig::load(&store)?;
    Ok(connections
        .default_name()
        .is_some_and(|name| name == config.name || name == connections::root_name(&config.name)))
}

#[cfg(unix)]
fn link(stable: &Path, api_socket: &Path, args: &StartArgs) {
    use berth_machine::endpoints::{link_socket, Replace};
    match link_socket(stable, api_socket, Replace::AnyLink) {
        Ok(_) if args.no_info => {}
        Ok(_) => {
            println!("The default machine's API is also linked at a path that stays the same");
            println!("across restarts and follows the default machine:\n");
            println!("\texport DOCKER_HOST='unix://{}'\n", stable.display());
        }
        Err(err) => eprintln!("Warning: no stable Docker socket: {err}"),
    }
}

#[cfg(unix)]
fn link_system(system: &Path, stable: &Path) {
    use berth_machine::endpoints::{link_socket, LinkError, Linked, Replace};
    match link_socket(system, stable, Replace::Nothing) {
        Ok(Linked::Created | Linked::Replaced { .. }) => println!(
            "Linked {} to the default machine: Docker clients reach it without DOCKER_HOST",
            system.display()
        ),
        Ok(Linked::AlreadyLinked) => println!(
            "{} already leads to the default machine: Docker clients reach it without DOCKER_HOST",
            system.display()
        ),
        Err(LinkError::PermissionDenied { .. }) => eprintln!(
            "Warning: berth may not create {system} (permission denied), so Docker clients need \
             DOCKER_HOST. To link it once for good (it follows the default machine from then on), run:\n\n\
             \tsudo ln -s {stable} {system}\n",
            system = system.display(),
            stable = stable.display()
        ),
        Err(err) => eprintln!("Warning: {err}"),
    }
}

#[cfg(not(unix))]
fn link(_stable: &Path, _api_socket: &Path, _args: &StartArgs) {}

#[cfg(not(unix))]
fn link_system(_system: &Path, _stable: &Path) {}
