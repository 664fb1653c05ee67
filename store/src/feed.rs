//! The event feed every consumer reads: events in `position` order, resumable after any position,
//! never skipping one that commits late.
//!
//! Why it is gap-free: a row is read only once its writer's transaction id is below the xmin of
//! the reading statement's snapshot, i.e. once every transaction that could still commit a row
//! has finished. Writers take their xid and their positions under one short lock
//! (`roster_commit_units`), so a smaller position always belongs to a smaller xid: when position p
//! is readable, every position below p is readable too, or was rolled back and never will be.

use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::{Actor, AggregateRef, EventEnvelope};
use serde_json::Value;
use sqlx::postgres::{PgListener, PgRow};
use sqlx::{PgPool, Row};

use crate::StoreError;

/// The columns `FeedEvent::from_row` reads.
pub const COLUMNS: &str = "position, aggregate_type, aggregate_id, sequence, event_type, \
     event_version, organization_id, payload, metadata, recorded_at";

/// The feed's visibility rule: only rows whose writer's transaction has finished, and every
/// older one too (see the module doc). Every read of the log that pages by position uses it.
pub(crate) const READABLE: &str = "txid < pg_snapshot_xmin(pg_current_snapshot())";

/// The channel writers notify after they commit (`announce`).
pub const CHANNEL: &str = "roster_events";

#[derive(Debug, Clone, PartialEq)]
pub struct FeedEvent {
    pub position: i64,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    /// The payload's schema version after upcasting (the current one for its type).
    pub event_version: String,
    pub organization_id: Option<String>,
    /// In the current shape of its type (`domain::upcast`), whatever shape it was stored in.
    pub payload: Value,
    pub metadata: Value,
    pub recorded_at: DateTime<Utc>,
}

impl FeedEvent {
    /// The source of the `roster apply` that recorded it, if one did (its metadata's
    /// `managed_by`): the objects it writes are then managed by that source.
    pub fn managed_by(&self) -> Option<&str> {
        self.metadata.get("managed_by").and_then(|m| m.as_str())
    }

    /// A row of `events` (selected with `COLUMNS`), upcast to its type's current shape.
    pub fn from_row(row: &PgRow) -> Result<Self, sqlx::Error> {
        let event_type: String = row.try_get("event_type")?;
        let (event_version, payload) = domain::upcast::payload(
            &event_type,
            row.try_get("event_version")?,
            row.try_get("payload")?,
        );
        Ok(Self {
            position: row.try_get("position")?,
            aggregate_type: row.try_get("aggregate_type")?,
            aggregate_id: row.try_get("aggregate_id")?,
            sequence: row.try_get("sequence")?,
            event_type,
            event_version,
            organization_id: row.try_get("organization_id")?,
            payload,
            metadata: row.try_get("metadata")?,
            recorded_at: row.try_get("recorded_at")?,
        })
    }

    /// Rows of a statement selecting `COLUMNS`, as events.
    pub fn from_rows(rows: &[PgRow]) -> Result<Vec<Self>, StoreError> {
        rows.iter()
            .map(Self::from_row)
            .collect::<Result<_, _>>()
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }

    fn meta(&self, key: &str) -> Option<String> {
        self.metadata
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }

    /// The event's public id (`evt_…`), the envelope's `id` and the webhook's `webhook-id`.
    pub fn event_id(&self) -> String {
        self.meta(crate::unit_of_work::EVENT_ID).unwrap_or_default()
    }

    /// The public envelope (docs/events.md): what webhooks, Kafka and the Events API carry.
    pub fn envelope(&self) -> EventEnvelope {
        self.envelope_of(self.payload.get("data").cloned())
    }

    /// [`envelope`](Self::envelope), taking the event's `data` instead of copying it: for a
    /// reader that is done with the event (an export encodes a million of them).
    pub fn into_envelope(mut self) -> EventEnvelope {
        let data = self.payload.get_mut("data").map(Value::take);
        self.envelope_of(data)
    }

    fn envelope_of(&self, data: Option<Value>) -> EventEnvelope {
        EventEnvelope {
            id: self.event_id(),
            event_type: self.event_type.clone(),
            position: self.position,
            occurred_at: self.recorded_at,
            organization_id: self.organization_id.clone(),
            aggregate: AggregateRef {
                kind: self.aggregate_type.clone(),
                id: self.aggregate_id.clone(),
                version: self.sequence as u64,
            },
            actor: Actor {
                kind: self.meta("actor_type").unwrap_or_else(|| "system".into()),
                id: self.meta("actor_id"),
            },
            data: domain::envelope::public_data(data.unwrap_or(Value::Null)),
        }
    }
}

