//! Fan-out: follows the feed and queues one delivery per event and matching enabled endpoint,
//! in the same transaction that advances the checkpoint (a crash neither loses nor doubles one),
//! and once that commits hands them to this process's drains (`deliver.rs`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::queue::{self as webhooks, NewDelivery, Subscription};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use store::consumer::{self, Consumer, Step};
use store::FeedEvent;

use crate::filter;
use crate::supervisor::Deliverer;

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
                    replay_id: None,
                });
            }
        }
    }
    out
}

/// What a batch queued, kept from `apply` to `committed` for the hand-over.
struct Batch {
    deliveries: Vec<NewDelivery>,
    /// When each subscribed endpoint's settings last changed.
    settings_at: HashMap<String, DateTime<Utc>>,
}

/// The fan-out as a feed consumer: queues deliveries in the batch's transaction, then hands them
/// to this process's drains.
pub(crate) struct Fanout {
    deliverer: Arc<Deliverer>,
    queued: Mutex<Option<Batch>>,
}

impl Consumer for Fanout {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn apply<'a>(&'a self, tx: &'a mut PgConnection, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async move {
            let subscriptions = webhooks::subscriptions(tx).await?;
            let deliveries = deliveries(&subscriptions, events);
            webhooks::insert_deliveries(tx, &deliveries, &self.deliverer.lanes.owner).await?;
            let settings_at = subscriptions
                .into_iter()
                .map(|s| (s.id, s.updated_at))
                .collect();
            *self.queued.lock().unwrap_or_else(|e| e.into_inner()) = Some(Batch {
                deliveries,
                settings_at,
            });
            Ok(())
        })
    }

    fn committed(&self, events: &[FeedEvent]) {
        let queued = self.queued.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(q) = queued {
            self.deliverer.handoff(q.deliveries, &q.settings_at, events);
        }
    }
}

/// Follows the feed until the task is dropped (the shared consumer loop: one active fan-out, the
/// others on standby; errors retried from the checkpoint).
pub(crate) async fn run(pool: PgPool, deliverer: Arc<Deliverer>) {
    let role = tokio::sync::watch::channel(consumer::Role::Starting).0;
    let fanout = Fanout {
        deliverer,
        queued: Mutex::new(None),
    };
    consumer::run(pool, fanout, consumer::LoopConfig::default(), role).await
}
