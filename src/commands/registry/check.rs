//! Checking credentials against a registry from this machine, as podman's
//! remote client does for `login`: `GET /v2/` over HTTPS (plain HTTP only
//! with `--tls-verify=false`), answering a Basic challenge with the
//! credentials or a Bearer challenge by asking the realm for a token.

use std::time::Duration;

use berth_client::auth::Credentials;
use reqwest::StatusCode;

/// What the registry said about the credentials.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid,
    Invalid,
}

/// Checks `credentials` against `registry` (`host[:port]`).
pub async fn check(
    registry: &str,
    credentials: &Credentials,
    tls_verify: bool,
) -> anyhow::Result<Verdict> {
    let host = registry.split('/').next().unwrap_or(registry);
    let client = reqwest::Client::builder()
        .danger_accept_invalid_certs(!tls_verify)
        .timeout(Duration::from_secs(30))
        .user_agent(concat!("berth/", env!("CARGO_PKG_VERSION")))
        .build()?;
    let https = format!("https://{host}/v2/");
    let first = match client.get(&https).send().await {
        Ok(response) => Ok(response),
        Err(err) if !tls_verify => match client.get(format!("http://{host}/v2/")).send().await {
            Ok(response) => Ok(response),
            Err(_) => Err(err),
        },
        Err(err) => Err(err),
    };
    let first = first.map_err(|err| {
        anyhow::anyhow!(
            "authenticating creds for {registry:?}: pinging container registry {host}: Get {https:?}: {}",
            error_chain(&err)
        )
    })?;
    let base = first.url().clone();
    if first.status() != StatusCode::UNAUTHORIZED {
        // A registry that asks for nothing accepts anyone.
        return Ok(Verdict::Valid);
    }
    let challenge = first
        .headers()
        .get(reqwest::header::WWW_AUTHENTICATE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let response = if let Some(params) = challenge.strip_prefix("Bearer ") {
        let params = parse_challenge(params);
        let Some(realm) = params.iter().find(|(k, _)| k == "realm").map(|(_, v)| v) else {
            anyhow::bail!("the registry's Bearer challenge names no realm: {challenge}");
        };
        let mut query = vec![("account", credentials.username.as_str())];
        if let Some((_, service)) = params.iter().find(|(k, _)| k == "service") {
            query.push(("service", service));
        }
        client
            .get(realm)
            .query(&query)
            .basic_auth(&credentials.username, Some(&credentials.password))
            .send()
            .await?
    } else {
        client
            .get(base)
            .basic_auth(&credentials.username, Some(&credentials.password))
            .send()
            .await?
    };
    match response.status() {
        status if status.is_success() => Ok(Verdict::Valid),
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Ok(Verdict::Invalid),
        status => anyhow::bail!("the registry {registry} answered {status} to the login"),
    }
}

/// `key="value", key2="value2"` of a `WWW-Authenticate` challenge.
fn parse_challenge(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    while let Some((key, after)) = rest.split_once('=') {
        let key = key.trim().trim_start_matches(',').trim().to_string();
        let (value, remaining) = if let Some(quoted) = after.strip_prefix('"') {
            match quoted.split_once('"') {
                Some((value, remaining)) => (value.to_string(), remaining),
                None => (quoted.to_string(), ""),
            }
        } else {
            match after.split_once(',') {
                Some((value, remaining)) => (value.trim().to_string(), remaining),
                None => (after.trim().to_string(), ""),
            }
        };
        out.push((key, value));
        rest = remaining.trim_start_matches([',', ' ']);
    }
    out
}

/// The innermost reason of a request error ("connection refused"), with
/// Go's words for a plain-HTTP server met over TLS.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut source: &(dyn std::error::Error + 'static) = err;
    while let Some(next) = source.source() {
        source = next;
    }
    let reason = source.to_string();
    if reason.contains("InvalidContentType") {
        return "http: server gave HTTP response to HTTPS client".into();
    }
    reason
}

#[cfg(test)]
mod tests {
    use super::parse_challenge;

    #[test]
    fn bearer_challenges_parse() {
        let params = parse_challenge(
            r#"realm="https://auth/token",service="registry",scope="repository:a:pull""#,
        );
        assert_eq!(params[0], ("realm".into(), "https://auth/token".into()));
        assert_eq!(params[1], ("service".into(), "registry".into()));
        assert_eq!(params.len(), 3);
    }
}
