//! The one replay engine: re-sends a range of the log (optionally one organization's, or some
//! types) to a sink — a webhook endpoint's delivery queue, a Kafka topic — as a job with an id
//! and its own checkpoint. Each batch is handed to the sink and the checkpoint moves in the same
//! transaction, so an interrupted replay continues where it stopped (and a sink that writes in
//! that transaction, like the webhook queue, gets every event exactly once). One process runs a
//! job at a time (an advisory lock on its id).
//!
//! `roster replay` and the HTTP webhook replay both use it; the sinks live with their services.

use std::future::Future;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgConnection, PgPool};

use crate::log::{self as events, EventFilter};
use crate::{FeedEvent, StoreError};

/// Events read per step.
const BATCH: i64 = 500;

/// A replay job as stored (and shown by `GET /v1/replays/{id}`).
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Replay")]
pub struct Replay {
    /// Always `replay`.
    pub object: String,
    pub id: String,
    /// `webhook` or `kafka`.
    pub sink: String,
    /// The webhook endpoint's id, or the Kafka topic.
    pub target: String,
    /// Who runs it: `dispatcher` (made over HTTP) or `cli` (`roster replay`).
    pub runner: String,
    pub from_position: i64,
    pub to_position: i64,
    pub organization_id: Option<String>,
    /// Empty: every type.
    pub event_types: Vec<String>,
    /// The checkpoint: every event up to here has been handed to the sink.
    pub position: i64,
    /// Events handed to the sink so far.
    pub sent: i64,
    /// `running`, `done` or `failed`.
    pub status: String,
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

impl Replay {
    fn filter(&self) -> EventFilter {
        selection(&self.organization_id, &self.event_types)
    }

    pub fn is_running(&self) -> bool {
        self.status == "running"
    }
}

/// The events a replay of `organization_id` (all, if `None`) and `types` (all, if empty) sends.
fn selection(organization_id: &Option<String>, types: &[String]) -> EventFilter {
    EventFilter {
        organization_id: organization_id.clone(),
        types: types.to_vec(),
        ..Default::default()
    }
}

const COLUMNS: &str = "'replay' AS object, id, sink, target, runner, from_position, to_position, \
                       organization_id, event_types, position, sent, status, error, created_at, \
                       updated_at, finished_at";

/// What to replay: the range is `from_position..=to_position` (to the end of the log as it is
/// when the job is made, if `to_position` is `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewReplay {
    pub sink: String,
    pub target: String,
    pub runner: String,
    pub from_position: i64,
    pub to_position: Option<i64>,
    pub organization_id: Option<String>,
    pub event_types: Vec<String>,
}

impl NewReplay {
    /// The last position: the one asked for, or the end of the readable log now.
    async fn end(&self, pool: &PgPool) -> Result<i64, StoreError> {
        match self.to_position {
            Some(to) => Ok(to),
            None => events::readable_head(pool).await,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sink failed for now (a broker away); running the job again continues it.
    #[error("{0}")]
    Sink(String),
    /// The sink is gone for good (its endpoint deleted): the job fails.
    #[error("{0}")]
    Gone(String),
    #[error("replay {0} is being run by another process")]
    Busy(String),
    #[error("there is no replay {0}")]
    NotFound(String),
}

/// Where a replay sends events.
pub trait Sink {
    /// Whether the sink takes this event, by its own rules on top of the job's filters (a
    /// webhook endpoint's subscription).
    fn selects(&self, _event: &FeedEvent) -> bool {
        true
    }

    /// Returns once the sink can take another batch (back-pressure: a replay of millions of
    /// events must not flood a queue that live traffic shares).
    fn ready(&mut self, _job: &Replay) -> impl Future<Output = Result<(), ReplayError>> + Send {
        async { Ok(()) }
    }

    /// Sends the selected events of one batch; `tx` moves the checkpoint after it returns.
    fn send(
        &mut self,
        job: &Replay,
        events: &[&FeedEvent],
        tx: &mut PgConnection,
    ) -> impl Future<Output = Result<(), ReplayError>> + Send;
}

/// Stores a new job, its checkpoint just before `from_position`.
pub async fn create(pool: &PgPool, new: &NewReplay) -> Result<Replay, StoreError> {
    let to = new.end(pool).await?;
    Ok(sqlx::query_as(&format!(
        "INSERT INTO replays (id, sink, target, runner, from_position, to_position,
                              organization_id, event_types, position)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $5 - 1)
         RETURNING {COLUMNS}"
    ))
    .bind(domain::ReplayId::new().to_string())
    .bind(&new.sink)
    .bind(&new.target)
    .bind(&new.runner)
    .bind(new.from_position)
    .bind(to)
    .bind(&new.organization_id)
    .bind(&new.event_types)
    .fetch_one(pool)
    .await?)
}

/// The unfinished job asking for exactly this (any end, if `to_position` is left open): what
/// running the same replay command again continues.
pub async fn unfinished(pool: &PgPool, new: &NewReplay) -> Result<Option<Replay>, StoreError> {
    Ok(sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM replays
          WHERE status = 'running' AND sink = $1 AND target = $2 AND runner = $3
            AND from_position = $4 AND ($5::bigint IS NULL OR to_position = $5)
            AND organization_id IS NOT DISTINCT FROM $6 AND event_types = $7
          ORDER BY created_at DESC LIMIT 1"
    ))
    .bind(&new.sink)
    .bind(&new.target)
    .bind(&new.runner)
    .bind(new.from_position)
    .bind(new.to_position)
    .bind(&new.organization_id)
    .bind(&new.event_types)
    .fetch_optional(pool)
    .await?)
}

