//! Read-your-writes: wait until the projector has applied a given position.

use std::time::{Duration, Instant};

use problem::Problem;

use crate::{failed, QueryState};

/// Polling starts fast (a projector batch usually lands within milliseconds) and backs off.
const FIRST_POLL: Duration = Duration::from_millis(2);
const MAX_POLL: Duration = Duration::from_millis(50);

impl QueryState {
    /// Returns once the read models include `min_position`, or 503 after the wait bound.
    pub(crate) async fn caught_up(&self, min_position: Option<i64>) -> Result<(), Problem> {
        let Some(wanted) = min_position else {
            return Ok(());
        };
        let started = Instant::now();
        let mut poll = FIRST_POLL;
        loop {
            let applied = store::checkpoints::load(&self.pool, self.consumer)
                .await
                .map_err(failed)?;
            if applied >= wanted {
                return Ok(());
            }
            if started.elapsed() >= self.wait {
                return Err(Problem::unavailable(format!(
                    "the read models have reached position {applied}, not yet {wanted}, after \
                     waiting {} ms; retry shortly",
                    self.wait.as_millis()
                ))
                .with_field("min_position", "not reached within the wait bound"));
            }
            tokio::time::sleep(poll.min(self.wait.saturating_sub(started.elapsed()))).await;
            poll = (poll * 2).min(MAX_POLL);
        }
    }
}
