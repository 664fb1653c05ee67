//! The command bus: load an aggregate (cqrs-es's store over the event repository: snapshots,
//! upcasting), decide (the aggregate's own `handle`), write (a unit of work); the outcome is the
//! committed events with their positions, or why not.

use cqrs_es::event_sink::EventSink;
use cqrs_es::persist::PersistedEventStore;
use cqrs_es::{Aggregate, AggregateError, EventStore};
use domain::{Claims, RequestContext};
use sqlx::PgPool;
use store::{retry_conflicts, EventRepository, StoreError, StreamChange, UnitOfWork};

/// Why a command did not commit: the aggregate refused it, or the store did (a claim, a conflict
/// that outlived the retries, an outage).
#[derive(Debug, thiserror::Error)]
pub enum CommandError<E: std::error::Error> {
    #[error(transparent)]
    Rejected(E),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One event a command wrote, as the domain typed it, with its id and position in the log.
#[derive(Debug, Clone)]
pub struct Recorded<E> {
    pub position: i64,
    pub event_id: String,
    pub event: E,
}

/// What a successful command left: the aggregate after it, and the events it wrote (none when
/// it changed nothing).
#[derive(Debug)]
pub struct Executed<A: Aggregate> {
    pub state: A,
    pub events: Vec<Recorded<A::Event>>,
}

impl<A: Aggregate> Executed<A> {
    pub fn last_position(&self) -> Option<i64> {
        self.events.last().map(|e| e.position)
    }
}

/// A decision added to a unit of work: the aggregate after it, and the events it adds.
#[derive(Debug)]
pub struct Decided<A: Aggregate> {
    pub state: A,
    pub events: Vec<A::Event>,
}

/// An aggregate loaded for a change: its state and the version the change will expect.
pub struct Loaded<A: Aggregate> {
    pub id: String,
    pub state: A,
    version: usize,
    snapshot: Option<usize>,
}

impl<A: Aggregate> Loaded<A> {
    /// Whether the stream has no events yet.
    pub fn is_new(&self) -> bool {
        self.version == 0
    }
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
    A::Event: Claims,
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
    ) -> Result<Executed<A>, CommandError<A::Error>> {
        self.execute_requiring(aggregate_id, organization_id, command, ctx, &[])
            .await
    }

    /// [`Self::execute`], committing only while every key of `requires` is held (a precondition
    /// decided outside the aggregate; see `UnitOfWork::require`).
    pub async fn execute_requiring(
        &self,
        aggregate_id: &str,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
        requires: &[String],
    ) -> Result<Executed<A>, CommandError<A::Error>> {
        // A new aggregate's stream is empty: decided without reading it. If it was not (the
        // commit finds the stream moved on), or the empty state refuses or ignores the command,
        // it is decided again on what is stored.
        if domain::Named::creates(&command) {
            let fresh = Loaded {
                id: aggregate_id.to_owned(),
                state: A::default(),
                version: 0,
                snapshot: None,
            };
            match self
                .run(fresh, organization_id, command.clone(), ctx, requires)
                .await
            {
                Ok(executed) if !executed.events.is_empty() => return Ok(executed),
                Ok(_)
                | Err(CommandError::Rejected(_))
                | Err(CommandError::Store(StoreError::Conflict)) => {}
                Err(e) => return Err(e),
            }
        }
        retry_conflicts(
            |e| matches!(e, CommandError::Store(StoreError::Conflict)),
            || async {
                let loaded = self.load_for_change(aggregate_id).await?;
                self.run(loaded, organization_id, command.clone(), ctx, requires)
                    .await
            },
        )
        .await
    }

