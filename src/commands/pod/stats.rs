//! `berth pod stats [-a] [POD...]`: the resource use of the pods'
//! containers as the engine reports it, refreshed every second on a
//! terminal (`--no-stream` for one report, `--no-reset` to keep earlier
//! ones on screen), as a table, a template or JSON.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use berth_client::api::pods::PodStatsReport;

use crate::cli::pod::PodStatsArgs;
use crate::cli::GlobalArgs;
use crate::output::report::{self, Formatter, Origin, Report};
use crate::output::tabwriter::TabWriter;

pub async fn run(global: &GlobalArgs, args: &PodStatsArgs) -> anyhow::Result<u8> {
    if args.all && !args.names.is_empty() {
        anyhow::bail!("--all, --latest and arguments cannot be used together");
    }
    // podman 1 compatibility: nothing named means all pods.
    let all = args.all || args.names.is_empty();
    let json = args.format.as_deref().is_some_and(report::is_json);
    let user_format = match args.format.as_deref() {
        Some(format) if !json => Some(Formatter::parse("stats", Origin::User, format)?),
        _ => None,
    };
    let client = crate::connection::connect(global).await?;
    let clear = !args.no_reset && std::io::stdout().is_terminal();
    loop {
        let stats = berth_client::api::pods::stats(&client, &args.names, all).await?;
        let mut stdout = std::io::stdout().lock();
        if json {
            let text = crate::output::json::to_string_styled(
                &stats,
                crate::output::json::Style {
                    indent: Some("     "),
                    escape_html: true,
                },
            )?;
            writeln!(stdout, "{text}")?;
        } else {
            if clear {
                // goterm's Clear and MoveCursor(1, 1).
                write!(stdout, "\x1b[2J\x1b[1;1H")?;
            }
            match &user_format {
                Some(formatter) => print_user(&mut stdout, formatter, &stats)?,
                None => print_default(&mut stdout, &stats)?,
            }
        }
        stdout.flush()?;
        drop(stdout);
        if args.no_stream {
            return Ok(0);
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

fn print_default(out: &mut impl Write, stats: &[PodStatsReport]) -> std::io::Result<()> {
    let mut table = TabWriter::new(out, 12, 2, b' ', false);
    writeln!(
        table,
        "POD\tCID\tNAME\tCPU %\tMEM USAGE/ LIMIT\tMEM %\tNET IO\tBLOCK IO\tPIDS"
    )?;
    if stats.is_empty() {
        writeln!(table, "--\t--\t--\t--\t--\t--\t--\t--\t--")?;
    }
    for s in stats {
        writeln!(
            table,
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
            s.pod, s.cid, s.name, s.cpu, s.mem_usage, s.mem, s.net_io, s.block_io, s.pids
        )?;
    }
    table.flush()
}

/// podman prints the header line for every user format, table or not.
fn print_user(
    out: &mut impl Write,
    formatter: &Formatter,
    stats: &[PodStatsReport],
) -> anyhow::Result<()> {
    if stats.is_empty() {
        return Ok(());
    }
    let headers = report::headers_of::<PodStatsReport>(&[
        ("CPU", "CPU %"),
        ("MemUsage", "MEM USAGE/ LIMIT"),
        ("MemUsageBytes", "MEM USAGE/ LIMIT"),
        ("BlockIO", "BLOCK IO"),
    ]);
    let mut report = Report::new(out, formatter.clone());
    report.execute_value(&headers)?;
    report.execute(stats)?;
    report.flush()?;
    Ok(())
}
