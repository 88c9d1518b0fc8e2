//! Test support: checks that generated shell scripts parse in a real `sh`.

/// Panics with `sh`'s message unless `script` is valid shell syntax
/// (`sh -n`: parsed, not run).
pub fn assert_valid_sh(script: &str) {
    let out = std::process::Command::new("sh")
        .args(["-n", "-c", script])
        .output()
        .expect("running sh -n");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
