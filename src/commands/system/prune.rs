//! `berth system prune [-a] [--volumes] [-f] [--filter F]`: removes stopped
//! containers, unused pods and networks, dangling (or all unused) images
//! and, with `--volumes`, unused volumes; prints what went, podman's way.

use std::io::Write;

use crate::cli::system::SystemPruneArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;
use crate::commands::objects::{confirm, filter_map};
use crate::output::humanize::human_size;

pub async fn run(global: &GlobalArgs, args: &SystemPruneArgs) -> anyhow::Result<u8> {
    if !args.force {
        let volumes = if args.volumes {
            "\n\t- all volumes not used by at least one container"
        } else {
            ""
        };
        let images = if args.all {
            "\t- all images without at least one container associated with them\n\t- all build cache"
        } else {
            "\t- all dangling images\n\t- all dangling build cache"
        };
        let mut stdout = std::io::stdout().lock();
        write!(stdout, "WARNING! This command removes:\n\t- all stopped containers\n\t- all networks not used by at least one container{volumes}\n{images}\n\n")?;
        drop(stdout);
        if !confirm()? {
            return Ok(0);
        }
    }
    let filters = filter_map(&args.filters)?;
    let client = crate::connection::connect(global).await?;
    let report =
        berth_client::api::system::prune(&client, args.all, args.volumes, &filters).await?;

    let containers = report.container_prune_reports.unwrap_or_default();
    crate::commands::container::prune::print_prune_reports(&containers, true)?;
    let pods = report.pod_prune_report.unwrap_or_default();
    crate::commands::pod::prune::print_prune_reports(&pods, true)?;
    if args.volumes {
        let volumes = report.volume_prune_reports.unwrap_or_default();
        crate::commands::volume::prune::print_prune_reports(&volumes, true)?;
    }
    let images = report.image_prune_reports.unwrap_or_default();
    crate::commands::image::prune::print_prune_reports(&images, true)?;
    let networks = report.network_prune_reports.unwrap_or_default();
    crate::commands::network::prune::print_prune_reports(&networks, true)?;
    print_line(&format!(
        "Total reclaimed space: {}",
        human_size(report.reclaimed_space as f64)
    ))?;
    Ok(0)
}
