//! Host-key pinning against OpenSSH's `~/.ssh/known_hosts`: a known key is
//! trusted, an unknown host is trusted on first use and recorded, and a key
//! that differs from the recorded one is refused with the file and line.

use std::path::{Path, PathBuf};

use russh::keys::ssh_key::{HashAlg, PublicKey};
use russh::keys::Algorithm;

/// What known_hosts says about a presented key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The key is recorded for this host.
    Known,
    /// Nothing is recorded for this host: trust it and record it.
    Unknown,
    /// Another key is recorded for this host, at these lines of the file.
    Changed { lines: Vec<usize> },
}

/// Host-key errors; each names the known_hosts file.
#[derive(Debug, thiserror::Error)]
pub enum KnownHostsError {
    #[error(
        "the SSH host key of {host} has changed: the server presented {algorithm} {fingerprint}, which does not match the key recorded in {} line {}. If the host was reinstalled, remove that line (ssh-keygen -R '{host}'); otherwise someone may be intercepting the connection",
        path.display(),
        lines.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    )]
    Changed {
        host: String,
        algorithm: String,
        fingerprint: String,
        path: PathBuf,
        lines: Vec<usize>,
    },
    #[error("reading the SSH known hosts file {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("recording the SSH host key of {host} in {}: {message}", path.display())]
    Write {
        host: String,
        path: PathBuf,
        message: String,
    },
}

/// One host's entry name in known_hosts: `host` on port 22, else `[host]:port`.
pub fn host_entry(host: &str, port: u16) -> String {
    if port == 22 {
        host.to_string()
    } else {
        format!("[{host}]:{port}")
    }
}

/// The known_hosts file of the user: `$HOME/.ssh/known_hosts`.
pub fn user_known_hosts() -> Option<PathBuf> {
    #[cfg(windows)]
    let home = std::env::var_os("USERPROFILE");
    #[cfg(not(windows))]
    let home = std::env::var_os("HOME");
    home.filter(|home| !home.is_empty())
        .map(|home| Path::new(&home).join(".ssh").join("known_hosts"))
}

/// The keys recorded for `host:port`, with their line numbers. Hashed
/// (`|1|salt|hash`), wildcard (`*`, `?`) and negated (`!`) host patterns are
/// understood; marker lines (`@cert-authority`, `@revoked`) and lines whose
/// key cannot be parsed are skipped.
pub fn recorded_keys(
    path: &Path,
    host: &str,
    port: u16,
) -> Result<Vec<(usize, PublicKey)>, KnownHostsError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(err) => {
            return Err(KnownHostsError::Read {
                path: path.to_path_buf(),
                message: err.to_string(),
            })
        }
    };
    let entry = host_entry(&host.to_ascii_lowercase(), port);
    let mut keys = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let mut fields = line.split_whitespace();
        let (Some(hosts), Some(_key_type), Some(base64)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        if hosts.starts_with('#') || hosts.starts_with('@') || !hosts_match(hosts, &entry) {
            continue;
        }
        if let Ok(key) = russh::keys::parse_public_key_base64(base64) {
            keys.push((index + 1, key));
        }
    }
    Ok(keys)
}

/// OpenSSH's host list matching: any negated match excludes, else any match includes.
fn hosts_match(patterns: &str, entry: &str) -> bool {
    let mut matched = false;
    for pattern in patterns.split(',') {
        if let Some(negated) = pattern.strip_prefix('!') {
            if glob_match(&negated.to_ascii_lowercase(), entry) {
                return false;
            }
        } else if pattern.starts_with("|1|") {
            matched |= hashed_match(pattern, entry);
        } else {
            matched |= glob_match(&pattern.to_ascii_lowercase(), entry);
        }
    }
    matched
}

