//! `berth completion bash|zsh|fish|powershell`: a completion script generated
//! from the same clap definitions as the parser, so every command and flag
//! (including ones added later) completes without a hand-kept list.

use std::io::Write;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::completion::{CompletionArgs, CompletionShell};
use crate::cli::Cli;

pub fn run(args: &CompletionArgs) -> anyhow::Result<u8> {
    let script = script(args.shell, !args.no_desc);
    match args.file.as_deref() {
        Some(path) if path.as_os_str() != "-" => {
            berth_machine::fsutil::write_atomic(path, &script, 0o644)
                .with_context(|| format!("writing the completion script to {}", path.display()))?;
        }
        _ => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&script)?;
            stdout.flush()?;
        }
    }
    Ok(0)
}

/// The completion script for `shell`, with or without the commands' and
/// flags' descriptions (zsh, fish and powershell show them).
pub fn script(shell: CompletionShell, descriptions: bool) -> Vec<u8> {
    let mut command = Cli::command();
    if !descriptions {
        command = without_descriptions(command);
    }
    let shell = match shell {
        CompletionShell::Bash => Shell::Bash,
        CompletionShell::Zsh => Shell::Zsh,
        CompletionShell::Fish => Shell::Fish,
        CompletionShell::Powershell => Shell::PowerShell,
    };
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "berth", &mut script);
    script
}

/// `command` and all its subcommands with their about texts and flag help removed.
fn without_descriptions(command: clap::Command) -> clap::Command {
    command
        .about(None)
        .long_about(None)
        .mut_args(|arg| arg.help(None).long_help(None))
        .mut_subcommands(without_descriptions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_desc_drops_the_descriptions() {
        let with = String::from_utf8(script(CompletionShell::Fish, true)).unwrap();
        let without = String::from_utf8(script(CompletionShell::Fish, false)).unwrap();
        assert!(with.contains("Manage virtual machines"), "{with}");
        assert!(!without.contains("Manage virtual machines"), "{without}");
        assert!(without.contains("machine"), "{without}");
    }
}
