//! The one feed-consumer loop, shared by the projector, the webhook fan-out and the process
//! manager: follow the feed from the checkpoint, apply each batch and move the checkpoint in the
//! same transaction, and start over from the checkpoint with backoff after any error.
//!
//! One instance per consumer name is active: it holds a Postgres session advisory lock keyed by
//! the name; others wait on standby and take over when the lock is released (the active process
//! stopped or died, and with it its connection). The lock only avoids wasted work: correctness
//! comes from the checkpoint row, locked by every batch (`checkpoints::load_for_update`), so two
//! instances that both believe they are active still never apply an event twice.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use sqlx::{Connection, PgConnection, PgPool};
use tokio::sync::watch;

use crate::retry::Backoff;

use crate::{checkpoints, Feed, FeedEvent, StoreError};

/// The future a consumer's step returns.
pub type Step<'a> = Pin<Box<dyn Future<Output = Result<(), StoreError>> + Send + 'a>>;

/// What a consumer does with a batch of events.
pub trait Consumer: Send + Sync + 'static {
    /// The checkpoint name, and the key of the one-active-instance lock.
    fn name(&self) -> &'static str;

    /// Applies `events` (all after the checkpoint, in position order) inside `tx`, which then
    /// saves the checkpoint and commits: both or neither.
    /// Nothing by default (a consumer whose effects are all in `prepare`).
    fn apply<'a>(&'a self, _tx: &'a mut PgConnection, _events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async { Ok(()) })
    }

    /// Work done before the batch's transaction opens, for consumers whose effects are commands
    /// committed on their own (the process manager): it must be idempotent, since after a crash
    /// the batch is handed over again. Holding the checkpoint transaction open meanwhile would hold
    /// back the feed's visibility horizon for every consumer.
    fn prepare<'a>(&'a self, _events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async { Ok(()) })
    }

    /// Called after a batch committed (e.g. to wake a worker).
    fn committed(&self, _events: &[FeedEvent]) {}
}

/// Where an instance stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Starting,
    /// Another instance of the same name is active; this one waits for its lock.
    Standby,
    Active,
}

/// How the loop waits and retries.
#[derive(Debug, Clone)]
pub struct LoopConfig {
    /// How often a standby instance tries for the lock, and the active one checks it still has it.
    pub lock_poll: Duration,
    pub batch_size: i64,
}

impl Default for LoopConfig {
    fn default() -> Self {
        Self {
            lock_poll: Duration::from_secs(1),
            batch_size: 500,
        }
    }
}

/// Applies `events` after `consumer`'s checkpoint and saves it, atomically; returns the events it
/// applied (none when another instance got there first).
pub async fn apply_batch<C: Consumer + ?Sized>(
    pool: &PgPool,
    consumer: &C,
    events: &[FeedEvent],
) -> Result<usize, StoreError> {
    let Some(last) = events.last() else {
        return Ok(0);
    };
    consumer.prepare(events).await?;
    let mut tx = pool.begin().await?;
    let done = checkpoints::load_for_update(&mut tx, consumer.name()).await?;
    let fresh: Vec<FeedEvent> = events
        .iter()
        .filter(|e| e.position > done)
        .cloned()
        .collect();
    if fresh.is_empty() {
        return Ok(0);
    }
    consumer.apply(&mut tx, &fresh).await?;
    checkpoints::save(&mut tx, consumer.name(), last.position).await?;
    tx.commit().await?;
    consumer.committed(&fresh);
    Ok(fresh.len())
}

