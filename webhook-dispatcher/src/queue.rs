//! Webhook endpoints, the durable delivery queue and the attempt log (migration 0007).
//!
//! Deliveries are rows, never only memory: the fan-out inserts them in the same transaction that
//! advances its checkpoint. One dispatcher at a time drains an endpoint, under a lease on the
//! endpoint row that it renews while sending (migration 0008): any number of dispatchers share the
//! endpoints, each endpoint's first attempts go out in position order, and a dead dispatcher's
//! endpoints are taken over when its lease runs out.

use chrono::{DateTime, Utc};
use domain::webhook_endpoint::{
    DisabledReason, EndpointDisabled, WebhookEndpointEvent, AGGREGATE_TYPE,
};
use domain::RequestContext;
use serde::Serialize;
use sqlx::{PgConnection, PgPool, QueryBuilder, Row};
use store::feed::{FeedEvent, COLUMNS};
use store::page::{Page, PageRequest};
use store::{StoreError, StreamChange, UnitOfWork};

#[derive(Debug, Clone, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "WebhookEndpoint")]
pub struct EndpointRow {
    pub object: String,
    pub id: String,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub organization_id: Option<String>,
    pub rate_limit_per_s: Option<i32>,
    pub enabled: bool,
    pub disabled_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const ENDPOINT: &str = "SELECT 'webhook_endpoint' AS object, id, url, description, event_types, \
                        organization_id, rate_limit_per_s, enabled, disabled_reason, created_at, \
                        updated_at FROM webhook_endpoints";
const RETURNING_ENDPOINT: &str = " RETURNING 'webhook_endpoint' AS object, id, url, description, \
                                  event_types, organization_id, rate_limit_per_s, enabled, \
                                  disabled_reason, created_at, updated_at";

/// An endpoint's settings as given on creation or in a full update.
#[derive(Debug, Clone)]
pub struct EndpointSettings {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<String>,
    pub organization_id: Option<String>,
    pub rate_limit_per_s: Option<i32>,
}

pub async fn insert_endpoint(
    pool: &PgPool,
    id: &str,
    settings: &EndpointSettings,
    secret: &str,
) -> Result<EndpointRow, StoreError> {
    let mut qb = QueryBuilder::new(
        "INSERT INTO webhook_endpoints (id, url, description, event_types, organization_id,
                                        rate_limit_per_s, secret, since_position, created_at,
                                        updated_at) VALUES (",
    );
    qb.push_bind(id.to_owned())
        .push(", ")
        .push_bind(settings.url.clone())
        .push(", ")
        .push_bind(settings.description.clone())
        .push(", ")
        .push_bind(settings.event_types.clone())
        .push(", ")
        .push_bind(settings.organization_id.clone())
        .push(", ")
        .push_bind(settings.rate_limit_per_s)
        .push(", ")
        .push_bind(secret.to_owned())
        .push(", (SELECT coalesce(max(position), 0) FROM events), now(), now())")
        .push(RETURNING_ENDPOINT);
    Ok(qb.build_query_as().fetch_one(pool).await?)
}

pub async fn get_endpoint(pool: &PgPool, id: &str) -> Result<Option<EndpointRow>, StoreError> {
    let mut qb = QueryBuilder::new(ENDPOINT);
    qb.push(" WHERE id = ").push_bind(id.to_owned());
    Ok(qb.build_query_as().fetch_optional(pool).await?)
}

/// `only`: the one organization a caller reaches (an organization key), if so limited.
pub async fn list_endpoints(
    pool: &PgPool,
    only: Option<&str>,
    page: &PageRequest,
) -> Result<Page<EndpointRow>, StoreError> {
    let mut qb = QueryBuilder::new(ENDPOINT);
    qb.push(" WHERE true");
    if let Some(only) = only {
        qb.push(" AND organization_id = ")
            .push_bind(only.to_owned());
    }
    page.fetch(pool, qb, "id", |e: &EndpointRow| e.id.clone())
        .await
}

/// Replaces the endpoint's settings (the caller merged a partial update into the current ones).
pub async fn update_endpoint(
    pool: &PgPool,
    id: &str,
    settings: &EndpointSettings,
) -> Result<Option<EndpointRow>, StoreError> {
    let mut qb = QueryBuilder::new("UPDATE webhook_endpoints SET url = ");
    qb.push_bind(settings.url.clone())
        .push(", description = ")
        .push_bind(settings.description.clone())
        .push(", event_types = ")
        .push_bind(settings.event_types.clone())
        .push(", organization_id = ")
        .push_bind(settings.organization_id.clone())
        .push(", rate_limit_per_s = ")
        .push_bind(settings.rate_limit_per_s)
        .push(", updated_at = now() WHERE id = ")
        .push_bind(id.to_owned())
        .push(RETURNING_ENDPOINT);
    let updated = qb.build_query_as().fetch_optional(pool).await?;
    changed(pool).await;
    Ok(updated)
}

/// Tells every dispatcher that an endpoint changed (its settings, or deliveries put back in its
/// queue), so that its drain, wherever it runs, looks at once rather than with its next log
/// write or queue read. Only a signal: if it is lost, the drain finds out a little later.
async fn changed(pool: &PgPool) {
    let _ = sqlx::query("SELECT pg_notify($1, 'endpoint')")
        .bind(CHANNEL)
        .execute(pool)
        .await;
}

pub async fn delete_endpoint(pool: &PgPool, id: &str) -> Result<bool, StoreError> {
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE id = $1")
        .bind(id)
        .execute(pool)
        .await?;
    changed(pool).await;
    Ok(done.rows_affected() == 1)
}

/// Enables (clearing the failure run) or disables an endpoint by hand.
pub async fn set_enabled(
    pool: &PgPool,
    id: &str,
    enabled: bool,
    reason: Option<&str>,
) -> Result<Option<EndpointRow>, StoreError> {
    let mut qb = QueryBuilder::new("UPDATE webhook_endpoints SET enabled = ");
    qb.push_bind(enabled)
        .push(", disabled_reason = ")
        .push_bind(reason.map(str::to_owned))
        .push(", failing_since = NULL, updated_at = now() WHERE id = ")
        .push_bind(id.to_owned())
        .push(RETURNING_ENDPOINT);
    let updated = qb.build_query_as().fetch_optional(pool).await?;
    changed(pool).await;
    Ok(updated)
}

/// The secrets that sign an endpoint's deliveries now: the current one, and the previous one
/// while its grace period after a rotation lasts.
#[derive(Debug, Clone, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "WebhookSecrets")]
pub struct Secrets {
    pub secret: String,
    pub previous_secret: Option<String>,
    pub previous_expires_at: Option<DateTime<Utc>>,
}

pub async fn secrets(pool: &PgPool, id: &str) -> Result<Option<Secrets>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT secret,
                CASE WHEN previous_expires_at > now() THEN previous_secret END AS previous_secret,
                CASE WHEN previous_expires_at > now() THEN previous_expires_at END AS previous_expires_at
           FROM webhook_endpoints WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?)
}