/// `|1|base64(salt)|base64(HMAC-SHA1(salt, entry))`.
fn hashed_match(pattern: &str, entry: &str) -> bool {
    use hmac::{KeyInit, Mac};
    let mut parts = pattern.split('|').skip(2);
    let (Some(salt), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    let base64 = data_encoding::BASE64;
    let (Ok(salt), Ok(hash)) = (
        base64.decode(salt.as_bytes()),
        base64.decode(hash.as_bytes()),
    ) else {
        return false;
    };
    let Ok(mac) = hmac::Hmac::<sha1::Sha1>::new_from_slice(&salt) else {
        return false;
    };
    mac.chain_update(entry.as_bytes())
        .verify_slice(&hash)
        .is_ok()
}

/// `*` and `?` wildcards.
fn glob_match(pattern: &str, text: &str) -> bool {
    fn matches(pattern: &[u8], text: &[u8]) -> bool {
        match pattern.split_first() {
            None => text.is_empty(),
            Some((b'*', rest)) => (0..=text.len()).any(|skip| matches(rest, &text[skip..])),
            Some((b'?', rest)) => !text.is_empty() && matches(rest, &text[1..]),
            Some((byte, rest)) => text.first() == Some(byte) && matches(rest, &text[1..]),
        }
    }
    matches(pattern.as_bytes(), text.as_bytes())
}

/// Compares `key` with what is recorded for the host.
pub fn verdict(recorded: &[(usize, PublicKey)], key: &PublicKey) -> Verdict {
    if recorded.is_empty() {
        return Verdict::Unknown;
    }
    if recorded
        .iter()
        .any(|(_, known)| known.key_data() == key.key_data())
    {
        return Verdict::Known;
    }
    Verdict::Changed {
        lines: recorded.iter().map(|(line, _)| *line).collect(),
    }
}

/// Checks `key` for `host:port` in `path`, recording it when the host is
/// new (trust on first use).
pub fn check_and_learn(
    path: &Path,
    host: &str,
    port: u16,
    key: &PublicKey,
) -> Result<(), KnownHostsError> {
    let recorded = recorded_keys(path, host, port)?;
    match verdict(&recorded, key) {
        Verdict::Known => Ok(()),
        Verdict::Unknown => {
            learn(path, host, port, key).map_err(|message| KnownHostsError::Write {
                host: host_entry(host, port),
                path: path.to_path_buf(),
                message,
            })
        }
        Verdict::Changed { lines } => Err(KnownHostsError::Changed {
            host: host_entry(host, port),
            algorithm: key.algorithm().to_string(),
            fingerprint: key.fingerprint(HashAlg::Sha256).to_string(),
            path: path.to_path_buf(),
            lines,
        }),
    }
}

/// Appends `[host]:port TYPE BASE64` (OpenSSH's format), creating
/// `~/.ssh` with mode 0700 when needed.
fn learn(path: &Path, host: &str, port: u16, key: &PublicKey) -> Result<(), String> {
    use std::io::{Read, Seek, SeekFrom, Write};
    if let Some(dir) = path.parent() {
        if !dir.exists() {
            std::fs::create_dir_all(dir).map_err(|err| err.to_string())?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700));
            }
        }
    }
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|err| err.to_string())?;
    let mut line = String::new();
    let length = file.metadata().map_err(|err| err.to_string())?.len();
    if length > 0 {
        let mut last = [0u8; 1];
        file.seek(SeekFrom::End(-1))
            .map_err(|err| err.to_string())?;
        file.read_exact(&mut last).map_err(|err| err.to_string())?;
        if last[0] != b'\n' {
            line.push('\n');
        }
    }
    let openssh = key.to_openssh().map_err(|err| err.to_string())?;
    // Drop the key's comment: known_hosts lines are "host type base64".
    let mut parts = openssh.split_whitespace();
    let (Some(kind), Some(base64)) = (parts.next(), parts.next()) else {
        return Err("the key has no OpenSSH form".into());
    };
    line.push_str(&format!("{} {kind} {base64}\n", host_entry(host, port)));
    file.write_all(line.as_bytes())
        .map_err(|err| err.to_string())
}

