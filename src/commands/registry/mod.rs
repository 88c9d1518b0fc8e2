//! Registry credentials for the commands that reach registries through the
//! engine (`pull`, `push`, `build`, `search`, `manifest add/push`) and the
//! ones that manage them on this machine (`login`, `logout`): podman's
//! auth files via `berth_client::auth`, sent to the engine as
//! `X-Registry-Auth`.

pub mod check;
pub mod login;
pub mod logout;

use std::path::Path;

use berth_client::auth::{self, AuthFiles};

/// The auth files for `--authfile` (checked to exist, as podman does)
/// or podman's defaults.
pub fn auth_files(authfile: Option<&str>) -> anyhow::Result<AuthFiles> {
    if let Some(path) = authfile.filter(|p| !p.is_empty()) {
        AuthFiles::check_exists(Path::new(path))?;
        return Ok(AuthFiles::at(path));
    }
    Ok(AuthFiles::from_env(None)?)
}

/// `X-Registry-Auth` for a request: `--creds USER[:PASSWORD]` alone when
/// given, else every credential of the auth files (as podman's remote
/// client sends them), else none.
pub fn registry_auth(
    creds: Option<&str>,
    authfile: Option<&str>,
) -> anyhow::Result<Option<String>> {
    if let Some(creds) = creds {
        let credentials = auth::parse_creds(creds);
        if credentials.username.is_empty() {
            anyhow::bail!("credentials can't be empty");
        }
        return Ok(Some(auth::single_auth_header(&credentials)));
    }
    let all = auth_files(authfile)?.all_credentials()?;
    Ok((!all.is_empty()).then(|| auth::multi_auth_header(&all)))
}

/// The registry part of a login argument: scheme and trailing `/` dropped
/// (`https://r:5000/` is `r:5000`); a path after the host is kept, since
/// auth files may hold credentials per namespace.
pub fn registry_key(text: &str) -> String {
    let text = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
        .unwrap_or(text);
    text.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_drop_scheme_and_slash() {
        assert_eq!(registry_key("https://r:5000/"), "r:5000");
        assert_eq!(registry_key("r:5000/ns"), "r:5000/ns");
    }
}
