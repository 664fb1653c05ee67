//! Runs domain commands: load (cqrs-es's store), decide (the aggregate), write (a unit of work),
//! and turns the outcome into what callers need: the committed events with their positions, or a
//! typed error.

use std::sync::Arc;
use std::time::Duration;

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, DomainEvent, EventStore};
use domain::Actor;
use sqlx::PgPool;

use crate::repository::EventRepository;
use crate::unit_of_work::{Committed, NewEvent, StreamChange, UnitOfWork};
use crate::StoreError;

/// How often a command that lost an optimistic-concurrency race is re-run before we report 409.
const CONFLICT_RETRIES: u32 = 5;

/// Who asked, and why: stored in every event's metadata.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub actor: Actor,
    pub request_id: String,
    /// Set when the caller reaches one organization only (an organization key): everything else
    /// is, to it, not there.
    pub limited_to: Option<domain::OrganizationId>,
}

impl RequestContext {
    /// A change roster makes on its own (sweeper, process manager, dispatcher).
    pub fn system(component: &str) -> Self {
        Self {
            actor: Actor::system(),
            request_id: format!("{component}_{}", ulid::Ulid::new()),
            limited_to: None,
        }
    }

    /// Whether the caller reaches objects of organization `org`.
    pub fn reaches(&self, org: &domain::OrganizationId) -> bool {
        self.limited_to.is_none_or(|own| own == *org)
    }

    /// What every event written for this request carries in its metadata.
    pub fn metadata(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("actor_type".into(), self.actor.kind.clone().into());
        m.insert("request_id".into(), self.request_id.clone().into());
        if let Some(id) = &self.actor.id {
            m.insert("actor_id".into(), id.clone().into());
        }
        m
    }
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

/// An aggregate loaded for a change: its state and the version the change will expect.
pub struct Loaded<A: Aggregate> {
    pub id: String,
    pub state: A,
    version: usize,
    snapshot: Option<usize>,
}

/// The command bus of one aggregate type: loads through cqrs-es's store (snapshots, upcasting),
/// decides with the aggregate's own `handle`, and writes through a `UnitOfWork`.
pub struct Commands<A: Aggregate> {
    store: PersistedEventStore<EventRepository, A>,
    services: A::Services,
    pool: PgPool,
    snapshot_every: Option<usize>,
}

impl<A> Commands<A>
where
    A: Aggregate + 'static,
    A::Command: Clone + domain::Named,
{
    /// `snapshot_every`: store a snapshot every N events, for aggregates that grow.
    pub fn new(
        repo: EventRepository,
        services: A::Services,
        snapshot_every: Option<usize>,
    ) -> Self {
        let pool = repo.pool().clone();
        let store = match snapshot_every {
            Some(n) => PersistedEventStore::new_snapshot_store(repo, n),
            None => PersistedEventStore::new_event_store(repo),
        }
        .with_upcasters(domain::upcast::boxed());
        Self {
            store,
            services,
            pool,
            snapshot_every,
        }
    }

    /// Runs `command` on `aggregate_id` as a unit of its own, retrying optimistic-concurrency
    /// conflicts a few times.
    pub async fn execute(
        &self,
        aggregate_id: &str,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
    ) -> Result<Executed, CommandError<A::Error>> {
        retry_conflicts(
            |e| matches!(e, CommandError::Conflict),
            || async {
                let loaded = self.load_for_change(aggregate_id).await?;
                let mut unit = UnitOfWork::new();
                self.decide(loaded, organization_id, command.clone(), ctx, &mut unit)
                    .await?;
                let events = unit.commit(&self.pool).await.map_err(store_error)?;
                Ok(Executed { events })
            },
        )
        .await
    }

    /// The aggregate and its version, for `decide`.
    pub async fn load_for_change(
        &self,
        aggregate_id: &str,
    ) -> Result<Loaded<A>, CommandError<A::Error>> {
        let ctx = self
            .store
            .load_aggregate(aggregate_id)
            .await
            .map_err(map_error)?;
        Ok(Loaded {
            id: ctx.aggregate_id,
            state: ctx.aggregate,
            version: ctx.current_sequence,
            snapshot: ctx.current_snapshot,
        })
    }

    /// Decides `command` on `loaded` and adds the resulting events (with their claim changes and,
    /// when one is due, a snapshot) to `unit`. Returns the aggregate after those events.
    pub async fn decide(
        &self,
        mut loaded: Loaded<A>,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
        unit: &mut UnitOfWork,
    ) -> Result<A, CommandError<A::Error>> {
        let name = domain::Named::name(&command);
        let sink = EventSink::default();
        if let Err(e) = loaded.state.handle(command, &self.services, &sink).await {
            meters::meters().command(name, "rejected");
            return Err(CommandError::Rejected(e));
        }
        let events = sink.collect().await;
        if events.is_empty() {
            // Already so: decided, nothing to write.
            meters::meters().command(name, "ok");
            return Ok(loaded.state);
        }
        unit.named(name);
        let metadata = ctx.metadata();
        let corrupt = |e: serde_json::Error| CommandError::Internal(e.to_string());
        let mut claims = Vec::new();
        let mut new = Vec::with_capacity(events.len());
        for e in &events {
            let payload = serde_json::to_value(e).map_err(corrupt)?;
            claims.extend(domain::claims::changes_of(A::TYPE, &payload).map_err(corrupt)?);
            new.push(NewEvent {
                event_type: e.event_type(),
                event_version: e.event_version(),
                payload,
                metadata: metadata.clone(),
            });
        }
        // A snapshot of the state after these events whenever they cross a multiple of N.
        let snapshot = match self.snapshot_every {
            Some(n) if loaded.version % n + events.len() >= n => Some((
                serde_json::to_value(&loaded.state).map_err(corrupt)?,
                loaded.snapshot.map_or(1, |s| s + 1) as i64,
            )),
            _ => None,
        };
        unit.push(StreamChange {
            aggregate_type: A::TYPE.to_owned(),
            aggregate_id: loaded.id,
            organization_id: organization_id.map(str::to_owned),
            version: loaded.version as i64,
            events: new,
            claims,
            snapshot,
        });
        Ok(loaded.state)
    }

    /// The aggregate's current state (for responses to commands that changed nothing).
    pub async fn load(&self, aggregate_id: &str) -> Result<A, CommandError<A::Error>> {
        Ok(self.load_for_change(aggregate_id).await?.state)
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
        .fetch_one(&self.pool)
        .await
        .map_err(|e| store_error(e.into()))
    }
}

/// Runs `attempt` again (a few times, with a short jittered pause) while it fails with an error
/// `is_conflict` recognises: another writer moved one of its streams on first.
pub async fn retry_conflicts<T, X, Fut>(
    is_conflict: impl Fn(&X) -> bool,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, X>
where
    Fut: std::future::Future<Output = Result<T, X>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if is_conflict(&e) && tries < CONFLICT_RETRIES => {
                tries += 1;
                let jitter = u64::from(ulid::Ulid::new().random() as u8 % 8);
                tokio::time::sleep(Duration::from_millis(u64::from(tries) * 2 + jitter)).await;
            }
            other => return other,
        }
    }
}

/// A store error as a command's outcome.
pub fn store_error<E: std::error::Error>(e: StoreError) -> CommandError<E> {
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
        e @ (StoreError::Unavailable(_) | StoreError::Injected(_)) => {
            CommandError::Unavailable(e.to_string())
        }
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