/// Runs `consumer` until `pool` is closed (a shutdown: the batch under way is finished first,
/// so no query is cut off) or the task is dropped. `role` reports whether this instance is
/// active.
pub async fn run<C: Consumer>(
    pool: PgPool,
    consumer: C,
    config: LoopConfig,
    role: watch::Sender<Role>,
) {
    let name = consumer.name();
    let mut backoff = Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    while !pool.is_closed() {
        let mut lock = match acquire(&pool, name, &config, &role).await {
            Ok(lock) => lock,
            Err(_) if pool.is_closed() => break,
            Err(e) => {
                tracing::warn!(error = %e, consumer = name, "cannot take the consumer lock; retrying");
                backoff.wait().await;
                continue;
            }
        };
        role.send_replace(Role::Active);
        tracing::info!(consumer = name, "active");
        let error = follow(&pool, &consumer, &config, &mut lock, &mut backoff).await;
        role.send_replace(Role::Starting);
        // Said goodbye to, not just dropped: the server sees a clean end of the session.
        let _ = lock.close().await;
        if pool.is_closed() {
            break;
        }
        // Resume from the stored checkpoint: nothing of a failed batch was kept.
        tracing::warn!(error = %error, consumer = name, "consumer stopped; resuming from its checkpoint");
        backoff.wait().await;
    }
    tracing::debug!(consumer = name, "stopped: the pool is closed");
}

/// Follows the feed while the lock holds; returns why it stopped.
async fn follow<C: Consumer>(
    pool: &PgPool,
    consumer: &C,
    config: &LoopConfig,
    lock: &mut PgConnection,
    backoff: &mut Backoff,
) -> StoreError {
    let start = match checkpoints::load(pool, consumer.name()).await {
        Ok(p) => p,
        Err(e) => return e,
    };
    let mut follower = Feed::new(pool.clone()).follow(start);
    follower.batch_size = config.batch_size;
    let mut check = tokio::time::interval(config.lock_poll);
    check.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A batch read while the one before it was applied.
    let mut ready: Option<Vec<FeedEvent>> = None;
    let closed = pool.close_event();
    tokio::pin!(closed);
    loop {
        let batch = match ready.take() {
            Some(batch) => batch,
            None => {
                // Kept across the lock checks, never dropped by them: dropping it in the middle
                // of a query would abandon that connection with the answer unread (the server
                // logs "connection reset by peer", and the pool opens a new one).
                let next = follower.next_batch();
                tokio::pin!(next);
                loop {
                    tokio::select! {
                        batch = &mut next => match batch {
                            Ok(batch) => break batch,
                            Err(e) => return e,
                        },
                        _ = check.tick() => {
                            // The lock lives as long as its connection: if that broke, another
                            // instance may be active now.
                            if let Err(e) = lock.ping().await {
                                return e.into();
                            }
                        }
                        () = &mut closed => {
                            // Shutting down: the read under way ends (its queries finish, a
                            // wait for notifications gives up as the pool refuses), then stop.
                            let _ = (&mut next).await;
                            return StoreError::Unavailable(sqlx::Error::PoolClosed);
                        }
                    }
                }
            }
        };
        // The next batch is read while this one is applied (a relay waiting for its broker's
        // reports, a projector writing rows). If the apply fails, what was read is dropped with
        // it: the loop starts over from the checkpoint.
        let (applied, next) =
            tokio::join!(apply_batch(pool, consumer, &batch), follower.ready_batch());
        match applied {
            Ok(n) => {
                backoff.reset();
                tracing::debug!(
                    consumer = consumer.name(),
                    events = n,
                    position = follower.position(),
                    "applied"
                );
            }
            Err(e) => return e,
        }
        match next {
            Ok(next) if !next.is_empty() => ready = Some(next),
            Ok(_) => {}
            Err(e) => return e,
        }
    }
}

/// The consumer's lock on a connection of its own (outside the pool, so it lives exactly as long
/// as this instance is active). Waits on standby while another instance holds it.
async fn acquire(
    pool: &PgPool,
    name: &str,
    config: &LoopConfig,
    role: &watch::Sender<Role>,
) -> Result<PgConnection, StoreError> {
    let mut conn = pool.acquire().await?.detach();
    loop {
        let locked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1, hashtext($2))")
            .bind(LOCK_CLASS)
            .bind(name)
            .fetch_one(&mut conn)
            .await?;
        if locked {
            return Ok(conn);
        }
        if *role.borrow() != Role::Standby {
            tracing::info!(consumer = name, "another instance is active; standing by");
            role.send_replace(Role::Standby);
        }
        tokio::time::sleep(config.lock_poll).await;
    }
}

/// The advisory-lock class of consumer locks (`roster_commit_units`'s append lock is class
/// 1919251317; its stream and key locks use single bigint keys, another key space).
const LOCK_CLASS: i32 = 1919251318;