/// Makes `secret` current; the old one keeps signing until `grace_until`.
pub async fn rotate_secret(
    pool: &PgPool,
    id: &str,
    secret: &str,
    grace_until: DateTime<Utc>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints
            SET previous_secret = secret, previous_expires_at = $3, secret = $2, updated_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .bind(secret)
    .bind(grace_until)
    .execute(pool)
    .await?;
    changed(pool).await;
    Ok(done.rows_affected() == 1)
}

/// An endpoint's secrets as stored (sealed, or from before sealing), for sealing them again.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct StoredSecrets {
    pub id: String,
    pub secret: String,
    pub previous_secret: Option<String>,
}

/// Up to `limit` endpoints' stored secrets, by id after `after` (`""` from the start).
pub async fn stored_secrets(
    pool: &PgPool,
    after: &str,
    limit: i64,
) -> Result<Vec<StoredSecrets>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, secret, previous_secret FROM webhook_endpoints
          WHERE id > $1 ORDER BY id LIMIT $2",
    )
    .bind(after)
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// One endpoint's stored secrets.
pub async fn stored_secrets_of(
    pool: &PgPool,
    id: &str,
) -> Result<Option<StoredSecrets>, StoreError> {
    Ok(
        sqlx::query_as("SELECT id, secret, previous_secret FROM webhook_endpoints WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await?,
    )
}

/// Replaces an endpoint's stored secrets with the same secrets sealed anew, if they are still
/// what `old` read (a rotation meanwhile wins; the caller reads again). Not a settings change:
/// `updated_at` stays.
pub async fn reseal(
    pool: &PgPool,
    old: &StoredSecrets,
    secret: &str,
    previous_secret: Option<&str>,
) -> Result<bool, StoreError> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints SET secret = $4, previous_secret = $5
          WHERE id = $1 AND secret = $2 AND previous_secret IS NOT DISTINCT FROM $3",
    )
    .bind(&old.id)
    .bind(&old.secret)
    .bind(&old.previous_secret)
    .bind(secret)
    .bind(previous_secret)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What the fan-out matches an event against.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Subscription {
    pub id: String,
    pub since_position: i64,
    pub event_types: Vec<String>,
    pub organization_id: Option<String>,
    /// When the endpoint's settings last changed (a drain holding older ones reads them again).
    pub updated_at: DateTime<Utc>,
}

