//! An attached session: the bytes of a container's or exec session's
//! hijacked connection joined to the local terminal or pipes, the way
//! podman's remote client joins them.
//!
//! - stdin is read on its own thread (a blocking terminal read cannot be
//!   cancelled) and passed on, minus the detach keys; its end half-closes
//!   the connection so the process sees end of file;
//! - output is copied as is with a tty, else split into stdout and stderr
//!   frames;
//! - with a tty, the terminal is raw for the whole session and window
//!   changes (SIGWINCH) resize the remote tty;
//! - SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1 and SIGUSR2 are sent to the
//!   container when signals are proxied; otherwise they end the session,
//!   so the terminal is restored whatever way berth leaves.

use std::io::Write;

use anyhow::Context;
use berth_client::stream::{Demux, StreamKind, Upgraded};
use berth_client::Client;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;

use crate::terminal::{self, DetachKeys, DetachScanner, RawMode};

/// How an attached container session ended, for `run` and `start -a`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The container exited with this code.
    Exited(i32),
    /// The user detached; the container keeps running.
    Detached,
    /// A signal ended the session without being proxied.
    Signalled(i32),
}

/// Where attaching failed: before the session (attach or start refused,
/// e.g. the command does not exist) or while it ran.
#[derive(Debug)]
pub enum AttachFailure {
    Engine(berth_client::Error),
    Session(anyhow::Error),
}

/// Attaches to container `id`, starts it when `start` is set, joins its
/// streams to the local side and returns its exit code (podman's
/// `startAndAttach` followed by `wait`).
pub async fn attach_and_wait(
    client: &Client,
    id: &str,
    options: &SessionOptions,
    detach_keys: &str,
    start: bool,
) -> Result<Outcome, AttachFailure> {
    let attach = berth_client::api::containers::AttachOptions {
        stdin: options.stdin,
        stdout: options.stdout,
        stderr: options.stderr,
        logs: false,
        detach_keys: Some(detach_keys.to_string()),
    };
    let stream = berth_client::api::containers::attach(client, id, &attach)
        .await
        .map_err(AttachFailure::Engine)?;
    let _terminal = LocalTerminal::prepare(client, options)
        .await
        .map_err(AttachFailure::Session)?;
    if start {
        berth_client::api::containers::start(client, id, Some(detach_keys))
            .await
            .map_err(AttachFailure::Engine)?;
    }
    let end = pump(client, stream, options)
        .await
        .map_err(AttachFailure::Session)?;
    drop(_terminal);
    match end {
        SessionEnd::Detached => Ok(Outcome::Detached),
        SessionEnd::Signalled(signal) => Ok(Outcome::Signalled(signal)),
        SessionEnd::Finished => exit_code(client, id)
            .await
            .map(Outcome::Exited)
            .map_err(AttachFailure::Engine),
    }
}

/// The exit code of a container that has stopped. When it is already gone
/// (`--rm` removed it first), the code comes from its `died` event.
pub async fn exit_code(client: &Client, id: &str) -> Result<i32, berth_client::Error> {
    match berth_client::api::containers::wait(client, id, &[]).await {
        Ok(code) => Ok(code),
        Err(err) if err.is_not_found() => {
            let mut filters = berth_client::api::containers::Filters::new();
            filters.insert("container".into(), vec![id.to_string()]);
            filters.insert("event".into(), vec!["died".into()]);
            let events = berth_client::api::events::past(client, &filters).await?;
            let code = events
                .iter()
                .rev()
                .find_map(|event| event.actor.attributes.get("containerExitCode"))
                .and_then(|code| code.parse().ok());
            code.ok_or(err)
        }
        Err(err) => Err(err),
    }
}

/// What a session resizes when the local window changes.
#[derive(Debug, Clone)]
pub enum TtyTarget {
    Container(String),
    Exec(String),
}

