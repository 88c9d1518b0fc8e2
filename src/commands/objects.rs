//! What the pod, volume, network, secret, kube and system housekeeping
//! commands share: podman's `key=value` option maps, `--filter` maps,
//! `--format json` of the engine's own objects, confirmation prompts, and
//! the refusal of commands that podman's remote client does not offer.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};

use berth_client::api::containers::Filters;

use crate::exit::{ExitError, GENERIC_ERROR};

/// podman's `parse.GetAllLabels` for `--label` / `--opt`: `key=value`, or
/// a bare `key` with an empty value.
pub fn key_values(entries: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut map = BTreeMap::new();
    for entry in entries {
        let (key, value) = entry.split_once('=').unwrap_or((entry, ""));
        if key.is_empty() {
            anyhow::bail!("invalid label format: {entry:?}");
        }
        map.insert(key.to_string(), value.to_string());
    }
    Ok(map)
}

/// podman's `parse.FilterArgumentsIntoFilters`: each `--filter key=value`.
pub fn filter_map(filters: &[String]) -> anyhow::Result<Filters> {
    let mut map = Filters::new();
    for filter in filters {
        let Some((key, value)) = filter.split_once('=') else {
            anyhow::bail!("filter input must be in the form of filter=value: {filter} is invalid");
        };
        map.entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    Ok(map)
}

/// A pflag string slice: every value split at commas (`-f a=1,b=2`).
pub fn split_commas(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|value| value.split(','))
        .filter(|value| !value.is_empty())
        .map(String::from)
        .collect()
}

/// Go's `net.ParseMAC` for the usual `aa:bb:cc:dd:ee:ff` / `aa-bb-...`
/// forms (6, 8 or 20 groups).
pub fn check_mac(mac: &str) -> anyhow::Result<()> {
    let groups: Vec<&str> = mac.split([':', '-']).collect();
    let valid = matches!(groups.len(), 6 | 8 | 20)
        && groups
            .iter()
            .all(|group| group.len() == 2 && group.chars().all(|c| c.is_ascii_hexdigit()));
    if valid {
        Ok(())
    } else {
        anyhow::bail!("address {mac}: invalid MAC address")
    }
}

/// Prints the engine's objects as podman's `--format json` of list
/// commands does (json-iterator, two-space indent).
pub fn print_json_list(values: &[serde_json::Value]) -> anyhow::Result<u8> {
    let text =
        crate::output::json::to_string_jsoniter(&serde_json::Value::from(values.to_vec()), "  ")?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")?;
    stdout.flush()?;
    Ok(0)
}

/// Asks podman's prune question and reads the answer from stdin; true for
/// an answer starting with `y`.
pub fn confirm() -> anyhow::Result<bool> {
    let mut stdout = std::io::stdout().lock();
    write!(stdout, "Are you sure you want to continue? [y/N] ")?;
    stdout.flush()?;
    drop(stdout);
    let mut answer = String::new();
    if std::io::stdin().lock().read_line(&mut answer)? == 0 {
        // podman reports reading a closed stdin as EOF.
        anyhow::bail!("EOF");
    }
    Ok(answer.to_ascii_lowercase().starts_with('y'))
}

/// podman's answer for a command its remote client does not offer (the
/// command is hidden from help and exits 125).
pub fn refuse_remote(command_path: &str) -> anyhow::Result<u8> {
    anyhow::bail!("cannot use command \"berth {command_path}\" with the remote podman client")
}

/// [`refuse_remote`] for a command that takes no arguments (podman checks
/// that first).
pub fn refuse_remote_no_args(command_path: &str, args: &[String]) -> anyhow::Result<u8> {
    if !args.is_empty() {
        anyhow::bail!("`berth {command_path}` takes no arguments");
    }
    refuse_remote(command_path)
}

/// [`refuse_remote`] for a command that needs `min` arguments (podman
/// checks that first).
pub fn refuse_remote_min(command_path: &str, args: &[String], min: usize) -> anyhow::Result<u8> {
    if args.len() < min {
        anyhow::bail!(
            "requires at least {min} arg(s), only received {}",
            args.len()
        );
    }
    refuse_remote(command_path)
}