pub async fn subscriptions(conn: &mut PgConnection) -> Result<Vec<Subscription>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, since_position, event_types, organization_id, updated_at
           FROM webhook_endpoints WHERE enabled ORDER BY id",
    )
    .fetch_all(conn)
    .await?)
}

/// One delivery to queue: (endpoint, event id, position, event type).
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub position: i64,
    pub event_type: String,
    /// The replay job that queued it (its own lane; see migration 0015), `None` for live ones.
    pub replay_id: Option<String>,
}

/// The channel [`insert_deliveries`] notifies at commit, with the queuing dispatcher's name as
/// the payload: dispatchers wake their drains when another process queued something.
pub const CHANNEL: &str = "roster_webhooks";

/// Queues deliveries, due at once, inside the caller's transaction, and notifies [`CHANNEL`] with
/// `source` when it commits.
pub async fn insert_deliveries(
    conn: &mut PgConnection,
    deliveries: &[NewDelivery],
    source: &str,
) -> Result<u64, StoreError> {
    if deliveries.is_empty() {
        return Ok(0);
    }
    let column = |f: fn(&NewDelivery) -> String| deliveries.iter().map(f).collect::<Vec<_>>();
    let positions: Vec<i64> = deliveries.iter().map(|d| d.position).collect();
    let inserted: i64 = sqlx::query_scalar(
        "WITH inserted AS (
              INSERT INTO webhook_deliveries (id, endpoint_id, event_id, position, event_type,
                                              status, next_attempt_at, created_at, updated_at,
                                              replay_id)
              SELECT id, endpoint_id, event_id, position, event_type, 'pending', now(), now(),
                     now(), replay_id
                FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::text[],
                            $6::text[]) AS d(id, endpoint_id, event_id, position, event_type,
                                             replay_id)
              RETURNING 1
         )
         SELECT (SELECT count(*) FROM inserted) FROM pg_notify($7, $8)",
    )
    .bind(column(|d| d.id.clone()))
    .bind(column(|d| d.endpoint_id.clone()))
    .bind(column(|d| d.event_id.clone()))
    .bind(positions)
    .bind(column(|d| d.event_type.clone()))
    .bind(
        deliveries
            .iter()
            .map(|d| d.replay_id.clone())
            .collect::<Vec<_>>(),
    )
    .bind(CHANNEL)
    .bind(source)
    .fetch_one(conn)
    .await?;
    Ok(inserted as u64)
}

/// Whether an endpoint is enabled, has deliveries due, and no dispatcher drains it. SQL shared by
/// [`due_endpoints`] and [`is_due`].
const DUE: &str = "e.enabled AND (e.drain_until IS NULL OR e.drain_until < now())
                   AND EXISTS (SELECT 1 FROM webhook_deliveries d
                                WHERE d.endpoint_id = e.id AND d.status = 'pending'
                                  AND d.next_attempt_at <= now())";

/// Enabled endpoints with deliveries due that no dispatcher is draining.
pub async fn due_endpoints(pool: &PgPool, limit: i64) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT e.id FROM webhook_endpoints e WHERE {DUE} LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?)
}

/// Whether this endpoint has deliveries due that no dispatcher is draining.
pub async fn is_due(pool: &PgPool, endpoint_id: &str) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar(&format!(
        "SELECT EXISTS (SELECT 1 FROM webhook_endpoints e WHERE e.id = $1 AND {DUE})"
    ))
    .bind(endpoint_id)
    .fetch_one(pool)
    .await?)
}

/// The earliest time a pending delivery of an enabled endpoint may be sent (to sleep until): when
/// it is due and its endpoint's drain lease, if any, has run out.
pub async fn next_due(pool: &PgPool) -> Result<Option<DateTime<Utc>>, StoreError> {
    // Endpoint by endpoint, on the (endpoint, next attempt) index: a join over every pending
    // delivery costs as much as the queue is long.
    Ok(sqlx::query_scalar(
        "SELECT min(greatest(d.next_at, coalesce(e.drain_until, d.next_at)))
           FROM webhook_endpoints e
           CROSS JOIN LATERAL (SELECT min(next_attempt_at) AS next_at FROM webhook_deliveries
                                WHERE endpoint_id = e.id AND status = 'pending') d
          WHERE e.enabled",
    )
    .fetch_one(pool)
    .await?)
}

/// Where and how to send an endpoint's deliveries.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Target {
    pub url: String,
    pub rate_limit_per_s: Option<i32>,
    pub secret: String,
    pub previous_secret: Option<String>,
    /// When the settings last changed ([`Subscription::updated_at`]).
    pub updated_at: DateTime<Utc>,
}

