//! The `api_keys` table (migration 0012): the hash of each secret, looked up on every request that
//! misses the cache, and each key's settings. A key's row and its event are written in one
//! transaction; the event is the transaction's first write (the feed's rule).

use chrono::{DateTime, Utc};
use domain::api_key::{ApiKeyData, ApiKeyEvent, AGGREGATE_TYPE};
use domain::{ApiKeyId, OrganizationId, RequestContext};
use sqlx::{PgPool, QueryBuilder};
use store::page::{Page, PageRequest};
use store::{StoreError, StreamChange, UnitOfWork};

#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    organization_id: Option<String>,
    read_only: bool,
    expires_at: Option<DateTime<Utc>>,
    prefix: String,
    created_at: DateTime<Utc>,
    revoked_at: Option<DateTime<Utc>>,
}

const SELECT: &str =
    "SELECT id, name, organization_id, read_only, expires_at, prefix, created_at, \
                      revoked_at FROM api_keys";

impl TryFrom<Row> for ApiKeyData {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self, StoreError> {
        let corrupt = |e: domain::IdError| StoreError::Corrupt(format!("api key {}: {e}", r.id));
        Ok(ApiKeyData {
            id: ApiKeyId::parse(&r.id).map_err(corrupt)?,
            organization_id: r
                .organization_id
                .as_deref()
                .map(OrganizationId::parse)
                .transpose()
                .map_err(corrupt)?,
            name: r.name,
            read_only: r.read_only,
            expires_at: r.expires_at,
            prefix: r.prefix,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        })
    }
}

/// The unit that logs `event` as the key's stream at `version`.
fn logged(
    event: ApiKeyEvent,
    version: i64,
    ctx: &RequestContext,
) -> Result<UnitOfWork, StoreError> {
    let key = event.key();
    let mut unit = UnitOfWork::new();
    unit.named(match event {
        ApiKeyEvent::Created(_) => "api_key.create",
        ApiKeyEvent::Revoked(_) => "api_key.revoke",
    });
    unit.push(StreamChange::typed(
        AGGREGATE_TYPE,
        key.id.to_string(),
        key.organization_id.map(|o| o.to_string()),
        version,
        std::slice::from_ref(&event),
        &ctx.metadata(),
    )?);
    Ok(unit)
}

/// Stores a new key (`key.revoked_at` must be `None`) with the hash of its secret, and logs
/// `api_key.created`.
pub async fn create(
    pool: &PgPool,
    key: &ApiKeyData,
    secret_sha256: &[u8],
    ctx: &RequestContext,
) -> Result<(), StoreError> {
    let unit = logged(ApiKeyEvent::Created(key.clone()), 0, ctx)?;
    let mut tx = pool.begin().await?;
    unit.write(&mut tx).await?;
    sqlx::query(
        "INSERT INTO api_keys (id, secret_sha256, name, organization_id, read_only, expires_at,
                               prefix, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(key.id.to_string())
    .bind(secret_sha256)
    .bind(&key.name)
    .bind(key.organization_id.map(|o| o.to_string()))
    .bind(key.read_only)
    .bind(key.expires_at)
    .bind(&key.prefix)
    .bind(key.created_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    store::announce::announce(pool);
    Ok(())
}

/// Revokes a key and logs `api_key.revoked`; revoking a revoked key changes nothing. `None` when
/// there is no such key.
pub async fn revoke(
    pool: &PgPool,
    id: &ApiKeyId,
    ctx: &RequestContext,
) -> Result<Option<ApiKeyData>, StoreError> {
    store::retry_conflicts(
        |e| matches!(e, StoreError::Conflict),
        || revoke_once(pool, id, ctx),
    )
    .await
}

async fn revoke_once(
    pool: &PgPool,
    id: &ApiKeyId,
    ctx: &RequestContext,
) -> Result<Option<ApiKeyData>, StoreError> {
    // Read without locking (a lock would be the transaction's first write, and the event must be
    // that); the stream's version check makes a concurrent revocation a conflict, retried.
    let Some(mut key) = get(pool, id).await? else {
        return Ok(None);
    };
    if key.revoked_at.is_some() {
        return Ok(Some(key));
    }
    key.revoked_at = Some(Utc::now());
    let unit = logged(ApiKeyEvent::Revoked(key.clone()), 1, ctx)?;
    let mut tx = pool.begin().await?;
    unit.write(&mut tx).await?;
    sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1")
        .bind(id.to_string())
        .bind(key.revoked_at)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    store::announce::announce(pool);
    Ok(Some(key))
}

pub async fn get(pool: &PgPool, id: &ApiKeyId) -> Result<Option<ApiKeyData>, StoreError> {
    let mut qb = QueryBuilder::new(SELECT);
    qb.push(" WHERE id = ").push_bind(id.to_string());
    let row: Option<Row> = qb.build_query_as().fetch_optional(pool).await?;
    row.map(ApiKeyData::try_from).transpose()
}

/// The key whose secret hashes to `secret_sha256`, with that stored hash (for a constant-time
/// comparison), revoked or not.
pub async fn by_secret_hash(
    pool: &PgPool,
    secret_sha256: &[u8],
) -> Result<Option<(ApiKeyData, Vec<u8>)>, StoreError> {
    let mut qb = QueryBuilder::new(
        "SELECT id, name, organization_id, read_only, expires_at, prefix, created_at, revoked_at, \
         secret_sha256 FROM api_keys WHERE secret_sha256 = ",
    );
    qb.push_bind(secret_sha256.to_vec());
    let row: Option<(Row, Vec<u8>)> = qb
        .build()
        .fetch_optional(pool)
        .await?
        .map(|r| {
            use sqlx::{FromRow, Row as _};
            Ok::<_, sqlx::Error>((Row::from_row(&r)?, r.try_get("secret_sha256")?))
        })
        .transpose()?;
    row.map(|(r, hash)| Ok((ApiKeyData::try_from(r)?, hash)))
        .transpose()
}

/// One page of keys (of one organization, if given), in the list conventions of every other list.
pub async fn list(
    pool: &PgPool,
    organization: Option<&OrganizationId>,
    page: &PageRequest,
) -> Result<Page<ApiKeyData>, StoreError> {
    let mut qb = QueryBuilder::new(SELECT);
    qb.push(" WHERE true");
    if let Some(org) = organization {
        qb.push(" AND organization_id = ")
            .push_bind(org.to_string());
    }
    let rows: Page<Row> = page.fetch(pool, qb, "id", |r: &Row| r.id.clone()).await?;
    Ok(Page {
        rows: rows
            .rows
            .into_iter()
            .map(ApiKeyData::try_from)
            .collect::<Result<_, _>>()?,
        before: rows.before,
        after: rows.after,
    })
}

/// Whether any key was ever made (a fresh installation has none).
pub async fn any(pool: &PgPool) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM api_keys)")
        .fetch_one(pool)
        .await?)
}
