//! `berth login [REGISTRY]`: checks the credentials against the registry
//! from this machine (as podman's remote client does) and stores them in
//! the client's auth file; `--get-login` prints the stored user.

use std::io::{BufRead, Write};

use berth_client::auth::Credentials;

use super::check::{check, Verdict};
use super::{auth_files, registry_key};
use crate::cli::registry::LoginArgs;
use crate::cli::GlobalArgs;
use crate::commands::container::print_line;

pub async fn run(_global: &GlobalArgs, args: &LoginArgs) -> anyhow::Result<u8> {
    let Some(registry) = args.registry.as_deref().filter(|r| !r.is_empty()) else {
        anyhow::bail!("no registries found in registries.conf, a registry must be provided");
    };
    let key = registry_key(registry);
    let files = match args.authfile.as_deref().filter(|p| !p.is_empty()) {
        Some(path) => berth_client::auth::AuthFiles::at(path),
        None => auth_files(None)?,
    };
    let stored = files.credentials(&key)?;
    if args.get_login {
        return match stored {
            Some(credentials) => {
                print_line(&credentials.username)?;
                Ok(0)
            }
            None => anyhow::bail!("not logged into {key}"),
        };
    }
    if args.password.is_some() && args.password_stdin {
        anyhow::bail!("--password and --password-stdin are mutually exclusive");
    }
    let tls_verify = args.tls_verify.unwrap_or(true);
    let no_new_credentials =
        args.username.is_none() && args.password.is_none() && !args.password_stdin;
    if let (Some(credentials), true) = (&stored, no_new_credentials) {
        print_line(&format!(
            "Authenticating with existing credentials for {key}"
        ))?;
        if check(&key, credentials, tls_verify).await? == Verdict::Valid {
            print_line(&format!(
                "Existing credentials are valid. Already logged in to {key}"
            ))?;
            return Ok(0);
        }
        print_line("Existing credentials are invalid, please enter valid username and password")?;
    }
    let credentials = ask_credentials(args, stored.as_ref())
        .map_err(|err| anyhow::anyhow!("getting username and password: {err}"))?;
    match check(&key, &credentials, tls_verify).await? {
        Verdict::Valid => {
            files.store(&key, &credentials)?;
            print_line("Login Succeeded!")?;
            Ok(0)
        }
        Verdict::Invalid => anyhow::bail!("logging into {key:?}: invalid username/password"),
    }
}

/// The user name and password from the flags, stdin or prompts.
fn ask_credentials(args: &LoginArgs, stored: Option<&Credentials>) -> anyhow::Result<Credentials> {
    let username = match &args.username {
        Some(username) => username.clone(),
        None => {
            let default = stored.map(|c| c.username.as_str()).unwrap_or_default();
            let prompt = if default.is_empty() {
                "Username: ".to_string()
            } else {
                format!("Username ({default}): ")
            };
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(prompt.as_bytes())?;
            stdout.flush()?;
            let mut line = String::new();
            if std::io::stdin().lock().read_line(&mut line)? == 0 {
                anyhow::bail!("reading username: EOF");
            }
            let typed = line.trim().to_string();
            if typed.is_empty() {
                default.to_string()
            } else {
                typed
            }
        }
    };
    let password = if let Some(password) = &args.password {
        password.clone()
    } else if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        line.trim_end_matches(['\n', '\r']).to_string()
    } else {
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(b"Password: ")?;
        stdout.flush()?;
        let password = crate::terminal::read_hidden_line().map_err(|err| {
            anyhow::anyhow!(
                "reading password: {}",
                berth_client::transport::io_reason(&err)
            )
        })?;
        stdout.write_all(b"\n")?;
        password
    };
    if username.is_empty() {
        anyhow::bail!("username can't be empty");
    }
    if password.is_empty() {
        anyhow::bail!("password can't be empty");
    }
    Ok(Credentials { username, password })
}
