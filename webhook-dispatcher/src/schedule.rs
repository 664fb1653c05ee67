//! When to try a delivery again: the retry schedule with jitter, and `Retry-After`.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

/// Svix's schedule: the delay before each attempt (the first is immediate).
pub const DEFAULT: [Duration; 8] = [
    Duration::ZERO,
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(10 * 3600),
];

/// ±20 %.
const JITTER: f64 = 0.2;

#[derive(Debug, Clone)]
pub struct Schedule {
    /// Delay before attempt n+1 (index 0: the first attempt, due at once).
    pub delays: Vec<Duration>,
    /// The longest `Retry-After` honoured.
    pub retry_after_cap: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Self {
            delays: DEFAULT.to_vec(),
            retry_after_cap: Duration::from_secs(3600),
        }
    }
}

impl Schedule {
    /// After `attempts` failed attempts: the delay before the next one, or None when the
    /// schedule is used up. A receiver's `Retry-After` can lengthen the delay (up to the cap),
    /// never shorten it.
    pub fn next_delay(&self, attempts: usize, retry_after: Option<Duration>) -> Option<Duration> {
        let base = *self.delays.get(attempts)?;
        let jittered = base.mul_f64(1.0 + rand::rng().random_range(-JITTER..=JITTER));
        let asked = retry_after.map_or(Duration::ZERO, |d| d.min(self.retry_after_cap));
        Some(jittered.max(asked))
    }
}

/// `Retry-After` as seconds or an HTTP date.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    Some((at.with_timezone(&Utc) - now).to_std().unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_follow_the_schedule_within_jitter_and_end() {
        let s = Schedule::default();
        assert_eq!(s.next_delay(0, None), Some(Duration::ZERO));
        for _ in 0..50 {
            let d = s.next_delay(2, None).unwrap().as_secs_f64();
            assert!((240.0..=360.0).contains(&d), "{d}");
        }
        assert!(s.next_delay(7, None).is_some());
        assert_eq!(s.next_delay(8, None), None, "eight attempts in all");
    }

    #[test]
    fn retry_after_lengthens_up_to_the_cap_and_never_shortens() {
        let s = Schedule::default();
        let long = s.next_delay(1, Some(Duration::from_secs(600))).unwrap();
        assert_eq!(long, Duration::from_secs(600));
        let capped = s.next_delay(1, Some(Duration::from_secs(86_400))).unwrap();
        assert_eq!(capped, Duration::from_secs(3600));
        let short = s.next_delay(2, Some(Duration::from_secs(1))).unwrap();
        assert!(short >= Duration::from_secs(240));
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let now = DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(retry_after("120", now), Some(Duration::from_secs(120)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:29:00 GMT", now),
            Some(Duration::from_secs(60))
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
