//! Writes of the read-model tables (`migrations/0005_read_models.sql`). Each takes the event's
//! `data` (the object after the change), its position and the source that manages the object
//! (`managed_by` of an apply's event; `None` keeps the one it had), and is idempotent: a row only
//! moves forward (`position` guard), so replaying events leaves the same state.

use serde_json::Value;
use sqlx::PgConnection;

use store::StoreError;

macro_rules! exec {
    ($conn:expr, $sql:expr, $($bind:expr),*) => {{
        sqlx::query($sql)$(.bind($bind))*.execute(&mut *$conn).await?;
        Ok(())
    }};
}

pub async fn upsert_organization(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_organizations (id, name, description, external_id, metadata, created_at, updated_at, position, managed_by)
         SELECT d->>'id', d->>'name', d->>'description', d->>'external_id', coalesce(d->'metadata', '{}'),
                (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
            external_id = excluded.external_id, metadata = excluded.metadata,
            updated_at = excluded.updated_at, position = excluded.position,
            managed_by = coalesce(excluded.managed_by, rm_organizations.managed_by)
          WHERE rm_organizations.position < excluded.position",
        d, position, managed_by)
}

pub async fn delete_organization(conn: &mut PgConnection, id: &str) -> Result<(), StoreError> {
    exec!(conn, "DELETE FROM rm_organizations WHERE id = $1", id)
}

pub async fn upsert_role(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_roles (organization_id, slug, name, description, permissions, created_at, updated_at, position, managed_by)
         SELECT d->>'organization_id', d->>'slug', d->>'name', d->>'description',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'permissions', '[]'))),
                (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (organization_id, slug) DO UPDATE SET name = excluded.name,
            description = excluded.description, permissions = excluded.permissions,
            created_at = excluded.created_at, updated_at = excluded.updated_at, position = excluded.position,
            managed_by = coalesce(excluded.managed_by, rm_roles.managed_by)
          WHERE rm_roles.position < excluded.position",
        d, position, managed_by)
}

pub async fn delete_role(
    conn: &mut PgConnection,
    organization_id: &str,
    slug: &str,
) -> Result<(), StoreError> {
    exec!(
        conn,
        "DELETE FROM rm_roles WHERE organization_id = $1 AND slug = $2",
        organization_id,
        slug
    )
}

pub async fn upsert_membership(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_memberships (id, organization_id, user_id, application_id, status, roles, attributes,
                                     created_at, updated_at, position, managed_by)
         SELECT d->>'id', d->>'organization_id', d->>'user_id', d->>'application_id', d->>'status',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'roles', '[]'))),
                coalesce(d->'attributes', '{}'),
                (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, roles = excluded.roles,
            attributes = excluded.attributes, updated_at = excluded.updated_at, position = excluded.position,
            managed_by = coalesce(excluded.managed_by, rm_memberships.managed_by)
          WHERE rm_memberships.position < excluded.position",
        d, position, managed_by)
}

pub async fn delete_membership(conn: &mut PgConnection, id: &str) -> Result<(), StoreError> {
    exec!(conn, "DELETE FROM rm_memberships WHERE id = $1", id)
}

pub async fn upsert_group(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_groups (id, organization_id, name, description, created_at, updated_at, position, managed_by)
         SELECT d->>'id', d->>'organization_id', d->>'name', d->>'description',
                (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, description = excluded.description,
            updated_at = excluded.updated_at, position = excluded.position,
            managed_by = coalesce(excluded.managed_by, rm_groups.managed_by)
          WHERE rm_groups.position < excluded.position",
        d, position, managed_by)
}

pub async fn delete_group(conn: &mut PgConnection, id: &str) -> Result<(), StoreError> {
    exec!(conn, "DELETE FROM rm_groups WHERE id = $1", id)
}

pub async fn add_group_member(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_group_members (group_id, membership_id, organization_id, added_at, position, managed_by)
         SELECT d->>'group_id', d->>'membership_id', d->>'organization_id', (d->>'at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (group_id, membership_id) DO UPDATE
            SET managed_by = coalesce(excluded.managed_by, rm_group_members.managed_by)",
        d, position, managed_by)
}

pub async fn remove_group_member(conn: &mut PgConnection, d: &Value) -> Result<(), StoreError> {
    exec!(conn,
        "DELETE FROM rm_group_members WHERE group_id = $1::jsonb->>'group_id' AND membership_id = $1::jsonb->>'membership_id'",
        d)
}

