//! `berth top CONTAINER [DESCRIPTOR...]`: the container's processes in
//! podman's columns (descriptors such as `pid user args`, or ps options).

use std::io::Write;

use berth_client::api::containers;

use crate::cli::container::TopArgs;
use crate::cli::GlobalArgs;
use crate::output::tabwriter::TabWriter;

pub async fn run(global: &GlobalArgs, args: &TopArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let report = containers::top(&client, &args.container, &args.descriptors).await?;
    // podman: minwidth 12, tabwidth 2, padding 2, spaces.
    let mut table = TabWriter::new(std::io::stdout().lock(), 12, 2, b' ', false);
    writeln!(table, "{}", report.titles.join("\t"))?;
    for process in &report.processes {
        writeln!(table, "{}", process.join("\t"))?;
    }
    table.flush()?;
    Ok(0)
}
