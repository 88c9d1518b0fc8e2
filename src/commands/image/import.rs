//! `berth import PATH [REFERENCE]`: makes an image from a filesystem
//! tarball, streamed from a file or stdin (`-`); a URL is handed to the
//! engine to download. Prints the new image id.

use berth_client::api::archive::{self, ImportOptions};

use crate::cli::archive::ImportArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(global: &GlobalArgs, args: &ImportArgs) -> anyhow::Result<u8> {
    let mut options = ImportOptions {
        changes: args.changes.clone(),
        message: args.message.clone(),
        reference: args.reference.clone(),
        os: args.os.clone(),
        arch: args.arch.clone(),
        variant: args.variant.clone(),
        url: None,
    };
    let is_url = args.path.starts_with("http://") || args.path.starts_with("https://");
    let tarball = if is_url {
        options.url = Some(args.path.clone());
        None
    } else if args.path == "-" {
        Some(berth_client::body::blocking_reader_body(std::io::stdin()))
    } else {
        let file = std::fs::File::open(&args.path).map_err(|err| {
            anyhow::anyhow!(
                "open {}: {}",
                args.path,
                berth_client::transport::io_reason(&err)
            )
        })?;
        Some(berth_client::body::blocking_reader_body(file))
    };
    let client = crate::connection::connect(global).await?;
    let report = archive::import(&client, &options, tarball).await?;
    print_line(&report.id)?;
    Ok(0)
}
