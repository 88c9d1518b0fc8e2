//! Build metadata for `berth --version` and `berth version`: the git commit
//! the binary was built from, found the first way that works:
//!
//! 1. `BERTH_GIT_COMMIT` in the build environment (packagers who know it);
//! 2. a git checkout of this very package (`git rev-parse HEAD`);
//! 3. `.cargo_vcs_info.json`, which `cargo package` writes into crates.io tarballs;
//! 4. `.git-commit`, which `git archive` fills in through `export-subst`
//!    (GitHub's release tarballs, which Homebrew builds from).
//!
//! Otherwise the commit is unknown and the version line has no commit.
//! Exports `BERTH_GIT_COMMIT` (full hash or empty) and `BERTH_VERSION_LINE`
//! (`version 0.1.0 (commit abcdef0)`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BERTH_GIT_COMMIT");

    let commit = from_env()
        .or_else(|| from_git(&manifest_dir))
        .or_else(|| from_cargo_vcs_info(&manifest_dir))
        .or_else(|| from_archive(&manifest_dir))
        .unwrap_or_default();

    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let line = match commit.get(..7) {
        Some(short) => format!("version {version} (commit {short})"),
        None => format!("version {version}"),
    };
    println!("cargo:rustc-env=BERTH_GIT_COMMIT={commit}");
    println!("cargo:rustc-env=BERTH_VERSION_LINE={line}");
}

/// A full or abbreviated hex object name, lower-cased; anything else is no commit.
fn commit_hash(text: &str) -> Option<String> {
    let text = text.trim();
    let is_hash = (7..=64).contains(&text.len()) && text.chars().all(|c| c.is_ascii_hexdigit());
    is_hash.then(|| text.to_ascii_lowercase())
}

fn from_env() -> Option<String> {
    commit_hash(&std::env::var("BERTH_GIT_COMMIT").ok()?)
}

/// `git` in `dir`, its stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    Some(String::from_utf8_lossy(&output.stdout).trim().to_string())
}

/// The commit of a git checkout whose top level is this package (not of some
/// unrelated repository a tarball happens to be unpacked in).
fn from_git(manifest_dir: &Path) -> Option<String> {
    let top = git(manifest_dir, &["rev-parse", "--show-toplevel"])?;
    let same_dir = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same_dir(Path::new(&top), manifest_dir) {
        return None;
    }
    let commit = commit_hash(&git(manifest_dir, &["rev-parse", "HEAD"])?)?;
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, packed refs.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    if let Some(branch) = git(manifest_dir, &["symbolic-ref", "-q", "HEAD"]) {
        watched.push(branch);
    }
    for name in watched {
        if let Some(path) = git(manifest_dir, &["rev-parse", "--git-path", &name]) {
            let path = manifest_dir.join(path);
            if path.exists() {
                println!("cargo:rerun-if-changed={}", path.display());
            }
        }
    }
    Some(commit)
}

/// `{"git": {"sha1": "..."}}` from a packaged crate.
fn from_cargo_vcs_info(manifest_dir: &Path) -> Option<String> {
    let path = manifest_dir.join(".cargo_vcs_info.json");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    // The file is tiny and flat: the first string after `"sha1":` is the hash.
    let (_, rest) = text.split_once("\"sha1\"")?;
    let rest = rest
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    commit_hash(rest.split('"').next()?)
}

/// `.git-commit` after `git archive` substituted `$Format:%H$` (an
/// unsubstituted file is not a hash and is ignored).
fn from_archive(manifest_dir: &Path) -> Option<String> {
    let path = manifest_dir.join(".git-commit");
    let text = std::fs::read_to_string(&path).ok()?;
    println!("cargo:rerun-if-changed={}", path.display());
    commit_hash(&text)
}
