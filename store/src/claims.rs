//! Turns the domain's claim changes into what `roster_commit` applies in the events' statement.
//!
//! Why in the commit function and not in a trigger: the repository passes the claims explicitly,
//! so the rule stays in the domain (derived from events) and the SQL only enforces it. Racing
//! writers serialise on the claim's primary key: the second waits for the first to commit, then
//! sees the key taken and fails with `RS409`, which the store turns into `ClaimTaken`.

use std::collections::BTreeMap;

use domain::ClaimChange;
use sqlx::PgPool;

use crate::StoreError;

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

/// The net effect of a command's claim changes, per key, in key order (a fixed lock order
/// avoids deadlocks between commands that claim several keys).
pub(crate) fn net(changes: &[ClaimChange]) -> (Vec<String>, Vec<String>) {
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
