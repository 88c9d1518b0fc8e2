//! What packagers and users install besides the binary: the version line
//! with its commit, shell completions that really complete in bash and fish,
//! one man page per command (found by walking `--help`, not clap), and the
//! Homebrew formula run through a Homebrew stand-in.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::env::TestEnv;
use common::podman::PodmanService;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}): {}{}",
        out.status,
        stdout(out),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `program` can be run (a shell or tool the test needs).
fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|out| out.status.success())
}

/// The full commit of the checkout the tests run in, when this package is the
/// top of a git checkout (not when built from a tarball).
fn checkout_commit() -> Option<String> {
    let git = |args: &[&str]| {
        let out = Command::new("git")
            .args(args)
            .current_dir(MANIFEST_DIR)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| stdout(&out).trim().to_string())
    };
    let top = PathBuf::from(git(&["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != Path::new(MANIFEST_DIR).canonicalize().ok()? {
        return None;
    }
    git(&["rev-parse", "HEAD"])
}

#[test]
fn version_flag_names_the_commit() {
    let env = TestEnv::new();
    let out = env.run_berth(&["--version"]);
    assert_success(&out, "berth --version");
    let line = stdout(&out);
    let expected = format!("berth version {}", env!("CARGO_PKG_VERSION"));
    match checkout_commit() {
        Some(commit) => assert_eq!(line, format!("{expected} (commit {})\n", &commit[..7])),
        None => {
            eprintln!("not a git checkout: the version line may carry no commit");
            assert!(line.starts_with(&expected), "{line}");
        }
    }
}

#[test]
fn version_command_shows_the_git_commit_like_podman() {
    let service = PodmanService::start();
    let env = TestEnv::new();
    let url = service.url();
    let out = env.run_berth(&[
        "--url",
        &url,
        "version",
        "--format",
        "{{.Client.GitCommit}}",
    ]);
    assert_success(&out, "berth version --format");
    let commit = stdout(&out).trim().to_string();
    match checkout_commit() {
        Some(expected) => assert_eq!(commit, expected),
        None => assert!(commit.is_empty() || commit.len() == 40, "{commit}"),
    }
    if !commit.is_empty() {
        let out = env.run_berth(&["--url", &url, "version"]);
        assert_success(&out, "berth version");
        assert!(
            stdout(&out).contains(&format!("Git Commit:   {commit}\n")),
            "{}",
            stdout(&out)
        );
    }
}

/// Writes `berth completion SHELL` into the test dir and returns its path.
fn completion_script(env: &TestEnv, shell: &str, extra: &[&str]) -> PathBuf {
    let path = env.path().join(format!("completion.{shell}"));
    let mut args = vec!["completion", "--file", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(shell);
    assert_success(&env.run_berth(&args), "berth completion --file");
    path
}

/// What bash offers for the command line `words` (the last word is being
/// completed), after sourcing `script` the way bash-completion would.
fn bash_complete(script: &Path, words: &[&str]) -> Vec<String> {
    const DRIVER: &str = r#"
        source "$1"; shift
        complete -p berth >/dev/null || { echo "berth has no completion" >&2; exit 1; }
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
        COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _berth berth "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let out = Command::new("bash")
        .args(["-c", DRIVER, "driver"])
        .arg(script)
        .args(words)
        .output()
        .expect("running bash");
    assert_success(&out, "bash completion driver");
    stdout(&out).lines().map(str::to_string).collect()
}

#[test]
fn bash_completion_is_valid_and_completes_commands_and_flags() {
    let env = TestEnv::new();
    let script = completion_script(&env, "bash", &[]);
    let check = Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert_success(&check, "bash -n");

    assert_eq!(bash_complete(&script, &["berth", "mach"]), ["machine"]);
    let machine = bash_complete(&script, &["berth", "machine", "in"]);
    for verb in ["init", "inspect", "info"] {
        assert!(machine.contains(&verb.to_string()), "{machine:?}");
    }
    let connection = bash_complete(&script, &["berth", "system", "connection", ""]);
    for verb in ["add", "list", "remove", "rename", "default"] {
        assert!(connection.contains(&verb.to_string()), "{connection:?}");
    }
    assert_eq!(
        bash_complete(&script, &["berth", "machine", "init", "--mem"]),
        ["--memory"]
    );
    let shells = bash_complete(&script, &["berth", "completion", ""]);
    for shell in ["bash", "zsh", "fish", "powershell"] {
        assert!(shells.contains(&shell.to_string()), "{shells:?}");
    }
}

#[test]
fn completion_to_stdout_matches_the_file() {
    let env = TestEnv::new();
    let script = completion_script(&env, "zsh", &[]);
    let out = env.run_berth(&["completion", "zsh"]);
    assert_success(&out, "berth completion zsh");
    assert_eq!(out.stdout, std::fs::read(&script).unwrap());
    assert!(
        stdout(&out).starts_with("#compdef berth"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn completion_needs_a_known_shell() {
    let env = TestEnv::new();
    let out = env.run_berth(&["completion"]);
    assert_eq!(out.status.code(), Some(125));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "Error: accepts 1 arg(s), received 0\n"
    );
    let out = env.run_berth(&["completion", "tcsh"]);
    assert_eq!(out.status.code(), Some(125));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(
            "Error: invalid argument \"tcsh\" for \"berth completion\": \
             choose from bash, zsh, fish, powershell\n"
        ),
        "{stderr}"
    );
}

#[test]
fn zsh_completion_parses() {
    if !have("zsh") {
        eprintln!("skipped: zsh is not installed (scripts/test installs it)");
        return;
    }
    let env = TestEnv::new();
    let script = completion_script(&env, "zsh", &[]);
    let check = Command::new("zsh").arg("-n").arg(&script).output().unwrap();
    assert_success(&check, "zsh -n");
}

#[test]
fn fish_completion_completes_with_and_without_descriptions() {
    if !have("fish") {
        eprintln!("skipped: fish is not installed (scripts/test installs it)");
        return;
    }
    let env = TestEnv::new();
    let complete = |script: &Path, line: &str| {
        let out = Command::new("fish")
            .arg("--no-config")
            .arg("-c")
            .arg(format!("source {}; complete -C '{line}'", script.display()))
            .env("HOME", &env.home)
            .output()
            .expect("running fish");
        assert_success(&out, "fish complete -C");
        stdout(&out)
    };
    let script = completion_script(&env, "fish", &[]);
    let check = Command::new("fish")
        .arg("--no-execute")
        .arg(&script)
        .output()
        .unwrap();
    assert_success(&check, "fish --no-execute");
    assert_eq!(
        complete(&script, "berth mach"),
        "machine\tManage virtual machines\n"
    );
    let script = completion_script(&env, "fish", &["--no-desc"]);
    assert_eq!(complete(&script, "berth mach"), "machine\n");
}

#[test]
fn powershell_completion_registers_a_completer() {
    let env = TestEnv::new();
    let script = std::fs::read_to_string(completion_script(&env, "powershell", &[])).unwrap();
    assert!(
        script.contains("Register-ArgumentCompleter -Native -CommandName 'berth'"),
        "{script}"
    );
    assert!(script.contains("'berth;machine;init'"), "{script}");
}

/// The subcommands `berth PATH... --help` lists (without `help`), read the
/// way a user reads them.
fn help_subcommands(env: &TestEnv, path: &[String]) -> Vec<String> {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    args.push("--help");
    let out = env.run_berth(&args);
    assert_success(&out, &format!("berth {}", args.join(" ")));
    let help = stdout(&out);
    let Some((_, commands)) = help.split_once("\nCommands:\n") else {
        return Vec::new();
    };
    commands
        .lines()
        .take_while(|line| !line.is_empty())
        // Entries are indented by two spaces; wrapped descriptions by more.
        .filter_map(|line| line.strip_prefix("  "))
        .filter(|entry| !entry.starts_with(' '))
        .filter_map(|entry| entry.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_string)
        .collect()
}

/// Every command path reachable through `--help`, the root first.
fn all_command_paths(env: &TestEnv) -> Vec<Vec<String>> {
    let mut paths = vec![Vec::new()];
    let mut next = 0;
    while next < paths.len() {
        let path = paths[next].clone();
        next += 1;
        for sub in help_subcommands(env, &path) {
            let mut child = path.clone();
            child.push(sub);
            paths.push(child);
        }
    }
    paths
}

#[test]
fn every_command_has_a_man_page() {
    let env = TestEnv::new();
    let dir = env.path().join("man/man1");
    assert_success(
        &env.run_berth(&["generate-man", dir.to_str().unwrap()]),
        "berth generate-man",
    );
    let paths = all_command_paths(&env);
    assert!(
        paths.iter().any(|path| path == &["machine", "init"]),
        "{paths:?}"
    );
    for path in &paths {
        let title = std::iter::once("berth")
            .chain(path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join("-");
        let page = dir.join(format!("{title}.1"));
        let text = std::fs::read_to_string(&page)
            .unwrap_or_else(|err| panic!("no man page {}: {err}", page.display()));
        assert!(text.contains(&format!("\n.TH {title} 1 ")), "{text}");
        let synopsis = format!(
            "\\fB{}\\fR",
            ["berth"]
                .iter()
                .copied()
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(" ")
        );
        assert!(
            text.contains(&synopsis),
            "{} lacks {synopsis}",
            page.display()
        );
    }
    // No pages for hidden commands or `help`.
    let pages = std::fs::read_dir(&dir).unwrap().count();
    assert_eq!(
        pages,
        paths.len(),
        "pages for commands --help does not list"
    );

    if have("groff") {
        let out = Command::new("groff")
            .args(["-man", "-ww", "-z"])
            .args(
                std::fs::read_dir(&dir)
                    .unwrap()
                    .map(|entry| entry.unwrap().path()),
            )
            .output()
            .unwrap();
        assert_success(&out, "groff");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "groff warnings");
    }
}

#[test]
fn homebrew_formula_installs_and_passes_its_test_block() {
    if !have("ruby") {
        eprintln!("skipped: ruby is not installed (scripts/test installs it)");
        return;
    }
    let formula = Path::new(MANIFEST_DIR).join("packaging/homebrew/berth.rb");
    let syntax = Command::new("ruby")
        .arg("-c")
        .arg(&formula)
        .output()
        .unwrap();
    assert_success(&syntax, "ruby -c");

    let env = TestEnv::new();
    let mut smoke = Command::new("ruby");
    env.apply(&mut smoke);
    let out = smoke
        .arg(Path::new(MANIFEST_DIR).join("tests/homebrew/smoke.rb"))
        .arg(&formula)
        .arg(env!("CARGO_BIN_EXE_berth"))
        .arg(env.path().join("brew"))
        .output()
        .unwrap();
    assert_success(&out, "homebrew smoke run");
    assert!(stdout(&out).contains("homebrew smoke: all checks passed"));
}

#[test]
fn release_tarball_carries_its_commit_and_its_sha256_lands_in_the_formula() {
    let Some(commit) = checkout_commit() else {
        eprintln!("skipped: not a git checkout");
        return;
    };
    let env = TestEnv::new();
    let formula = env.path().join("berth.rb");
    std::fs::copy(
        Path::new(MANIFEST_DIR).join("packaging/homebrew/berth.rb"),
        &formula,
    )
    .unwrap();
    let out = Command::new(Path::new(MANIFEST_DIR).join("packaging/homebrew/release"))
        .args(["9.8.7", "HEAD"])
        .env("BERTH_DIST_DIR", env.path())
        .env("BERTH_FORMULA", &formula)
        .output()
        .unwrap();
    assert_success(&out, "packaging/homebrew/release");

    let tarball = env.path().join("berth-9.8.7.tar.gz");
    let listed = Command::new("tar")
        .arg("-xzOf")
        .arg(&tarball)
        .arg("berth-9.8.7/.git-commit")
        .output()
        .unwrap();
    assert_success(&listed, "tar");
    assert_eq!(
        stdout(&listed).trim(),
        commit,
        "export-subst filled in .git-commit"
    );

    let sha = Command::new("sha256sum").arg(&tarball).output().unwrap();
    let sha = stdout(&sha).split_whitespace().next().unwrap().to_string();
    let text = std::fs::read_to_string(&formula).unwrap();
    assert!(text.contains(&format!("  sha256 \"{sha}\"\n")), "{text}");
    assert!(
        text.contains("/releases/download/v9.8.7/berth-9.8.7.tar.gz\"\n"),
        "{text}"
    );
}

#[test]
fn winget_manifests_render_and_parse() {
    if !have("ruby") {
        eprintln!("skipped: ruby is not installed (scripts/test installs it)");
        return;
    }
    let env = TestEnv::new();
    let zip = env.path().join("berth-1.2.3-x86_64-pc-windows-msvc.zip");
    std::fs::write(&zip, b"not really a zip").unwrap();
    let out_dir = env.path().join("winget");
    let out = Command::new(Path::new(MANIFEST_DIR).join("packaging/windows/render-winget"))
        .arg("1.2.3")
        .arg(&zip)
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_success(&out, "render-winget");
    let dir = out_dir.join("manifests/b/Berth/Berth/1.2.3");
    assert_eq!(stdout(&out).trim(), dir.to_str().unwrap());

    // Every file parses as YAML, names the package and version, and no
    // placeholder is left.
    const CHECK: &str = r##"
        require "yaml"
        types = ARGV.map do |file|
          text = File.read(file)
          abort "#{file}: placeholder left" if text.include?("__")
          doc = YAML.safe_load(text)
          abort "#{file}: #{doc}" unless doc["PackageIdentifier"] == "Berth.Berth" && doc["PackageVersion"] == "1.2.3"
          if doc["ManifestType"] == "installer"
            installer = doc["Installers"].first
            puts installer["InstallerSha256"], installer["InstallerUrl"]
            puts doc["Dependencies"]["PackageDependencies"].map { |d| d["PackageIdentifier"] }
          end
          doc["ManifestType"]
        end
        puts types.sort.join(",")
    "##;
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    let out = Command::new("ruby")
        .args(["-e", CHECK])
        .args(&files)
        .output()
        .unwrap();
    assert_success(&out, "parsing the winget manifests");
    let sha = Command::new("sha256sum").arg(&zip).output().unwrap();
    let sha = stdout(&sha)
        .split_whitespace()
        .next()
        .unwrap()
        .to_uppercase();
    assert_eq!(
        stdout(&out),
        format!(
            "{sha}\nhttps://github.com/berth-project/berth/releases/download/v1.2.3/\
             berth-1.2.3-x86_64-pc-windows-msvc.zip\nSoftwareFreedomConservancy.QEMU\n\
             defaultLocale,installer,version\n"
        )
    );
}
