//! Runs domain commands through cqrs-es and turns the outcome into what the HTTP edge needs:
//! the committed events with their positions, or a typed error.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateContext, AggregateError, CqrsFramework, EventStore};
use domain::Actor;

use crate::committed::{self, Committed};
use crate::repository::{EventRepository, ORGANIZATION_ID};
use crate::StoreError;

/// How often a command that lost an optimistic-concurrency race is re-run before we report 409.
const CONFLICT_RETRIES: u32 = 5;

/// Who asked, and why: stored in every event's metadata.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub actor: Actor,
    pub request_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    /// The aggregate refused the command.
    #[error(transparent)]
    Rejected(E),
    #[error("`{key}` is already taken by {owner_type} {owner_id}")]
    ClaimTaken {
        key: String,
        owner_type: String,
        owner_id: String,
    },
    /// A claim the change requires is not held (e.g. the membership is no longer active).
    #[error("requirement `{key}` is not met")]
    RequirementFailed { key: String },
    /// Still conflicting after the bounded retries.
    #[error("the object was changed concurrently; retry the request")]
    Conflict,
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Input the database cannot store (see `StoreError::Unstorable`).
    #[error("{0}")]
    Unstorable(String),
    #[error("{0}")]
    Internal(String),
}

/// What a successful command wrote (empty when it changed nothing).
#[derive(Debug, Clone, Default)]
pub struct Executed {
    pub events: Vec<Committed>,
}

impl Executed {
    pub fn last_position(&self) -> Option<i64> {
        self.events.last().map(|e| e.position)
    }
}

/// The command bus of one aggregate type.
pub struct Commands<A: Aggregate> {
    cqrs: CqrsFramework<A, PersistedEventStore<EventRepository, A>>,
    store: PersistedEventStore<EventRepository, A>,
    repo: EventRepository,
}

impl<A> Commands<A>
where
    A: Aggregate + 'static,
    A::Command: Clone,
{
    /// `snapshot_every`: store a snapshot every N events, for aggregates that grow.
    pub fn new(
        repo: EventRepository,
        services: A::Services,
        snapshot_every: Option<usize>,
    ) -> Self {
        let store = |repo: EventRepository| match snapshot_every {
            Some(n) => PersistedEventStore::new_snapshot_store(repo, n),
            None => PersistedEventStore::new_event_store(repo),
        };
        Self {
            cqrs: CqrsFramework::new(store(repo.clone()), vec![], services),
            store: store(repo.clone()),
            repo,
        }
    }

    /// Runs `command` on `aggregate_id`, retrying optimistic-concurrency conflicts a few times.
    pub async fn execute(
        &self,
        aggregate_id: &str,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
    ) -> Result<Executed, CommandError<A::Error>> {
        let mut metadata = HashMap::from([
            ("actor_type".to_owned(), ctx.actor.kind.clone()),
            ("request_id".to_owned(), ctx.request_id.clone()),
        ]);
        if let Some(id) = &ctx.actor.id {
            metadata.insert("actor_id".to_owned(), id.clone());
        }
        if let Some(org) = organization_id {
            metadata.insert(ORGANIZATION_ID.to_owned(), org.to_owned());
        }
        let mut attempt = 0;
        loop {
            let (result, events) = committed::capture(self.cqrs.execute_with_metadata(
                aggregate_id,
                command.clone(),
                metadata.clone(),
            ))
            .await;
            match result {
                Ok(()) => return Ok(Executed { events }),
                Err(AggregateError::AggregateConflict) if attempt < CONFLICT_RETRIES => {
                    attempt += 1;
                    let jitter = u64::from(ulid::Ulid::new().random() as u8 % 8);
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2 + jitter))
                        .await;
                }
                Err(e) => return Err(map_error(e)),
            }
        }
    }

    /// The aggregate's current state (for responses to commands that changed nothing).
    pub async fn load(&self, aggregate_id: &str) -> Result<A, CommandError<A::Error>> {
        let mut ctx = self
            .store
            .load_aggregate(aggregate_id)
            .await
            .map_err(map_error)?;
        Ok(std::mem::take(ctx.aggregate()))
    }

    /// Position of the aggregate's latest event, if it has any.
    pub async fn last_position(
        &self,
        aggregate_id: &str,
    ) -> Result<Option<i64>, CommandError<A::Error>> {
        sqlx::query_scalar(
            "SELECT max(position) FROM events WHERE aggregate_type = $1 AND aggregate_id = $2",
        )
        .bind(A::TYPE)
        .bind(aggregate_id)
        .fetch_one(self.repo.pool())
        .await
        .map_err(|e| store_error(e.into()))
    }
}

fn store_error<E: std::error::Error>(e: StoreError) -> CommandError<E> {
    match e {
        StoreError::ClaimTaken {
            key,
            owner_type,
            owner_id,
        } => CommandError::ClaimTaken {
            key,
            owner_type,
            owner_id,
        },
        StoreError::RequirementFailed { key } => CommandError::RequirementFailed { key },
        StoreError::Conflict => CommandError::Conflict,
        e @ StoreError::Unavailable(_) => CommandError::Unavailable(e.to_string()),
        e @ StoreError::Unstorable(_) => CommandError::Unstorable(e.to_string()),
        other => CommandError::Internal(other.to_string()),
    }
}

fn map_error<E: std::error::Error>(e: AggregateError<E>) -> CommandError<E> {
    match e {
        AggregateError::UserError(e) => CommandError::Rejected(e),
        AggregateError::AggregateConflict => CommandError::Conflict,
        AggregateError::DatabaseConnectionError(e) => CommandError::Unavailable(e.to_string()),
        AggregateError::DeserializationError(e) => CommandError::Internal(e.to_string()),
        AggregateError::UnexpectedError(e) => match e.downcast::<StoreError>() {
            Ok(store) => store_error(*store),
            Err(other) => match other.downcast::<sqlx::Error>() {
                Ok(sqlx) => store_error((*sqlx).into()),
                Err(other) => CommandError::Internal(other.to_string()),
            },
        },
    }
}

/// Shared so the HTTP layer can hold one bus per aggregate in its state.
pub type SharedCommands<A> = Arc<Commands<A>>;