/// Claims the endpoint's drain for `owner` (`FOR UPDATE SKIP LOCKED`, like any queue claim: a
/// dispatcher never waits on another's claim), and returns where to send. None if the endpoint
/// is gone or disabled, or another dispatcher holds a live lease on it or is claiming it.
pub async fn claim_drain(
    pool: &PgPool,
    endpoint_id: &str,
    owner: &str,
    lease: std::time::Duration,
) -> Result<Option<Target>, StoreError> {
    lease_drain(
        pool,
        "UPDATE webhook_endpoints e
            SET drain_owner = $2, drain_until = now() + make_interval(secs => $3)
           FROM (SELECT id FROM webhook_endpoints
                  WHERE id = $1 AND enabled AND (drain_until IS NULL OR drain_until < now())
                    FOR UPDATE SKIP LOCKED) free
          WHERE e.id = free.id",
        endpoint_id,
        owner,
        lease,
    )
    .await
}

/// Renews `owner`'s drain lease, and returns where to send now (the URL or secrets may have
/// changed). None if the endpoint is gone or disabled, or the lease was lost.
pub async fn renew_drain(
    pool: &PgPool,
    endpoint_id: &str,
    owner: &str,
    lease: std::time::Duration,
) -> Result<Option<Target>, StoreError> {
    lease_drain(
        pool,
        "UPDATE webhook_endpoints
            SET drain_until = now() + make_interval(secs => $3)
          WHERE id = $1 AND enabled AND drain_owner = $2",
        endpoint_id,
        owner,
        lease,
    )
    .await
}

/// Runs a drain-lease update (`$1` endpoint, `$2` owner, `$3` lease in seconds) and returns
/// the endpoint's target if it matched.
async fn lease_drain(
    pool: &PgPool,
    update: &str,
    endpoint_id: &str,
    owner: &str,
    lease: std::time::Duration,
) -> Result<Option<Target>, StoreError> {
    let sql = format!(
        "{update}
         RETURNING url, rate_limit_per_s, secret,
                   CASE WHEN previous_expires_at > now() THEN previous_secret END
                       AS previous_secret,
                   updated_at"
    );
    Ok(sqlx::query_as(&sql)
        .bind(endpoint_id)
        .bind(owner)
        .bind(lease.as_secs_f64())
        .fetch_optional(pool)
        .await?)
}

/// Gives up `owner`'s drain lease. No dispatcher (this one included) drains the endpoint again
/// for `hold`: the time left until the rate limit lets the next delivery go.
pub async fn release_drain(
    pool: &PgPool,
    endpoint_id: &str,
    owner: &str,
    hold: std::time::Duration,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE webhook_endpoints
            SET drain_owner = NULL,
                drain_until = CASE WHEN $3 > 0 THEN now() + make_interval(secs => $3) END
          WHERE id = $1 AND drain_owner = $2",
    )
    .bind(endpoint_id)
    .bind(owner)
    .bind(hold.as_secs_f64())
    .execute(pool)
    .await?;
    Ok(())
}

/// Gives up every drain lease `owner` holds (a dispatcher shutting down).
pub async fn release_drains(pool: &PgPool, owner: &str) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE webhook_endpoints SET drain_owner = NULL, drain_until = NULL
          WHERE drain_owner = $1",
    )
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(())
}

/// A delivery due now, with what sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub event_id: String,
    pub position: i64,
    pub attempts: i32,
    /// In a replay's lane (see migration 0015).
    pub replayed: bool,
    /// The event, as the feed reads it (None if it is not in the log).
    pub event: Option<std::sync::Arc<FeedEvent>>,
}

/// An endpoint's due deliveries, as [`due`] reads them.
#[derive(Debug, Default)]
pub struct DueBatch {
    pub deliveries: Vec<Due>,
    /// More are due than the batch holds.
    pub more: bool,
}

/// The due query of [`due`]: both lanes, each delivery with its event (`$1` endpoint, `$2` and
/// `$3` the lanes' limits). Built once: it names the feed's columns.
static DUE_SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let event_columns = COLUMNS
        .split(", ")
        .map(|c| format!("ev.{c}"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT d.id AS delivery_id, d.event_id AS delivery_event_id,
                    d.position AS delivery_position, d.attempts, d.replayed,
                    ev.position IS NOT NULL AS logged, {event_columns}
               FROM ((SELECT id, event_id, position, attempts, false AS replayed
                        FROM webhook_deliveries
                       WHERE endpoint_id = $1 AND status = 'pending' AND replay_id IS NULL
                         AND next_attempt_at <= now()
                       ORDER BY position LIMIT $2 + 1)
                     UNION ALL
                     (SELECT id, event_id, position, attempts, true
                        FROM webhook_deliveries
                       WHERE endpoint_id = $1 AND status = 'pending' AND replay_id IS NOT NULL
                         AND next_attempt_at <= now()
                       ORDER BY position LIMIT $3 + 1)) d
               LEFT JOIN events ev ON ev.position = d.position
              ORDER BY d.replayed, d.position"
    )
});

