//! Group commit: units of work committing at the same moment on one pool share one statement
//! (`roster_commit_units`) and one transaction, and each still succeeds or fails on its own.
//!
//! Why: a command's commit was a dozen statements inside Postgres; run for many units at once,
//! their cost is paid once per batch, and so is the round trip and the commit's WAL flush.
//!
//! How: a committing unit joins the pool's queue; while fewer than `RUNNERS` batches are on their
//! way, it starts a runner — a task of its own, so a caller that gives up (a client hanging up)
//! cannot abandon the others' commit halfway. A runner takes what is queued, as one batch, until
//! the queue is empty. Units that would wait for each other (same stream or claim key, other
//! than both requiring it) never share a batch, and a unit that expects claims absent goes alone:
//! so no unit's checks depend on another unit of its batch. Their order across batches is the
//! queue's.
//!
//! When the statement fails as a whole (an error a check did not foresee), it was rolled back,
//! and each of its units is committed alone, so the error reaches only its own unit. When the
//! database cannot be reached, every unit of the batch is told so.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, Weak};

use sqlx::postgres::PgConnectOptions;
use sqlx::PgPool;
use tokio::sync::oneshot;

use crate::unit_of_work::{write_batch, Prepared};
use crate::{Committed, StoreError};

/// Batches on their way at once per pool (each on its own connection).
const RUNNERS: usize = 4;
/// At most this many units, or events, in one batch.
const MAX_UNITS: usize = 64;
const MAX_EVENTS: usize = 2_000;

type Reply = oneshot::Sender<Result<Vec<Committed>, StoreError>>;

#[derive(Default)]
struct Queue {
    waiting: VecDeque<(Prepared, Reply)>,
    running: usize,
}

/// Commits `unit` with whatever else is committing on `pool`; its outcome alone.
pub(crate) async fn commit(pool: &PgPool, unit: Prepared) -> Result<Vec<Committed>, StoreError> {
    let queue = queue_of(pool);
    let (reply, outcome) = oneshot::channel();
    let start = {
        let mut q = lock(&queue);
        q.waiting.push_back((unit, reply));
        let start = q.running < RUNNERS;
        if start {
            q.running += 1;
        }
        start
    };
    if start {
        tokio::spawn(run(Running::counted(queue, pool.clone())));
    }
    outcome.await.unwrap_or_else(|_| {
        Err(StoreError::Step(
            "the commit was abandoned; its outcome is unknown".into(),
        ))
    })
}

/// Commits batches until the queue is empty.
async fn run(mut running: Running) {
    let (queue, pool) = (running.queue.clone(), running.pool.clone());
    loop {
        let batch = {
            let mut q = lock(&queue);
            let batch = take_batch(&mut q.waiting);
            if batch.is_empty() {
                // Counted out under the same lock that saw the queue empty: a unit queued
                // after this sees a free runner slot and starts one.
                q.running -= 1;
                running.counted = false;
                return;
            }
            batch
        };
        let (units, replies): (Vec<_>, Vec<_>) = batch.into_iter().unzip();
        let outcomes = execute(&pool, &units).await;
        let mut any = false;
        for ((unit, reply), outcome) in units.into_iter().zip(replies).zip(outcomes) {
            let result = unit.finish(outcome);
            any |= result.is_ok();
            let _ = reply.send(result);
        }
        if any {
            crate::announce::announce(&pool);
        }
    }
}

/// A runner as the queue counts it. Should it end otherwise than by finding the queue empty (a
/// panic, its runtime shutting down — even before it ever ran: it is made before its task), it
/// is counted out, and after a panic a runner takes over what is queued.
struct Running {
    queue: Arc<Mutex<Queue>>,
    pool: PgPool,
    counted: bool,
}

