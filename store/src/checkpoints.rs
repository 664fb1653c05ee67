//! Where each feed consumer has got to. Saved in the consumer's own transaction, together with
//! the effects of the events it processed, so a crash never loses or repeats work. Every save is
//! announced (`NOTIFY`, delivered at commit), so waiters such as read-your-writes queries wake at
//! once instead of polling.

use std::time::Duration;

use sqlx::postgres::PgListener;
use sqlx::{PgConnection, PgPool};
use tokio::sync::watch;

use crate::StoreError;

/// The channel checkpoint saves are announced on; the payload is `"{consumer} {position}"`.
pub const CHANNEL: &str = "roster_checkpoints";

/// The consumer's checkpoint as the caller's transaction sees it.
pub async fn load_in(conn: &mut PgConnection, consumer: &str) -> Result<i64, StoreError> {
    let position: Option<i64> =
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE consumer = $1")
            .bind(consumer)
            .fetch_optional(conn)
            .await?;
    Ok(position.unwrap_or(0))
}

/// The consumer's checkpoint, if it has ever saved one (an optional consumer, like the Kafka
/// relay, that never ran has none).
pub async fn find(pool: &PgPool, consumer: &str) -> Result<Option<i64>, StoreError> {
    Ok(
        sqlx::query_scalar("SELECT position FROM checkpoints WHERE consumer = $1")
            .bind(consumer)
            .fetch_optional(pool)
            .await?,
    )
}

/// The consumer's checkpoint now.
pub async fn load(pool: &PgPool, consumer: &str) -> Result<i64, StoreError> {
    load_in(&mut *pool.acquire().await?, consumer).await
}

/// Records `position` for `consumer` inside the caller's transaction.
pub async fn save(
    conn: &mut PgConnection,
    consumer: &str,
    position: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "WITH saved AS (
              INSERT INTO checkpoints (consumer, position) VALUES ($1, $2)
              ON CONFLICT (consumer) DO UPDATE SET position = excluded.position, updated_at = now()
              RETURNING consumer, position)
         SELECT pg_notify($3, consumer || ' ' || position) FROM saved",
    )
    .bind(consumer)
    .bind(position)
    .bind(CHANNEL)
    .execute(conn)
    .await?;
    Ok(())
}

/// A live view of `consumer`'s checkpoint: follows the announcements of its saves, and re-reads
/// it every `poll` in case one was missed (a broken listener connection). The task ends when
/// every receiver is gone.
pub fn watch(pool: PgPool, consumer: &'static str, poll: Duration) -> watch::Receiver<i64> {
    let (tx, rx) = watch::channel(0);
    tokio::spawn(async move {
        tokio::select! {
            () = follow(&pool, consumer, poll, &tx) => {}
            () = tx.closed() => {}
        }
    });
    rx
}

/// Waits, at most `wait`, until `consumer`'s checkpoint has reached `position`: whether it did.
pub async fn reached(pool: &PgPool, consumer: &'static str, position: i64, wait: Duration) -> bool {
    let mut checkpoint = self::watch(pool.clone(), consumer, Duration::from_millis(50));
    let reached = tokio::time::timeout(wait, checkpoint.wait_for(|p| *p >= position)).await;
    matches!(reached, Ok(Ok(_)))
}

async fn follow(pool: &PgPool, consumer: &str, poll: Duration, tx: &watch::Sender<i64>) {
    let advance = |position: i64| {
        tx.send_if_modified(|v| {
            let newer = position > *v;
            if newer {
                *v = position;
            }
            newer
        });
    };
    let mut listener: Option<PgListener> = None;
    loop {
        if listener.is_none() {
            // Listen before reading, so a save between the read and the wait is not missed.
            listener = listen(pool).await.ok();
        }
        match load(pool, consumer).await {
            Ok(position) => advance(position),
            Err(e) => tracing::debug!(error = %e, consumer, "cannot read the checkpoint"),
        }
        let Some(l) = listener.as_mut() else {
            tokio::time::sleep(poll).await;
            continue;
        };
        // Announcements until a quiet `poll` passes (then re-read) or the connection breaks.
        loop {
            match tokio::time::timeout(poll, l.recv()).await {
                Ok(Ok(n)) => {
                    let announced = n.payload().split_once(' ');
                    if let Some((_, p)) = announced.filter(|(c, _)| *c == consumer) {
                        if let Ok(position) = p.parse() {
                            advance(position);
                        }
                    }
                }
                Ok(Err(_)) => {
                    listener = None;
                    break;
                }
                Err(_) => break,
            }
        }
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
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
