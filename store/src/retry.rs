//! roster's retries, on one crate (backon): a unit that lost an optimistic-concurrency race is
//! decided again a few times after a short jittered pause ([`retry_conflicts`]); a loop that
//! waits for something to come back (a database, a listener, a lock) pauses longer each time, up
//! to a limit ([`Backoff`]).

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder, FibonacciBuilder, Retryable};

/// How often a change that lost a race is re-run before the caller is told to retry (409).
const CONFLICT_RETRIES: usize = 5;

/// Runs `attempt` again (a few times, with a short jittered pause) while it fails with an error
/// `is_conflict` recognises: another writer moved one of its streams on first.
pub async fn retry_conflicts<T, X, Fut>(
    is_conflict: impl Fn(&X) -> bool,
    attempt: impl FnMut() -> Fut,
) -> Result<T, X>
where
    Fut: std::future::Future<Output = Result<T, X>>,
{
    let pauses = FibonacciBuilder::default()
        .with_min_delay(Duration::from_millis(2))
        .with_max_times(CONFLICT_RETRIES)
        .with_jitter();
    attempt.retry(pauses).when(is_conflict).await
}

/// Pauses for a loop that waits for something to come back: `first`, doubling, at most `max`,
/// for as long as it takes; `reset` after a success.
pub struct Backoff {
    first: Duration,
    max: Duration,
    pauses: ExponentialBackoff,
}

impl Backoff {
    pub fn new(first: Duration, max: Duration) -> Self {
        Self {
            first,
            max,
            pauses: pauses(first, max),
        }
    }

    /// The next pause (for blocking code; async code calls `wait`).
    pub fn next_pause(&mut self) -> Duration {
        self.pauses.next().unwrap_or(self.max)
    }

    pub async fn wait(&mut self) {
        tokio::time::sleep(self.next_pause()).await;
    }

    pub fn reset(&mut self) {
        self.pauses = pauses(self.first, self.max);
    }
}

fn pauses(first: Duration, max: Duration) -> ExponentialBackoff {
    ExponentialBuilder::default()
        .with_min_delay(first)
        .with_max_delay(max)
        .without_max_times()
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_double_up_to_the_limit_and_start_over_after_a_reset() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let taken: Vec<_> = (0..5).map(|_| b.next_pause().as_millis()).collect();
        assert_eq!(taken, [100, 200, 400, 500, 500]);
        b.reset();
        assert_eq!(b.next_pause(), Duration::from_millis(100));
    }
}
