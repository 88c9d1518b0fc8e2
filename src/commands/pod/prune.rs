//! `berth pod prune [-f]`: removes every stopped pod, after asking unless
//! `-f`.

use crate::cli::pod::PodPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::{finish_with_errors, print_line};
use crate::commands::objects::confirm;

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

/// podman's `PrintPodPruneResults`.
pub(crate) fn print_prune_reports(
    reports: &[berth_client::api::pods::PodRemoveReport],
    heading: bool,
) -> anyhow::Result<u8> {
    if heading && !reports.is_empty() {
        print_line("Deleted Pods")?;
    }
    let mut errors = Vec::new();
    for report in reports {
        match &report.err {
            Some(err) if !err.is_empty() => errors.push(anyhow::anyhow!("{err}")),
            _ => print_line(&report.id)?,
        }
    }
    finish_with_errors(errors)
}
