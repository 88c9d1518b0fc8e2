//! `berth container restore CONTAINER|IMAGE...`: restores checkpointed
//! containers, checkpoint images, or (`--import FILE`) an exported
//! checkpoint archive, which is streamed to the engine. Prints each name
//! as given (ids otherwise), or with `--print-stats` podman's statistics
//! JSON.

use std::time::Instant;

use berth_client::api::checkpoint::{self, RestoreOptions};
use berth_client::Client;
use serde_json::Value;

use super::checkpoint::{print_statistics, with_raw_input};
use super::{container_ids_where, finish_with_errors, print_line};
use crate::cli::checkpoint::RestoreArgs;
use crate::cli::GlobalArgs;

/// The image annotation naming the OCI runtime a checkpoint image needs.
const CHECKPOINT_RUNTIME: &str = "io.podman.annotations.checkpoint.runtime.name";

pub async fn run(global: &GlobalArgs, args: &RestoreArgs) -> anyhow::Result<u8> {
    if args.all && !args.targets.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    let started = Instant::now();
    let client = crate::connection::connect(global).await?;
    let checkpoint_image = names_checkpoint_images(&client, &args.targets).await?;
    check_args(args, checkpoint_image)?;
    let options = RestoreOptions {
        keep: args.keep,
        tcp_established: args.tcp_established,
        ignore_rootfs: args.ignore_rootfs,
        ignore_volumes: args.ignore_volumes,
        ignore_static_ip: args.ignore_static_ip,
        ignore_static_mac: args.ignore_static_mac,
        print_stats: args.print_stats,
        file_locks: args.file_locks,
        name: args.name.clone(),
        pod: args.pod.clone(),
        publish_ports: args.publish.clone(),
    };
    let mut errors = Vec::new();
    let mut statistics = Vec::new();
    let mut report_on = |report: anyhow::Result<Value>, raw_input: &str| -> anyhow::Result<()> {
        match report {
            Err(err) => errors.push(err),
            Ok(report) if args.print_stats => statistics.push(with_raw_input(report, raw_input)),
            Ok(report) if raw_input.is_empty() => {
                print_line(report.get("Id").and_then(Value::as_str).unwrap_or_default())?
            }
            Ok(_) => print_line(raw_input)?,
        }
        Ok(())
    };
    if let Some(path) = &args.import {
        let file = std::fs::File::open(path).map_err(|err| {
            anyhow::anyhow!("open {path}: {}", berth_client::transport::io_reason(&err))
        })?;
        let archive = berth_client::body::blocking_reader_body(file);
        let report = checkpoint::restore_import(&client, archive, &options).await;
        report_on(report.map_err(anyhow::Error::from), "")?;
    } else {
        for (id, raw_input) in resolve_targets(&client, args.all, &args.targets).await? {
            let report = checkpoint::restore(&client, &id, &options).await;
            report_on(report.map_err(anyhow::Error::from), &raw_input)?;
        }
    }
    if args.print_stats {
        print_statistics("podman_restore_duration", started, statistics)?;
    }
    finish_with_errors(errors)
}

/// podman's flag checks, in its order, once it knows whether the
/// arguments name checkpoint images.
fn check_args(args: &RestoreArgs, checkpoint_image: bool) -> anyhow::Result<()> {
    let not_import = !checkpoint_image && args.import.is_none();
    let needs_import = [
        (args.import_previous.is_some(), "--import-previous"),
        (args.ignore_rootfs, "--ignore-rootfs"),
        (args.ignore_volumes, "--ignore-volumes"),
        (args.name.is_some(), "--name"),
        (args.pod.is_some(), "--pod"),
    ];
    if let Some((_, flag)) = needs_import.iter().find(|(set, _)| not_import && *set) {
        anyhow::bail!("{flag} can only be used with image or --import");
    }
    if args.name.is_some() && args.tcp_established {
        anyhow::bail!("--tcp-established cannot be used with --name");
    }
    if args.import.is_some() {
        if args.all {
            anyhow::bail!("cannot use --import with --all or --latest");
        }
        if !args.targets.is_empty() {
            anyhow::bail!("cannot use --import with positional arguments");
        }
    }
    if args.targets.is_empty() && !args.all && args.import.is_none() {
        anyhow::bail!("you must provide at least one name or id");
    }
    if args.targets.len() > 1 && args.name.is_some() {
        anyhow::bail!("--name can only be used with one checkpoint image");
    }
    if args.import_previous.is_some() {
        anyhow::bail!("--import-previous is not supported on the remote client");
    }
    Ok(())
}

/// True when no argument names a container and those naming images name
/// checkpoint images for the engine's runtime (an error otherwise).
async fn names_checkpoint_images(client: &Client, targets: &[String]) -> anyhow::Result<bool> {
    for target in targets {
        if berth_client::api::containers::exists(client, target).await? {
            return Ok(false);
        }
    }
    let mut found = false;
    for target in targets {
        let image = match berth_client::api::images::inspect(client, target).await {
            Ok(image) => image,
            Err(err) if err.is_not_found() => continue,
            Err(err) => return Err(err.into()),
        };
        found = true;
        check_checkpoint_image(client, &image, None).await?;
    }
    Ok(found)
}

/// Errors unless the inspected image is a checkpoint for the engine's
/// runtime; the error names `name`, or the image's id.
async fn check_checkpoint_image(
    client: &Client,
    image: &Value,
    name: Option<&str>,
) -> anyhow::Result<String> {
    let id = image.get("Id").and_then(Value::as_str).unwrap_or_default();
    let name = name.unwrap_or(id);
    let Some(runtime) = image
        .pointer("/Annotations")
        .and_then(|annotations| annotations.get(CHECKPOINT_RUNTIME))
        .and_then(Value::as_str)
    else {
        anyhow::bail!("image is not a checkpoint: {name}");
    };
    let info = berth_client::api::system::info(client).await?;
    let engine_runtime = info
        .pointer("/host/ociRuntime/name")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if engine_runtime != runtime {
        anyhow::bail!("container image \"{name}\" requires runtime: \"{runtime}\"");
    }
    Ok(id.to_string())
}

/// What to restore, as (container or image id, name as given): the exited
/// containers with `--all`, else each argument as a container or, failing
/// that, a checkpoint image.
async fn resolve_targets(
    client: &Client,
    all: bool,
    names: &[String],
) -> anyhow::Result<Vec<(String, String)>> {
    if all {
        let ids = container_ids_where(client, &[], |state| state == "exited").await?;
        return Ok(ids.into_iter().map(|id| (id, String::new())).collect());
    }
    let mut targets = Vec::new();
    for name in names {
        match berth_client::api::containers::inspect(client, name, false).await {
            Ok(info) => {
                let id = info.get("Id").and_then(Value::as_str).unwrap_or(name);
                targets.push((id.to_string(), name.clone()));
            }
            Err(_) => {
                let image = berth_client::api::images::inspect(client, name)
                    .await
                    .map_err(|_| anyhow::anyhow!("no such container or image: {name}"))?;
                let id = check_checkpoint_image(client, &image, Some(name)).await?;
                targets.push((id, String::new()));
            }
        }
    }
    Ok(targets)
}
