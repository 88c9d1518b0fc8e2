//! `berth pod top POD [DESCRIPTOR...]`: the processes of all the pod's
//! containers in podman's columns.

use std::io::Write;

use crate::cli::pod::PodTopArgs;
use crate::cli::GlobalArgs;
use crate::output::tabwriter::TabWriter;

pub async fn run(global: &GlobalArgs, args: &PodTopArgs) -> anyhow::Result<u8> {
    let Some((pod, descriptors)) = args.args.split_first() else {
        anyhow::bail!("you must provide the name or id of a running pod");
    };
    let client = crate::connection::connect(global).await?;
    let report = match berth_client::api::pods::top(&client, pod, descriptors).await {
        Ok(report) => report,
        // A pod that is not running answers with an empty body.
        Err(berth_client::Error::Decode { .. }) => {
            anyhow::bail!("pod {pod} is not running: no processes to show")
        }
        Err(err) => return Err(err.into()),
    };
    // podman: report.NewWriterDefault (minwidth 12, padding 2, spaces).
    let mut table = TabWriter::new(std::io::stdout().lock(), 12, 2, b' ', false);
    writeln!(table, "{}", report.titles.join("\t"))?;
    for process in &report.processes {
        writeln!(table, "{}", process.join("\t"))?;
    }
    table.flush()?;
    Ok(0)
}
