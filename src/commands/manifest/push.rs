//! `berth manifest push LIST [DESTINATION]`: the engine pushes the list
//! (and its images unless `--all=false`); progress on stderr, the digest
//! into `--digestfile`, the list removed after success with `--rm`.

use berth_client::api::registry::{self, PushOptions};

use crate::cli::image::RmiArgs;
use crate::cli::registry::ManifestPushArgs;
use crate::cli::GlobalArgs;
use crate::commands::image::push::{follow_push, push_destination, push_options};

pub async fn run(global: &GlobalArgs, args: &ManifestPushArgs) -> anyhow::Result<u8> {
    let options = PushOptions {
        all: args.all,
        ..push_options(
            &args.credentials,
            &args.format,
            &args.compression_format,
            args.remove_signatures,
        )?
    };
    let destination = push_destination(args.destination.as_deref(), &args.list);
    let client = crate::connection::connect(global).await?;
    let progress = registry::push_manifest(&client, &args.list, destination, &options).await?;
    let digest = follow_push(progress, args.quiet).await?;
    if let (Some(file), Some(digest)) = (&args.digestfile, &digest) {
        std::fs::write(file, digest).map_err(|err| anyhow::anyhow!("writing {file}: {err}"))?;
    }
    if args.rm {
        let rmi = RmiArgs {
            all: false,
            force: false,
            ignore: false,
            no_prune: false,
            images: vec![args.list.clone()],
        };
        crate::commands::image::rm::run(global, &rmi).await?;
    }
    Ok(0)
}
