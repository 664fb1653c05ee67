//! cqrs-es's `PersistedEventRepository` on postgres-es's table layout, written by us.
//!
//! Why not postgres-es's own repository (scheme (b) of DESIGN.md): it opens its own transaction,
//! so the uniqueness claims could not join it; it inserts events one by one; it commits the events
//! before checking the snapshot's optimistic lock (an error can be returned for events that were
//! stored); it panics on a database error while streaming; and it cannot report the positions it
//! wrote. Here one statement, `roster_commit` (migrations/0002), does append (positions), claims
//! and snapshot atomically: one round trip per command.

use cqrs_es::persist::{
    PersistedEventRepository, PersistenceError, ReplayStream, SerializedEvent, SerializedSnapshot,
};
use cqrs_es::Aggregate;
use domain::EventId;
use futures::TryStreamExt;
use serde_json::Value;
use sqlx::postgres::{PgArguments, PgRow};
use sqlx::query::QueryScalar;
use sqlx::{PgConnection, PgPool, Postgres, Row};

use crate::committed::{self, Committed};
use crate::{claims, StoreError};

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

/// The metadata key under which every stored event carries its public id.
pub const EVENT_ID: &str = "event_id";
/// The metadata key that routes an event to its organization (also copied to a column).
pub const ORGANIZATION_ID: &str = "organization_id";

/// Appends one aggregate's events; must be the first write of `conn`'s transaction (see
/// `roster_append` in the migrations for why). Gives each event its public id.
pub async fn append(
    conn: &mut PgConnection,
    aggregate_type: &str,
    events: &[SerializedEvent],
) -> Result<Vec<Committed>, StoreError> {
    let Some(first) = events.first() else {
        return Ok(Vec::new());
    };
    let batch = Batch::new(events);
    let query = sqlx::query_scalar("SELECT roster_append($1, $2, $3, $4, $5, $6, $7, $8)");
    let positions: Vec<i64> = batch
        .bind(query, aggregate_type, &first.aggregate_id)
        .fetch_all(&mut *conn)
        .await?;
    Ok(batch.committed(aggregate_type, events, positions))
}

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

    /// One round trip: `roster_commit` appends, applies the claims and the snapshot atomically.
    async fn write<A: Aggregate>(
        &self,
        events: &[SerializedEvent],
        snapshot: Option<(String, Value, usize)>,
    ) -> Result<Vec<Committed>, StoreError> {
        let Some(first) = events.first() else {
            return Ok(Vec::new());
        };
        let mut changes = Vec::new();
        for e in events {
            changes.extend(
                domain::claims::changes_of(A::TYPE, &e.payload)
                    .map_err(|err| StoreError::Corrupt(err.to_string()))?,
            );
        }
        let claims = claims::net(&changes);
        let batch = Batch::new(events);
        let (snapshot_payload, snapshot_version) = match snapshot {
            Some((_, payload, version)) => (Some(payload), version as i64),
            None => (None, 0),
        };
        let query = sqlx::query_scalar(
            "SELECT roster_commit($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        );
        let positions: Vec<i64> = batch
            .bind(query, A::TYPE, &first.aggregate_id)
            .bind(&claims.acquire)
            .bind(&claims.release)
            .bind(&claims.require)
            .bind(&snapshot_payload)
            .bind(snapshot_version)
            .fetch_all(&self.pool)
            .await?;
        Ok(batch.committed(A::TYPE, events, positions))
    }
}

/// A command's events as the column arrays the SQL functions take; gives each its public id.
struct Batch {
    /// Routing key of the command (all its events belong to one aggregate, one organization).
    organization_id: Option<String>,
    sequences: Vec<i64>,
    types: Vec<String>,
    versions: Vec<String>,
    payloads: Vec<Value>,
    metadata: Vec<Value>,
    ids: Vec<String>,
}

impl Batch {
    fn new(events: &[SerializedEvent]) -> Self {
        let mut b = Batch {
            organization_id: events
                .first()
                .and_then(|e| e.metadata.get(ORGANIZATION_ID))
                .and_then(Value::as_str)
                .map(str::to_owned),
            sequences: Vec::with_capacity(events.len()),
            types: Vec::with_capacity(events.len()),
            versions: Vec::with_capacity(events.len()),
            payloads: Vec::with_capacity(events.len()),
            metadata: Vec::with_capacity(events.len()),
            ids: Vec::with_capacity(events.len()),
        };
        for e in events {
            let id = EventId::new().to_string();
            let mut meta = match &e.metadata {
                Value::Object(m) => m.clone(),
                _ => serde_json::Map::new(),
            };
            meta.insert(EVENT_ID.into(), Value::String(id.clone()));
            b.sequences.push(e.sequence as i64);
            b.types.push(e.event_type.clone());
            b.versions.push(e.event_version.clone());
            b.payloads.push(e.payload.clone());
            b.metadata.push(Value::Object(meta));
            b.ids.push(id);
        }
        b
    }

    /// Binds the eight leading parameters both SQL functions share.
    fn bind<'q>(
        &'q self,
        query: QueryScalar<'q, Postgres, i64, PgArguments>,
        aggregate_type: &'q str,
        aggregate_id: &'q str,
    ) -> QueryScalar<'q, Postgres, i64, PgArguments> {
        query
            .bind(aggregate_type)
            .bind(aggregate_id)
            .bind(&self.organization_id)
            .bind(&self.sequences)
            .bind(&self.types)
            .bind(&self.versions)
            .bind(&self.payloads)
            .bind(&self.metadata)
    }

    fn committed(
        self,
        aggregate_type: &str,
        events: &[SerializedEvent],
        positions: Vec<i64>,
    ) -> Vec<Committed> {
        events
            .iter()
            .zip(self.ids)
            .zip(positions)
            .map(|((e, event_id), position)| Committed {
                position,
                event_id,
                aggregate_type: aggregate_type.to_owned(),
                aggregate_id: e.aggregate_id.clone(),
                sequence: e.sequence as i64,
                event_type: e.event_type.clone(),
                payload: e.payload.clone(),
            })
            .collect()
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
        let written = self
            .write::<A>(events, snapshot_update)
            .await
            .map_err(to_persistence)?;
        committed::record(written);
        Ok(())
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
