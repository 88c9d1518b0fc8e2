//! Command-line usage errors worded like podman's (cobra and pflag): one
//! `Error:` line, plus the `See 'berth ps --help'` hint for flag errors or
//! the `Try 'berth --help'` hint for unknown commands, instead of clap's
//! own multi-line layout.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::CommandFactory;

/// What to print for a usage error: the text for stderr (without the
/// leading `Error: `), and help text for stdout when podman prints the
/// command's help first (a command group called without a command).
pub struct UsageError {
    pub message: String,
    pub hint: Option<String>,
    pub help: Option<String>,
}

/// Rewords a clap error the way podman reports the same mistake; `argv`
/// is the command line (it tells which subcommand failed).
pub fn podman_style(err: &clap::Error, argv: &[String]) -> UsageError {
    let path = command_path(argv);
    let see = Some(format!("See '{} --help'", path.join(" ")));
    let arg = string(err, ContextKind::InvalidArg);
    let value = string(err, ContextKind::InvalidValue);
    match err.kind() {
        ErrorKind::UnknownArgument => {
            let arg = arg.unwrap_or_default();
            if let Some(long) = arg.strip_prefix("--") {
                let name = long.split('=').next().unwrap_or(long);
                UsageError::new(format!("unknown flag: --{name}"), see)
            } else if let Some(short) = arg.strip_prefix('-') {
                let letter = short.chars().next().unwrap_or('-');
                UsageError::new(format!("unknown shorthand flag: '{letter}' in {arg}"), see)
            } else if takes_no_arguments(&path) {
                UsageError::new(format!("`{}` takes no arguments", path.join(" ")), None)
            } else if let Some((min, max)) = positional_bounds(&path) {
                let received = positionals(argv).len();
                let message = if min == max {
                    format!("accepts {max} arg(s), received {received}")
                } else if is_range_args(&path) {
                    format!("accepts between {min} and {max} arg(s), received {received}")
                } else {
                    format!("accepts at most {max} arg(s), received {received}")
                };
                UsageError::new(message, None)
            } else {
                UsageError::new(format!("unexpected argument {arg:?}"), see)
            }
        }
        ErrorKind::InvalidSubcommand => {
            let name = string(err, ContextKind::InvalidSubcommand).unwrap_or_default();
            let mut message = format!("unrecognized command `{} {name}`", path.join(" "));
            let suggestions = suggest_commands(&path, &name);
            if !suggestions.is_empty() {
                message.push_str("\n\nDid you mean this?");
                for suggestion in suggestions {
                    message.push_str(&format!("\n\t{suggestion}"));
                }
                message.push('\n');
            }
            UsageError::new(
                message,
                Some(format!(
                    "Try '{} --help' for more information",
                    path.join(" ")
                )),
            )
        }
        ErrorKind::InvalidValue if value.as_deref().unwrap_or_default().is_empty() => {
            UsageError::new(
                format!(
                    "flag needs an argument: {}",
                    flag_name(&arg.unwrap_or_default())
                ),
                see,
            )
        }
        ErrorKind::InvalidValue if arg.as_deref().unwrap_or_default().starts_with('<') => {
            // A positional with fixed choices: cobra names the command, not a flag.
            let choices = strings(err, ContextKind::ValidValue).join(", ");
            UsageError::new(
                format!(
                    "invalid argument {:?} for {:?}: choose from {choices}",
                    value.unwrap_or_default(),
                    path.join(" ")
                ),
                see,
            )
        }
        ErrorKind::InvalidValue => {
            let choices = strings(err, ContextKind::ValidValue).join(", ");
            let value = value.unwrap_or_default();
            UsageError::new(
                format!(
                    "invalid argument {value:?} for \"{}\" flag: {value:?} is not a valid value.  Choose from: \"{choices}\"",
                    flag_display(&path, &arg.unwrap_or_default())
                ),
                see,
            )
        }
        ErrorKind::ValueValidation => {
            let value = value.unwrap_or_default();
            let reason = std::error::Error::source(err)
                .map(|source| source.to_string())
                .unwrap_or_else(|| "invalid syntax".to_string());
            UsageError::new(
                format!(
                    "invalid argument {value:?} for \"{}\" flag: {reason}",
                    flag_display(&path, &arg.unwrap_or_default())
                ),
                see,
            )
        }
        ErrorKind::MissingRequiredArgument => {
            let missing = strings(err, ContextKind::InvalidArg);
            let missing_positionals = missing.iter().filter(|arg| arg.starts_with('<')).count();
            if missing_positionals == 0 {
                return UsageError::new(first_line(err), see);
            }
            let required = required_positionals(&path).max(missing_positionals);
            let received = required - missing_positionals;
            let message = match positional_bounds(&path) {
                Some((min, max)) if min == max => {
                    format!("accepts {max} arg(s), received {received}")
                }
                Some((min, max)) if is_range_args(&path) => {
                    format!("accepts between {min} and {max} arg(s), received {received}")
                }
                _ => format!("requires at least {required} arg(s), only received {received}"),
            };
            UsageError::new(message, None)
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let help = find_command(&path).map(|mut command| command.render_help().to_string());
            UsageError {
                message: format!("missing command '{} COMMAND'", path.join(" ")),
                hint: None,
                help,
            }
        }
        _ => UsageError::new(first_line(err), see),
    }
}

