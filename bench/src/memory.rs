//! The process's resident memory: now, and its peak over a stretch of the run.
//!
//! The peak is the kernel's own high-water mark (`VmHWM`), reset at the start of a stretch by
//! writing `5` to `/proc/self/clear_refs`: exact, with no sampler to miss a short spike.

/// Resident memory of this process, in KiB.
pub(crate) fn rss_kib() -> u64 {
    status_kib("VmRSS:")
}

fn status_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// The peak resident memory from `start` to `finish`.
pub(crate) struct Peak {
    /// Resident memory at the start, in KiB.
    pub before: u64,
}

impl Peak {
    pub fn start() -> Self {
        // Without the reset (an old kernel), the peak is the process's since it began: an
        // upper bound, never an understatement.
        let _ = std::fs::write("/proc/self/clear_refs", "5");
        Self { before: rss_kib() }
    }

    /// The peak in KiB since `start`.
    pub fn peak_kib(&self) -> u64 {
        status_kib("VmHWM:").max(rss_kib())
    }

    /// The peak in MiB since `start`.
    pub fn finish(self) -> f64 {
        self.peak_kib() as f64 / 1024.0
    }

    /// How far the peak rose above the start, in MiB.
    pub fn grown_mib(&self) -> f64 {
        self.peak_kib().saturating_sub(self.before) as f64 / 1024.0
    }
}
