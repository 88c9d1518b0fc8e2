//! `berth volume prune [-f] [--filter F]`: removes the volumes no container
//! uses, after listing them and asking unless `-f`.

use std::collections::HashSet;

use crate::cli::volume::VolumePruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{confirm, filter_map, print_prune_results};

pub async fn run(global: &GlobalArgs, args: &VolumePruneArgs) -> anyhow::Result<u8> {
    let filters = filter_map(&args.filters)?;
    let client = crate::connection::connect(global).await?;
    if !args.force {
        print_line("WARNING! This will remove all volumes not used by at least one container. The following volumes will be removed:")?;
        let dangling = [("dangling".to_string(), vec!["true".to_string()])].into();
        let unused = berth_client::api::volumes::list(&client, &dangling).await?;
        let unused: HashSet<&str> = unused.iter().filter_map(|v| v["Name"].as_str()).collect();
        let matching = berth_client::api::volumes::list(&client, &filters).await?;
        let doomed: Vec<&str> = matching
            .iter()
            .filter_map(|v| v["Name"].as_str())
            .filter(|name| unused.contains(name))
            .collect();
        if doomed.is_empty() {
            print_line("No dangling volumes found")?;
            return Ok(0);
        }
        for name in &doomed {
            print_line(name)?;
        }
        if !confirm()? {
            return Ok(0);
        }
    }
    let reports = berth_client::api::volumes::prune(&client, &filters).await?;
    print_prune_reports(&reports, false)
}

/// podman's prune results with the heading `Deleted Volumes` (system prune).
pub(crate) fn print_prune_reports(
    reports: &[berth_client::api::PruneReport],
    heading: bool,
) -> anyhow::Result<u8> {
    print_prune_results(
        heading.then_some("Deleted Volumes"),
        reports
            .iter()
            .map(|report| (report.id.as_str(), report.err.as_deref())),
    )
}
