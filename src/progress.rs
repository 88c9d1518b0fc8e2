//! Progress on stderr for long work: byte transfers (downloads, unpacking,
//! pulls) and named stages (boot steps). On a terminal it draws indicatif
//! bars and spinners; when stderr is not a terminal it prints a plain line per
//! step (and per 10% of a transfer); with `--quiet` it prints nothing.
//!
//! The libraries' `Reporter` traits are implemented here, on [`Progress`].

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{HumanBytes, HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// indicatif bars and spinners (stderr is a terminal).
    Interactive,
    /// One line per step on stderr (logs, CI, tests).
    Plain,
    /// Nothing.
    Quiet,
}

/// One transfer or stage being shown.
struct Current {
    label: String,
    started: Instant,
    start_position: u64,
    position: u64,
    total: Option<u64>,
    detail_bytes: u64,
    /// Plain mode: the last 10% step printed.
    printed_step: u64,
    bar: Option<ProgressBar>,
}

/// Progress output for one command.
pub struct Progress {
    mode: Mode,
    current: Mutex<Option<Current>>,
}

impl Progress {
    /// Chooses the mode from `quiet` and whether stderr is a terminal.
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Interactive
        } else {
            Mode::Plain
        };
        Self::with_mode(mode)
    }

    pub fn with_mode(mode: Mode) -> Self {
        Progress {
            mode,
            current: Mutex::new(None),
        }
    }

    /// Prints a line (above a running bar on a terminal).
    pub fn line(&self, text: &str) {
        match self.mode {
            Mode::Quiet => {}
            Mode::Plain => eprintln!("{text}"),
            Mode::Interactive => match self.lock().as_ref().and_then(|c| c.bar.as_ref()) {
                Some(bar) => bar.println(text),
                None => eprintln!("{text}"),
            },
        }
    }

    /// Starts a named stage without a byte count (a spinner on a terminal).
    pub fn stage(&self, text: &str) {
        self.end(None);
        let bar = (self.mode == Mode::Interactive).then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            bar.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            bar.set_message(text.to_string());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        if self.mode == Mode::Plain {
            eprintln!("{text}...");
        }
        *self.lock() = Some(Current::new(text, 0, None, bar));
    }

    /// Starts a transfer of `total` bytes (when known), `position` of them done.
    pub fn start_bytes(&self, label: &str, position: u64, total: Option<u64>) {
        self.end(None);
        let bar = (self.mode == Mode::Interactive).then(|| {
            let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
            let template = if total.is_some() {
                "{msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}"
            } else {
                "{spinner} {msg} {bytes} {binary_bytes_per_sec}"
            };
            bar.set_style(
                ProgressStyle::with_template(template)
                    .unwrap_or_else(|_| ProgressStyle::default_bar())
                    .progress_chars("=> "),
            );
            bar.set_message(label.to_string());
            bar.set_position(position);
            bar.reset_eta();
            bar
        });
        if self.mode == Mode::Plain {
            match total {
                Some(total) => eprintln!(
                    "{label}: {} to transfer",
                    HumanBytes(total.saturating_sub(position))
                ),
                None => eprintln!("{label}: transferring"),
            }
        }
        *self.lock() = Some(Current::new(label, position, total, bar));
    }

    /// Updates the transfer: `position` bytes done; `detail_bytes` is shown
    /// beside it (e.g. bytes unpacked) when non-zero.
    pub fn set_bytes(&self, position: u64, detail_bytes: u64) {
        let mut guard = self.lock();
        let Some(current) = guard.as_mut() else {
            return;
        };
        current.position = position;
        let detail_changed = detail_bytes >> 23 != current.detail_bytes >> 23;
        current.detail_bytes = detail_bytes;
        if let Some(bar) = &current.bar {
            bar.set_position(position);
            if detail_changed {
                bar.set_message(format!(
                    "{} (unpacked {})",
                    current.label,
                    HumanBytes(detail_bytes)
                ));
            }
        }
        if self.mode == Mode::Plain {
            if let Some(total) = current.total.filter(|t| *t > 0) {
                let step = position.min(total) * 10 / total;
                if step > current.printed_step && step < 10 {
                    current.printed_step = step;
                    eprintln!(
                        "{}: {}% ({} of {}, {}/s)",
                        current.label,
                        step * 10,
                        HumanBytes(position),
                        HumanBytes(total),
                        HumanBytes(current.rate()),
                    );
                }
            }
        }
    }

    /// Ends the current transfer or stage with a one-line summary.
    pub fn finish(&self, summary: &str) {
        self.end(Some(summary));
    }

    fn end(&self, summary: Option<&str>) {
        let Some(current) = self.lock().take() else {
            return;
        };
        if let Some(bar) = &current.bar {
            bar.finish_and_clear();
        }
        let Some(summary) = summary else {
            return;
        };
        if self.mode == Mode::Quiet {
            return;
        }
        let elapsed = HumanDuration(current.started.elapsed());
        let line = if current.position > 0 {
            let unpacked = if current.detail_bytes > 0 {
                format!(", unpacked {}", HumanBytes(current.detail_bytes))
            } else {
                String::new()
            };
            format!(
                "{}: {summary}: {} in {elapsed} ({}/s){unpacked}",
                current.label,
                HumanBytes(current.position - current.start_position.min(current.position)),
                HumanBytes(current.rate()),
            )
        } else {
            format!("{}: {summary} in {elapsed}", current.label)
        };
        eprintln!("{line}");
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Current>> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Current {
    fn new(label: &str, position: u64, total: Option<u64>, bar: Option<ProgressBar>) -> Self {
        Current {
            label: label.to_string(),
            started: Instant::now(),
            start_position: position,
            position,
            total,
            detail_bytes: 0,
            printed_step: total
                .filter(|t| *t > 0)
                .map_or(0, |t| position.min(t) * 10 / t),
            bar,
        }
    }

    fn rate(&self) -> u64 {
        let seconds = self.started.elapsed().as_secs_f64();
        if seconds > 0.0 {
            (self.position.saturating_sub(self.start_position) as f64 / seconds) as u64
        } else {
            0
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.end(None);
    }
}

impl berth_images::Reporter for Progress {
    fn message(&self, text: &str) {
        self.line(text);
    }

    fn start(&self, label: &str, position: u64, total: Option<u64>) {
        self.start_bytes(label, position, total);
    }

    fn progress(&self, downloaded: u64, unpacked: u64) {
        self.set_bytes(downloaded, unpacked);
    }

    fn finish(&self, summary: &str) {
        Progress::finish(self, summary);
    }
}
