//! `berth network prune [-f] [--filter F]`: removes the networks no
//! container uses, after asking unless `-f`.

use crate::cli::network::NetworkPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{confirm, filter_map, print_prune_results};

pub async fn run(global: &GlobalArgs, args: &NetworkPruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        print_line("WARNING! This will remove all networks not used by at least one container.")?;
        if !confirm()? {
            return Ok(0);
        }
    }
    let filters = filter_map(&args.filters)?;
    let client = crate::connection::connect(global).await?;
    let reports = berth_client::api::networks::prune(&client, &filters).await?;
    print_prune_reports(&reports, false)
}

/// podman's prune results with the heading `Deleted Networks` (system prune).
pub(crate) fn print_prune_reports(
    reports: &[berth_client::api::networks::NetworkRemoveReport],
    heading: bool,
) -> anyhow::Result<u8> {
    print_prune_results(
        heading.then_some("Deleted Networks"),
        reports
            .iter()
            .map(|report| (report.name.as_str(), report.err.as_deref())),
    )
}
