//! `berth push IMAGE [DESTINATION]`: the engine pushes the image with the
//! client's credentials; its progress goes to stderr (unless `-q`).

use std::io::Write;

use berth_client::api::registry::{self, PushOptions, PushProgress};

use crate::cli::registry::{CredentialArgs, PushArgs};
use crate::cli::GlobalArgs;
use crate::commands::registry::registry_auth;

pub async fn run(global: &GlobalArgs, args: &PushArgs) -> anyhow::Result<u8> {
    let options = push_options(
        &args.credentials,
        &args.format,
        &args.compression_format,
        args.remove_signatures,
    )?;
    let destination = push_destination(args.destination.as_deref(), &args.image);
    let client = crate::connection::connect(global).await?;
    let progress = registry::push(&client, &args.image, destination, &options).await?;
    follow_push(progress, args.quiet).await?;
    Ok(0)
}

/// The options `push` and `manifest push` share: manifest format,
/// compression, signatures, TLS and the client's credentials.
pub fn push_options(
    credentials: &CredentialArgs,
    format: &Option<String>,
    compression_format: &Option<String>,
    remove_signatures: bool,
) -> anyhow::Result<PushOptions> {
    Ok(PushOptions {
        format: format.clone(),
        compression_format: compression_format.clone(),
        remove_signatures,
        tls_verify: credentials.tls_verify,
        registry_auth: registry_auth(
            credentials.creds.as_deref(),
            credentials.authfile.as_deref(),
        )?,
        ..Default::default()
    })
}

/// Where a push goes: the destination if given (a `docker://` transport
/// prefix dropped), else the source's own name.
pub fn push_destination<'a>(destination: Option<&'a str>, source: &'a str) -> &'a str {
    let destination = destination.unwrap_or(source);
    destination.strip_prefix("docker://").unwrap_or(destination)
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
