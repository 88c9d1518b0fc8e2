//! `berth machine image ...`: clap types for the base-image cache.

use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum MachineImageCommand {
    /// List cached base images
    #[command(visible_alias = "ls")]
    List(ListArgs),

    /// Remove cached base images that no machine uses
    Prune(PruneArgs),

    /// Download a base image into the cache without creating a machine
    Pull(PullArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Change the output format to JSON or a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// Do not print headers
    #[arg(short = 'n', long)]
    pub noheading: bool,

    /// Show only the image digests
    #[arg(short, long)]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct PruneArgs {
    /// Do not prompt for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct PullArgs {
    /// Image to fetch: stream:stable|testing|next, an http(s) URL, docker://REGISTRY/REPO:TAG or a local path
    #[arg(default_value = "stream:stable")]
    pub image: String,

    /// Suppress progress output
    #[arg(short, long)]
    pub quiet: bool,
}
