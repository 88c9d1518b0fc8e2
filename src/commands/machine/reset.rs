//! `berth machine reset [-f]`: stops and removes every machine (configs,
//! disks, connections) and berth's machine data (the shared user key, the
//! cached base images, runtime files), after asking unless `--force`.

use std::io::{BufRead, Write};
use std::path::Path;

use berth_client::connection::ConnectionStore;
use berth_machine::paths;

use super::{connections, store};
use crate::cli::machine::ResetArgs;

pub async fn run(args: &ResetArgs) -> anyhow::Result<u8> {
    let store = store()?;
    let machines = store.list()?;
    if !args.force {
        println!(
            "Warning: this command will delete all existing machines and all of berth's \
             machine configuration and data directories."
        );
        if machines.is_empty() {
            println!("\nNo machines exist.");
        } else {
            println!("\nThe following machine(s) will be deleted:\n");
            for machine in &machines {
                println!("{}", machine.name);
            }
        }
        print!("\nAre you sure you want to continue? [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        let answer = answer.trim();
        if !answer.eq_ignore_ascii_case("y") && !answer.eq_ignore_ascii_case("yes") {
            return Ok(0);
        }
    }

    let connection_store = ConnectionStore::from_env()?;
    for machine in &machines {
        super::stop::stop_machine(&store.paths(&machine.name)).await?;
        connections::remove(&connection_store, &machine.name)?;
    }
    let dirs = store.dirs();
    for dir in [
        paths::configs_dir(dirs),
        dirs.data.clone(),
        dirs.runtime.clone(),
    ] {
        remove_dir(&dir)?;
    }
    Ok(0)
}

fn remove_dir(dir: &Path) -> anyhow::Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
            Err(anyhow::Error::new(err).context(format!("removing {}", dir.display())))
        }
        _ => Ok(()),
    }
}
