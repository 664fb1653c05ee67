//! How `roster rebuild` shows its progress: a bar with rate and ETA on a terminal, log lines
//! (at most one a second) otherwise.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use projector::Progress;

pub struct RebuildProgress {
    bar: Option<ProgressBar>,
    started: Instant,
    last_log: Mutex<Option<Instant>>,
}

const LOG_EVERY: Duration = Duration::from_secs(1);

impl Default for RebuildProgress {
    fn default() -> Self {
        Self::new()
    }
}

impl RebuildProgress {
    pub fn new() -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template(
                    "rebuilding [{bar:40}] position {pos}/{len} · {msg} · ETA {eta}",
                )
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
            bar
        });
        Self {
            bar,
            started: Instant::now(),
            last_log: Mutex::new(None),
        }
    }

    fn rate(&self, events: u64) -> u64 {
        (events as f64 / self.started.elapsed().as_secs_f64().max(1e-3)) as u64
    }

    pub fn update(&self, p: Progress) {
        let rate = self.rate(p.events);
        if let Some(bar) = &self.bar {
            bar.set_length(p.target.max(0) as u64);
            bar.set_position(p.position.max(0) as u64);
            bar.set_message(format!("{} events, {rate} events/s", p.events));
            return;
        }
        let mut last = self.last_log.lock().unwrap_or_else(|e| e.into_inner());
        let due = last.is_none_or(|t| t.elapsed() >= LOG_EVERY) || p.position >= p.target;
        if due {
            *last = Some(Instant::now());
            let remaining = (p.target - p.position).max(0) as f64;
            let per_position = self.started.elapsed().as_secs_f64() / p.position.max(1) as f64;
            tracing::info!(
                events = p.events,
                position = p.position,
                target = p.target,
                events_per_s = rate,
                eta_s = (remaining * per_position).round() as u64,
                "rebuilding"
            );
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}
