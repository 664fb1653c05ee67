//! Fan-out: follows the feed and queues one delivery per event and matching enabled endpoint,
//! in the same transaction that advances the checkpoint (a crash neither loses nor doubles one).

use sqlx::{PgConnection, PgPool};
use store::consumer::{self, Consumer, Step};
use store::webhooks::{self, NewDelivery, Subscription};
use store::FeedEvent;

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
                    replay_id: None,
                });
            }
        }
    }
    out
}

/// The fan-out as a feed consumer: queues deliveries in the batch's transaction, then wakes the
/// deliverer.
pub struct Fanout {
    wake: tokio::sync::mpsc::Sender<()>,
}

impl Consumer for Fanout {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    fn apply<'a>(&'a self, tx: &'a mut PgConnection, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async move {
            let subscriptions = webhooks::subscriptions(tx).await?;
            webhooks::insert_deliveries(tx, &deliveries(&subscriptions, events)).await?;
            Ok(())
        })
    }

    fn committed(&self, _events: &[FeedEvent]) {
        let _ = self.wake.try_send(());
    }
}

/// Follows the feed until the task is dropped (the shared consumer loop: one active fan-out, the
/// others on standby; errors retried from the checkpoint).
pub async fn run(pool: PgPool, wake: tokio::sync::mpsc::Sender<()>) {
    let role = tokio::sync::watch::channel(consumer::Role::Starting).0;
    consumer::run(pool, Fanout { wake }, consumer::LoopConfig::default(), role).await
}
