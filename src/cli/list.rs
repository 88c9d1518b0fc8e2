//! The flags list commands share (`volume ls`, `secret ls`, `network ls`,
//! `pod ps`): clap types only. Each command words the help of `--filter`,
//! `--format` and `--quiet` its own way, as podman does, through `mut_arg`.

use clap::Args;

/// `-f/--filter`, `--format`, `--noheading`, `-q/--quiet`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Filter output based on conditions given
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// Format volume output using Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Do not print headers
    #[arg(long)]
    pub noheading: bool,

    /// Print only the names or IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
}
