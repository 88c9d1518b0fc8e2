//! `berth kube play|down|generate` (and `play kube`, `generate kube`):
//! Kubernetes YAML in and out of the engine; `generate systemd|spec`.

pub mod down;
pub mod generate;
pub mod play;
pub mod spec;
pub mod systemd;

use std::io::Read;

use crate::cli::kube::KubeCommand;
use crate::cli::GlobalArgs;
use crate::commands::container::go_io_reason;

pub async fn run(global: &GlobalArgs, command: KubeCommand) -> anyhow::Result<u8> {
    match command {
        KubeCommand::Down(args) => down::run(global, &args).await,
        KubeCommand::Generate(args) => generate::run(global, &args).await,
        KubeCommand::Play(args) => play::run(global, &args).await,
    }
}

/// podman's `readerFromArg`: the YAML from stdin (`-`), an http(s) URL or
/// a file.
pub async fn read_yaml(source: &str) -> anyhow::Result<Vec<u8>> {
    if source == "-" {
        let mut data = Vec::new();
        std::io::stdin().lock().read_to_end(&mut data)?;
        return Ok(data);
    }
    if source.starts_with("http://") || source.starts_with("https://") {
        let response = reqwest::get(source)
            .await
            .map_err(|err| anyhow::anyhow!("Get {source:?}: {err}"))?;
        if !response.status().is_success() {
            anyhow::bail!("Get {source:?}: the server answered {}", response.status());
        }
        let body = response
            .bytes()
            .await
            .map_err(|err| anyhow::anyhow!("Get {source:?}: {err}"))?;
        return Ok(body.to_vec());
    }
    std::fs::read(source).map_err(|err| anyhow::anyhow!("open {source}: {}", go_io_reason(&err)))
}
