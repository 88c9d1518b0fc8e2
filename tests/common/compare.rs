//! berth side by side with the reference client: the same arguments run as
//! `berth --url unix://SOCK ...` and `podman --remote --url unix://SOCK ...`
//! on one service, compared on stdout, stderr and exit code after
//! normalising what legitimately differs (times that ticked between the
//! two runs, the client's name in messages, generated ids).

use std::process::{Command, Output, Stdio};

use super::env::TestEnv;
use super::podman::PodmanService;

/// A service, a private berth environment, and both clients.
pub struct SideBySide {
    pub env: TestEnv,
    pub service: PodmanService,
}

/// One client's result, as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl SideBySide {
    /// A fresh service with the busybox image.
    pub fn start() -> Self {
        let service = PodmanService::start();
        service.import_busybox();
        SideBySide {
            env: TestEnv::new(),
            service,
        }
    }

    /// `berth --url unix://SOCK ARGS...` with stdin closed.
    pub fn berth_command(&self, args: &[&str]) -> Command {
        let mut command = self.env.berth();
        command
            .arg("--url")
            .arg(self.service.url())
            .args(args)
            .stdin(Stdio::null());
        command
    }

    /// berth's run, without the service's attach race (see
    /// [`without_attach_race`]).
    pub fn berth(&self, args: &[&str]) -> Run {
        let mut run: Run = self
            .berth_command(args)
            .output()
            .expect("running berth")
            .into();
        run.stderr = without_attach_race(&run.stderr);
        run
    }

    /// podman-remote's run, without the service's attach race (see
    /// [`without_attach_race`]).
    pub fn podman(&self, args: &[&str]) -> Run {
        let mut run: Run = self.service.run_podman_remote(args).into();
        run.stderr = without_attach_race(&run.stderr);
        run
    }

    /// Runs podman and checks it succeeded (for setting things up).
    pub fn podman_ok(&self, args: &[&str]) -> String {
        let run = self.podman(args);
        assert_eq!(run.code, Some(0), "podman {args:?}: {}", run.stderr);
        run.stdout
    }

    /// Runs `args` with both clients and asserts the same stdout, stderr
    /// and exit code, after [`normalize`].
    pub fn assert_same(&self, args: &[&str]) -> Run {
        let berth = self.berth(args);
        let podman = self.podman(args);
        assert_eq!(
            (berth.code, normalize(&berth.stdout), normalize(&berth.stderr)),
            (podman.code, normalize(&podman.stdout), normalize(&podman.stderr)),
            "berth and podman differ for {args:?}\n--- berth stdout:\n{}\n--- podman stdout:\n{}\n--- berth stderr:\n{}\n--- podman stderr:\n{}",
            berth.stdout,
            podman.stdout,
            berth.stderr,
            podman.stderr
        );
        berth
    }
}

impl SideBySide {
    /// Runs `args` with both clients on twin objects: `NAME` in `args` is
    /// `berth_name` for berth and `podman_name` for podman; the outputs
    /// must be the same once ids are masked and each name is `NAME` again.
    pub fn assert_twins(&self, args: &[&str], berth_name: &str, podman_name: &str) -> Run {
        let with = |name: &str| -> Vec<String> {
            args.iter().map(|arg| arg.replace("NAME", name)).collect()
        };
        let berth_args = with(berth_name);
        let podman_args = with(podman_name);
        let berth = self.berth(&berth_args.iter().map(String::as_str).collect::<Vec<_>>());
        let podman = self.podman(&podman_args.iter().map(String::as_str).collect::<Vec<_>>());
        let clean = |text: &str, name: &str| normalize(&mask_ids(text).replace(name, "NAME"));
        assert_eq!(
            (
                berth.code,
                clean(&berth.stdout, berth_name),
                clean(&berth.stderr, berth_name)
            ),
            (
                podman.code,
                clean(&podman.stdout, podman_name),
                clean(&podman.stderr, podman_name)
            ),
            "berth and podman differ for {args:?}"
        );
        berth
    }
}

/// Drops the second error the podman 4.3 service sometimes reports, to
/// either client, when an `exec` fails to start (`Error: read unixpacket
/// @->/proc/self/fd/N/attach: read: connection reset by peer`): its attach
/// reader racing conmon closing the exec session.
pub fn without_attach_race(stderr: &str) -> String {
    stderr
        .split_inclusive('\n')
        .filter(|line| {
            !(line.starts_with("Error: read unixpacket ")
                && line
                    .trim_end()
                    .ends_with("/attach: read: connection reset by peer"))
        })
        .collect()
}

