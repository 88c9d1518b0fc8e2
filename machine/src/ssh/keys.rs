//! SSH keys, made in Rust (no ssh-keygen): berth's ed25519 user key (OpenSSH
//! format, 0600, shared by all machines), per-machine host keys injected
//! through Ignition, and parsing of the pinned host key.

use std::io;
use std::path::{Path, PathBuf};

use russh::keys::ssh_key::{
    self,
    private::{Ed25519Keypair, KeypairData},
    HashAlg, LineEnding, PrivateKey, PublicKey,
};

use crate::fsutil;

/// Errors creating or reading keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no randomness available for a new key: {0}")]
    Random(String),
    #[error("encoding a new SSH key: {0}")]
    Encode(ssh_key::Error),
    #[error("writing SSH key {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("reading SSH key {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("SSH key {} is not a usable OpenSSH key: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: ssh_key::Error,
    },
    #[error("pinned host key {key:?} is not an OpenSSH public key: {source}")]
    PinnedKey { key: String, source: ssh_key::Error },
}

/// A new random ed25519 key with `comment`.
pub fn generate_ed25519(comment: &str) -> Result<PrivateKey, KeyError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|err| KeyError::Random(err.to_string()))?;
    let keypair = Ed25519Keypair::from_seed(&seed);
    seed.fill(0);
    PrivateKey::new(KeypairData::Ed25519(keypair), comment).map_err(KeyError::Encode)
}

/// The key as OpenSSH private key text.
pub fn private_openssh(key: &PrivateKey) -> Result<String, KeyError> {
    Ok(key
        .to_openssh(LineEnding::LF)
        .map_err(KeyError::Encode)?
        .to_string())
}

/// The key's public half as an OpenSSH `authorized_keys` line.
pub fn public_openssh(key: &PublicKey) -> Result<String, KeyError> {
    key.to_openssh().map_err(KeyError::Encode)
}

/// Loads the user key at `path`, creating it (0600, with `path.pub`) if
/// absent. Returns the key and whether it was created.
pub fn ensure_user_key(path: &Path) -> Result<(PrivateKey, bool), KeyError> {
    if path.exists() {
        return read_private_key(path).map(|key| (key, false));
    }
    let key = generate_ed25519("berth-machine")?;
    let private = private_openssh(&key)?;
    let public = public_openssh(key.public_key())?;
    let write_err = |source| KeyError::Write {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(write_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(write_err)?;
        }
    }
    fsutil::write_atomic(&pub_path(path), format!("{public}\n").as_bytes(), 0o644)
        .map_err(write_err)?;
    fsutil::write_atomic(path, private.as_bytes(), 0o600).map_err(write_err)?;
    Ok((key, true))
}

/// `KEY.pub` beside `KEY`.
pub fn pub_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".pub");
    PathBuf::from(name)
}

/// Reads an unencrypted OpenSSH private key.
pub fn read_private_key(path: &Path) -> Result<PrivateKey, KeyError> {
    let text = std::fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    PrivateKey::from_openssh(text).map_err(|source| KeyError::Parse {
        path: path.to_path_buf(),
        source,
    })
}

/// Parses a pinned host key line (`ssh-ed25519 AAAA... [comment]`).
pub fn parse_public(line: &str) -> Result<PublicKey, KeyError> {
    PublicKey::from_openssh(line.trim()).map_err(|source| KeyError::PinnedKey {
        key: line.to_string(),
        source,
    })
}

/// `SHA256:...`, as OpenSSH prints fingerprints.
pub fn fingerprint(key: &PublicKey) -> String {
    key.fingerprint(HashAlg::Sha256).to_string()
}

/// Whether two public keys are the same key (comments aside).
pub fn same_key(a: &PublicKey, b: &PublicKey) -> bool {
    a.key_data() == b.key_data()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_key_is_created_once_in_openssh_format_0600() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/berth-machine");
        let (key, created) = ensure_user_key(&path).unwrap();
        assert!(created);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("-----BEGIN OPENSSH PRIVATE KEY-----"));
        let public = std::fs::read_to_string(pub_path(&path)).unwrap();
        assert!(public.starts_with("ssh-ed25519 "), "{public}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let (again, created) = ensure_user_key(&path).unwrap();
        assert!(!created);
        assert!(same_key(key.public_key(), again.public_key()));
        let parsed = parse_public(&public).unwrap();
        assert!(same_key(&parsed, key.public_key()));
    }

    #[test]
    fn openssh_accepts_the_generated_key() {
        // ssh-keygen -y derives the public key from our private key file.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let (key, _) = ensure_user_key(&path).unwrap();
        let Ok(out) = std::process::Command::new("ssh-keygen")
            .arg("-y")
            .arg("-f")
            .arg(&path)
            .output()
        else {
            eprintln!("skipping: ssh-keygen not installed");
            return;
        };
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let derived = parse_public(&String::from_utf8_lossy(&out.stdout)).unwrap();
        assert!(same_key(&derived, key.public_key()));
    }

    #[test]
    fn keys_differ_and_fingerprints_look_like_openssh() {
        let a = generate_ed25519("a").unwrap();
        let b = generate_ed25519("b").unwrap();
        assert!(!same_key(a.public_key(), b.public_key()));
        assert!(fingerprint(a.public_key()).starts_with("SHA256:"));
    }
}
