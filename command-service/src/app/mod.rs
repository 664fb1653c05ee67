//! The application layer: every change the API offers, taking typed input and returning typed
//! results ([`Written`]) or typed errors ([`AppError`]). Changes that need more than one command
//! or a look at other aggregates (create-or-reactivate, role checks, accept, leaving groups,
//! cascades, bulk import, bulk role assignment) are decided here, once, for every caller — HTTP handlers, the process
//! manager, and later the CLI and the console. It knows nothing of HTTP.
//!
//! A change that touches a bounded set of aggregates is one `UnitOfWork`: every aggregate's events,
//! version checks and claims commit together or not at all, and a conflict decides it all again.

pub mod apply;
pub mod domains;
pub mod error;
#[cfg(test)]
mod given;
pub mod groups;
pub mod invitations;
pub mod memberships;
pub mod organizations;
pub mod role_assignment;
pub mod role_templates;
pub mod roles;

use std::future::Future;

use cqrs_es::Aggregate;
use domain::RequestContext;
use store::{Committed, StoreError, UnitOfWork};

use crate::bus::Commands;

use error::{explain, Rejection};
pub use error::{AppError, Kind};

use crate::CommandState;

/// An object after a change, and the position to read it at: the change's last event, or the
/// object's own last event when the change wrote nothing (it was already so).
#[derive(Debug)]
pub struct Written<T> {
    pub object: T,
    pub position: i64,
}

/// Why one try of a unit did not commit.
pub(crate) enum Try {
    /// Another writer got in first (a stream moved on, a claim the unit relied on changed): decide
    /// the whole unit again from fresh state.
    Again,
    Fail(AppError),
}

impl<E: Into<AppError>> From<E> for Try {
    fn from(e: E) -> Self {
        Try::Fail(e.into())
    }
}

/// Runs `attempt` until it commits, fails for good, or conflicts too often.
pub(crate) async fn with_retries<T, Fut>(attempt: impl FnMut() -> Fut) -> Result<T, AppError>
where
    Fut: Future<Output = Result<T, Try>>,
{
    match store::retry_conflicts(|e| matches!(e, Try::Again), attempt).await {
        Ok(t) => Ok(t),
        Err(Try::Again) => Err(AppError::Concurrent),
        Err(Try::Fail(e)) => Err(e),
    }
}

/// Commits `unit`; `claim` explains a failed claim (taken or missing) as a retry or a failure.
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
        Err(e) => Err(Try::Fail(e.into())),
    }
}

/// The distinct holders of every claim key under `prefix` (the write side's index).
pub(crate) async fn holders(state: &CommandState, prefix: &str) -> Result<Vec<String>, AppError> {
    let rows = store::claims::with_prefix(&state.pool, prefix).await?;
    let mut ids: Vec<String> = rows.into_iter().map(|(_, id)| id).collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}

/// An object of an organization the caller does not reach is, to it, not there: the same answer
/// as for one that does not exist, so ids cannot be probed.
pub(crate) fn reach(
    ctx: &RequestContext,
    org: &domain::OrganizationId,
    kind: Kind,
    id: &str,
) -> Result<(), AppError> {
    if ctx.limited_to.is_none_or(|own| own == *org) {
        Ok(())
    } else {
        Err(AppError::NotFound(kind, id.to_owned()))
    }
}

/// Runs `command` on aggregate `id` of organization `org` (empty: an object of no organization,
/// like a template role) as a unit of its own, and returns the object it leaves with the position
/// to read it at: the object of the last event that `carries` one, or (nothing written) `current`
/// of the aggregate as it is.
pub(crate) async fn execute<A, T>(
    commands: &Commands<A>,
    ctx: &RequestContext,
    (id, org): (&str, &str),
    command: A::Command,
    carries: impl Fn(&A::Event) -> Option<&T>,
    current: impl FnOnce(&A) -> Option<T>,
) -> Result<Written<T>, AppError>
where
    A: Aggregate + 'static,
    A::Command: Clone + domain::Named,
    A::Event: domain::Claims,
    A::Error: Rejection,
    T: Clone,
{
    execute_requiring(commands, ctx, (id, org), command, carries, current, &[]).await
}

/// [`execute`], committing only while every key of `requires` is held.
pub(crate) async fn execute_requiring<A, T>(
    commands: &Commands<A>,
    ctx: &RequestContext,
    (id, org): (&str, &str),
    command: A::Command,
    carries: impl Fn(&A::Event) -> Option<&T>,
    current: impl FnOnce(&A) -> Option<T>,
    requires: &[String],
) -> Result<Written<T>, AppError>
where
    A: Aggregate + 'static,
    A::Command: Clone + domain::Named,
    A::Event: domain::Claims,
    A::Error: Rejection,
    T: Clone,
{
    let executed = commands
        .execute_requiring(
            id,
            Some(org).filter(|o| !o.is_empty()),
            command,
            ctx,
            requires,
        )
        .await
        .map_err(explain(id))?;
    let carried = executed.events.iter().rev().find_map(|r| carries(&r.event));
    if let (Some(object), Some(position)) = (carried, executed.last_position()) {
        return Ok(Written {
            object: object.clone(),
            position,
        });
    }
    let object = current(&executed.state)
        .ok_or_else(|| AppError::NotFound(<A::Error as Rejection>::KIND, id.to_owned()))?;
    let position = commands
        .last_position(id)
        .await
        .map_err(explain(id))?
        .unwrap_or(0);
    Ok(Written { object, position })
}

/// Loads aggregate `id` for a look (not a change): its state, or why not.
pub(crate) async fn load<A>(commands: &Commands<A>, id: &str) -> Result<A, AppError>
where
    A: Aggregate + 'static,
    A::Command: Clone + domain::Named,
    A::Event: domain::Claims,
    A::Error: Rejection,
{
    commands.load(id).await.map_err(explain(id))
}
