//! The application layer: changes that need more than one command or a look at other aggregates
//! (create-or-reactivate, accept, leaving groups, cascades) decided here, once, for every caller —
//! HTTP handlers, the process manager, and later the CLI and the console.
//!
//! A change that touches a bounded set of aggregates is one `UnitOfWork`: every aggregate's events,
//! version checks and claims commit together or not at all, and a conflict decides it all again.

pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod roles;

use std::future::Future;

use store::{Committed, StoreError, UnitOfWork};

use crate::problem::Problem;

/// Why one try of a unit did not commit.
pub(crate) enum Try {
    /// Another writer got in first (a stream moved on, a claim the unit relied on changed): decide
    /// the whole unit again from fresh state.
    Again,
    Fail(Problem),
}

impl From<Problem> for Try {
    fn from(p: Problem) -> Self {
        Try::Fail(p)
    }
}

/// Runs `attempt` until it commits, fails for good, or conflicts too often (409).
pub(crate) async fn with_retries<T, Fut>(attempt: impl FnMut() -> Fut) -> Result<T, Problem>
where
    Fut: Future<Output = Result<T, Try>>,
{
    match store::retry_conflicts(|e| matches!(e, Try::Again), attempt).await {
        Ok(t) => Ok(t),
        Err(Try::Again) => Err(Problem::conflict(
            "the objects were changed concurrently; retry the request",
        )),
        Err(Try::Fail(p)) => Err(p),
    }
}

/// Commits `unit`; `claim` explains a failed claim (taken or missing) as a retry or a problem.
pub(crate) async fn commit(
    pool: &sqlx::PgPool,
    unit: UnitOfWork,
    claim: impl FnOnce(&StoreError) -> Try,
) -> Result<Vec<Committed>, Try> {
    match unit.commit(pool).await {
        Ok(events) => Ok(events),
        Err(StoreError::Conflict) => Err(Try::Again),
        Err(e @ (StoreError::ClaimTaken { .. } | StoreError::RequirementFailed { .. })) => {
            Err(claim(&e))
        }
        Err(e) => Err(Try::Fail(crate::request::store_problem(e))),
    }
}

/// The distinct holders of every claim key under `prefix` (the write side's index).
pub(crate) async fn holders(
    state: &crate::CommandState,
    prefix: &str,
) -> Result<Vec<String>, Problem> {
    let rows = store::claims::with_prefix(&state.pool, prefix)
        .await
        .map_err(crate::request::store_problem)?;
    let mut ids: Vec<String> = rows.into_iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}
