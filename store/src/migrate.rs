//! Schema migrations, embedded in the binary from `migrations/`.

use sqlx::migrate::Migrator;
use sqlx::PgPool;

use crate::StoreError;

pub static MIGRATOR: Migrator = sqlx::migrate!("../migrations");

/// Applies every pending migration. Safe to run concurrently: sqlx takes an advisory lock.
pub async fn run(pool: &PgPool) -> Result<(), StoreError> {
    MIGRATOR.run(pool).await?;
    Ok(())
}

/// Whether every migration this binary knows has been applied (for `/readyz`).
pub async fn is_current(pool: &PgPool) -> Result<bool, StoreError> {
    let latest = MIGRATOR.iter().map(|m| m.version).max().unwrap_or(0);
    let applied: Option<i64> =
        sqlx::query_scalar("SELECT max(version) FROM _sqlx_migrations WHERE success")
            .fetch_one(pool)
            .await
            .or_else(|e| match &e {
                // No migration table yet: nothing applied.
                sqlx::Error::Database(db) if db.code().as_deref() == Some("42P01") => Ok(None),
                _ => Err(e),
            })?;
    Ok(applied.unwrap_or(0) >= latest)
}