/// Up to `limit` of the endpoint's due deliveries, each with its event: live ones first, oldest
/// position first, then at most a quarter of `limit` replayed ones. A drain reads its next batch
/// only when it has sent this one, so a live delivery never waits behind more than that quarter,
/// and a replay still moves on under steady live traffic. Only the holder of the endpoint's
/// drain lease sends them, so reading is enough: there is nothing to lock.
pub async fn due(pool: &PgPool, endpoint_id: &str, limit: i64) -> Result<DueBatch, StoreError> {
    let limit = limit.max(1);
    let quarter = (limit / 4).max(1);
    // One more of each lane than can be taken says whether more are due.
    let rows = sqlx::query(&DUE_SQL)
        .bind(endpoint_id)
        .bind(limit)
        .bind(quarter)
        .fetch_all(pool)
        .await?;
    let mut live = Vec::new();
    let mut replayed = Vec::new();
    for row in &rows {
        let logged: bool = row.try_get("logged")?;
        let due = Due {
            id: row.try_get("delivery_id")?,
            event_id: row.try_get("delivery_event_id")?,
            position: row.try_get("delivery_position")?,
            attempts: row.try_get("attempts")?,
            replayed: row.try_get("replayed")?,
            event: if logged {
                Some(std::sync::Arc::new(
                    FeedEvent::from_row(row).map_err(|e| StoreError::Corrupt(e.to_string()))?,
                ))
            } else {
                None
            },
        };
        if due.replayed {
            replayed.push(due);
        } else {
            live.push(due);
        }
    }
    let replay_share = replayed.len().min(quarter as usize);
    let live_share = live.len().min(limit as usize - replay_share);
    let more = live.len() > live_share || replayed.len() > replay_share;
    live.truncate(live_share);
    replayed.truncate(replay_share);
    live.extend(replayed);
    Ok(DueBatch {
        deliveries: live,
        more,
    })
}

/// How many deliveries replay `replay_id` has queued that are not sent yet.
pub async fn replay_pending(pool: &PgPool, replay_id: &str) -> Result<i64, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM webhook_deliveries WHERE replay_id = $1 AND status = 'pending'",
    )
    .bind(replay_id)
    .fetch_one(pool)
    .await?)
}

/// One attempt as it happened.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub id: String,
    pub delivery_id: String,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    /// The first bytes of the receiver's answer, as it sent them.
    pub response_excerpt: Option<Vec<u8>>,
    /// What follows it.
    pub next: Next,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy)]
pub enum Next {
    Succeeded,
    /// Try again at this time.
    RetryAt(DateTime<Utc>),
    /// No attempts left (or the endpoint is gone).
    Failed,
}

/// Where a batch of attempts leaves the endpoint's run of failures: whether a success ended it,
/// and when the run going on after the batch started.
fn failure_run(attempts: &[Attempt]) -> (bool, Option<DateTime<Utc>>) {
    let mut reset = false;
    let mut start = None;
    for a in attempts {
        if matches!(a.next, Next::Succeeded) {
            reset = true;
            start = None;
        } else if start.is_none() {
            start = Some(a.attempted_at);
        }
    }
    (reset, start)
}

/// The endpoint as a batch of attempts leaves it.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Recorded {
    /// Start of the endpoint's current run of failures (None after a success).
    pub failing_since: Option<DateTime<Utc>>,
    /// Whether the endpoint is still enabled and `owner` still holds its drain lease (renewed).
    pub held: bool,
}

