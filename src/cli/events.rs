//! `berth events`: clap types only.

use clap::{ArgAction, Args};

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// filter output
    #[arg(short = 'f', long = "filter", value_name = "FILTER")]
    pub filters: Vec<String>,

    /// format the output using a Go template
    #[arg(long)]
    pub format: Option<String>,

    /// do not truncate the output
    #[arg(long, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub no_trunc: bool,

    /// show all events created since timestamp
    #[arg(long, value_name = "TIMESTAMP")]
    pub since: Option<String>,

    /// stream new events; for testing only
    #[arg(long, hide = true, value_name = "BOOL", num_args = 0..=1, require_equals = true, default_missing_value = "true", default_value = "true", action = ArgAction::Set)]
    pub stream: bool,

    /// show all events until timestamp
    #[arg(long, value_name = "TIMESTAMP")]
    pub until: Option<String>,
}