impl Running {
    /// A runner the queue has just counted in.
    fn counted(queue: Arc<Mutex<Queue>>, pool: PgPool) -> Self {
        Self {
            queue,
            pool,
            counted: true,
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if !self.counted {
            return;
        }
        // After a panic the runtime goes on: another runner takes what is queued. Otherwise the
        // task was dropped with its runtime (spawning there would drop the new one at once):
        // units other runtimes queued meanwhile are taken by the runner the next commit on this
        // pool starts.
        let runtime = std::thread::panicking()
            .then(tokio::runtime::Handle::try_current)
            .and_then(Result::ok);
        let take_over = {
            let mut q = lock(&self.queue);
            q.running -= 1;
            let take_over = runtime.filter(|_| !q.waiting.is_empty());
            if take_over.is_some() {
                q.running += 1;
            }
            take_over
        };
        // Outside the lock: a task the runtime drops at once counts itself out, under it.
        if let Some(runtime) = take_over {
            runtime.spawn(run(Running::counted(self.queue.clone(), self.pool.clone())));
        }
    }
}

/// The positions of each unit, or why it was not written.
async fn execute(pool: &PgPool, units: &[Prepared]) -> Vec<Result<Vec<i64>, StoreError>> {
    let unavailable = |e: &StoreError| {
        units
            .iter()
            .map(|_| {
                Err(StoreError::Unavailable(sqlx::Error::Io(
                    std::io::Error::other(e.to_string()),
                )))
            })
            .collect()
    };
    let mut conn = match pool.acquire().await {
        Ok(conn) => conn,
        Err(e) => return unavailable(&e.into()),
    };
    match write_batch(&mut conn, units).await {
        Ok(outcomes) => outcomes,
        // Refused by the server: rolled back. Alone, each unit meets only its own error.
        Err(StoreError::Database(_) | StoreError::Unstorable(_) | StoreError::Conflict)
            if units.len() > 1 =>
        {
            let mut outcomes = Vec::with_capacity(units.len());
            for unit in units {
                outcomes.push(
                    match write_batch(&mut conn, std::slice::from_ref(unit)).await {
                        Ok(mut one) => one.pop().unwrap_or_else(|| {
                            Err(StoreError::Corrupt("the commit reported no outcome".into()))
                        }),
                        Err(e) => Err(e),
                    },
                );
            }
            outcomes
        }
        Err(e) if units.len() == 1 => vec![Err(e)],
        Err(e) => unavailable(&e),
    }
}

/// The next batch, in queue order: the first unit, and every later one that neither waits for
/// nor is waited for by a unit already in (those stay queued, in their order).
fn take_batch(waiting: &mut VecDeque<(Prepared, Reply)>) -> Vec<(Prepared, Reply)> {
    let mut batch = Vec::new();
    let Some(first) = waiting.pop_front() else {
        return batch;
    };
    let alone = first.0.expects_absence() || first.0.events() >= MAX_EVENTS;
    let mut taken = Locks::default();
    let mut events = first.0.events();
    taken.add(&first.0);
    batch.push(first);
    if alone {
        return batch;
    }
    let mut kept = VecDeque::with_capacity(waiting.len());
    while let Some(next) = waiting.pop_front() {
        let unit = &next.0;
        let fits = batch.len() < MAX_UNITS
            && events + unit.events() <= MAX_EVENTS
            && !unit.expects_absence()
            && !taken.conflicts(unit);
        if fits {
            events += unit.events();
            taken.add(unit);
            batch.push(next);
        } else {
            kept.push_back(next);
        }
    }
    *waiting = kept;
    batch
}

/// The streams and keys a batch locks.
#[derive(Default)]
struct Locks {
    streams: HashSet<String>,
    exclusive: HashSet<String>,
    shared: HashSet<String>,
}

impl Locks {
    fn add(&mut self, unit: &Prepared) {
        self.streams.extend(unit.streams.iter().cloned());
        self.exclusive.extend(unit.exclusive_keys.iter().cloned());
        self.shared.extend(unit.shared_keys.iter().cloned());
    }

    fn conflicts(&self, unit: &Prepared) -> bool {
        unit.streams.iter().any(|s| self.streams.contains(s))
            || unit
                .exclusive_keys
                .iter()
                .any(|k| self.exclusive.contains(k) || self.shared.contains(k))
            || unit.shared_keys.iter().any(|k| self.exclusive.contains(k))
    }
}

fn lock(queue: &Mutex<Queue>) -> std::sync::MutexGuard<'_, Queue> {
    queue.lock().unwrap_or_else(|e| e.into_inner())
}

/// The queue of `pool`, told apart by its connect options, which each pool holds once: an entry
/// whose options are gone (its pool dropped, its address taken by a new one) starts afresh.
fn queue_of(pool: &PgPool) -> Arc<Mutex<Queue>> {
    type Entry = (Weak<PgConnectOptions>, Arc<Mutex<Queue>>);
    static QUEUES: OnceLock<Mutex<HashMap<usize, Entry>>> = OnceLock::new();
    let options = pool.connect_options();
    let id = Arc::as_ptr(&options) as usize;
    let mut queues = QUEUES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    queues.retain(|_, (owner, _)| owner.strong_count() > 0);
    let entry = queues
        .entry(id)
        .or_insert_with(|| (Arc::downgrade(&options), Default::default()));
    if !entry.0.upgrade().is_some_and(|o| Arc::ptr_eq(&o, &options)) {
        *entry = (Arc::downgrade(&options), Default::default());
    }
    entry.1.clone()
}
