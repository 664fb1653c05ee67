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
