//! Exit codes and error printing, the way podman does them.
//!
//! podman prints `Error: <message>` on stderr and exits 125 for its own
//! errors; 126 when a container command cannot be invoked, 127 when it is not
//! found, and a container's own status otherwise. A closed stdout (`berth ps |
//! head -1`) is not an error: berth exits quietly with 0.

use std::io;
use std::process::ExitCode;

/// podman's exit code for errors of the tool itself or of the engine.
pub const GENERIC_ERROR: u8 = 125;

/// An error that ends berth with a specific exit code instead of 125.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct ExitError {
    pub code: u8,
    pub message: String,
}

/// Prints `err` like podman (`Error: a: b: c`) and returns its exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    if is_broken_pipe(err) {
        return ExitCode::SUCCESS;
    }
    let code = err
        .chain()
        .find_map(|cause| cause.downcast_ref::<ExitError>())
        .map_or(GENERIC_ERROR, |exit| exit.code);
    eprintln!("Error: {err:#}");
    ExitCode::from(code)
}

/// Handles a command-line parse failure: help and version go to stdout with
/// exit 0, usage errors to stderr in podman's words with exit code 125.
pub fn clap_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // A closed stdout while printing help is not worth reporting.
            let _ = err.print();
            ExitCode::SUCCESS
        }
        _ => {
            let argv: Vec<String> = std::env::args_os()
                .map(|arg| arg.to_string_lossy().into_owned())
                .collect();
            let usage = crate::usage::podman_style(&err, &argv);
            if let Some(help) = usage.help {
                print!("{help}");
            }
            eprintln!("Error: {}", usage.message);
            if let Some(hint) = usage.hint {
                eprintln!("{hint}");
            }
            ExitCode::from(GENERIC_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|io_err| io_err.kind() == io::ErrorKind::BrokenPipe)
    })
}
