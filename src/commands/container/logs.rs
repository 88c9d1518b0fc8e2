//! `berth logs`: a container's log, stdout to stdout and stderr to stderr,
//! with `--follow`, `--tail`, `--since`/`--until` (times and durations
//! are read by the engine, on its own clock) and `--timestamps`.

use berth_client::api::containers::{self, LogsOptions};

use crate::cli::container::LogsArgs;
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: &LogsArgs) -> anyhow::Result<u8> {
    let client = crate::connection::connect(global).await?;
    let options = LogsOptions {
        follow: args.follow,
        since: args.since.clone(),
        until: args.until.clone(),
        timestamps: args.timestamps,
        tail: (args.tail >= 0).then_some(args.tail),
        ..LogsOptions::default()
    };
    let mut log = containers::logs(&client, &args.container, &options).await?;
    let mut stdout = SyncWriter(std::io::stdout());
    let mut stderr = SyncWriter(std::io::stderr());
    log.copy_to(&mut stdout, &mut stderr).await?;
    Ok(0)
}

/// A standard stream as an `AsyncWrite` that writes straight through: a
/// terminal or pipe write is short, and this keeps tokio's blocking pool
/// (and its shutdown wait) out of the way.
struct SyncWriter<W>(W);

impl<W: std::io::Write + Unpin> tokio::io::AsyncWrite for SyncWriter<W> {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        std::task::Poll::Ready(self.0.write(buf))
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(self.0.flush())
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