impl UsageError {
    fn new(message: String, hint: Option<String>) -> Self {
        UsageError {
            message,
            hint,
            help: None,
        }
    }
}

/// The words of the command that failed (`["berth", "container", "ls"]`):
/// the subcommands named on the command line, skipping flags and their
/// values.
fn command_path(argv: &[String]) -> Vec<String> {
    walk(argv).0
}

/// The positional arguments given to the command that failed.
fn positionals(argv: &[String]) -> Vec<String> {
    walk(argv).1
}

/// Follows `argv` down the command tree: the subcommand path, then the
/// positional arguments after it (flags and their values skipped).
fn walk(argv: &[String]) -> (Vec<String>, Vec<String>) {
    let root = crate::cli::Cli::command();
    let mut path = vec![root.get_name().to_string()];
    let mut positionals = Vec::new();
    let mut current = root.clone();
    let mut args = argv.iter().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--" {
            positionals.extend(args.cloned());
            break;
        }
        if let Some(flag) = arg.strip_prefix('-') {
            if !arg.contains('=') && takes_value(&current, &root, flag) {
                args.next();
            }
            continue;
        }
        match current.find_subcommand(arg).cloned() {
            Some(sub) if positionals.is_empty() => {
                path.push(sub.get_name().to_string());
                current = sub;
            }
            _ => positionals.push(arg.clone()),
        }
    }
    (path, positionals)
}

/// How many positional arguments the command takes, when it takes a
/// fixed set of single values (`history IMAGE`, `images [IMAGE]`).
/// cobra's suggestions for a mistyped command: the subcommands of `path`
/// within Levenshtein distance 2 of `typed` or starting with it, nearest
/// first.
fn suggest_commands(path: &[String], typed: &str) -> Vec<String> {
    let Some(command) = find_command(path) else {
        return Vec::new();
    };
    let mut found: Vec<(usize, String)> = command
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .map(|sub| sub.get_name().to_string())
        .filter_map(|name| {
            let distance = levenshtein(typed, &name);
            (distance <= 2 || name.starts_with(typed)).then_some((distance, name))
        })
        .collect();
    found.sort_by_key(|(distance, _)| *distance);
    found.into_iter().map(|(_, name)| name).collect()
}

/// The edit distance between two words (case-insensitive, as cobra's).
fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.to_lowercase().chars().collect();
    let b: Vec<char> = b.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

/// Commands whose positionals podman checks with cobra's `RangeArgs`.
const RANGE_ARGS: &[&str] = &["commit", "import", "push", "scp", "clone"];

/// Whether the command's verb takes a range of arguments in cobra's
/// `RangeArgs` wording.
fn is_range_args(path: &[String]) -> bool {
    path.last()
        .is_some_and(|verb| RANGE_ARGS.contains(&verb.as_str()))
}

fn positional_bounds(path: &[String]) -> Option<(usize, usize)> {
    let command = find_command(path)?;
    let mut min = 0;
    let mut max = 0;
    for arg in command.get_positionals() {
        let many = matches!(arg.get_action(), clap::ArgAction::Append)
            || arg.get_num_args().is_some_and(|n| n.max_values() > 1);
        if many {
            return None;
        }
        max += 1;
        if arg.is_required_set() {
            min += 1;
        }
    }
    (max > 0).then_some((min, max))
}

/// Whether `flag` (without its first dash: `-url`, `c`) takes a value in
/// `command` or among the global flags.
fn takes_value(command: &clap::Command, root: &clap::Command, flag: &str) -> bool {
    let matches = |arg: &clap::Arg| match flag.strip_prefix('-') {
        Some(long) => arg.get_long() == Some(long),
        None => flag
            .chars()
            .last()
            .is_some_and(|c| arg.get_short() == Some(c)),
    };
    command
        .get_arguments()
        .chain(root.get_arguments())
        .find(|arg| matches(arg))
        .is_some_and(|arg| {
            arg.get_action().takes_values() && arg.get_num_args().is_none_or(|n| n.min_values() > 0)
        })
}

/// The clap command at `path` (`["berth", "container", "ls"]`).
fn find_command(path: &[String]) -> Option<clap::Command> {
    let mut command = crate::cli::Cli::command();
    // Building names every subcommand by its full path (`berth container`).
    command.build();
    for name in path.iter().skip(1) {
        command = command.find_subcommand(name)?.clone();
    }
    Some(command)
}

