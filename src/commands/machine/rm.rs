//! `berth machine rm [NAME]`: removes everything `init` created (config,
//! disk, Ignition, host key, logs, runtime files, connections), except what
//! `--save-image` / `--save-ignition` keep. The shared user key and cached
//! base images stay. A running machine needs `--force` (which stops it);
//! without `--force` berth lists the files and asks first, like podman.

use std::io::{BufRead, Write};
use std::path::PathBuf;

use berth_client::connection::ConnectionStore;
use berth_machine::state;

use super::{connections, load, machine_name, store, user_error};
use crate::cli::machine::RmArgs;

pub async fn run(args: &RmArgs) -> anyhow::Result<u8> {
    let name = machine_name(args.name.as_deref());
    let store = store()?;
    let config = load(&store, &name)?;
    let paths = store.paths(&name);
    if state::probe(&paths).state.is_alive() {
        if !args.force {
            return Err(user_error(format!(
                "vm \"{name}\" cannot be destroyed: it is running; stop it first or use --force"
            )));
        }
        super::stop::stop_machine(&paths).await?;
    }

    let mut keep: Vec<PathBuf> = Vec::new();
    if args.save_image {
        keep.push(config.image.path.clone());
    }
    if args.save_ignition {
        keep.push(config.ignition_path.clone());
    }
    if !args.force {
        let mut listing = vec![paths.config.clone()];
        for path in [&config.image.path, &config.ignition_path] {
            if !keep.contains(path) {
                listing.push(path.clone());
            }
        }
        listing.push(paths.data_dir.clone());
        println!("The following files will be deleted:\n");
        for path in &listing {
            println!("{}", path.display());
        }
        print!("Are you sure you want to continue? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !answer.trim().eq_ignore_ascii_case("y") && !answer.trim().eq_ignore_ascii_case("yes") {
            return Ok(0);
        }
    }

    let lock = store.lock(&name)?;
    connections::remove(&ConnectionStore::from_env()?, &name)?;
    store.remove(&lock, &name)?;
    remove_data(&paths.data_dir, &keep)?;
    let _ = std::fs::remove_dir_all(&paths.runtime_dir);
    let _ = std::fs::remove_file(&paths.config_lock);
    drop(lock);
    Ok(0)
}

/// Removes the machine's data dir, or everything in it but `keep`.
fn remove_data(dir: &std::path::Path, keep: &[PathBuf]) -> anyhow::Result<()> {
    if keep.is_empty() {
        return match std::fs::remove_dir_all(dir) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err.into()),
            _ => Ok(()),
        };
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(());
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if keep.contains(&path) {
            continue;
        }
        if path.is_dir() {
            std::fs::remove_dir_all(&path)?;
        } else {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}
