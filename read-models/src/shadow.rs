//! The shadow schema `roster rebuild` fills: fresh copies of the read-model tables, written by the
//! projector's own writes (`target`), compared with the live tables or swapped in for them.
//!
//! A shadow table is filled without its secondary indexes (each row would update them one by
//! one); `index` builds them in one pass each once the log has been replayed, before anything
//! reads the table. Table and schema names reach SQL text only from [`TABLES`] and this module's
//! constants, never from input.

use sqlx::{PgConnection, PgPool};

use store::StoreError;

use crate::write::TABLES;

/// Where `roster rebuild` builds fresh tables before swapping them in.
pub const SCHEMA: &str = "rm_rebuild";

/// Keeps only names of [`TABLES`], in that order.
fn known(tables: &[&str]) -> Vec<&'static str> {
    TABLES.into_iter().filter(|t| tables.contains(t)).collect()
}

/// `schema.table, …` for a statement naming several tables.
fn qualified(schema: &str, tables: &[&str]) -> String {
    tables
        .iter()
        .map(|t| format!("{schema}.{t}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The secondary indexes a shadow is filled without, to build afterwards (`index`).
#[derive(Debug, Default)]
#[must_use = "a shadow table without its indexes must get them before it is read"]
pub struct Deferred {
    tables: Vec<&'static str>,
    definitions: Vec<String>,
}

/// Empty shadow copies of `tables` (same columns, constraints and unique indexes); their other
/// indexes are left to [`index`].
pub async fn prepare(pool: &PgPool, tables: &[&str]) -> Result<Deferred, StoreError> {
    let mut tx = pool.begin().await?;
    sqlx::query(&format!("DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        .execute(&mut *tx)
        .await?;
    sqlx::query(&format!("CREATE SCHEMA {SCHEMA}"))
        .execute(&mut *tx)
        .await?;
    let mut deferred = Deferred::default();
    for t in known(tables) {
        deferred.tables.push(t);
        sqlx::query(&format!(
            "CREATE TABLE {SCHEMA}.{t} (LIKE public.{t} INCLUDING ALL)"
        ))
        .execute(&mut *tx)
        .await?;
        // The non-unique indexes: ON CONFLICT needs the unique ones while filling.
        let secondary: Vec<(String, String)> = sqlx::query_as(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = $1 AND c.relname = $2 AND NOT i.indisunique
              ORDER BY 1",
        )
        .bind(SCHEMA)
        .bind(t)
        .fetch_all(&mut *tx)
        .await?;
        for (name, definition) in secondary {
            // `name` is the catalogue's own, schema-qualified and quoted as needed.
            sqlx::query(&format!("DROP INDEX {name}"))
                .execute(&mut *tx)
                .await?;
            deferred.definitions.push(definition);
        }
    }
    tx.commit().await?;
    Ok(deferred)
}

/// Builds the indexes `prepare` left out, each in one pass over its filled table, all at once on
/// connections of their own (a failed one fails the rebuild; the next starts from a new shadow),
/// then gathers the tables' statistics: a table swapped in without them is planned blind until
/// autovacuum gets to it.
pub async fn index(pool: &PgPool, deferred: Deferred) -> Result<(), StoreError> {
    let builds = deferred.definitions.iter().map(|definition| async move {
        // The catalogue's own definition of an index of a read-model table.
        sqlx::query(definition).execute(pool).await.map(|_| ())
    });
    futures::future::try_join_all(builds).await?;
    if !deferred.tables.is_empty() {
        let tables = qualified(SCHEMA, &deferred.tables);
        sqlx::query(&format!("ANALYZE {tables}"))
            .execute(pool)
            .await?;
    }
    Ok(())
}

/// Makes the unqualified read-model writes of this transaction go to the shadow tables.
pub async fn target(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query(&format!("SET LOCAL search_path TO {SCHEMA}, public"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Rows that differ between the live and the shadow tables, as `table: live|shadow: row`.
pub async fn diff(conn: &mut PgConnection, tables: &[&str]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for t in known(tables) {
        let rows: Vec<String> = sqlx::query_scalar(&format!(
            "(SELECT '{t}: live only: ' || x::text FROM (SELECT * FROM public.{t} EXCEPT SELECT * FROM {SCHEMA}.{t}) x)
             UNION ALL
             (SELECT '{t}: rebuilt only: ' || x::text FROM (SELECT * FROM {SCHEMA}.{t} EXCEPT SELECT * FROM public.{t}) x)"
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
    let list = qualified("public", &known(tables));
    sqlx::query(&format!("LOCK TABLE {list} IN ACCESS EXCLUSIVE MODE"))
        .execute(conn)
        .await?;
    Ok(())
}

/// Puts the shadow `tables` in place of the live ones (inside the caller's transaction).
pub async fn swap_in(conn: &mut PgConnection, tables: &[&str]) -> Result<(), StoreError> {
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
        sqlx::query(&format!("ALTER TABLE {SCHEMA}.{t} SET SCHEMA public"))
            .execute(&mut *conn)
            .await?;
        sqlx::query(&format!("DROP TABLE rm_retired.{t}"))
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query(&format!("DROP SCHEMA {SCHEMA}"))
        .execute(&mut *conn)
        .await?;
    Ok(())
}