/// Logs a batch of one endpoint's attempts (each of a different delivery), moves their
/// deliveries on, and renews `owner`'s drain lease, in one statement. None if the endpoint is
/// gone.
pub async fn record_attempts(
    pool: &PgPool,
    endpoint_id: &str,
    owner: &str,
    lease: std::time::Duration,
    attempts: &[Attempt],
) -> Result<Option<Recorded>, StoreError> {
    fn column<T>(attempts: &[Attempt], f: impl Fn(&Attempt) -> T) -> Vec<T> {
        attempts.iter().map(f).collect()
    }
    let (reset, run_start) = failure_run(attempts);
    let (status, next_at): (Vec<&str>, Vec<Option<DateTime<Utc>>>) = attempts
        .iter()
        .map(|a| match a.next {
            Next::Succeeded => ("succeeded", None),
            Next::RetryAt(at) => ("pending", Some(at)),
            Next::Failed => ("failed", None),
        })
        .unzip();
    Ok(sqlx::query_as(
        "WITH logged AS (
              INSERT INTO webhook_attempts (id, delivery_id, attempted_at, status_code, latency_ms,
                                            error_kind, error, response_excerpt)
              SELECT * FROM UNNEST($2::text[], $3::text[], $4::timestamptz[], $5::int4[],
                                   $6::int4[], $7::text[], $8::text[], $9::bytea[])
         ), moved AS (
              -- By primary key (`= ANY`), each row's values looked up by its index in the arrays:
              -- a join with the unnested arrays is planned as a hash join over the whole queue.
              UPDATE webhook_deliveries d
                 SET status = ($10::text[])[array_position($3::text[], d.id)],
                     attempts = d.attempts + 1,
                     next_attempt_at = ($11::timestamptz[])[array_position($3::text[], d.id)],
                     updated_at = now()
               WHERE d.id = ANY ($3::text[])
         )
         UPDATE webhook_endpoints
            SET failing_since = CASE WHEN $12 THEN $13 ELSE coalesce(failing_since, $13) END,
                drain_until = CASE WHEN drain_owner = $14
                                   THEN now() + make_interval(secs => $15)
                                   ELSE drain_until END
          WHERE id = $1
         RETURNING failing_since, enabled AND drain_owner IS NOT DISTINCT FROM $14 AS held",
    )
    .bind(endpoint_id)
    .bind(column(attempts, |a| a.id.clone()))
    .bind(column(attempts, |a| a.delivery_id.clone()))
    .bind(column(attempts, |a| a.attempted_at))
    .bind(column(attempts, |a| a.status_code))
    .bind(column(attempts, |a| a.latency_ms))
    .bind(column(attempts, |a| a.error_kind.clone()))
    .bind(column(attempts, |a| {
        a.error.as_deref().map(store::text::storable)
    }))
    .bind(column(attempts, |a| a.response_excerpt.clone()))
    .bind(status)
    .bind(next_at)
    .bind(reset)
    .bind(run_start)
    .bind(owner)
    .bind(lease.as_secs_f64())
    .fetch_optional(pool)
    .await?)
}

/// Disables an endpoint for a reason of the dispatcher's (410 Gone, failing for too long) and
/// logs `webhook_endpoint.disabled` in the event log, both or neither. False if it already was.
pub async fn disable_with_event(
    pool: &PgPool,
    endpoint_id: &str,
    reason: DisabledReason,
) -> Result<bool, StoreError> {
    store::retry_conflicts(
        |e| matches!(e, StoreError::Conflict),
        || disable_once(pool, endpoint_id, reason),
    )
    .await
}

