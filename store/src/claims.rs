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

/// Holders of every key starting with `prefix`, as `(key, aggregate_id)`, in key order.
pub async fn with_prefix(pool: &PgPool, prefix: &str) -> Result<Vec<(String, String)>, StoreError> {
    // Escape LIKE's wildcards: keys contain caller-chosen text.
    let pattern = format!(
        "{}%",
        prefix
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    Ok(
        sqlx::query_as("SELECT key, aggregate_id FROM claims WHERE key LIKE $1 ORDER BY key")
            .bind(pattern)
            .fetch_all(pool)
            .await?,
    )
}

/// The aggregates of one type that hold any claim (e.g. the pending invitations).
pub async fn holders_of_type(
    pool: &PgPool,
    aggregate_type: &str,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT aggregate_id FROM claims WHERE aggregate_type = $1 ORDER BY aggregate_id",
    )
    .bind(aggregate_type)
    .fetch_all(pool)
    .await?)
}

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
pub(crate) struct Net {
    pub acquire: Vec<String>,
    pub release: Vec<String>,
    pub require: Vec<String>,
}

pub(crate) fn net(changes: &[ClaimChange]) -> Net {
    let mut last: BTreeMap<&str, bool> = BTreeMap::new();
    let mut require = std::collections::BTreeSet::new();
    for c in changes {
        match c {
            ClaimChange::Require(k) => {
                require.insert(k.clone());
            }
            other => {
                last.insert(other.key(), matches!(other, ClaimChange::Acquire(_)));
            }
        }
    }
    let keys = |acquired: bool| {
        last.iter()
            .filter(|(_, a)| **a == acquired)
            .map(|(k, _)| k.to_string())
            .collect()
    };
    Net {
        acquire: keys(true),
        release: keys(false),
        require: require.into_iter().collect(),
    }
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
        let n = net(&changes);
        assert_eq!(n.acquire, ["a", "c"]);
        assert_eq!(n.release, ["b"]);
        assert!(n.require.is_empty());
        let n = net(&[
            ClaimChange::Require("z".into()),
            ClaimChange::Require("z".into()),
        ]);
        assert_eq!(n.require, ["z"]);
    }
}
