//! `berth network prune [-f] [--filter F]`: removes the networks no
//! container uses, after asking unless `-f`.

use crate::cli::network::NetworkPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{finish_with_errors, print_line};
use crate::commands::objects::{confirm, filter_map};

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

/// podman's `PrintNetworkPruneResults`.
pub(crate) fn print_prune_reports(
    reports: &[berth_client::api::networks::NetworkRemoveReport],
    heading: bool,
) -> anyhow::Result<u8> {
    if heading && !reports.is_empty() {
        print_line("Deleted Networks")?;
    }
    let mut errors = Vec::new();
    for report in reports {
        match &report.err {
            Some(err) if !err.is_empty() => errors.push(anyhow::anyhow!("{err}")),
            _ => print_line(&report.name)?,
        }
    }
    finish_with_errors(errors)
}
