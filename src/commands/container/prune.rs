//! `berth container prune [-f] [--filter F]`: removes every container that
//! is not running, after asking unless `-f`.

use berth_client::api::PruneReport;

use super::{finish_with_errors, print_line};
use crate::cli::container::ContainerPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::objects::{confirm, filter_map};

pub async fn run(global: &GlobalArgs, args: &ContainerPruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        print_line("WARNING! This will remove all non running containers.")?;
        if !confirm()? {
            return Ok(0);
        }
    }
    let filters = filter_map(&args.filters)?;
    let client = crate::connection::connect(global).await?;
    let reports = berth_client::api::containers::prune(&client, &filters).await?;
    print_prune_reports(&reports, false)
}

/// podman's `PrintContainerPruneResults`: every id (after a heading when
/// asked), then the errors, the last one returned.
pub(crate) fn print_prune_reports(reports: &[PruneReport], heading: bool) -> anyhow::Result<u8> {
    if heading && !reports.is_empty() {
        print_line("Deleted Containers")?;
    }
    let mut errors = Vec::new();
    for report in reports {
        print_line(&report.id)?;
        if let Some(err) = report.err.as_deref().filter(|err| !err.is_empty()) {
            errors.push(anyhow::anyhow!("{err}"));
        }
    }
    finish_with_errors(errors)
}
