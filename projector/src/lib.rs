//! The projector: follows the event feed and keeps the read-model tables (organizations, roles,
//! memberships, groups, group members, invitations) in step.
//!
//! Each batch of events and the checkpoint are written in one transaction, so a crash neither
//! loses nor double-applies an event; and every write is idempotent (rows only move forward), so
//! re-applying events (after a restore) leaves the same state. It never decides anything: the
//! events carry the objects after each change.

mod projection;
mod rebuild;

use std::time::Duration;

use sqlx::{PgConnection, PgPool};
use store::{checkpoints, read_models as rm, Feed, FeedEvent, StoreError};

/// The checkpoint name of the read models.
pub const CONSUMER: &str = "projector";

pub use projection::Projection;
pub use rebuild::{Progress, Rebuilt};

/// Applies one event to the read models.
pub(crate) async fn apply(conn: &mut PgConnection, e: &FeedEvent) -> Result<(), StoreError> {
    let d = &e.payload["data"];
    let text = |key: &str| d[key].as_str().unwrap_or_default().to_owned();
    let p = e.position;
    match e.event_type.as_str() {
        "organization.created" | "organization.updated" => {
            rm::upsert_organization(conn, d, p).await
        }
        "organization.deleted" => rm::delete_organization(conn, &text("id")).await,
        "organization_role.created" | "organization_role.updated" => {
            rm::upsert_role(conn, d, p).await
        }
        "organization_role.deleted" => {
            rm::delete_role(conn, &text("organization_id"), &text("slug")).await
        }
        "membership.created"
        | "membership.updated"
        | "membership.deactivated"
        | "membership.reactivated" => rm::upsert_membership(conn, d, p).await,
        "membership.deleted" => rm::delete_membership(conn, &text("id")).await,
        "group.created" | "group.updated" => rm::upsert_group(conn, d, p).await,
        "group.deleted" => rm::delete_group(conn, &text("id")).await,
        "group.member_added" => rm::add_group_member(conn, d, p).await,
        "group.member_removed" => rm::remove_group_member(conn, d).await,
        t if t.starts_with("invitation.") => rm::upsert_invitation(conn, d, p).await,
        other => {
            tracing::debug!(event_type = other, "no read model for this event");
            Ok(())
        }
    }
}

#[derive(Clone)]
pub struct Projector {
    pub(crate) pool: PgPool,
}

impl Projector {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    /// Applies `events` and moves the checkpoint to the last one, atomically.
    ///
    /// The checkpoint row is locked first: that serialises projectors of the same name (events
    /// another one already applied are skipped) and gives `rebuild` one lock order with us.
    pub async fn apply_batch(&self, events: &[FeedEvent]) -> Result<(), StoreError> {
        let Some(last) = events.last() else {
            return Ok(());
        };
        let mut tx = self.pool.begin().await?;
        let applied = checkpoints::load_for_update(&mut tx, CONSUMER).await?;
        if last.position <= applied {
            return Ok(());
        }
        for e in events.iter().filter(|e| e.position > applied) {
            apply(&mut tx, e).await?;
        }
        checkpoints::save(&mut tx, CONSUMER, last.position).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The last position the read models include.
    pub async fn checkpoint(&self) -> Result<i64, StoreError> {
        checkpoints::load(&self.pool, CONSUMER).await
    }

    /// Follows the feed until the task is dropped; database errors are logged and retried.
    pub async fn run(self) {
        let feed = Feed::new(self.pool.clone());
        let mut backoff = Duration::from_millis(200);
        loop {
            let start = match self.checkpoint().await {
                Ok(p) => p,
                Err(e) => {
                    tracing::warn!(error = %e, "projector cannot read its checkpoint; retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    continue;
                }
            };
            let mut follower = feed.follow(start);
            loop {
                let applied = match follower.next_batch().await {
                    Ok(batch) => self.apply_batch(&batch).await.map(|()| batch.len()),
                    Err(e) => Err(e),
                };
                match applied {
                    Ok(n) => {
                        backoff = Duration::from_millis(200);
                        tracing::debug!(events = n, position = follower.position(), "projected");
                    }
                    Err(e) => {
                        // Resume from the stored checkpoint: nothing of the failed batch was kept.
                        tracing::warn!(error = %e, "projector batch failed; resuming from checkpoint");
                        tokio::time::sleep(backoff).await;
                        backoff = (backoff * 2).min(Duration::from_secs(5));
                        break;
                    }
                }
            }
        }
    }
}
