//! The projector: follows the event feed and keeps the read-model tables (organizations, roles,
//! memberships, groups, group members, invitations) in step.
//!
//! Each batch of events and the checkpoint are written in one transaction, so a crash neither
//! loses nor double-applies an event; and every write is idempotent (rows only move forward), so
//! re-applying events (after a restore) leaves the same state. It never decides anything: the
//! events carry the objects after each change.

mod projection;
mod rebuild;

use read_models::write as rm;
use sqlx::{PgConnection, PgPool};
use store::consumer::{self, Consumer, Step};
use store::{checkpoints, FeedEvent, StoreError};
use tokio::sync::watch;

/// The checkpoint name of the read models.
pub const CONSUMER: &str = read_models::CONSUMER;

pub use projection::Projection;
pub use rebuild::{Progress, Rebuilt};

#[derive(Clone)]
pub struct Projector {
    pub(crate) pool: PgPool,
}

impl Projector {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Applies `events` and moves the checkpoint to the last one, atomically (events another
    /// instance already applied are skipped). The checkpoint row is locked first, which also gives
    /// `rebuild` one lock order with us.
    pub async fn apply_batch(&self, events: &[FeedEvent]) -> Result<(), StoreError> {
        consumer::apply_batch(&self.pool, self, events)
            .await
            .map(|_| ())
    }

    /// The last position the read models include.
    pub async fn checkpoint(&self) -> Result<i64, StoreError> {
        checkpoints::load(&self.pool, CONSUMER).await
    }

    /// Follows the feed until the task is dropped (the shared consumer loop: one active projector
    /// at a time, others on standby; errors retried from the checkpoint).
    pub async fn run(self) {
        self.run_reporting(watch::channel(consumer::Role::Starting).0)
            .await
    }

    /// `run`, telling `role` whether this instance is the active one.
    pub async fn run_reporting(self, role: watch::Sender<consumer::Role>) {
        let pool = self.pool.clone();
        consumer::run(pool, self, consumer::LoopConfig::default(), role).await
    }
}

impl Consumer for Projector {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn apply<'a>(&'a self, tx: &'a mut PgConnection, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(rm::apply(tx, events))
    }
}
