//! Events a sink left out by its policy (see migration 0013): recorded once per sink and position.

use sqlx::PgPool;

use store::StoreError;

/// Records that `sink` left out the event at `position`; recording it again changes nothing.
pub async fn record(
    pool: &PgPool,
    sink: &str,
    position: i64,
    size_bytes: i64,
    reason: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO dead_letters (sink, position, size_bytes, reason) VALUES ($1, $2, $3, $4)
         ON CONFLICT (sink, position) DO NOTHING",
    )
    .bind(sink)
    .bind(position)
    .bind(size_bytes)
    .bind(store::text::storable(reason))
    .execute(pool)
    .await?;
    Ok(())
}

/// `(position, size_bytes, reason)` of every event `sink` left out, in position order.
pub async fn of(pool: &PgPool, sink: &str) -> Result<Vec<(i64, i64, String)>, StoreError> {
    Ok(sqlx::query_as(
        "SELECT position, size_bytes, reason FROM dead_letters WHERE sink = $1 ORDER BY position",
    )
    .bind(sink)
    .fetch_all(pool)
    .await?)
}