/// Reads the feed; cheap to clone.
#[derive(Clone, Debug)]
pub struct Feed {
    pool: PgPool,
    /// Upper bound on the wait when no notification comes (lost notification, listener down).
    pub poll_interval: Duration,
}

impl Feed {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            poll_interval: Duration::from_millis(500),
        }
    }

    /// Up to `limit` readable events after `after`, in position order.
    pub async fn read_after(&self, after: i64, limit: i64) -> Result<Vec<FeedEvent>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM events
              WHERE position > $1 AND {READABLE}
              ORDER BY position
              LIMIT $2"
        ))
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        FeedEvent::from_rows(&rows)
    }

    /// Every readable event in `(after, up_to]`, in order (for bounded catch-ups).
    pub async fn read_range(&self, after: i64, up_to: i64) -> Result<Vec<FeedEvent>, StoreError> {
        let mut out = Vec::new();
        let mut from = after;
        while from < up_to {
            let batch = self.read_after(from, 1000).await?;
            let Some(last) = batch.last().map(|e| e.position) else {
                break;
            };
            out.extend(batch.into_iter().filter(|e| e.position <= up_to));
            from = last;
        }
        Ok(out)
    }

    /// The highest committed position, readable or not yet (for lag and for "more is coming").
    pub async fn head(&self) -> Result<i64, StoreError> {
        let head: Option<i64> = sqlx::query_scalar("SELECT max(position) FROM events")
            .fetch_one(&self.pool)
            .await?;
        Ok(head.unwrap_or(0))
    }

    /// The last position in the log if this server is the primary; `None` on a replica, which
    /// may not have replayed every committed event yet.
    pub async fn head_if_primary(&self) -> Result<Option<i64>, StoreError> {
        let (head, replica): (Option<i64>, bool) =
            sqlx::query_as("SELECT (SELECT max(position) FROM events), pg_is_in_recovery()")
                .fetch_one(&self.pool)
                .await?;
        Ok((!replica).then_some(head.unwrap_or(0)))
    }

    /// A live cursor starting after `after`.
    pub fn follow(&self, after: i64) -> Follower {
        Follower {
            feed: self.clone(),
            after,
            listener: None,
            batch_size: 500,
        }
    }
}

/// Follows the feed live: `next_batch` waits until events after the last batch are readable.
pub struct Follower {
    feed: Feed,
    after: i64,
    listener: Option<PgListener>,
    pub batch_size: i64,
}

impl Follower {
    /// The position of the last event handed out.
    pub fn position(&self) -> i64 {
        self.after
    }

    /// The next non-empty batch. Errors (database down) are returned; calling again retries.
    pub async fn next_batch(&mut self) -> Result<Vec<FeedEvent>, StoreError> {
        let mut settle = Duration::from_millis(2);
        loop {
            if self.listener.is_none() {
                // Listen before reading, so a commit between the read and the wait still wakes us.
                self.listener = self.listen().await.ok();
            }
            let batch = self.feed.read_after(self.after, self.batch_size).await?;
            if let Some(last) = batch.last() {
                self.after = last.position;
                return Ok(batch);
            }
            // Committed rows that are not readable yet wait only for older transactions to end:
            // look again soon. Otherwise sleep until notified (or the poll interval passes).
            let wait = if self.feed.head().await? > self.after {
                settle = (settle * 2).min(Duration::from_millis(50));
                settle
            } else {
                self.feed.poll_interval
            };
            self.wait(wait).await;
        }
    }

    /// The events readable now after the last batch (perhaps none), without waiting.
    pub async fn ready_batch(&mut self) -> Result<Vec<FeedEvent>, StoreError> {
        let batch = self.feed.read_after(self.after, self.batch_size).await?;
        if let Some(last) = batch.last() {
            self.after = last.position;
        }
        Ok(batch)
    }

    async fn listen(&self) -> Result<PgListener, sqlx::Error> {
        let mut listener = PgListener::connect_with(&self.feed.pool).await?;
        listener.listen(CHANNEL).await?;
        Ok(listener)
    }

    async fn wait(&mut self, timeout: Duration) {
        match &mut self.listener {
            Some(listener) => match tokio::time::timeout(timeout, listener.recv()).await {
                Ok(Ok(_)) => {
                    // Drain whatever else queued up; one read serves them all.
                    while listener.next_buffered().is_some() {}
                }
                Ok(Err(_)) => self.listener = None,
                Err(_) => {}
            },
            None => tokio::time::sleep(timeout).await,
        }
    }
}