async fn disable_once(
    pool: &PgPool,
    endpoint_id: &str,
    reason: DisabledReason,
) -> Result<bool, StoreError> {
    // Read without locking (a lock would be the transaction's first write, and the event must be
    // that); the UPDATE below only succeeds if the endpoint is still enabled.
    let endpoint: Option<(String, Option<String>, i64)> = sqlx::query_as(
        "SELECT url, organization_id,
                (SELECT coalesce(max(sequence), 0) FROM events
                  WHERE aggregate_type = 'webhook_endpoint' AND aggregate_id = $1)
           FROM webhook_endpoints WHERE id = $1 AND enabled",
    )
    .bind(endpoint_id)
    .fetch_optional(pool)
    .await?;
    let Some((url, organization_id, version)) = endpoint else {
        return Ok(false);
    };
    let at = Utc::now();
    let disabled = WebhookEndpointEvent::Disabled(EndpointDisabled {
        id: endpoint_id.to_owned(),
        url,
        organization_id: organization_id.clone(),
        reason,
        disabled_at: at,
    });
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange::typed(
        AGGREGATE_TYPE,
        endpoint_id.to_owned(),
        organization_id,
        version,
        &[disabled],
        &RequestContext::system("dispatcher").metadata(),
    )?);
    unit.named("webhook_endpoint.disable");
    let mut tx = pool.begin().await?;
    unit.write(&mut tx).await?;
    let updated = sqlx::query(
        "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = $3
          WHERE id = $1 AND enabled",
    )
    .bind(endpoint_id)
    .bind(reason.as_str())
    .bind(at)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() == 0 {
        // Disabled meanwhile by someone else: no event either.
        return Ok(false);
    }
    tx.commit().await?;
    store::announce::announce(pool);
    Ok(true)
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Delivery")]
pub struct DeliveryRow {
    pub object: String,
    pub id: String,
    pub endpoint_id: String,
    pub event_id: String,
    pub event_type: String,
    pub position: i64,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const DELIVERY: &str =
    "SELECT 'webhook_delivery' AS object, id, endpoint_id, event_id, event_type, \
                        position, status, attempts, next_attempt_at, created_at, updated_at \
                        FROM webhook_deliveries";

pub async fn list_deliveries(
    pool: &PgPool,
    endpoint_id: &str,
    status: Option<&str>,
    page: &PageRequest,
) -> Result<Page<DeliveryRow>, StoreError> {
    let mut qb = QueryBuilder::new(DELIVERY);
    qb.push(" WHERE endpoint_id = ")
        .push_bind(endpoint_id.to_owned());
    if let Some(status) = status {
        qb.push(" AND status = ").push_bind(status.to_owned());
    }
    page.fetch(pool, qb, "id", |d: &DeliveryRow| d.id.clone())
        .await
}

pub async fn get_delivery(pool: &PgPool, id: &str) -> Result<Option<DeliveryRow>, StoreError> {
    let mut qb = QueryBuilder::new(DELIVERY);
    qb.push(" WHERE id = ").push_bind(id.to_owned());
    Ok(qb.build_query_as().fetch_optional(pool).await?)
}

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[schemars(rename = "DeliveryAttempt")]
pub struct AttemptRow {
    pub id: String,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    pub latency_ms: i32,
    pub error_kind: Option<String>,
    pub error: Option<String>,
    /// The first 4 KiB of the receiver's answer: as text when it is UTF-8 without a NUL,
    /// otherwise base64 (see `response_excerpt_encoding`).
    pub response_excerpt: Option<String>,
    pub response_excerpt_encoding: Option<ExcerptEncoding>,
}

/// How an attempt's `response_excerpt` is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExcerptEncoding {
    /// The bytes were UTF-8 text (a character the 4 KiB cut split is left out).
    Text,
    /// The bytes, base64 (standard alphabet, padded): they were not UTF-8, or held a NUL.
    Base64,
}

/// The excerpt as the API shows it: text when the bytes are UTF-8 without a NUL (ignoring a
/// character cut in half at the end), base64 otherwise, so that nothing is lost.
pub fn excerpt(bytes: &[u8]) -> (String, ExcerptEncoding) {
    use base64::Engine;
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => Some(text),
        // Only the last character is incomplete: the cut at 4 KiB split it.
        Err(e) if e.error_len().is_none() => std::str::from_utf8(&bytes[..e.valid_up_to()]).ok(),
        Err(_) => None,
    };
    match text.filter(|t| !t.contains('\0')) {
        Some(text) => (text.to_owned(), ExcerptEncoding::Text),
        None => (
            base64::engine::general_purpose::STANDARD.encode(bytes),
            ExcerptEncoding::Base64,
        ),
    }
}

impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for AttemptRow {
    fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        let raw: Option<Vec<u8>> = row.try_get("response_excerpt")?;
        let (response_excerpt, response_excerpt_encoding) = match raw.as_deref().map(excerpt) {
            Some((text, encoding)) => (Some(text), Some(encoding)),
            None => (None, None),
        };
        Ok(Self {
            id: row.try_get("id")?,
            attempted_at: row.try_get("attempted_at")?,
            status_code: row.try_get("status_code")?,
            latency_ms: row.try_get("latency_ms")?,
            error_kind: row.try_get("error_kind")?,
            error: row.try_get("error")?,
            response_excerpt,
            response_excerpt_encoding,
        })
    }
}

pub async fn attempts(pool: &PgPool, delivery_id: &str) -> Result<Vec<AttemptRow>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT id, attempted_at, status_code, latency_ms, error_kind, error, response_excerpt
           FROM webhook_attempts WHERE delivery_id = $1 ORDER BY attempted_at, id",
    )
    .bind(delivery_id)
    .fetch_all(pool)
    .await?)
}

/// Puts a delivery back in the queue, due now, with a fresh retry schedule.
pub async fn requeue(pool: &PgPool, id: &str) -> Result<Option<DeliveryRow>, StoreError> {
    sqlx::query(
        "UPDATE webhook_deliveries
            SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
          WHERE id = $1",
    )
    .bind(id)
    .execute(pool)
    .await?;
    changed(pool).await;
    get_delivery(pool, id).await
}

/// Requeues the endpoint's failed deliveries created at or after `since`; returns how many.
pub async fn recover(
    pool: &PgPool,
    endpoint_id: &str,
    since: DateTime<Utc>,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE webhook_deliveries
            SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
          WHERE endpoint_id = $1 AND status = 'failed' AND created_at >= $2",
    )
    .bind(endpoint_id)
    .bind(since)
    .execute(pool)
    .await?;
    changed(pool).await;
    Ok(done.rows_affected())
}

