//! The command line's shape: version, help and usage errors with podman's exit codes.

mod common;

use common::env::TestEnv;

#[test]
fn version_flag_prints_the_version() {
    let env = TestEnv::new();
    let out = env.run_berth(&["--version"]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.starts_with("berth "), "{stdout}");
}

#[test]
fn unknown_flag_exits_125() {
    let env = TestEnv::new();
    let out = env.run_berth(&["--no-such-flag"]);
    assert_eq!(out.status.code(), Some(125));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-such-flag"));
}
