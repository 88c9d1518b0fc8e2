//! `berth create`: pull the image if the policy asks for it and create a
//! container without starting it; prints its id.

use berth_client::api::containers::{self, SpecGenerator};
use berth_client::Client;

use super::print_line;
use crate::cli::container::{CreateArgs, CreateFlags};
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &CreateArgs) -> anyhow::Result<u8> {
    let spec = super::spec::build(
        &args.flags,
        args.image(),
        args.command(),
        std::env::args().collect(),
        &|name: &str| std::env::var(name).ok(),
    )?;
    let client = crate::connection::connect(global).await?;
    let id = create_container(&client, &args.flags, args.image(), &spec).await?;
    print_line(&id)?;
    Ok(0)
}

/// What `run` and `create` share: pull by policy (progress on stderr),
/// `--replace`, create, print the engine's warnings, write `--cidfile`.
pub async fn create_container(
    client: &Client,
    flags: &CreateFlags,
    image: &str,
    spec: &SpecGenerator,
) -> anyhow::Result<String> {
    if let Some(cidfile) = &flags.cidfile {
        if std::path::Path::new(cidfile).exists() {
            anyhow::bail!("container id file exists. Ensure another container is not using it or delete {cidfile}");
        }
    }
    let (os, arch) = match &flags.platform {
        Some(platform) => {
            let (os, arch) = platform.split_once('/').unwrap_or((platform, ""));
            (
                Some(os.to_string()),
                (!arch.is_empty()).then(|| arch.to_string()),
            )
        }
        None => (flags.os.clone(), flags.arch.clone()),
    };
    let pull = berth_client::api::images::PullOptions {
        reference: image.to_string(),
        policy: Some(flags.pull.clone()),
        arch,
        os,
        variant: flags.variant.clone(),
        tls_verify: flags.tls_verify,
        ..Default::default()
    };
    crate::commands::image::pull::pull_with_progress(client, &pull, flags.quiet).await?;
    let mut spec = spec.clone();
    if let Some(pod) = super::spec::take_new_pod(&mut spec, std::env::args().collect())? {
        berth_client::api::pods::create(client, &pod).await?;
    }
    if flags.replace {
        let Some(name) = &flags.name else {
            anyhow::bail!("cannot replace container without --name being set");
        };
        let options = containers::RemoveOptions {
            force: true,
            ignore: true,
            ..Default::default()
        };
        containers::remove(client, name, &options).await?;
    }
    let created = containers::create(client, &spec)
        .await
        .map_err(super::engine_error)?;
    for warning in created.warnings.iter().flatten() {
        eprintln!("{warning}");
    }
    if let Some(cidfile) = &flags.cidfile {
        if let Err(err) = std::fs::write(cidfile, &created.id) {
            let options = containers::RemoveOptions {
                force: true,
                volumes: true,
                ..Default::default()
            };
            let _ = containers::remove(client, &created.id, &options).await;
            anyhow::bail!(
                "opening cidfile: open {cidfile}: {}",
                super::go_io_reason(&err)
            );
        }
    }
    Ok(created.id)
}
