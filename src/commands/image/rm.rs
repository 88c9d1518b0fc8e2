//! `berth rmi` / `image rm`: removes images in one engine request, prints
//! `Untagged:` and `Deleted:` lines, exits 1 when an image does not exist
//! and 2 when one is in use, as podman does.

use std::io::Write;

use berth_client::api::images::{self, ImageRemoveOptions};

use crate::cli::image::RmiArgs;
use crate::cli::GlobalArgs;
use crate::exit::ExitError;

pub async fn run(global: &GlobalArgs, args: &RmiArgs) -> anyhow::Result<u8> {
    if args.images.is_empty() && !args.all {
        anyhow::bail!("image name or ID must be specified");
    }
    if !args.images.is_empty() && args.all {
        anyhow::bail!("when using the --all switch, you may not pass any images names or IDs");
    }
    let client = crate::connection::connect(global).await?;
    let options = ImageRemoveOptions {
        all: args.all,
        force: args.force,
        ignore: args.ignore,
    };
    let report = images::remove(&client, &args.images, &options).await?;
    let mut stdout = std::io::stdout().lock();
    for untagged in report.untagged.iter().flatten() {
        writeln!(stdout, "Untagged: {untagged}")?;
    }
    for deleted in report.deleted.iter().flatten().filter(|d| !d.is_empty()) {
        writeln!(stdout, "Deleted: {deleted}")?;
    }
    stdout.flush()?;
    // With --force, a missing image is not an error.
    let errors: Vec<String> = report
        .errors
        .unwrap_or_default()
        .into_iter()
        .filter(|err| !(args.force && err.contains("image not known")))
        .collect();
    if errors.is_empty() {
        return Ok(0);
    }
    let code = u8::try_from(report.exit_code)
        .ok()
        .filter(|code| *code != 0)
        .unwrap_or(crate::exit::GENERIC_ERROR);
    Err(ExitError {
        code,
        message: super::join_errors(&errors),
    }
    .into())
}
