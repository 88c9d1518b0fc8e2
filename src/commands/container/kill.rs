//! `berth kill`: sends a signal (default KILL) to containers.

use berth_client::api::containers;

use super::{check_all_exist, container_ids_where, finish_with_errors, print_line, read_cidfiles};
use crate::cli::container::KillArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &KillArgs) -> anyhow::Result<u8> {
    let signal = parse_signal(&args.signal)?;
    let mut names = args.containers.clone();
    names.extend(read_cidfiles(&args.cidfile)?);
    if args.all && !names.is_empty() {
        anyhow::bail!("no arguments are needed with --all");
    }
    if !args.all && names.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    let client = crate::connection::connect(global).await?;
    let targets: Vec<String> = if args.all {
        container_ids_where(&client, &[], |state| state == "running").await?
    } else {
        check_all_exist(&client, &names).await?;
        names
    };
    let mut errors = Vec::new();
    for target in &targets {
        match containers::kill(&client, target, &signal).await {
            Ok(()) => print_line(target)?,
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}

/// Checks a signal name or number the way podman does before sending it,
/// and returns what to send.
pub fn parse_signal(signal: &str) -> anyhow::Result<String> {
    if let Ok(number) = signal.parse::<i64>() {
        if !(1..=64).contains(&number) {
            anyhow::bail!("valid signals are 1 through 64");
        }
        return Ok(number.to_string());
    }
    let upper = signal.to_ascii_uppercase();
    let name = upper.strip_prefix("SIG").unwrap_or(&upper);
    if SIGNALS.contains(&name) || is_realtime(name) {
        return Ok(signal.to_string());
    }
    anyhow::bail!("invalid signal: {signal}")
}

/// `RTMIN`, `RTMIN+n`, `RTMAX-n` and friends.
fn is_realtime(name: &str) -> bool {
    let rest = name
        .strip_prefix("RTMIN")
        .or_else(|| name.strip_prefix("RTMAX"));
    match rest {
        Some("") => true,
        Some(offset) => offset[1..].parse::<u8>().is_ok() && matches!(&offset[..1], "+" | "-"),
        None => false,
    }
}

const SIGNALS: &[&str] = &[
    "ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "IOT", "KILL",
    "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP", "TSTP",
    "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_are_checked_like_podman() {
        assert_eq!(parse_signal("KILL").unwrap(), "KILL");
        assert_eq!(parse_signal("sigterm").unwrap(), "sigterm");
        assert_eq!(parse_signal("9").unwrap(), "9");
        assert_eq!(parse_signal("RTMIN+3").unwrap(), "RTMIN+3");
        assert_eq!(
            parse_signal("65").unwrap_err().to_string(),
            "valid signals are 1 through 64"
        );
        assert_eq!(
            parse_signal("NOPE").unwrap_err().to_string(),
            "invalid signal: NOPE"
        );
    }
}
