//! Resident memory as the kernel counts it: of this process (the bench: app and clients) or of
//! another (a `roster serve` of its own), now and its peak over a stretch of the run.
//!
//! The peak is the kernel's own high-water mark (`VmHWM`), reset at the start of a stretch by
//! writing `5` to `/proc/<pid>/clear_refs`: exact, with no sampler to miss a short spike.

/// What `/proc/<pid>/status` says of a process's memory, in KiB, and its thread count.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Status {
    pub rss: u64,
    /// The peak since the process began or the last reset.
    pub peak: u64,
    /// Heap and other private memory.
    pub anon: u64,
    /// Pages of files (the binary's code, shared libraries) counted as resident.
    pub file: u64,
    pub threads: u64,
}

impl Status {
    /// Of process `pid` (`"self"` for this one); zeros when it is gone.
    pub fn of(pid: &str) -> Self {
        let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let field = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        Self {
            rss: field("VmRSS:"),
            peak: field("VmHWM:"),
            anon: field("RssAnon:"),
            file: field("RssFile:"),
            threads: field("Threads:"),
        }
    }

    /// `rss`, `anon` and `file` in MiB, and the threads: how a note says it.
    pub fn describe(&self) -> String {
        format!(
            "{:.0} MiB resident ({:.0} MiB private, {:.0} MiB of files), {} threads",
            mib(self.rss),
            mib(self.anon),
            mib(self.file),
            self.threads
        )
    }
}

pub(crate) fn mib(kib: u64) -> f64 {
    kib as f64 / 1024.0
}

/// Resets process `pid`'s peak to its current resident memory. Without the reset (an old
/// kernel), the peak is the process's since it began: an upper bound, never an understatement.
pub(crate) fn reset_peak(pid: &str) {
    let _ = std::fs::write(format!("/proc/{pid}/clear_refs"), "5");
}

/// The peak resident memory of this process from `start` to `finish`.
pub(crate) struct Peak {
    /// Resident memory at the start, in KiB.
    pub before: u64,
}

impl Peak {
    pub fn start() -> Self {
        reset_peak("self");
        Self {
            before: Status::of("self").rss,
        }
    }

    /// The peak in KiB since `start`.
    pub fn peak_kib(&self) -> u64 {
        let now = Status::of("self");
        now.peak.max(now.rss)
    }

    /// The peak in MiB since `start`.
    pub fn finish(self) -> f64 {
        mib(self.peak_kib())
    }

    /// How far the peak rose above the start, in MiB.
    pub fn grown_mib(&self) -> f64 {
        mib(self.peak_kib().saturating_sub(self.before))
    }
}
