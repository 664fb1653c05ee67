//! Where each feed consumer has got to. Saved in the consumer's own transaction, together with
//! the effects of the events it processed, so a crash never loses or repeats work.

use sqlx::{PgConnection, PgPool};

use crate::StoreError;

pub async fn load(pool: &PgPool, consumer: &str) -> Result<i64, StoreError> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE consumer = $1")
            .bind(consumer)
            .fetch_optional(pool)
            .await?;
    Ok(position.unwrap_or(0))
}

/// Records `position` for `consumer` inside the caller's transaction.
pub async fn save(
    conn: &mut PgConnection,
    consumer: &str,
    position: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO checkpoints (consumer, position) VALUES ($1, $2)
         ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = now()",
    )
    .bind(consumer)
    .bind(position)
    .execute(conn)
    .await?;
    Ok(())
}

/// The consumer's position, locking its row until the caller's transaction ends (so the
/// consumer cannot move on meanwhile).
pub async fn load_for_update(conn: &mut PgConnection, consumer: &str) -> Result<i64, StoreError> {
    sqlx::query(
        "INSERT INTO checkpoints (consumer, position) VALUES ($1, 0) ON CONFLICT DO NOTHING",
    )
    .bind(consumer)
    .execute(&mut *conn)
    .await?;
    let position: i64 =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE consumer = $1 FOR UPDATE")
            .bind(consumer)
            .fetch_one(&mut *conn)
            .await?;
    Ok(position)
}