/// Host-key algorithms to offer, the ones already recorded for the host
/// first, so that a host with a recorded RSA key is not asked for ed25519
/// (which would look like a changed key).
pub fn preferred_algorithms(
    recorded: &[(usize, PublicKey)],
    defaults: &[Algorithm],
) -> Vec<Algorithm> {
    let mut ordered: Vec<Algorithm> = Vec::new();
    for (_, key) in recorded {
        let algorithm = key.algorithm();
        let matching: Vec<Algorithm> = defaults
            .iter()
            .filter(|candidate| same_family(candidate, &algorithm))
            .cloned()
            .collect();
        for candidate in matching {
            if !ordered.contains(&candidate) {
                ordered.push(candidate);
            }
        }
    }
    for candidate in defaults {
        if !ordered.contains(candidate) {
            ordered.push(candidate.clone());
        }
    }
    ordered
}

fn same_family(a: &Algorithm, b: &Algorithm) -> bool {
    match (a, b) {
        (Algorithm::Rsa { .. }, Algorithm::Rsa { .. }) => true,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_A: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIJdD7y3aLq454yWBdwLWbieU1ebz9/cu7/QEXn9OIeZJ";
    const KEY_B: &str = "AAAAC3NzaC1lZDI1NTE5AAAAIA6rWI3G1sz07DnfFlrouTcysQlj2P+jpNSOEWD9OJ3X";

    fn key(base64: &str) -> PublicKey {
        russh::keys::parse_public_key_base64(base64).unwrap()
    }

    #[test]
    fn unknown_hosts_are_learned_and_changed_keys_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ssh").join("known_hosts");
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(
            &path,
            format!("# comment\n\nother.example ssh-ed25519 {KEY_B}\n"),
        )
        .unwrap();

        check_and_learn(&path, "127.0.0.1", 2222, &key(KEY_A)).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            text.ends_with(&format!("[127.0.0.1]:2222 ssh-ed25519 {KEY_A}\n")),
            "{text}"
        );
        // Known now: nothing more is written.
        check_and_learn(&path, "127.0.0.1", 2222, &key(KEY_A)).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), text);

        let err = check_and_learn(&path, "127.0.0.1", 2222, &key(KEY_B)).unwrap_err();
        let message = err.to_string();
        assert!(
            message.starts_with("the SSH host key of [127.0.0.1]:2222 has changed"),
            "{message}"
        );
        assert!(
            message.contains(&format!("{} line 4", path.display())),
            "{message}"
        );
        assert_eq!(
            std::fs::read_to_string(&path).unwrap(),
            text,
            "a refused key is not recorded"
        );
    }

    #[test]
    fn host_patterns_follow_openssh() {
        assert!(hosts_match("a.example,b.example", "b.example"));
        assert!(hosts_match("*.example", "host.example"));
        assert!(!hosts_match("*.example,!bad.example", "bad.example"));
        assert!(hosts_match("[127.0.0.1]:2222", "[127.0.0.1]:2222"));
        assert!(!hosts_match("127.0.0.1", "[127.0.0.1]:2222"));
        // `ssh-keygen -H` output for "localhost".
        assert!(hosts_match(
            "|1|mPaJhFqc/oNzBlFUossuKwgrKWk=|mpEtHBfA6LHgWAqhV63U0Ebh614=",
            "localhost"
        ));
        assert!(!hosts_match(
            "|1|mPaJhFqc/oNzBlFUossuKwgrKWk=|mpEtHBfA6LHgWAqhV63U0Ebh614=",
            "otherhost"
        ));
    }

    #[test]
    fn recorded_algorithms_are_offered_first() {
        let rsa = Algorithm::Rsa { hash: None };
        let recorded = vec![(1, key(KEY_A))];
        let order = preferred_algorithms(&recorded, &[rsa.clone(), Algorithm::Ed25519]);
        assert_eq!(order, [Algorithm::Ed25519, rsa]);
    }
}
