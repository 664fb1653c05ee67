//! Applies the domain's uniqueness claims inside the events' transaction.
//!
//! Why here and not in a trigger: our own repository already owns the transaction, so the claims
//! are two parameterised statements next to the INSERT, and a taken claim comes back as a typed
//! error naming the key instead of a SQLSTATE to decode. Racing writers serialise on the claim's
//! primary key: the second waits for the first to commit, then sees the key taken.

use std::collections::BTreeMap;

use domain::ClaimChange;
use sqlx::PgConnection;

use crate::StoreError;

/// The net effect of a command's claim changes, per key, in key order (a fixed lock order
/// avoids deadlocks between commands that claim several keys).
fn net(changes: &[ClaimChange]) -> (Vec<String>, Vec<String>) {
    let mut last: BTreeMap<&str, bool> = BTreeMap::new();
    for c in changes {
        last.insert(c.key(), matches!(c, ClaimChange::Acquire(_)));
    }
    let acquire = last
        .iter()
        .filter(|(_, a)| **a)
        .map(|(k, _)| k.to_string())
        .collect();
    let release = last
        .iter()
        .filter(|(_, a)| !**a)
        .map(|(k, _)| k.to_string())
        .collect();
    (acquire, release)
}

pub async fn apply(
    conn: &mut PgConnection,
    aggregate_type: &str,
    aggregate_id: &str,
    organization_id: Option<&str>,
    changes: &[ClaimChange],
) -> Result<(), StoreError> {
    if changes.is_empty() {
        return Ok(());
    }
    let (acquire, release) = net(changes);
    if !release.is_empty() {
        sqlx::query(
            "DELETE FROM claims WHERE key = ANY($1) AND aggregate_type = $2 AND aggregate_id = $3",
        )
        .bind(&release)
        .bind(aggregate_type)
        .bind(aggregate_id)
        .execute(&mut *conn)
        .await?;
    }
    if acquire.is_empty() {
        return Ok(());
    }
    // Re-claiming a key the aggregate already owns is a no-op; a key owned by another aggregate
    // returns no row and is reported below.
    let granted: Vec<String> = sqlx::query_scalar(
        "INSERT INTO claims (key, aggregate_type, aggregate_id, organization_id)
         SELECT k, $2, $3, $4 FROM unnest($1::text[]) AS k
         ON CONFLICT (key) DO UPDATE SET claimed_at = claims.claimed_at
            WHERE claims.aggregate_type = excluded.aggregate_type
              AND claims.aggregate_id = excluded.aggregate_id
         RETURNING key",
    )
    .bind(&acquire)
    .bind(aggregate_type)
    .bind(aggregate_id)
    .bind(organization_id)
    .fetch_all(&mut *conn)
    .await?;
    if let Some(key) = acquire.into_iter().find(|k| !granted.contains(k)) {
        let (owner_type, owner_id): (String, String) =
            sqlx::query_as("SELECT aggregate_type, aggregate_id FROM claims WHERE key = $1")
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?
                .unwrap_or_default();
        return Err(StoreError::ClaimTaken {
            key,
            owner_type,
            owner_id,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn net_effect_keeps_the_last_change_per_key_sorted() {
        let changes = vec![
            ClaimChange::Acquire("b".into()),
            ClaimChange::Release("a".into()),
            ClaimChange::Release("b".into()),
            ClaimChange::Acquire("c".into()),
            ClaimChange::Acquire("a".into()),
        ];
        assert_eq!(
            net(&changes),
            (
                vec!["a".to_string(), "c".to_string()],
                vec!["b".to_string()]
            )
        );
    }
}