/// Queue gauges for `/metrics`: pending and failed deliveries, disabled endpoints, and how far
/// the dispatchers are behind schedule.
#[derive(Debug, Default, Clone, Copy, sqlx::FromRow)]
pub struct Stats {
    pub pending: i64,
    pub failed: i64,
    pub disabled_endpoints: i64,
    /// Seconds since the most overdue pending delivery of an enabled endpoint became due (0 if
    /// none is due): what an alert on delivery delay watches.
    pub overdue_seconds: f64,
}

/// An endpoint's attempts in one slice of time.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Outcomes {
    pub from: DateTime<Utc>,
    pub succeeded: i64,
    pub failed: i64,
}

/// An endpoint's attempts over the last `window`, counted in `buckets` equal slices (oldest
/// first; every slice present, empty ones with zeros). An attempt succeeded when it got a 2xx.
pub async fn outcomes(
    pool: &PgPool,
    endpoint_id: &str,
    window: std::time::Duration,
    buckets: u32,
) -> Result<Vec<Outcomes>, StoreError> {
    Ok(sqlx::query_as(
        "WITH bounds AS (SELECT now() - make_interval(secs => $2) AS start,
                                make_interval(secs => $2 / $3) AS width),
              counted AS (
                SELECT floor(extract(epoch FROM a.attempted_at - b.start)
                             / extract(epoch FROM b.width))::int AS slot,
                       count(*) FILTER (WHERE a.status_code BETWEEN 200 AND 299) AS succeeded,
                       count(*) FILTER (WHERE a.status_code IS NULL
                                           OR a.status_code NOT BETWEEN 200 AND 299) AS failed
                  FROM bounds b
                  JOIN webhook_deliveries d ON d.endpoint_id = $1 AND d.updated_at >= b.start
                  JOIN webhook_attempts a ON a.delivery_id = d.id AND a.attempted_at >= b.start
                 GROUP BY 1)
         SELECT b.start + b.width * i AS from,
                coalesce(c.succeeded, 0) AS succeeded, coalesce(c.failed, 0) AS failed
           FROM bounds b CROSS JOIN generate_series(0, $3 - 1) AS i
           LEFT JOIN counted c ON c.slot = i
          ORDER BY i",
    )
    .bind(endpoint_id)
    .bind(window.as_secs_f64())
    .bind(i32::try_from(buckets.max(1)).unwrap_or(i32::MAX))
    .fetch_all(pool)
    .await?)
}

pub async fn stats(pool: &PgPool) -> Result<Stats, StoreError> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM webhook_deliveries WHERE status = 'pending') AS pending,
                (SELECT count(*) FROM webhook_deliveries WHERE status = 'failed') AS failed,
                (SELECT count(*) FROM webhook_endpoints WHERE NOT enabled) AS disabled_endpoints,
                (SELECT coalesce(extract(epoch FROM now() - min(d.next_at)), 0)::float8
                   FROM webhook_endpoints e
                   CROSS JOIN LATERAL (SELECT min(next_attempt_at) AS next_at
                                         FROM webhook_deliveries
                                        WHERE endpoint_id = e.id AND status = 'pending') d
                  WHERE e.enabled AND d.next_at <= now())
                    AS overdue_seconds",
    )
    .fetch_one(pool)
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(second: i64, next: Next) -> Attempt {
        Attempt {
            id: format!("att_{second}"),
            delivery_id: format!("dlv_{second}"),
            attempted_at: DateTime::from_timestamp(second, 0).unwrap(),
            status_code: None,
            latency_ms: 1,
            error_kind: None,
            error: None,
            response_excerpt: None,
            next,
        }
    }

    #[test]
    fn a_batch_ends_or_starts_the_run_of_failures() {
        let retry = Next::RetryAt(Utc::now());
        let at = |s| DateTime::from_timestamp(s, 0);
        // Only failures: the run starts (or goes on) with the first.
        assert_eq!(
            failure_run(&[attempt(1, retry), attempt(2, Next::Failed)]),
            (false, at(1))
        );
        // A success ends the run; failures after it start a new one.
        assert_eq!(
            failure_run(&[
                attempt(1, retry),
                attempt(2, Next::Succeeded),
                attempt(3, retry),
                attempt(4, retry)
            ]),
            (true, at(3))
        );
        assert_eq!(
            failure_run(&[attempt(1, retry), attempt(2, Next::Succeeded)]),
            (true, None)
        );
    }
}