/// How to join the stream to the local side.
#[derive(Debug, Clone)]
pub struct SessionOptions {
    /// The remote side has a tty: raw bytes, no stdout/stderr frames.
    pub tty: bool,
    /// Forward local stdin.
    pub stdin: bool,
    /// Print the remote stdout / stderr.
    pub stdout: bool,
    pub stderr: bool,
    pub detach_keys: DetachKeys,
    /// What to resize (only with a tty).
    pub resize: Option<TtyTarget>,
    /// The container to proxy signals to.
    pub proxy_signals_to: Option<String>,
}

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEnd {
    /// The remote side closed its output (the process exited).
    Finished,
    /// The user typed the detach keys.
    Detached,
    /// A signal ended the session (not proxied); berth should exit 128+n.
    Signalled(i32),
}

/// The local terminal prepared for a session: raw mode (undone on drop)
/// and the initial remote tty size.
pub struct LocalTerminal {
    _raw: Option<RawMode>,
}

impl LocalTerminal {
    /// Makes the terminal raw when a tty session reads a terminal stdin, and
    /// sends the window size to the remote tty.
    pub async fn prepare(client: &Client, options: &SessionOptions) -> anyhow::Result<Self> {
        let raw = if options.tty && options.stdin && terminal::stdin_is_terminal() {
            Some(RawMode::enable_stdin().context("setting the terminal to raw mode")?)
        } else {
            None
        };
        if options.tty {
            resize(client, options.resize.as_ref()).await;
        }
        Ok(LocalTerminal { _raw: raw })
    }
}

/// Sends the local window size to the remote tty; failures are ignored as
/// podman ignores them (the process may already be gone).
async fn resize(client: &Client, target: Option<&TtyTarget>) {
    let (Some(target), Some(size)) = (target, terminal::window_size()) else {
        return;
    };
    let _ = match target {
        TtyTarget::Container(id) => {
            berth_client::api::containers::resize(client, id, size.rows, size.cols).await
        }
        TtyTarget::Exec(id) => {
            berth_client::api::exec::resize(client, id, size.rows, size.cols).await
        }
    };
}

/// Joins `stream` to the local side until the remote output ends, the user
/// detaches or a signal ends it. Call [`LocalTerminal::prepare`] first for
/// tty sessions.
pub async fn pump(
    client: &Client,
    stream: Upgraded,
    options: &SessionOptions,
) -> anyhow::Result<SessionEnd> {
    let (mut reader, mut writer) = tokio::io::split(stream);
    let mut input = options.stdin.then(spawn_stdin_reader);
    let mut scanner = DetachScanner::new(&options.detach_keys);
    let mut signals = Signals::new(options.tty)?;

    let output = async {
        if options.tty {
            copy_raw(&mut reader, options.stdout).await
        } else {
            copy_frames(&mut reader, options.stdout, options.stderr).await
        }
    };
    tokio::pin!(output);

    let mut forwarded = Vec::new();
    loop {
        tokio::select! {
            result = &mut output => {
                result?;
                return Ok(SessionEnd::Finished);
            }
            chunk = recv_input(&mut input) => {
                match chunk {
                    Some(bytes) => {
                        forwarded.clear();
                        let detached = scanner.feed(&bytes, &mut forwarded);
                        if !forwarded.is_empty() {
                            // The process may have exited and closed its stdin;
                            // its output and exit code still tell the story.
                            if writer.write_all(&forwarded).await.is_err() {
                                input = None;
                            }
                        }
                        if detached {
                            return Ok(SessionEnd::Detached);
                        }
                    }
                    None => {
                        // End of local input: half-close so the process sees EOF.
                        input = None;
                        let _ = writer.shutdown().await;
                    }
                }
            }
            signal = signals.next() => {
                match signal {
                    Some(Signal::WindowChange) if options.tty => {
                        resize(client, options.resize.as_ref()).await;
                    }
                    Some(Signal::Other(number, name)) => match &options.proxy_signals_to {
                        Some(id) => {
                            let _ = berth_client::api::containers::kill(client, id, name).await;
                        }
                        None => return Ok(SessionEnd::Signalled(number)),
                    },
                    _ => {}
                }
            }
        }
    }
}

