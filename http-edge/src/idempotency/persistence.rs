//! Persistence of Idempotency-Key responses: the first request with a key runs and saves its
//! response; a retry with the same key and request replays it; another request with the key is
//! refused. Concurrent requests with one key: one runs, the others are told it is in progress.

use std::time::Duration;

use sqlx::PgPool;

use store::StoreError;

/// How long a started request owns its key before a retry may take over (it may have died).
const LOCK: Duration = Duration::from_secs(60);

/// A saved response.
#[derive(Debug, Clone, PartialEq)]
pub struct Saved {
    pub status: u16,
    /// `(name, value)` pairs worth replaying (content type, position …).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

#[derive(Debug, PartialEq)]
pub enum Begin {
    /// This request owns the key: run it, then `complete` or `abandon`.
    Started,
    /// The key's request already finished: answer with this.
    Replay(Saved),
    /// The key was used for a different request.
    Mismatch,
    /// The key's first request is still running.
    InProgress,
}

/// fingerprint, status, response headers, response body
type StoredRow = (
    Vec<u8>,
    Option<i16>,
    Option<serde_json::Value>,
    Option<Vec<u8>>,
);

/// Takes `key` for this request, unless it is taken: by the same request (replay, or still
/// running) or another one (mismatch). A key saved longer than `ttl` ago is free again.
pub async fn begin(
    pool: &PgPool,
    key: &str,
    fingerprint: &[u8],
    ttl: Duration,
) -> Result<Begin, StoreError> {
    let started: Option<String> = sqlx::query_scalar(
        "INSERT INTO idempotency_keys (key, fingerprint, locked_until)
         VALUES ($1, $2, now() + make_interval(secs => $3))
         ON CONFLICT (key) DO UPDATE
            SET fingerprint = excluded.fingerprint, status = NULL, response_headers = NULL,
                response_body = NULL, locked_until = excluded.locked_until,
                created_at = CASE WHEN idempotency_keys.created_at < now() - make_interval(secs => $4)
                                  THEN now() ELSE idempotency_keys.created_at END
            WHERE idempotency_keys.created_at < now() - make_interval(secs => $4)
               OR (idempotency_keys.status IS NULL
                   AND idempotency_keys.locked_until < now()
                   AND idempotency_keys.fingerprint = excluded.fingerprint)
         RETURNING key",
    )
    .bind(key)
    .bind(fingerprint)
    .bind(LOCK.as_secs_f64())
    .bind(ttl.as_secs_f64())
    .fetch_optional(pool)
    .await?;
    if started.is_some() {
        return Ok(Begin::Started);
    }
    let row: Option<StoredRow> = sqlx::query_as(
        "SELECT fingerprint, status, response_headers, response_body
               FROM idempotency_keys WHERE key = $1",
    )
    .bind(key)
    .fetch_optional(pool)
    .await?;
    Ok(match row {
        // Abandoned between our two statements: let the caller retry.
        None => Begin::InProgress,
        Some((fp, _, _, _)) if fp != fingerprint => Begin::Mismatch,
        Some((_, None, _, _)) => Begin::InProgress,
        Some((_, Some(status), headers, body)) => Begin::Replay(Saved {
            status: status as u16,
            headers: serde_json::from_value(headers.unwrap_or_default()).unwrap_or_default(),
            body: body.unwrap_or_default(),
        }),
    })
}

pub async fn complete(pool: &PgPool, key: &str, saved: &Saved) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE idempotency_keys SET status = $2, response_headers = $3, response_body = $4
          WHERE key = $1",
    )
    .bind(key)
    .bind(saved.status as i16)
    .bind(serde_json::to_value(&saved.headers).unwrap_or_default())
    .bind(&saved.body)
    .execute(pool)
    .await?;
    Ok(())
}

/// Frees the key after a failure worth retrying (5xx): the next request with it runs afresh.
pub async fn abandon(pool: &PgPool, key: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE key = $1 AND status IS NULL")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// How many expired keys one `purge` statement deletes at most.
pub const PURGE_BATCH: u64 = 10_000;

/// Deletes up to `PURGE_BATCH` saved responses older than `ttl`; returns how many went.
pub async fn purge(pool: &PgPool, ttl: Duration) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "DELETE FROM idempotency_keys WHERE key IN (
             SELECT key FROM idempotency_keys
              WHERE created_at < now() - make_interval(secs => $1)
              ORDER BY created_at LIMIT $2)",
    )
    .bind(ttl.as_secs_f64())
    .bind(PURGE_BATCH as i64)
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}
