//! `berth manifest push LIST [DESTINATION]`: the engine pushes the list
//! (and its images unless `--all=false`); progress on stderr, the digest
//! into `--digestfile`, the list removed after success with `--rm`.

use berth_client::api::registry::{self, PushOptions};

use crate::cli::image::RmiArgs;
use crate::cli::registry::ManifestPushArgs;
use crate::cli::GlobalArgs;
use crate::commands::image::push::follow_push;
use crate::commands::registry::registry_auth;

pub async fn run(global: &GlobalArgs, args: &ManifestPushArgs) -> anyhow::Result<u8> {
    let credentials = &args.credentials;
    let options = PushOptions {
        format: args.format.clone(),
        compression_format: args.compression_format.clone(),
        remove_signatures: args.remove_signatures,
        tls_verify: credentials.tls_verify,
        all: args.all,
        registry_auth: registry_auth(
            credentials.creds.as_deref(),
            credentials.authfile.as_deref(),
        )?,
        ..Default::default()
    };
    let destination = args.destination.as_deref().unwrap_or(&args.list);
    let destination = destination.strip_prefix("docker://").unwrap_or(destination);
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
