//! `berth wait`: blocks until containers stop and prints each exit code.

use std::time::Duration;

use berth_client::api::containers;

use super::{check_all_exist, finish_with_errors, print_line};
use crate::cli::container::WaitArgs;
use crate::cli::GlobalArgs;

const CONDITIONS: &[&str] = &[
    "configured",
    "created",
    "exited",
    "healthy",
    "initialized",
    "paused",
    "removing",
    "running",
    "stopped",
    "stopping",
    "unhealthy",
    "unknown",
];

pub async fn run(global: &GlobalArgs, args: &WaitArgs) -> anyhow::Result<u8> {
    parse_interval(&args.interval)?;
    for condition in &args.conditions {
        if !CONDITIONS.contains(&condition.as_str()) {
            anyhow::bail!("unknown state: {condition:?}");
        }
    }
    let client = crate::connection::connect(global).await?;
    check_all_exist(&client, &args.containers).await?;
    let conditions: Vec<&str> = args.conditions.iter().map(String::as_str).collect();
    let mut errors = Vec::new();
    for container in &args.containers {
        match containers::wait(&client, container, &conditions).await {
            Ok(code) => print_line(&code.to_string())?,
            Err(err) => errors.push(err.into()),
        }
    }
    finish_with_errors(errors)
}

/// podman's `--interval`: a Go duration, or a number of milliseconds.
fn parse_interval(text: &str) -> anyhow::Result<Duration> {
    if let Ok(ms) = text.parse::<u64>() {
        return Ok(Duration::from_millis(ms));
    }
    let invalid = || anyhow::anyhow!("time: invalid duration {text:?}");
    let (number, unit) = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map(|at| text.split_at(at))
        .ok_or_else(invalid)?;
    let number: f64 = number.parse().map_err(|_| invalid())?;
    let seconds = match unit {
        "ns" => number / 1e9,
        "us" | "µs" => number / 1e6,
        "ms" => number / 1e3,
        "s" => number,
        "m" => number * 60.0,
        "h" => number * 3600.0,
        _ => return Err(invalid()),
    };
    Ok(Duration::from_secs_f64(seconds))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_like_podman() {
        assert_eq!(parse_interval("250ms").unwrap(), Duration::from_millis(250));
        assert_eq!(parse_interval("300").unwrap(), Duration::from_millis(300));
        assert_eq!(parse_interval("1s").unwrap(), Duration::from_secs(1));
        assert!(parse_interval("x").is_err());
    }
}
