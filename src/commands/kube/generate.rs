//! `berth kube generate [-s] [-f FILE] NAME...`: Kubernetes YAML for
//! containers, pods or volumes, from the engine.

use std::io::Write;

use crate::cli::kube::KubeGenerateArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &KubeGenerateArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let yaml = berth_client::api::kube::generate(&client, &args.names, args.service)
        .await
        .map_err(|err| anyhow::anyhow!("{err}"))?;
    match &args.filename {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(path);
            let mut file = match file {
                Ok(file) => file,
                Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => {
                    anyhow::bail!("cannot write to {path:?}; file exists")
                }
                Err(err) => anyhow::bail!("cannot write to {path:?}: {err}"),
            };
            file.write_all(&yaml)
                .map_err(|err| anyhow::anyhow!("cannot write to {path:?}: {err}"))?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&yaml)?;
            // podman prints the YAML with Println.
            writeln!(stdout)?;
            stdout.flush()?;
        }
    }
    Ok(0)
}