/// [`refuse_remote`] for a command whose argument check podman runs first
/// (`unmount`, `container cleanup`, `network reload`: at least one name).
pub fn refuse_remote_named(command_path: &str, args: &[String]) -> anyhow::Result<u8> {
    if args.is_empty() {
        anyhow::bail!("you must provide at least one name or id");
    }
    refuse_remote(command_path)
}

/// podman's `setExitCode` for the `rm` commands: 1 once something was
/// missing, 2 for an object in use.
pub(crate) fn removal_exit_code(
    current: u8,
    error: &str,
    missing: &str,
    in_use: Option<&str>,
) -> u8 {
    if error.contains(missing) {
        1
    } else if in_use.is_some_and(|in_use| error.contains(in_use)) && current != 1 {
        2
    } else {
        current
    }
}

/// podman's `OutputErrors.PrintErrors` with the exit code of `rm`: every
/// error but the last printed, the last returned with `code` (125 when 0).
pub(crate) fn finish_removal(mut errors: Vec<String>, code: u8) -> anyhow::Result<u8> {
    let Some(last) = errors.pop() else {
        return Ok(0);
    };
    for err in errors {
        eprintln!("Error: {err}");
    }
    Err(ExitError {
        code: if code == 0 { GENERIC_ERROR } else { code },
        message: last,
    }
    .into())
}

/// podman's prune output for pods, volumes and networks: each removed
/// object (after `heading` when asked, if anything was pruned), errors
/// printed as `Error:` lines with the last one returned. `reports` are
/// (name or id, error) pairs.
pub(crate) fn print_prune_results<'a>(
    heading: Option<&str>,
    reports: impl ExactSizeIterator<Item = (&'a str, Option<&'a str>)>,
) -> anyhow::Result<u8> {
    use crate::commands::container::{finish_with_errors, print_line};
    if let Some(heading) = heading.filter(|_| reports.len() > 0) {
        print_line(heading)?;
    }
    let mut errors = Vec::new();
    for (name, err) in reports {
        match err.filter(|err| !err.is_empty()) {
            Some(err) => errors.push(anyhow::anyhow!("{err}")),
            None => print_line(name)?,
        }
    }
    finish_with_errors(errors)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_filters_like_podman() {
        let map = key_values(&["a=b=c".into(), "bare".into()]).unwrap();
        assert_eq!(map["a"], "b=c");
        assert_eq!(map["bare"], "");
        assert!(key_values(&["=x".into()]).is_err());
        let filters = filter_map(&["label=a=b".into(), "label=c".into()]).unwrap();
        assert_eq!(filters["label"], ["a=b", "c"]);
        assert_eq!(
            filter_map(&["oops".into()]).unwrap_err().to_string(),
            "filter input must be in the form of filter=value: oops is invalid"
        );
        assert_eq!(
            split_commas(&["a=1,b=2".into(), "c".into()]),
            ["a=1", "b=2", "c"]
        );
    }

    #[test]
    fn macs_are_checked_like_go() {
        assert!(check_mac("92:d0:c6:0a:29:33").is_ok());
        assert!(check_mac("92-d0-c6-0a-29-33").is_ok());
        assert_eq!(
            check_mac("nope").unwrap_err().to_string(),
            "address nope: invalid MAC address"
        );
    }

    #[test]
    fn missing_wins_over_in_use() {
        let code = removal_exit_code(
            0,
            "x: volume is being used",
            "no such volume",
            Some("volume is being used"),
        );
        assert_eq!(code, 2);
        let code = removal_exit_code(
            code,
            "no such volume",
            "no such volume",
            Some("volume is being used"),
        );
        assert_eq!(code, 1);
        assert_eq!(
            removal_exit_code(
                1,
                "volume is being used",
                "no such volume",
                Some("volume is being used")
            ),
            1
        );
    }
}
