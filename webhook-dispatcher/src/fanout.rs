//! Fan-out: follows the feed and queues one delivery per event and matching enabled endpoint,
//! in the same transaction that advances the checkpoint (a crash neither loses nor doubles one).

use std::time::Duration;

use sqlx::PgPool;
use store::webhooks::{self, NewDelivery, Subscription};
use store::{checkpoints, Feed, FeedEvent, StoreError};

use crate::filter;

/// The checkpoint name of the fan-out.
pub const CONSUMER: &str = "webhooks";

fn deliveries(subscriptions: &[Subscription], events: &[FeedEvent]) -> Vec<NewDelivery> {
    let mut out = Vec::new();
    for e in events {
        let event_id = e.event_id();
        // An endpoint receives the events that happen after it was created.
        for s in subscriptions
            .iter()
            .filter(|s| e.position > s.since_position)
        {
            if filter::matches(s, &e.event_type, e.organization_id.as_deref()) {
                out.push(NewDelivery {
                    id: domain::DeliveryId::new().to_string(),
                    endpoint_id: s.id.clone(),
                    event_id: event_id.clone(),
                    position: e.position,
                    event_type: e.event_type.clone(),
                });
            }
        }
    }
    out
}

/// Queues deliveries for `events` and moves the checkpoint past them, atomically. The
/// checkpoint row is locked first, so fan-outs in several processes never queue an event twice.
pub async fn apply_batch(pool: &PgPool, events: &[FeedEvent]) -> Result<u64, StoreError> {
    let Some(last) = events.last() else {
        return Ok(0);
    };
    let mut tx = pool.begin().await?;
    let done = checkpoints::load_for_update(&mut tx, CONSUMER).await?;
    let fresh: Vec<FeedEvent> = events
        .iter()
        .filter(|e| e.position > done)
        .cloned()
        .collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    let subscriptions = webhooks::subscriptions(&mut tx).await?;
    let queued = webhooks::insert_deliveries(&mut tx, &deliveries(&subscriptions, &fresh)).await?;
    checkpoints::save(&mut tx, CONSUMER, last.position).await?;
    tx.commit().await?;
    Ok(queued)
}

/// Follows the feed until the task is dropped; errors are logged and retried from the checkpoint.
pub async fn run(pool: PgPool, wake: tokio::sync::mpsc::Sender<()>) {
    let feed = Feed::new(pool.clone());
    let mut backoff = Duration::from_millis(200);
    loop {
        let start = match checkpoints::load(&pool, CONSUMER).await {
            Ok(p) => p,
            Err(e) => {
                tracing::warn!(error = %e, "webhook fan-out cannot read its checkpoint; retrying");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(5));
                continue;
            }
        };
        let mut follower = feed.follow(start);
        loop {
            let queued = match follower.next_batch().await {
                Ok(batch) => apply_batch(&pool, &batch).await,
                Err(e) => Err(e),
            };
            match queued {
                Ok(n) => {
                    backoff = Duration::from_millis(200);
                    if n > 0 {
                        let _ = wake.try_send(());
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "webhook fan-out failed; resuming from checkpoint");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(5));
                    break;
                }
            }
        }
    }
}