async fn recv_input(input: &mut Option<mpsc::Receiver<Vec<u8>>>) -> Option<Vec<u8>> {
    match input {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

/// Reads stdin on a plain thread: a blocking read of a terminal cannot be
/// cancelled, and a tokio blocking task would hold up the runtime's
/// shutdown. The channel closes at end of input.
fn spawn_stdin_reader() -> mpsc::Receiver<Vec<u8>> {
    let (sender, receiver) = mpsc::channel(16);
    std::thread::spawn(move || {
        use std::io::Read;
        let mut stdin = std::io::stdin();
        let mut buffer = vec![0u8; 32 * 1024];
        loop {
            match stdin.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => {
                    if sender.blocking_send(buffer[..n].to_vec()).is_err() {
                        break;
                    }
                }
                Err(err) if err.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            }
        }
    });
    receiver
}

async fn copy_raw<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
    print: bool,
) -> anyhow::Result<()> {
    let mut buffer = vec![0u8; 32 * 1024];
    loop {
        let n = match reader.read(&mut buffer).await {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            // A connection reset after the process exited ends the stream too.
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionReset => return Ok(()),
            Err(err) => return Err(err).context("reading the container's output"),
        };
        if print {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&buffer[..n])?;
            stdout.flush()?;
        }
    }
}

async fn copy_frames<R: tokio::io::AsyncRead + Unpin>(
    reader: &mut R,
    stdout: bool,
    stderr: bool,
) -> anyhow::Result<()> {
    let mut demux = Demux::new(reader);
    loop {
        let frame = match demux.next_frame().await {
            Ok(Some(frame)) => frame,
            Ok(None) => return Ok(()),
            Err(err)
                if matches!(
                    err.kind(),
                    std::io::ErrorKind::UnexpectedEof | std::io::ErrorKind::ConnectionReset
                ) =>
            {
                return Ok(())
            }
            Err(err) => return Err(err).context("reading the container's output"),
        };
        match frame.kind {
            StreamKind::Stderr if stderr => {
                let mut out = std::io::stderr().lock();
                out.write_all(&frame.data)?;
                out.flush()?;
            }
            StreamKind::Stdout | StreamKind::Stdin if stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(&frame.data)?;
                out.flush()?;
            }
            _ => {}
        }
    }
}

enum Signal {
    WindowChange,
    /// A signal to proxy or to end on: its number and podman's name for it.
    Other(i32, &'static str),
}

#[cfg(unix)]
struct Signals {
    window: Option<tokio::signal::unix::Signal>,
    others: Vec<(i32, &'static str, tokio::signal::unix::Signal)>,
}

#[cfg(unix)]
impl Signals {
    fn new(tty: bool) -> anyhow::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        let window = if tty {
            Some(signal(SignalKind::window_change()).context("watching window changes")?)
        } else {
            None
        };
        let mut others = Vec::new();
        for (number, name) in [
            (libc::SIGINT, "SIGINT"),
            (libc::SIGTERM, "SIGTERM"),
            (libc::SIGHUP, "SIGHUP"),
            (libc::SIGQUIT, "SIGQUIT"),
            (libc::SIGUSR1, "SIGUSR1"),
            (libc::SIGUSR2, "SIGUSR2"),
        ] {
            let stream =
                signal(SignalKind::from_raw(number)).with_context(|| format!("watching {name}"))?;
            others.push((number, name, stream));
        }
        Ok(Signals { window, others })
    }

    async fn next(&mut self) -> Option<Signal> {
        use std::future::poll_fn;
        use std::task::Poll;
        poll_fn(|cx| {
            if let Some(window) = self.window.as_mut() {
                if window.poll_recv(cx).is_ready() {
                    return Poll::Ready(Some(Signal::WindowChange));
                }
            }
            for (number, name, stream) in &mut self.others {
                if stream.poll_recv(cx).is_ready() {
                    return Poll::Ready(Some(Signal::Other(*number, name)));
                }
            }
            Poll::Pending
        })
        .await
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new(_tty: bool) -> anyhow::Result<Self> {
        Ok(Signals)
    }

    async fn next(&mut self) -> Option<Signal> {
        std::future::pending().await
    }
}
