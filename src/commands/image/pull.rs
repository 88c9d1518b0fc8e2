//! `berth pull`: pulls images through the engine, its progress on stderr
//! (unless `-q`) and the pulled image ids on stdout.

use std::io::Write;

use berth_client::api::images::{self, PullOptions};
use berth_client::Client;

use crate::cli::image::PullArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &PullArgs) -> anyhow::Result<u8> {
    let (os, arch) = match &args.platform {
        Some(platform) => {
            let (os, arch) = platform.split_once('/').unwrap_or((platform, ""));
            (
                Some(os.to_string()),
                (!arch.is_empty()).then(|| arch.to_string()),
            )
        }
        None => (args.os.clone(), args.arch.clone()),
    };
    let registry_auth =
        crate::commands::registry::registry_auth(args.creds.as_deref(), args.authfile.as_deref())?;
    let client = crate::connection::connect(global).await?;
    for image in &args.images {
        let options = PullOptions {
            reference: image.clone(),
            policy: Some("always".into()),
            all_tags: args.all_tags,
            arch: arch.clone(),
            os: os.clone(),
            variant: args.variant.clone(),
            tls_verify: args.tls_verify,
            registry_auth: registry_auth.clone(),
        };
        let ids = pull_with_progress(&client, &options, args.quiet).await?;
        let mut stdout = std::io::stdout().lock();
        for id in ids {
            writeln!(stdout, "{id}")?;
        }
        stdout.flush()?;
    }
    Ok(0)
}

/// Pulls one reference, writing the engine's progress lines to stderr
/// unless `quiet`; returns the pulled image ids.
pub async fn pull_with_progress(
    client: &Client,
    options: &PullOptions,
    quiet: bool,
) -> anyhow::Result<Vec<String>> {
    let mut progress = images::pull(client, options).await?;
    let mut ids = Vec::new();
    let mut errors = Vec::new();
    while let Some(event) = progress.next().await? {
        if let Some(stream) = event.stream.filter(|s| !s.is_empty()) {
            if !quiet {
                let mut stderr = std::io::stderr().lock();
                let _ = stderr.write_all(stream.as_bytes());
                let _ = stderr.flush();
            }
        } else if let Some(error) = event.error.filter(|e| !e.is_empty()) {
            errors.push(error.trim_end().to_string());
        } else if let Some(images) = event.images.filter(|i| !i.is_empty()) {
            ids = images;
        }
    }
    if !errors.is_empty() {
        anyhow::bail!("{}", super::join_errors(&errors));
    }
    Ok(ids)
}
