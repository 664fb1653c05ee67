//! How long-running commands (`roster rebuild`, `roster replay`, `roster apply`) show their
//! progress: a bar with rate and ETA on a terminal, log lines (at most one a second) otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

pub struct Progress {
    /// What is going on (`rebuilding`, `replaying`).
    label: &'static str,
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Mutex<Option<Instant>>,
}

const LOG_EVERY: Duration = Duration::from_secs(1);

impl Progress {
    /// Progress through the log, by position.
    pub fn new(label: &'static str) -> Self {
        Self::counting(label, "position")
    }

    /// Progress through `unit`s (`organization`): `update`'s position is how many are done.
    pub fn counting(label: &'static str, unit: &'static str) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(&format!(
                    "{label} [{{bar:40}}] {unit} {{pos}}/{{len}} · {{msg}} · ETA {{eta}}"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        Self {
            label,
            bar,
            started: Instant::now(),
            last_log: Mutex::new(None),
        }
    }

    fn rate(&self, events: u64) -> u64 {
        (events as f64 / self.started.elapsed().as_secs_f64().max(1e-3)) as u64
    }

    /// `events` handled so far, the position reached, and the position to reach.
    pub fn update(&self, events: u64, position: i64, target: i64) {
        let rate = self.rate(events);
        if let Some(bar) = &self.bar {
            bar.set_length(target.max(0) as u64);
            bar.set_position(position.max(0) as u64);
            bar.set_message(format!("{events} events, {rate} events/s"));
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= LOG_EVERY) || position >= target;
        if due {
            *last = Some(Instant::now());
            let remaining = (target - position).max(0) as f64;
            let per_position = self.started.elapsed().as_secs_f64() / position.max(1) as f64;
            tracing::info!(
                events,
                position,
                target,
                events_per_s = rate,
                eta_s = (remaining * per_position).round() as u64,
                "{}",
                self.label
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
