//! Webhook replays: the replay engine's sink for one endpoint, which queues deliveries in the
//! replay lane (the drain sends live deliveries first), and the dispatcher's worker that runs
//! the jobs made over HTTP — after a crash too, from their checkpoints.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::queue::{self as webhooks, NewDelivery, Subscription};
use sqlx::{PgConnection, PgPool};
use store::replays::{self, Replay, ReplayError, Sink};
use store::{FeedEvent, StoreError};

use crate::filter;

/// The most deliveries one replay keeps queued and unsent: it queues more as they go out.
const MAX_PENDING: i64 = 1000;
/// How often the worker looks for jobs, and a waiting replay at its queue.
const POLL: Duration = Duration::from_millis(200);

/// The endpoint a replay re-sends to, with its subscription (its filters apply).
pub struct EndpointSink {
    pool: PgPool,
    subscription: Subscription,
}

impl EndpointSink {
    /// The sink for endpoint `id`; `Gone` if there is no such endpoint.
    pub async fn load(pool: &PgPool, id: &str) -> Result<Self, ReplayError> {
        let endpoint = webhooks::get_endpoint(pool, id)
            .await?
            .ok_or_else(|| ReplayError::Gone(format!("webhook endpoint {id} was deleted")))?;
        Ok(Self {
            pool: pool.clone(),
            subscription: Subscription {
                id: endpoint.id,
                since_position: 0,
                event_types: endpoint.event_types,
                organization_id: endpoint.organization_id,
                updated_at: endpoint.updated_at,
            },
        })
    }
}

impl Sink for EndpointSink {
    fn selects(&self, e: &FeedEvent) -> bool {
        filter::matches(
            &self.subscription,
            &e.event_type,
            e.organization_id.as_deref(),
        )
    }

    /// Waits while the replay has `MAX_PENDING` deliveries queued. A disabled endpoint sends
    /// none: the replay stops for now (and continues once the endpoint is enabled again).
    async fn ready(&mut self, job: &Replay) -> Result<(), ReplayError> {
        loop {
            let endpoint = webhooks::get_endpoint(&self.pool, &self.subscription.id)
                .await?
                .ok_or_else(|| {
                    ReplayError::Gone(format!(
                        "webhook endpoint {} was deleted",
                        self.subscription.id
                    ))
                })?;
            if !endpoint.enabled {
                return Err(ReplayError::Sink(format!(
                    "webhook endpoint {} is disabled; the replay continues once it is enabled",
                    endpoint.id
                )));
            }
            if webhooks::replay_pending(&self.pool, &job.id).await? < MAX_PENDING {
                return Ok(());
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn send(
        &mut self,
        job: &Replay,
        events: &[&FeedEvent],
        tx: &mut PgConnection,
    ) -> Result<(), ReplayError> {
        let deliveries: Vec<NewDelivery> = events
            .iter()
            .map(|e| NewDelivery {
                id: domain::DeliveryId::new().to_string(),
                endpoint_id: self.subscription.id.clone(),
                event_id: e.event_id(),
                position: e.position,
                event_type: e.event_type.clone(),
                replay_id: Some(job.id.clone()),
            })
            .collect();
        match webhooks::insert_deliveries(tx, &deliveries, REPLAY_SOURCE).await {
            Ok(_) => Ok(()),
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                Err(ReplayError::Gone(format!(
                    "webhook endpoint {} was deleted",
                    self.subscription.id
                )))
            }
            Err(e) => Err(e.into()),
        }
    }
}

/// The source named on the queue notification: no dispatcher's own, so every dispatcher's drains
/// read the queue (a replay's deliveries are never handed over).
const REPLAY_SOURCE: &str = "replay";

/// How long a replay that stopped on a sink error (its endpoint disabled, the database away)
/// rests before the worker tries it again.
const RETRY_AFTER: Duration = Duration::from_secs(30);

/// Runs the webhook replays made over HTTP, one at a time per dispatcher (another dispatcher
/// takes the next), each from its checkpoint.
pub async fn worker(pool: PgPool) {
    let mut resting: HashMap<String, Instant> = HashMap::new();
    loop {
        match replays::running(&pool, "dispatcher", "webhook").await {
            Ok(jobs) => {
                resting.retain(|_, until| *until > Instant::now());
                for id in jobs {
                    if resting.contains_key(&id) {
                        continue;
                    }
                    if !run_one(&pool, &id).await {
                        resting.insert(id, Instant::now() + RETRY_AFTER);
                    }
                }
            }
            Err(e) => tracing::warn!(error = %e, "cannot look for webhook replays"),
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Runs job `id`; false if it stopped on an error and should rest before the next try.
async fn run_one(pool: &PgPool, id: &str) -> bool {
    let Some(job) = replays::get(pool, id).await.ok().flatten() else {
        return true;
    };
    let result = match EndpointSink::load(pool, &job.target).await {
        Ok(mut sink) => replays::run(pool, id, &mut sink, &|_| {}).await,
        Err(ReplayError::Gone(why)) => replays::fail(pool, id, &why)
            .await
            .map_err(ReplayError::from)
            .and(Err(ReplayError::Gone(why))),
        Err(e) => Err(e),
    };
    match result {
        Ok(job) => {
            tracing::info!(replay = id, sent = job.sent, "webhook replay done");
            true
        }
        Err(ReplayError::Busy(_)) => true,
        Err(e) => {
            tracing::warn!(replay = id, error = %e, "webhook replay stopped");
            false
        }
    }
}
