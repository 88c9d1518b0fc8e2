//! `berth container checkpoint CONTAINER...`: CRIU checkpoints of running
//! containers, made by the engine; with `--export FILE` the checkpoint
//! archive streams back into FILE (written whole or not at all). Prints
//! each name as given (ids with `--all`), or with `--print-stats` podman's
//! statistics JSON.

use std::time::Instant;

use berth_client::api::checkpoint::{self, CheckpointOptions};
use serde_json::Value;

use super::export::{write_stream, OutputFile};
use super::{container_ids_where, finish_with_errors, print_line};
use crate::cli::checkpoint::CheckpointArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &CheckpointArgs) -> anyhow::Result<u8> {
    check_args(args)?;
    let started = Instant::now();
    let options = CheckpointOptions {
        keep: args.keep,
        leave_running: args.leave_running,
        tcp_established: args.tcp_established,
        ignore_rootfs: args.ignore_rootfs,
        print_stats: args.print_stats,
        pre_checkpoint: args.pre_checkpoint,
        with_previous: args.with_previous,
        file_locks: args.file_locks,
        create_image: args.create_image.clone(),
    };
    let client = crate::connection::connect(global).await?;
    let targets = resolve_targets(&client, args.all, &args.containers).await?;
    let mut errors = Vec::new();
    let mut statistics = Vec::new();
    for (id, raw_input) in targets {
        let report = match args.export.as_deref() {
            Some(path) => export(&client, &id, &options, path).await,
            None => checkpoint::checkpoint(&client, &id, &options)
                .await
                .map_err(anyhow::Error::from),
        };
        match report {
            Err(err) => errors.push(err),
            Ok(report) if args.print_stats => statistics.push(with_raw_input(report, &raw_input)),
            Ok(_) => print_line(&raw_input)?,
        }
    }
    if args.print_stats {
        print_statistics("podman_checkpoint_duration", started, statistics)?;
    }
    finish_with_errors(errors)
}

/// podman's flag checks, made before the engine is asked anything. The
/// compression is checked but not sent: podman's remote client does not
/// send it either, and the engine exports an uncompressed tar.
fn check_args(args: &CheckpointArgs) -> anyhow::Result<()> {
    if args.all && !args.containers.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && args.containers.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    if let Some(compress) = &args.compress {
        if args.export.is_none() {
            anyhow::bail!("--compress can only be used with --export");
        }
        if !matches!(compress.to_lowercase().as_str(), "none" | "gzip" | "zstd") {
            anyhow::bail!("selected compression algorithm ({compress:?}) not supported. Please select one from: gzip, none, zstd");
        }
    }
    if args.export.is_none() && args.ignore_rootfs {
        anyhow::bail!("--ignore-rootfs can only be used with --export");
    }
    if args.export.is_none() && args.ignore_volumes {
        anyhow::bail!("--ignore-volumes can only be used with --export");
    }
    if args.with_previous && args.pre_checkpoint {
        anyhow::bail!("--with-previous can not be used with --pre-checkpoint");
    }
    Ok(())
}

/// The containers to checkpoint, as (full id, what to print): every
/// running one with `--all`, else each name looked up first, so that one
/// missing name stops the command before anything is checkpointed.
async fn resolve_targets(
    client: &berth_client::Client,
    all: bool,
    names: &[String],
) -> anyhow::Result<Vec<(String, String)>> {
    if all {
        let ids = container_ids_where(client, &[], |state| state == "running").await?;
        return Ok(ids.into_iter().map(|id| (id.clone(), id)).collect());
    }
    let mut targets = Vec::new();
    for name in names {
        let info = berth_client::api::containers::inspect(client, name, false).await?;
        let id = info.get("Id").and_then(Value::as_str).unwrap_or(name);
        targets.push((id.to_string(), name.clone()));
    }
    Ok(targets)
}

/// Checkpoints with `--export`: the file (mode 0600) is opened first, so
/// a bad path fails before the container is stopped.
async fn export(
    client: &berth_client::Client,
    id: &str,
    options: &CheckpointOptions,
    path: &str,
) -> anyhow::Result<Value> {
    let output = OutputFile::create_private(path)?;
    let body = checkpoint::checkpoint_export(client, id, options).await?;
    write_stream(body, Some(output)).await?;
    // The engine sends the archive instead of a report.
    Ok(serde_json::json!({
        "Id": "",
        "RawInput": "",
        "runtime_checkpoint_duration": 0,
        "criu_statistics": null,
    }))
}

/// The engine's report with the name the user gave, as podman fills it in.
pub fn with_raw_input(mut report: Value, raw_input: &str) -> Value {
    if let Some(fields) = report.as_object_mut() {
        fields.insert("RawInput".into(), Value::from(raw_input));
    }
    report
}

/// podman's `--print-stats` JSON: its own duration in microseconds under
/// `duration_key`, then the engine's reports (null when there are none).
pub fn print_statistics(
    duration_key: &str,
    started: Instant,
    reports: Vec<Value>,
) -> anyhow::Result<()> {
    let mut statistics = serde_json::Map::new();
    statistics.insert(
        duration_key.into(),
        Value::from(started.elapsed().as_micros() as u64),
    );
    let reports = if reports.is_empty() {
        Value::Null
    } else {
        Value::Array(reports)
    };
    statistics.insert("container_statistics".into(), reports);
    let text = crate::output::json::encode_ordered(
        &Value::Object(statistics),
        crate::output::json::Style {
            indent: Some("    "),
            escape_html: true,
        },
    )?;
    print_line(&text)?;
    Ok(())
}
