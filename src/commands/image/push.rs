//! `berth push IMAGE [DESTINATION]`: the engine pushes the image with the
//! client's credentials; its progress goes to stderr (unless `-q`).

use std::io::Write;

use berth_client::api::registry::{self, PushOptions, PushProgress};

use crate::cli::registry::PushArgs;
use crate::cli::GlobalArgs;
use crate::commands::registry::registry_auth;

pub async fn run(global: &GlobalArgs, args: &PushArgs) -> anyhow::Result<u8> {
    let credentials = &args.credentials;
    let options = PushOptions {
        format: args.format.clone(),
        compression_format: args.compression_format.clone(),
        remove_signatures: args.remove_signatures,
        tls_verify: credentials.tls_verify,
        registry_auth: registry_auth(
            credentials.creds.as_deref(),
            credentials.authfile.as_deref(),
        )?,
        ..Default::default()
    };
    let destination = args.destination.as_deref().unwrap_or(&args.image);
    let destination = destination.strip_prefix("docker://").unwrap_or(destination);
    let client = crate::connection::connect(global).await?;
    let progress = registry::push(&client, &args.image, destination, &options).await?;
    follow_push(progress, args.quiet).await?;
    Ok(0)
}

/// Copies push progress to stderr (unless `quiet`) and fails with the
/// engine's error; returns the last digest the engine named.
pub async fn follow_push(
    mut progress: PushProgress,
    quiet: bool,
) -> anyhow::Result<Option<String>> {
    let mut digest = None;
    while let Some(event) = progress.next().await? {
        if let Some(error) = event.error.filter(|e| !e.is_empty()) {
            anyhow::bail!("{}", error.trim_end());
        }
        if let Some(text) = event.stream.filter(|s| !s.is_empty()) {
            if !quiet {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(text.as_bytes());
                let _ = stderr.flush();
            }
        }
        if let Some(id) = event.id.filter(|i| !i.is_empty()) {
            digest = Some(id);
        }
    }
    Ok(digest)
}
