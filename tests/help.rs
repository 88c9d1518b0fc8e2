//! `--help` for the pod, kube, volume, network, secret, events, system and
//! prune commands beside `podman --remote`'s: berth's help exits 0, opens
//! with podman's one-line summary and offers every flag podman's remote
//! client lists, apart from the gaps named here.

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};

use common::env::TestEnv;

/// Flags podman lists that berth does not offer yet, per command.
const KNOWN_GAPS: &[(&str, &[&str])] = &[
    (
        "pod create",
        &[
            "blkio-weight",
            "blkio-weight-device",
            "cpuset-mems",
            "device-read-bps",
            "device-write-bps",
            "gidmap",
            "ip",
            "ip6",
            "mac-address",
            "memory-swap",
            "subgidname",
            "subuidname",
            "uidmap",
        ],
    ),
    // Registry credentials come from --creds and berth's auth.json.
    ("kube play", &["authfile"]),
    ("play kube", &["authfile"]),
];

/// Commands whose help podman's remote client cannot show: it refuses
/// `volume export`, fails `volume import --help` on its argument count,
/// and has no `secret exists` (podman 4.3). berth offers all three.
const BEYOND_PODMAN: &[&str] = &["volume export", "volume import", "secret exists"];

const COMMANDS: &[&str] = &[
    "pod",
    "pod create",
    "pod ps",
    "pod ls",
    "pod list",
    "pod inspect",
    "pod start",
    "pod stop",
    "pod restart",
    "pod kill",
    "pod pause",
    "pod unpause",
    "pod rm",
    "pod top",
    "pod stats",
    "pod logs",
    "pod prune",
    "pod exists",
    "kube",
    "kube play",
    "kube generate",
    "kube down",
    "generate",
    "generate kube",
    "play",
    "play kube",
    "volume",
    "volume create",
    "volume ls",
    "volume list",
    "volume inspect",
    "volume rm",
    "volume prune",
    "volume exists",
    "volume export",
    "volume import",
    "network",
    "network create",
    "network ls",
    "network inspect",
    "network rm",
    "network connect",
    "network disconnect",
    "network prune",
    "network exists",
    "secret",
    "secret create",
    "secret ls",
    "secret list",
    "secret inspect",
    "secret rm",
    "secret exists",
    "events",
    "system df",
    "system prune",
    "container prune",
    "image prune",
];

/// The long flags a help text lists (lines opening with `-x, --flag` or
/// `--flag`), without berth's global ones and `--help`.
fn long_flags(help: &str) -> BTreeSet<String> {
    help.lines()
        .filter_map(|line| {
            let line = line.trim_start();
            let line = match line.strip_prefix('-') {
                Some(rest) if !rest.starts_with('-') => rest.get(3..)?,
                _ => line,
            };
            let name = line.strip_prefix("--")?;
            let end = name
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
                .unwrap_or(name.len());
            Some(name[..end].to_string())
        })
        .filter(|name| {
            !matches!(
                name.as_str(),
                "help" | "connection" | "url" | "identity" | "remote" | "log-level" | ""
            )
        })
        .collect()
}

fn podman_help(args: &[&str]) -> String {
    let output = Command::new("podman")
        .args(["--remote", "--url", "unix:///nonexistent/podman.sock"])
        .args(args)
        .arg("--help")
        .stdin(Stdio::null())
        .output()
        .expect("running podman");
    assert!(
        output.status.success(),
        "podman {args:?} --help: {output:?}"
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn help_matches_podman() {
    let env = TestEnv::new();
    let mut problems = Vec::new();
    for command in COMMANDS {
        let args: Vec<&str> = command.split(' ').collect();
        let berth = env.run_berth(&[&args[..], &["--help"]].concat());
        let help = String::from_utf8_lossy(&berth.stdout).into_owned();
        if !berth.status.success() || help.is_empty() {
            problems.push(format!("{command}: {berth:?}"));
            continue;
        }
        if BEYOND_PODMAN.contains(command) {
            continue;
        }
        let podman = podman_help(&args);
        let summary = |text: &str| text.lines().next().unwrap_or_default().to_string();
        if summary(&help) != summary(&podman) {
            problems.push(format!(
                "{command}: summary {:?}, podman's {:?}",
                summary(&help),
                summary(&podman)
            ));
        }
        let gaps: BTreeSet<String> = KNOWN_GAPS
            .iter()
            .filter(|(gap_command, _)| gap_command == command)
            .flat_map(|(_, flags)| flags.iter().map(|flag| flag.to_string()))
            .collect();
        let offered = long_flags(&help);
        let listed = long_flags(&podman);
        let missing: Vec<&String> = listed
            .difference(&offered)
            .filter(|flag| !gaps.contains(*flag))
            .collect();
        if !missing.is_empty() {
            problems.push(format!("{command}: no {missing:?}"));
        }
        let filled: Vec<&String> = gaps.intersection(&offered).collect();
        if !filled.is_empty() {
            problems.push(format!("{command}: {filled:?} are no longer gaps"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn long_flags_are_read_from_both_help_styles() {
    let podman =
        "Options:\n  -c, --cpu-shares uint   CPU\n      --add-host strings   hosts\n      --help\n";
    let berth = "Options:\n  -n, --name <NAME>  name\n      --infra[=<BOOL>]  infra\n      --url <URL>  url\n";
    assert_eq!(
        long_flags(podman).into_iter().collect::<Vec<_>>(),
        ["add-host", "cpu-shares"]
    );
    assert_eq!(
        long_flags(berth).into_iter().collect::<Vec<_>>(),
        ["infra", "name"]
    );
}