fn takes_no_arguments(path: &[String]) -> bool {
    find_command(path).is_some_and(|command| command.get_positionals().next().is_none())
}

fn required_positionals(path: &[String]) -> usize {
    find_command(path).map_or(0, |command| {
        command
            .get_positionals()
            .filter(|arg| arg.is_required_set())
            .count()
    })
}

/// `--format <FORMAT>` as `--format`.
fn flag_name(arg: &str) -> String {
    arg.split([' ', '=']).next().unwrap_or(arg).to_string()
}

/// pflag's name for a flag in messages: `-t, --time` or `--sort`.
fn flag_display(path: &[String], arg: &str) -> String {
    let long = flag_name(arg);
    let short = find_command(path).and_then(|command| {
        command
            .get_arguments()
            .find(|a| a.get_long().is_some_and(|l| format!("--{l}") == long))
            .and_then(|a| a.get_short())
    });
    match short {
        Some(short) => format!("-{short}, {long}"),
        None => long,
    }
}

fn string(err: &clap::Error, kind: ContextKind) -> Option<String> {
    match err.get(kind)? {
        ContextValue::String(text) => Some(text.clone()),
        ContextValue::Strings(texts) => texts.first().cloned(),
        ContextValue::StyledStr(text) => Some(text.to_string()),
        _ => None,
    }
}

fn strings(err: &clap::Error, kind: ContextKind) -> Vec<String> {
    match err.get(kind) {
        Some(ContextValue::Strings(texts)) => texts.clone(),
        Some(ContextValue::String(text)) => vec![text.clone()],
        _ => Vec::new(),
    }
}

/// clap's own message, first line, without its `error: ` prefix.
fn first_line(err: &clap::Error) -> String {
    let text = err.render().to_string();
    let line = text.lines().next().unwrap_or_default();
    line.strip_prefix("error: ").unwrap_or(line).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn usage(args: &[&str]) -> String {
        let mut argv = vec!["berth"];
        argv.extend_from_slice(args);
        let err = crate::cli::Cli::try_parse_from(&argv).unwrap_err();
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let usage = podman_style(&err, &argv);
        match usage.hint {
            Some(hint) => format!("{}\n{hint}", usage.message),
            None => usage.message,
        }
    }

    #[test]
    fn flag_errors_read_like_podman() {
        assert_eq!(
            usage(&["ps", "--foo"]),
            "unknown flag: --foo\nSee 'berth ps --help'"
        );
        assert_eq!(
            usage(&["run", "-Z", "x"]),
            "unknown shorthand flag: 'Z' in -Z\nSee 'berth run --help'"
        );
        assert_eq!(
            usage(&["ps", "--format"]),
            "flag needs an argument: --format\nSee 'berth ps --help'"
        );
        assert_eq!(
            usage(&["ps", "--sort", "nope"]),
            "invalid argument \"nope\" for \"--sort\" flag: \"nope\" is not a valid value.  Choose from: \"command, created, id, image, names, runningfor, size, status\"\nSee 'berth ps --help'"
        );
        assert_eq!(
            usage(&["completion", "tcsh"]),
            "invalid argument \"tcsh\" for \"berth completion\": choose from bash, zsh, fish, powershell\nSee 'berth completion --help'"
        );
        assert!(usage(&["stop", "-t", "abc", "x"])
            .starts_with("invalid argument \"abc\" for \"-t, --time\" flag: "));
    }

    #[test]
    fn argument_and_command_errors_read_like_podman() {
        assert_eq!(usage(&["ps", "extra"]), "`berth ps` takes no arguments");
        assert_eq!(
            usage(&["images", "a", "b"]),
            "accepts at most 1 arg(s), received 2"
        );
        assert_eq!(
            usage(&["history", "a", "b"]),
            "accepts 1 arg(s), received 2"
        );
        assert_eq!(usage(&["history"]), "accepts 1 arg(s), received 0");
        assert_eq!(
            usage(&["run"]),
            "requires at least 1 arg(s), only received 0"
        );
        assert_eq!(
            usage(&["tag", "a"]),
            "requires at least 2 arg(s), only received 1"
        );
        assert_eq!(
            usage(&["container", "zzzzzz"]),
            "unrecognized command `berth container zzzzzz`\nTry 'berth container --help' for more information"
        );
        assert_eq!(
            usage(&["--url", "unix:///x", "ps", "--foo"]),
            "unknown flag: --foo\nSee 'berth ps --help'"
        );
        assert!(usage(&["pss"])
            .starts_with("unrecognized command `berth pss`\n\nDid you mean this?\n\tps"));
        assert_eq!(
            usage(&["container"]),
            "missing command 'berth container COMMAND'"
        );
    }
}
