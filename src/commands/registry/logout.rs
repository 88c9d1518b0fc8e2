//! `berth logout [REGISTRY]` / `--all`: removes stored credentials from the
//! client's auth file.

use super::{auth_files, registry_key};
use crate::cli::registry::LogoutArgs;
use crate::commands::container::print_line;

pub fn run(args: &LogoutArgs) -> anyhow::Result<u8> {
    let files = auth_files(args.authfile.as_deref())?;
    if args.all {
        if args.registry.is_some() {
            anyhow::bail!("--all takes no arguments");
        }
        files.remove_all()?;
        print_line("Removed login credentials for all registries")?;
        return Ok(0);
    }
    let Some(registry) = args.registry.as_deref().filter(|r| !r.is_empty()) else {
        anyhow::bail!("no registries found in registries.conf, a registry must be provided");
    };
    let key = registry_key(registry);
    if files.remove(&key)? {
        print_line(&format!("Removed login credentials for {key}"))?;
        Ok(0)
    } else {
        anyhow::bail!("not logged into {key}")
    }
}
