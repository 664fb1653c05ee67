//! Read-your-writes: wait until the projector has applied a given position. Waiters follow the
//! projector's checkpoint announcements (`store::checkpoints::watch`), so they wake as soon as the
//! batch commits; the checkpoint table stays the authority before and after the wait.

use std::time::Duration;

use http_edge::Problem;
use tokio::sync::watch;

use crate::QueryState;

/// How often the watch re-reads the checkpoint in case an announcement was missed.
const REREAD: Duration = Duration::from_millis(100);

impl QueryState {
    fn applied(&self) -> watch::Receiver<i64> {
        self.applied
            .get_or_init(|| store::checkpoints::watch(self.pool.clone(), self.consumer, REREAD))
            .clone()
    }

    async fn checkpoint(&self) -> Result<i64, Problem> {
        store::checkpoints::load(&self.pool, self.consumer)
            .await
            .map_err(Problem::from)
    }

    /// Returns once the read models include `min_position`, or 503 after the wait bound. A
    /// position past the end of the log was never returned by a command (a command answers once
    /// its events are committed, so they are in the log): 400 at once, rather than a wait that
    /// cannot end well. On a replica, which may trail the log, such a read waits as any other.
    pub(crate) async fn caught_up(&self, min_position: Option<i64>) -> Result<(), Problem> {
        let Some(wanted) = min_position else {
            return Ok(());
        };
        let mut applied = self.applied();
        if *applied.borrow_and_update() >= wanted || self.checkpoint().await? >= wanted {
            return Ok(());
        }
        self.in_the_log(wanted).await?;
        let reached = tokio::time::timeout(self.wait, applied.wait_for(|p| *p >= wanted)).await;
        if matches!(reached, Ok(Ok(_))) {
            return Ok(());
        }
        let now = self.checkpoint().await?;
        if now >= wanted {
            return Ok(());
        }
        Err(Problem::unavailable(format!(
            "the read models have reached position {now}, not yet {wanted}, after waiting {} ms; \
             retry shortly",
            self.wait.as_millis()
        ))
        .with_field("min_position", "not reached within the wait bound"))
    }
}

impl QueryState {
    /// 400 for a position past the end of the log: no command returned it (a command answers
    /// once its events are committed). Only on the primary; a replica may trail the log.
    async fn in_the_log(&self, wanted: i64) -> Result<(), Problem> {
        let head = store::Feed::new(self.pool.clone())
            .head_if_primary()
            .await?;
        match head.filter(|head| wanted > *head) {
            Some(head) => Err(Problem::field(
                "min_position",
                format!("no event has position {wanted}: the log ends at {head}"),
            )),
            None => Ok(()),
        }
    }

    /// Read-your-writes for reads of the log itself: returns once every event up to
    /// `min_position` is readable (the feed's visibility rule), whatever the projector is doing;
    /// 400 for a position past the end of the log (on the primary), 503 after the wait bound.
    pub(crate) async fn log_caught_up(&self, min_position: Option<i64>) -> Result<(), Problem> {
        let Some(wanted) = min_position else {
            return Ok(());
        };
        use store::log::wait_readable;
        if wait_readable(&self.pool, wanted, Duration::ZERO).await? >= wanted {
            return Ok(());
        }
        self.in_the_log(wanted).await?;
        let readable = wait_readable(&self.pool, wanted, self.wait).await?;
        if readable >= wanted {
            return Ok(());
        }
        Err(Problem::unavailable(format!(
            "the log is readable up to position {readable}, not yet {wanted} (an older \
             transaction is still open), after waiting {} ms; retry shortly",
            self.wait.as_millis()
        )))
    }
}
