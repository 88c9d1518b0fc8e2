//! `berth pod prune [-f]`: removes every stopped pod, after asking unless
//! `-f`.

use crate::cli::pod::PodPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{confirm, print_prune_results};

pub async fn run(global: &GlobalArgs, args: &PodPruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        print_line("WARNING! This will remove all stopped/exited pods..")?;
        if !confirm()? {
            return Ok(0);
        }
    }
    let client = crate::connection::connect(global).await?;
    let reports = berth_client::api::pods::prune(&client).await?;
    print_prune_reports(&reports, false)
}

/// podman's prune results with the heading `Deleted Pods` (system prune).
pub(crate) fn print_prune_reports(
    reports: &[berth_client::api::pods::PodRemoveReport],
    heading: bool,
) -> anyhow::Result<u8> {
    print_prune_results(
        heading.then_some("Deleted Pods"),
        reports
            .iter()
            .map(|report| (report.id.as_str(), report.err.as_deref())),
    )
}
