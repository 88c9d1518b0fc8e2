//! What this binary is: its version and the git commit it was built from, as
//! found by `build.rs` (empty commit when the source carried none).

/// `version 0.1.0 (commit abcdef0)`: what `berth --version` prints after the name.
pub const VERSION_LINE: &str = env!("BERTH_VERSION_LINE");

/// The full commit hash, or empty when unknown (`berth version`'s Git Commit).
pub const GIT_COMMIT: &str = env!("BERTH_GIT_COMMIT");

/// `0.1.0 (commit abcdef0)`: the version without podman's leading word.
pub fn version() -> &'static str {
    VERSION_LINE
        .strip_prefix("version ")
        .unwrap_or(VERSION_LINE)
}
