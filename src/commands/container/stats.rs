//! `berth stats [CONTAINER...]`: resource usage in podman's columns,
//! `--format` templates or json; one report with `--no-stream`, otherwise
//! a new report every `--interval` seconds, redrawn in place on a terminal.

use std::io::{IsTerminal, Write};

use berth_client::api::maintenance::{self, ContainerStats};
use serde::Serialize;

use crate::cli::housekeeping::StatsArgs;
use crate::cli::GlobalArgs;
use crate::output::humanize::{bytes_size, human_size};
use crate::output::{json, report};

const DEFAULT_FORMAT: &str = "{{range .}}{{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDS}}\t{{.UpTime}}\t{{.AVGCPU}}\n{{end -}}";

/// What a template sees: libpod's stats fields plus podman's derived
/// columns (its methods on `containerStats`).
#[derive(Debug, Default, Serialize)]
#[serde(rename = "containers.containerStats")]
#[allow(non_snake_case)]
struct Row {
    ID: String,
    ContainerID: String,
    Name: String,
    CPUPerc: String,
    AVGCPU: String,
    MemUsage: String,
    MemUsageBytes: String,
    MemPerc: String,
    NetIO: String,
    BlockIO: String,
    PIDS: String,
    PIDs: u64,
    CPU: f64,
    AvgCPU: f64,
    CPUNano: u64,
    CPUSystemNano: u64,
    UpTime: String,
    SystemNano: u64,
    MemLimit: u64,
    NetInput: u64,
    NetOutput: u64,
    BlockInput: u64,
    BlockOutput: u64,
}

impl From<&ContainerStats> for Row {
    fn from(stats: &ContainerStats) -> Self {
        let short: String = stats.container_id.chars().take(12).collect();
        Row {
            ID: short,
            ContainerID: stats.container_id.clone(),
            Name: stats.name.clone(),
            CPUPerc: percent(stats.cpu),
            AVGCPU: percent(stats.avg_cpu),
            MemUsage: pair(stats.mem_usage, stats.mem_limit, human_size),
            MemUsageBytes: pair(stats.mem_usage, stats.mem_limit, bytes_size),
            MemPerc: percent(stats.mem_perc),
            NetIO: pair(stats.net_input, stats.net_output, human_size),
            BlockIO: pair(stats.block_input, stats.block_output, human_size),
            PIDS: stats.pids.to_string(),
            PIDs: stats.pids,
            CPU: stats.cpu,
            AvgCPU: stats.avg_cpu,
            CPUNano: stats.cpu_nano,
            CPUSystemNano: stats.cpu_system_nano,
            UpTime: go_duration(i128::from(stats.up_time)),
            SystemNano: stats.system_nano,
            MemLimit: stats.mem_limit,
            NetInput: stats.net_input,
            NetOutput: stats.net_output,
            BlockInput: stats.block_input,
            BlockOutput: stats.block_output,
        }
    }
}

/// The `--format json` shape (podman's `jsonOut`), indented by one space.
#[derive(Serialize)]
struct JsonRow<'a> {
    id: &'a str,
    name: &'a str,
    cpu_time: &'a str,
    cpu_percent: &'a str,
    avg_cpu: &'a str,
    mem_usage: &'a str,
    mem_percent: &'a str,
    net_io: &'a str,
    block_io: &'a str,
    pids: &'a str,
}

fn percent(value: f64) -> String {
    format!("{value:.2}%")
}

fn pair(a: u64, b: u64, unit: fn(f64) -> String) -> String {
    format!("{} / {}", unit(a as f64), unit(b as f64))
}

/// Go's `time.Duration.String()` ("84.2838ms", "1m2.5s", "0s").
pub fn go_duration(nanos: i128) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let n = nanos.unsigned_abs();
    let trimmed = |whole: u128, frac: u128, digits: usize| -> String {
        if frac == 0 {
            return whole.to_string();
        }
        let text = format!("{frac:0digits$}");
        format!("{whole}.{}", text.trim_end_matches('0'))
    };
    if n < 1_000 {
        return format!("{sign}{n}ns");
    }
    if n < 1_000_000 {
        return format!("{sign}{}µs", trimmed(n / 1_000, n % 1_000, 3));
    }
    if n < 1_000_000_000 {
        return format!("{sign}{}ms", trimmed(n / 1_000_000, n % 1_000_000, 6));
    }
    let total_secs = n / 1_000_000_000;
    let frac = n % 1_000_000_000;
    let hours = total_secs / 3600;
    let minutes = (total_secs % 3600) / 60;
    let secs = total_secs % 60;
    let mut out = sign.to_string();
    if hours > 0 {
        out.push_str(&format!("{hours}h"));
    }
    if hours > 0 || minutes > 0 {
        out.push_str(&format!("{minutes}m"));
    }
    out.push_str(&format!("{}s", trimmed(secs, frac, 9)));
    out
}

