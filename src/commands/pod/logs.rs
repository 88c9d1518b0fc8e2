//! `berth pod logs [options] POD`: with `-c CONTAINER`, that container's
//! log; without, the logs of all the pod's containers (podman's remote
//! client refuses this; berth merges them by time, each line prefixed by
//! its container's short id or, with `-n`, its name, as local podman
//! does). `-f` follows every container at once.

use std::io::Write;

use berth_client::api::containers::{self, ListOptions, LogsOptions};
use berth_client::stream::StreamKind;
use tokio::sync::mpsc;

use crate::cli::container::LogsArgs;
use crate::cli::pod::PodLogsArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::Timestamp;

pub async fn run(global: &GlobalArgs, args: &PodLogsArgs) -> anyhow::Result<u8> {
    let argv: Vec<String> = std::env::args().collect();
    let (global, container) = take_container_flag(global, args, &argv);
    let global = &global;
    let pod = match args.args.as_slice() {
        [] => anyhow::bail!("specify at least one pod name or ID to log"),
        [pod] => pod,
        more => anyhow::bail!("accepts at most 1 arg(s), received {}", more.len()),
    };
    if let Some(container) = &container {
        let logs = LogsArgs {
            follow: args.follow,
            names: false,
            since: args.since.clone(),
            tail: args.tail,
            timestamps: args.timestamps,
            until: args.until.clone(),
            container: container.clone(),
        };
        return crate::commands::container::logs::run(global, &logs).await;
    }
    let client = crate::connection::connect(global).await?;
    let pod_id = match berth_client::api::pods::inspect(&client, pod).await {
        Ok(pod) => pod["Id"].as_str().unwrap_or_default().to_string(),
        Err(err) if err.is_not_found() => {
            anyhow::bail!("no pod with name or ID {pod} found: no such pod")
        }
        Err(err) => return Err(err.into()),
    };
    let options = ListOptions {
        all: true,
        filters: [("pod".to_string(), vec![pod_id])].into(),
        ..ListOptions::default()
    };
    let members: Vec<(String, String)> = containers::list(&client, &options)
        .await?
        .into_iter()
        .filter(|container| !container.is_infra)
        .map(|container| {
            let label = if args.names {
                container.names.first().cloned().unwrap_or_default()
            } else {
                container.id.chars().take(12).collect()
            };
            (container.id, label)
        })
        .collect();
    let log_options = LogsOptions {
        follow: args.follow,
        since: args.since.clone(),
        until: args.until.clone(),
        timestamps: true,
        tail: (args.tail >= 0).then_some(args.tail),
        ..LogsOptions::default()
    };
    let (sender, mut receiver) = mpsc::unbounded_channel::<anyhow::Result<Line>>();
    for (index, (id, label)) in members.iter().enumerate() {
        let mut log = containers::logs(&client, id, &log_options).await?;
        let sender = sender.clone();
        let label = label.clone();
        tokio::spawn(async move {
            let mut pending = Vec::new();
            loop {
                match log.next_frame().await {
                    Ok(Some(frame)) => {
                        pending.extend_from_slice(&frame.data);
                        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
                            let raw: Vec<u8> = pending.drain(..=end).collect();
                            let line = Line::parse(index, &label, frame.kind, &raw);
                            if sender.send(Ok(line)).is_err() {
                                return;
                            }
                        }
                    }
                    Ok(None) => break,
                    Err(err) => {
                        let _ = sender.send(Err(err.into()));
                        return;
                    }
                }
            }
            if !pending.is_empty() {
                let _ = sender.send(Ok(Line::parse(index, &label, StreamKind::Stdout, &pending)));
            }
        });
    }
    drop(sender);
    let mut lines = Vec::new();
    while let Some(line) = receiver.recv().await {
        let line = line?;
        if args.follow {
            line.print(args)?;
        } else {
            lines.push(line);
        }
    }
    lines.sort_by_key(|line| (line.time.0, line.time.1, line.container));
    for line in &lines {
        line.print(args)?;
    }
    Ok(0)
}

/// podman's `pod logs -c` is `--container`, shadowing the global
/// `-c/--connection`; clap cannot have both, so a `-c` that comes after
/// `logs` on the command line, which clap read as the connection, is
/// taken back as the container here.
fn take_container_flag(
    global: &GlobalArgs,
    args: &PodLogsArgs,
    argv: &[String],
) -> (GlobalArgs, Option<String>) {
    let mut global = global.clone();
    let after_logs = argv
        .iter()
        .position(|arg| arg == "logs")
        .map_or(&[][..], |at| &argv[at + 1..]);
    let short_c_after_logs = after_logs
        .iter()
        .take_while(|arg| *arg != "--")
        .any(|arg| arg.starts_with("-c") && !arg.starts_with("--"));
    if args.container.is_none() && short_c_after_logs {
        let container = global.connection.take();
        return (global, container);
    }
    (global, args.container.clone())
}

/// One log line of one of the pod's containers.
struct Line {
    container: usize,
    label: String,
    kind: StreamKind,
    time: (i64, u32),
    stamp: String,
    text: Vec<u8>,
}

impl Line {
    /// Splits the engine's `TIMESTAMP text` line.
    fn parse(container: usize, label: &str, kind: StreamKind, raw: &[u8]) -> Line {
        let split = raw.iter().position(|&b| b == b' ');
        let (stamp, text) = match split {
            Some(at) => (
                String::from_utf8_lossy(&raw[..at]).into_owned(),
                &raw[at + 1..],
            ),
            None => (String::new(), raw),
        };
        let time = Timestamp::parse_rfc3339(&stamp).map_or((0, 0), |t| (t.secs, t.nanos));
        Line {
            container,
            label: label.to_string(),
            kind,
            time,
            stamp,
            text: text.to_vec(),
        }
    }

    fn print(&self, args: &PodLogsArgs) -> std::io::Result<()> {
        let mut prefix = if args.color {
            // podman cycles through these colours per container.
            const COLORS: [&str; 6] = [
                "\x1b[0;31m",
                "\x1b[0;32m",
                "\x1b[0;33m",
                "\x1b[0;34m",
                "\x1b[0;35m",
                "\x1b[0;36m",
            ];
            format!(
                "{}{} \x1b[0m",
                COLORS[self.container % COLORS.len()],
                self.label
            )
        } else {
            format!("{} ", self.label)
        };
        if args.timestamps {
            prefix.push_str(&self.stamp);
            prefix.push(' ');
        }
        let write = |out: &mut dyn Write| -> std::io::Result<()> {
            out.write_all(prefix.as_bytes())?;
            out.write_all(&self.text)?;
            out.flush()
        };
        match self.kind {
            StreamKind::Stderr => write(&mut std::io::stderr().lock()),
            _ => write(&mut std::io::stdout().lock()),
        }
    }
}