pub async fn upsert_invitation(
    conn: &mut PgConnection,
    d: &Value,
    position: i64,
    managed_by: Option<&str>,
) -> Result<(), StoreError> {
    exec!(conn,
        "INSERT INTO rm_invitations (id, organization_id, email, roles, state, expires_at, inviter_user_id,
                                     accepted_user_id, membership_id, created_at, updated_at, position, managed_by)
         SELECT d->>'id', d->>'organization_id', d->>'email',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(d->'roles', '[]'))), d->>'state',
                (d->>'expires_at')::timestamptz, d->>'inviter_user_id', d->>'accepted_user_id',
                d->>'membership_id', (d->>'created_at')::timestamptz, (d->>'updated_at')::timestamptz, $2, $3
           FROM (SELECT $1::jsonb AS d) s
         ON CONFLICT (id) DO UPDATE SET state = excluded.state, expires_at = excluded.expires_at,
            accepted_user_id = excluded.accepted_user_id, membership_id = excluded.membership_id,
            updated_at = excluded.updated_at, position = excluded.position,
            managed_by = coalesce(excluded.managed_by, rm_invitations.managed_by)
          WHERE rm_invitations.position < excluded.position",
        d, position, managed_by)
}

/// The read-model tables, in a fixed order (also the lock order of a swap).
pub const TABLES: [&str; 6] = [
    "rm_organizations",
    "rm_roles",
    "rm_memberships",
    "rm_groups",
    "rm_group_members",
    "rm_invitations",
];

/// Where `roster rebuild` builds fresh tables before swapping them in.
pub const SHADOW_SCHEMA: &str = "rm_rebuild";

/// Keeps only names of [`TABLES`], in that order: table names reach SQL text only from there.
fn known(tables: &[&str]) -> Vec<&'static str> {
    TABLES.into_iter().filter(|t| tables.contains(t)).collect()
}

/// Empty shadow copies of `tables` (same columns and indexes).
pub async fn prepare_shadow(pool: &sqlx::PgPool, tables: &[&str]) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Table and schema names are constants of this module, never input.
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {SHADOW_SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {SHADOW_SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    for t in known(tables) {
        sqlx::query(&format!(
            "CREATE TABLE {SHADOW_SCHEMA}.{t} (LIKE public.{t} INCLUDING ALL)"
        ))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Makes the unqualified read-model writes of this transaction go to the shadow tables.
pub async fn target_shadow(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query(&format!("SET LOCAL search_path TO {SHADOW_SCHEMA}, public"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Rows that differ between the live and the shadow tables, as `table: live|shadow: row`.
pub async fn diff_with_shadow(
    conn: &mut PgConnection,
    tables: &[&str],
) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for t in known(tables) {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "(SELECT '{t}: live only: ' || x::text FROM (SELECT * FROM public.{t} EXCEPT SELECT * FROM {SHADOW_SCHEMA}.{t}) x)
             UNION ALL
             (SELECT '{t}: rebuilt only: ' || x::text FROM (SELECT * FROM {SHADOW_SCHEMA}.{t} EXCEPT SELECT * FROM public.{t}) x)"
        ))
        .fetch_all(&mut *conn)
        .await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Locks the live `tables` against readers and the projector until the transaction ends. Take
/// the projector's checkpoint lock first (as every projector batch does), so this cannot
/// deadlock with a batch.
pub async fn lock_live(conn: &mut PgConnection, tables: &[&str]) -> Result<(), StoreError> {
    let list = known(tables)
        .iter()
        .map(|t| format!("public.{t}"))
        .collect::<Vec<_>>()
        .join(", ");
    sqlx::query(&format!("LOCK TABLE {list} IN ACCESS EXCLUSIVE MODE"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts the shadow `tables` in place of the live ones (inside the caller's transaction).
pub async fn swap_in_shadow(conn: &mut PgConnection, tables: &[&str]) -> Result<(), StoreError> {
    sqlx::query("CREATE SCHEMA IF NOT EXISTS rm_retired")
        .execute(&mut *conn)
        .await?;
    for t in known(tables) {
        sqlx::query(&format!("DROP TABLE IF EXISTS rm_retired.{t}"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("ALTER TABLE public.{t} SET SCHEMA rm_retired"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!(
            "ALTER TABLE {SHADOW_SCHEMA}.{t} SET SCHEMA public"
        ))
        .execute(&mut *conn)
        .await?;
        sqlx::query(&format!("DROP TABLE rm_retired.{t}"))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(&format!("DROP SCHEMA {SHADOW_SCHEMA}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