pub async fn run(global: &GlobalArgs, args: &StatsArgs) -> anyhow::Result<u8> {
    if args.interval < 1 {
        anyhow::bail!("invalid interval, must be a positive number greater zero");
    }
    let client = crate::connection::connect(global).await?;
    // The engine answers an unknown name with an empty error object.
    for name in &args.containers {
        if !berth_client::api::containers::exists(&client, name).await? {
            return Err(super::no_such_container(name));
        }
    }
    let interval = u32::try_from(args.interval).unwrap_or(u32::MAX);
    let mut stream = maintenance::stats(
        &client,
        &args.containers,
        args.all,
        !args.no_stream,
        interval,
    )
    .await?;
    let redraw = !args.no_stream && !args.no_reset && std::io::stdout().is_terminal();
    while let Some(report) = stream.next().await? {
        if let Some(error) = report
            .error
            .filter(|e| !e.is_null() && e != &serde_json::json!({}))
        {
            let text = error
                .as_str()
                .map_or_else(|| error.to_string(), str::to_string);
            anyhow::bail!("{text}");
        }
        let stats = report.stats.unwrap_or_default();
        if redraw {
            // Clear the screen and go home, as podman does between reports.
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(b"\x1b[2J\x1b[0;0H")?;
            stdout.flush()?;
        }
        print_report(args, &stats)?;
        if args.no_stream {
            break;
        }
    }
    Ok(0)
}

fn print_report(args: &StatsArgs, stats: &[ContainerStats]) -> anyhow::Result<()> {
    let rows: Vec<Row> = stats
        .iter()
        .map(|stats| {
            let mut row = Row::from(stats);
            if args.no_trunc {
                row.ID = row.ContainerID.clone();
            }
            row
        })
        .collect();
    if args.format.as_deref().is_some_and(report::is_json) {
        let json_rows: Vec<JsonRow> = rows
            .iter()
            .map(|row| JsonRow {
                id: &row.ID,
                name: &row.Name,
                cpu_time: &row.UpTime,
                cpu_percent: &row.CPUPerc,
                avg_cpu: &row.AVGCPU,
                mem_usage: &row.MemUsage,
                mem_percent: &row.MemPerc,
                net_io: &row.NetIO,
                block_io: &row.BlockIO,
                pids: &row.PIDS,
            })
            .collect();
        super::print_line(&json::to_string_pretty(&json_rows, " ")?)?;
        return Ok(());
    }
    let headers = report::headers_of::<Row>(&[
        ("CPUPerc", "CPU %"),
        ("MemUsage", "MEM USAGE / LIMIT"),
        ("MemUsageBytes", "MEM USAGE / LIMIT"),
        ("MemPerc", "MEM %"),
        ("NetIO", "NET IO"),
        ("BlockIO", "BLOCK IO"),
        ("AVGCPU", "AVG CPU %"),
        ("UpTime", "CPU TIME"),
    ]);
    let options = report::ListOptions {
        name: "stats",
        format: args.format.as_deref(),
        default_format: DEFAULT_FORMAT,
        noheading: false,
    };
    let mut out = report::render_list(std::io::stdout().lock(), &options, &headers, &rows)?;
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::go_duration;

    #[test]
    fn durations_print_like_go() {
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(84_283_800), "84.2838ms");
        assert_eq!(go_duration(1_500), "1.5µs");
        assert_eq!(go_duration(999), "999ns");
        assert_eq!(go_duration(62_500_000_000), "1m2.5s");
        assert_eq!(go_duration(3_600_000_000_000), "1h0m0s");
        assert_eq!(go_duration(2_000_000_000), "2s");
    }
}
