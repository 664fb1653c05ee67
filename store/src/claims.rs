//! Claims as the write side's index: who holds a key, and every key under a prefix. The claims
//! themselves are written by `unit_of_work`, in the events' own statement (`roster_commit_units`).
//!
//! Why in the commit function and not in a trigger: the repository passes the claims explicitly,
//! so the rule stays in the domain (derived from events) and the SQL only enforces it. Racing
//! writers serialise on a lock of the claim's key: the second waits for the first to commit, then
//! sees the key taken and fails with `RS409`, which the store turns into `ClaimTaken`.

use sqlx::PgPool;

use crate::StoreError;

/// Holders of every key starting with `prefix`, as `(key, aggregate_id)`, in key order.
pub async fn with_prefix(pool: &PgPool, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT key, aggregate_id FROM claims WHERE key LIKE $1 ORDER BY key")
            .bind(crate::page::like_prefix(prefix))
            .fetch_all(pool)
            .await?,
    )
}

/// The aggregates of one type that hold any claim (e.g. the pending invitations).
pub async fn holders_of_type(
    pool: &PgPool,
    aggregate_type: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT aggregate_id FROM claims WHERE aggregate_type = $1 ORDER BY aggregate_id",
    )
    .bind(aggregate_type)
    .fetch_all(pool)
    .await?)
}

/// Who holds `key`, as `(aggregate_type, aggregate_id)`: claims double as the write side's
/// index (e.g. the membership of a user in an organization).
pub async fn owner(pool: &PgPool, key: &str) -> Result<Option<(String, String)>, StoreError> {
    Ok(
        sqlx::query_as("SELECT aggregate_type, aggregate_id FROM claims WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?,
    )
}

/// The holder (`aggregate_id`) of each of `keys` that is held, in one query.
pub async fn owners(
    pool: &PgPool,
    keys: &[String],
) -> Result<std::collections::HashMap<String, String>, StoreError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, aggregate_id FROM claims WHERE key = ANY ($1)")
            .bind(keys)
            // Planned for its keys on every call, never as a statement prepared once per
            // connection: in the command mix the cached statement took 0.7–1.8 ms a call (the
            // more keys, the worse), planned each time 0.02 ms (`roster bench --only mix
            // --profile`; docs/benchmarks.md).
            .persistent(false)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().collect())
}

/// Holders of every key that starts with `before` and has `after` somewhere after it (both taken
/// literally), as `(key, aggregate_id)` in key order: an index looked up by a part that is not
/// its prefix (e.g. every organization's holders of one role). It reads the whole `before`
/// range, so it is for rare, background work.
pub async fn with_parts(
    pool: &PgPool,
    before: &str,
    after: &str,
) -> Result<Vec<(String, String)>, StoreError> {
    let pattern = format!(
        "{}{}",
        crate::page::like_prefix(before),
        crate::page::like_prefix(after)
    );
    Ok(
        sqlx::query_as("SELECT key, aggregate_id FROM claims WHERE key LIKE $1 ORDER BY key")
            .bind(pattern)
            .fetch_all(pool)
            .await?,
    )
}
