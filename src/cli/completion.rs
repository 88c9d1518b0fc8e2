//! `berth completion` (shell completion scripts, podman's flags) and the
//! hidden `berth generate-man` (man pages for packagers): clap types.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// The shells `berth completion` writes scripts for (podman's four).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
#[command(after_help = "\
Load them in the current shell:
  bash:        source <(berth completion bash)
  zsh:         berth completion -f \"${fpath[1]}/_berth\" zsh
  fish:        berth completion fish | source
  powershell:  berth completion powershell | Out-String | Invoke-Expression")]
pub struct CompletionArgs {
    /// Output the completion to file rather than stdout.
    #[arg(short = 'f', long)]
    pub file: Option<PathBuf>,

    /// Don't include descriptions in the completion output.
    #[arg(long)]
    pub no_desc: bool,

    /// The shell to complete for
    pub shell: CompletionShell,
}

#[derive(Debug, Args)]
pub struct GenerateManArgs {
    /// Directory to write the pages into (created if missing)
    pub dir: PathBuf,
}