/// Makes two runs a second apart comparable: human durations ("2 seconds
/// ago", "Up Less than a second ago") become `<time>`, runs of spaces
/// (column padding that depends on them) one space, and the client's name
/// `podman` in usage hints `berth`.
pub fn normalize(text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let mut out: Vec<String> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        let next = words.get(i + 1).copied().unwrap_or_default();
        let unit = next.trim_end_matches([',', '"', '\n']);
        let is_unit = matches!(
            unit,
            "second" | "seconds" | "minute" | "minutes" | "hour" | "hours"
        );
        let prefix_len = word.len() - word.trim_start_matches(['"', '(']).len();
        let (prefix, bare) = word.split_at(prefix_len);
        let amount = (!bare.is_empty() && bare.chars().all(|c| c.is_ascii_digit()))
            || bare == "a"
            || bare == "an";
        if is_unit && amount {
            // "5 seconds", "About a minute", "Less than a second"; a quote or
            // parenthesis before "About" or "Less" stays.
            let quoted = |word: &str| {
                let bare = word.trim_start_matches(['"', '(']);
                (
                    word[..word.len() - bare.len()].to_string(),
                    bare.to_string(),
                )
            };
            let tail: Vec<(String, String)> = out.iter().rev().take(2).map(|w| quoted(w)).collect();
            let mut prefix = prefix.to_string();
            if tail.len() == 2 && tail[0].1 == "than" && tail[1].1 == "Less" {
                prefix = tail[1].0.clone();
                out.truncate(out.len() - 2);
            } else if tail.first().is_some_and(|(_, bare)| bare == "About") {
                prefix = tail[0].0.clone();
                out.pop();
            }
            out.push(format!("{prefix}<time>{}", &next[unit.len()..]));
            i += 2;
            continue;
        }
        out.push(word.to_string());
        i += 1;
    }
    let joined = out.join(" ");
    let mut collapsed = String::with_capacity(joined.len());
    let mut previous_space = false;
    for c in joined.chars() {
        if c == ' ' && previous_space {
            continue;
        }
        previous_space = c == ' ';
        collapsed.push(c);
    }
    collapsed
        .replace("'podman ", "'berth ")
        .replace("`podman ", "`berth ")
        .replace("\"podman ", "\"berth ")
}

/// A free TCP port on 127.0.0.1 whose successor is free too (for ranges).
pub fn free_port_pair() -> u16 {
    loop {
        let first = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a port");
        let port = first.local_addr().expect("local address").port();
        if port < 65535 && std::net::TcpListener::bind(("127.0.0.1", port + 1)).is_ok() {
            return port;
        }
    }
}

/// Replaces every run of 12 or more lower-case hex digits with `<id>`.
pub fn mask_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 12 {
            out.push_str("<id>");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if c.is_ascii_digit() || ('a'..='f').contains(&c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

#[test]
fn only_the_attach_race_line_is_dropped() {
    let race =
        "Error: read unixpacket @->/proc/self/fd/14/attach: read: connection reset by peer\n";
    let error = "Error: runc: exec failed\n";
    assert_eq!(without_attach_race(&format!("{error}{race}")), error);
    assert_eq!(without_attach_race("Error: x"), "Error: x");
}

#[test]
fn normalize_hides_ticking_times() {
    assert_eq!(
        normalize("Up 5 seconds ago  x"),
        normalize("Up Less than a second ago x")
    );
    assert_eq!(normalize("About a minute ago"), normalize("2 minutes ago"));
    assert_eq!(
        normalize("\"CreatedAt\": \"1 second ago\","),
        "\"CreatedAt\": \"<time> ago\","
    );
    assert_eq!(
        normalize("\"CreatedAt\": \"Less than a second ago\","),
        "\"CreatedAt\": \"<time> ago\","
    );
    assert_eq!(
        normalize("(About a minute ago)"),
        normalize("(3 minutes ago)")
    );
    assert_eq!(mask_ids("a 0123456789abcdef x 12ab"), "a <id> x 12ab");
}
