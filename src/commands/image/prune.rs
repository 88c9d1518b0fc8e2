//! `berth image prune [-a] [--external] [-f] [--filter F]`: removes
//! dangling images (with `-a`, every image no container uses), after
//! asking unless `-f`.

use std::io::Write;

use berth_client::api::PruneReport;

use crate::cli::image::ImagePruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{confirm, filter_map};

pub async fn run(global: &GlobalArgs, args: &ImagePruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        let what = if args.all {
            "all images without at least one container associated with them"
        } else {
            "all dangling images"
        };
        let mut stdout = std::io::stdout().lock();
        writeln!(stdout, "WARNING! This command removes {what}.")?;
        drop(stdout);
        if !confirm()? {
            return Ok(0);
        }
    }
    let filters = filter_map(&args.filters)?;
    let client = crate::connection::connect(global).await?;
    let reports =
        berth_client::api::images::prune(&client, args.all, args.external, &filters).await?;
    print_prune_reports(&reports, false)?;
    Ok(0)
}

/// podman's `PrintImagePruneResults`: every id (after a heading when
/// asked), each error on stderr; errors do not fail the command.
pub(crate) fn print_prune_reports(reports: &[PruneReport], heading: bool) -> anyhow::Result<()> {
    if heading && !reports.is_empty() {
        print_line("Deleted Images")?;
    }
    for report in reports {
        print_line(&report.id)?;
        if let Some(err) = report.err.as_deref().filter(|err| !err.is_empty()) {
            eprintln!("{err}");
        }
    }
    Ok(())
}
