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
    let registry_auth = args.creds.as_deref().map(registry_auth).transpose()?;
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

/// `--creds USER[:PASSWORD]` as the engine's `X-Registry-Auth` header
/// (base64url of a JSON auth config).
pub(crate) fn registry_auth(creds: &str) -> anyhow::Result<String> {
    let (username, password) = creds.split_once(':').unwrap_or((creds, ""));
    if username.is_empty() {
        anyhow::bail!("credentials can't be empty");
    }
    let json = serde_json::json!({ "username": username, "password": password });
    Ok(base64_url(json.to_string().as_bytes()))
}

/// Base64 with the URL-safe alphabet and padding (Go's `base64.URLEncoding`).
fn base64_url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_url_with_padding() {
        assert_eq!(base64_url(b""), "");
        assert_eq!(base64_url(b"f"), "Zg==");
        assert_eq!(base64_url(b"fo"), "Zm8=");
        assert_eq!(base64_url(b"foo"), "Zm9v");
        assert_eq!(base64_url(&[0xfb, 0xff]), "-_8=");
    }
}
