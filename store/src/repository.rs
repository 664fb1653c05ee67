//! cqrs-es's `PersistedEventRepository` on postgres-es's table layout, written by us: how
//! aggregates are loaded (snapshot + later events, or every event).
//!
//! Why not postgres-es's own repository: it opens its own transaction,
//! so the uniqueness claims could not join it; it inserts events one by one; it commits the events
//! before checking the snapshot's optimistic lock; it panics on a database error while streaming;
//! and it cannot report the positions it wrote. Writes go through `unit_of_work` instead (one
//! statement appends several aggregates' events with their claims and snapshots); `persist`
//! refuses, so no write can skip the claims its events state.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use futures::TryStreamExt;
use serde_json::Value;
use sqlx::postgres::PgRow;
use sqlx::{PgPool, Row};

use crate::StoreError;

#[derive(Clone, Debug)]
pub struct EventRepository {
    pool: PgPool,
}

impl EventRepository {
    pub fn new(pool: PgPool) -> Self {
        Self { pool }
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }
}

const SELECT_EVENTS: &str = "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
       FROM events WHERE aggregate_type = $1 AND aggregate_id = $2 AND sequence > $3 ORDER BY sequence";

impl EventRepository {
    async fn select<A: Aggregate>(
        &self,
        aggregate_id: &str,
        after_sequence: i64,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        let rows = sqlx::query(SELECT_EVENTS)
            .bind(A::TYPE)
            .bind(aggregate_id)
            .bind(after_sequence)
            .fetch_all(&self.pool)
            .await
            .map_err(|e| to_persistence(e.into()))?;
        rows.iter().map(deser_event).collect()
    }
}

fn deser_event(row: &PgRow) -> Result<SerializedEvent, PersistenceError> {
    let get = |e: sqlx::Error| PersistenceError::DeserializationError(Box::new(e));
    let sequence: i64 = row.try_get("sequence").map_err(get)?;
    Ok(SerializedEvent::new(
        row.try_get("aggregate_id").map_err(get)?,
        sequence as usize,
        row.try_get("aggregate_type").map_err(get)?,
        row.try_get("event_type").map_err(get)?,
        row.try_get("event_version").map_err(get)?,
        row.try_get("payload").map_err(get)?,
        row.try_get("metadata").map_err(get)?,
    ))
}

/// cqrs-es's error type carries ours boxed, so the command layer can downcast a taken claim.
fn to_persistence(e: StoreError) -> PersistenceError {
    match e {
        StoreError::Conflict => PersistenceError::OptimisticLockError,
        StoreError::Unavailable(_) => PersistenceError::ConnectionError(Box::new(e)),
        StoreError::Corrupt(_) => PersistenceError::DeserializationError(Box::new(e)),
        other => PersistenceError::UnknownError(Box::new(other)),
    }
}

impl PersistedEventRepository for EventRepository {
    async fn get_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.select::<A>(aggregate_id, 0).await
    }

    async fn get_last_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
        last_sequence: usize,
    ) -> Result<Vec<SerializedEvent>, PersistenceError> {
        self.select::<A>(aggregate_id, last_sequence as i64).await
    }

    async fn get_snapshot<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<SerializedSnapshot>, PersistenceError> {
        let row = sqlx::query(
            "SELECT aggregate_id, last_sequence, current_snapshot, payload
               FROM snapshots WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(A::TYPE)
        .bind(aggregate_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(|e| to_persistence(e.into()))?;
        let Some(row) = row else { return Ok(None) };
        let get = |e: sqlx::Error| PersistenceError::DeserializationError(Box::new(e));
        let last: i64 = row.try_get("last_sequence").map_err(get)?;
        let current: i64 = row.try_get("current_snapshot").map_err(get)?;
        Ok(Some(SerializedSnapshot {
            aggregate_id: row.try_get("aggregate_id").map_err(get)?,
            aggregate: row.try_get("payload").map_err(get)?,
            current_sequence: last as usize,
            current_snapshot: current as usize,
        }))
    }

    async fn persist<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot_update: Option<(String, Value, usize)>,
    ) -> Result<(), PersistenceError> {
        // Every write takes the typed path (`StreamChange::typed` in a unit of work), where each
        // event states its claims; a write through cqrs-es's own commit would skip them.
        let _ = (events, snapshot_update);
        Err(PersistenceError::UnknownError(
            "roster writes events through units of work, not cqrs-es's commit".into(),
        ))
    }

    async fn stream_events<A: Aggregate>(
        &self,
        aggregate_id: &str,
    ) -> Result<ReplayStream, PersistenceError> {
        Ok(self.stream(A::TYPE, Some(aggregate_id.to_owned())))
    }

    async fn stream_all_events<A: Aggregate>(&self) -> Result<ReplayStream, PersistenceError> {
        Ok(self.stream(A::TYPE, None))
    }
}

impl EventRepository {
    fn stream(&self, aggregate_type: &'static str, aggregate_id: Option<String>) -> ReplayStream {
        let (mut feed, stream) = ReplayStream::new(256);
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut rows = sqlx::query(
                "SELECT aggregate_type, aggregate_id, sequence, event_type, event_version, payload, metadata
                   FROM events WHERE aggregate_type = $1 AND ($2::text IS NULL OR aggregate_id = $2)
                  ORDER BY position",
            )
            .bind(aggregate_type)
            .bind(aggregate_id)
            .fetch(&pool);
            loop {
                let item = match rows.try_next().await {
                    Ok(Some(row)) => deser_event(&row),
                    Ok(None) => return,
                    Err(e) => Err(to_persistence(e.into())),
                };
                let failed = item.is_err();
                if feed.push(item).await.is_err() || failed {
                    return;
                }
            }
        });
        stream
    }
}