pub async fn get(pool: &PgPool, id: &str) -> Result<Option<Replay>, StoreError> {
    Ok(
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM replays WHERE id = $1"))
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Unfinished jobs for `runner` and `sink`, oldest first.
pub async fn running(pool: &PgPool, runner: &str, sink: &str) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM replays WHERE status = 'running' AND runner = $1 AND sink = $2
          ORDER BY created_at",
    )
    .bind(runner)
    .bind(sink)
    .fetch_all(pool)
    .await?)
}

/// How many events of the range the sink would take, without sending or storing anything.
pub async fn dry_run<S: Sink>(pool: &PgPool, new: &NewReplay, sink: &S) -> Result<u64, StoreError> {
    let to = new.end(pool).await?;
    let filter = selection(&new.organization_id, &new.event_types);
    let (mut after, mut count) = (new.from_position - 1, 0);
    loop {
        let batch = events::batch(pool, &filter, after, to, 5000).await?;
        let Some(last) = batch.last() else {
            return Ok(count);
        };
        after = last.position;
        count += batch.iter().filter(|e| sink.selects(e)).count() as u64;
    }
}

/// Runs job `id` to its end from its checkpoint, calling `progress` after each batch. Returns
/// the finished job; on a sink error the job keeps its checkpoint (run it again to continue),
/// unless the sink is gone for good, which fails it.
pub async fn run<S: Sink>(
    pool: &PgPool,
    id: &str,
    sink: &mut S,
    progress: &(dyn Fn(&Replay) + Sync),
) -> Result<Replay, ReplayError> {
    let mut lock = pool.acquire().await.map_err(StoreError::from)?;
    let locked: bool =
        sqlx::query_scalar("SELECT pg_try_advisory_lock(hashtext('roster_replay'), hashtext($1))")
            .bind(id)
            .fetch_one(&mut *lock)
            .await
            .map_err(StoreError::from)?;
    if !locked {
        return Err(ReplayError::Busy(id.to_owned()));
    }
    let result = run_locked(pool, id, sink, progress).await;
    let unlocked =
        sqlx::query("SELECT pg_advisory_unlock(hashtext('roster_replay'), hashtext($1))")
            .bind(id)
            .execute(&mut *lock)
            .await;
    if unlocked.is_err() {
        // The session ends with the connection, and its lock with it.
        lock.close_on_drop();
    }
    match result {
        Err(ReplayError::Gone(why)) => {
            finish(pool, id, "failed", Some(&why)).await?;
            Err(ReplayError::Gone(why))
        }
        other => other,
    }
}

async fn run_locked<S: Sink>(
    pool: &PgPool,
    id: &str,
    sink: &mut S,
    progress: &(dyn Fn(&Replay) + Sync),
) -> Result<Replay, ReplayError> {
    let mut job = get(pool, id)
        .await?
        .ok_or_else(|| ReplayError::NotFound(id.to_owned()))?;
    progress(&job);
    let filter = job.filter();
    let mut settle = std::time::Duration::from_millis(2);
    while job.is_running() {
        if job.position >= job.to_position {
            job = finish(pool, id, "done", None).await?;
            progress(&job);
            break;
        }
        sink.ready(&job).await?;
        let batch = events::batch(pool, &filter, job.position, job.to_position, BATCH).await?;
        let Some(last) = batch.last().map(|e| e.position) else {
            // The rest of the range is not readable yet (older writers still open), or holds
            // nothing the filters select: look again shortly, then end at the range's end.
            if events::readable_head(pool).await? >= job.to_position {
                job.position = job.to_position;
                continue;
            }
            tokio::time::sleep(settle).await;
            settle = (settle * 2).min(std::time::Duration::from_millis(100));
            continue;
        };
        let chosen: Vec<&FeedEvent> = batch.iter().filter(|e| sink.selects(e)).collect();
        let mut tx = pool.begin().await.map_err(StoreError::from)?;
        sink.send(&job, &chosen, &mut tx).await?;
        job = sqlx::query_as(&format!(
            "UPDATE replays SET position = $2, sent = sent + $3, updated_at = now()
              WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(last)
        .bind(chosen.len() as i64)
        .fetch_one(&mut *tx)
        .await
        .map_err(StoreError::from)?;
        tx.commit().await.map_err(StoreError::from)?;
        progress(&job);
    }
    Ok(job)
}

/// Fails job `id` for good (its sink is gone).
pub async fn fail(pool: &PgPool, id: &str, why: &str) -> Result<Replay, StoreError> {
    finish(pool, id, "failed", Some(why)).await
}

async fn finish(
    pool: &PgPool,
    id: &str,
    status: &str,
    error: Option<&str>,
) -> Result<Replay, StoreError> {
    Ok(sqlx::query_as(&format!(
        "UPDATE replays SET status = $2, error = $3, updated_at = now(), finished_at = now(),
                position = CASE WHEN $2 = 'done' THEN to_position ELSE position END
          WHERE id = $1 RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(status)
    .bind(error.map(crate::text::storable))
    .fetch_one(pool)
    .await?)
}