    /// Decides `command` on `loaded` and commits it as a unit of its own.
    async fn run(
        &self,
        loaded: Loaded<A>,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
        requires: &[String],
    ) -> Result<Executed<A>, CommandError<A::Error>> {
        let mut unit = UnitOfWork::new();
        for key in requires {
            unit.require(key.clone());
        }
        let decided = self
            .decide(loaded, organization_id, command, ctx, &mut unit)
            .await?;
        let committed = unit.commit(&self.pool).await?;
        // One stream in the unit: its events commit in the order they were decided.
        let events = committed
            .iter()
            .zip(decided.events)
            .map(|(c, event)| Recorded {
                position: c.position,
                event_id: c.event_id.clone(),
                event,
            })
            .collect();
        Ok(Executed {
            state: decided.state,
            events,
        })
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
    /// when one is due, a snapshot) to `unit`.
    pub async fn decide(
        &self,
        loaded: Loaded<A>,
        organization_id: Option<&str>,
        command: A::Command,
        ctx: &RequestContext,
        unit: &mut UnitOfWork,
    ) -> Result<Decided<A>, CommandError<A::Error>> {
        self.decide_all(loaded, organization_id, vec![command], ctx, unit)
            .await
    }

    /// Decides `commands` on `loaded` one after the other, each on the state the ones before it
    /// left, and adds all their events to `unit` as one change of the stream.
    pub async fn decide_all(
        &self,
        mut loaded: Loaded<A>,
        organization_id: Option<&str>,
        commands: Vec<A::Command>,
        ctx: &RequestContext,
        unit: &mut UnitOfWork,
    ) -> Result<Decided<A>, CommandError<A::Error>> {
        let Some(name) = commands.first().map(domain::Named::name) else {
            return Ok(Decided {
                state: loaded.state,
                events: Vec::new(),
            });
        };
        // The sink applies each event to the state as it is written: every command sees the
        // events of those before it.
        let mut events = Vec::new();
        for command in commands {
            let named = domain::Named::name(&command);
            let sink = EventSink::default();
            if let Err(e) = loaded.state.handle(command, &self.services, &sink).await {
                meters::meters().command(named, "rejected");
                return Err(CommandError::Rejected(e));
            }
            events.extend(sink.collect().await);
        }
        if events.is_empty() {
            // Already so: decided, nothing to write.
            meters::meters().command(name, "ok");
            return Ok(Decided {
                state: loaded.state,
                events,
            });
        }
        unit.named(name);
        let mut change = StreamChange::typed(
            A::TYPE,
            loaded.id,
            organization_id.map(str::to_owned),
            loaded.version as i64,
            &events,
            &ctx.metadata(),
        )?;
        // A snapshot of the state after these events whenever they cross a multiple of N.
        if let Some(n) = self.snapshot_every {
            if loaded.version % n + events.len() >= n {
                let state = serde_json::to_value(&loaded.state)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                change.snapshot = Some((state, loaded.snapshot.map_or(1, |s| s + 1) as i64));
            }
        }
        unit.push(change);
        Ok(Decided {
            state: loaded.state,
            events,
        })
    }

    /// The aggregate's current state (for responses to commands that changed nothing).
    pub async fn load(&self, aggregate_id: &str) -> Result<A, CommandError<A::Error>> {
        Ok(self.load_for_change(aggregate_id).await?.state)
    }

    /// Position of the latest event of any of `aggregate_ids` (0 when none has one).
    pub async fn last_position_of(&self, aggregate_ids: &[String]) -> Result<i64, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT coalesce(max(position), 0) FROM events
              WHERE aggregate_type = $1 AND aggregate_id = ANY ($2)",
        )
        .bind(A::TYPE)
        .bind(aggregate_ids)
        .fetch_one(&self.pool)
        .await?)
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
        .map_err(|e| CommandError::Store(e.into()))
    }
}

fn map_error<E: std::error::Error>(e: AggregateError<E>) -> CommandError<E> {
    match e {
        AggregateError::UserError(e) => CommandError::Rejected(e),
        AggregateError::AggregateConflict => CommandError::Store(StoreError::Conflict),
        AggregateError::DatabaseConnectionError(e)
        | AggregateError::DeserializationError(e)
        | AggregateError::UnexpectedError(e) => CommandError::Store(StoreError::from_boxed(e)),
    }
}
