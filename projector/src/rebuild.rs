//! `roster rebuild`: replays the whole feed into fresh shadow tables, then either compares them
//! with the live ones (`--verify`) or swaps them in while the live projector keeps running.

use read_models::{shadow, write as rm};
use store::{checkpoints, Feed, FeedEvent, StoreError};
use tokio::sync::mpsc;

use crate::{Projection, Projector, CONSUMER};

/// Events read and applied at a time while filling the shadow.
const BATCH: i64 = 5_000;

/// What a rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    /// The position the rebuilt tables include.
    pub position: i64,
    pub events: u64,
    /// With `verify`: the rows that differ (empty when the live read models are right).
    pub differences: Vec<String>,
}

/// How far a rebuild has got: events applied, position reached, position it replays up to.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    pub events: u64,
    pub position: i64,
    pub target: i64,
}

/// The projections being rebuilt and their tables.
struct Scope {
    projections: Vec<Projection>,
    tables: Vec<&'static str>,
}

impl Scope {
    fn new(projections: &[Projection]) -> Self {
        let projections = if projections.is_empty() {
            Projection::ALL.to_vec()
        } else {
            projections.to_vec()
        };
        let tables = projections
            .iter()
            .flat_map(|p| p.tables())
            .copied()
            .collect();
        Self {
            projections,
            tables,
        }
    }

    /// Only events that write the shadowed tables: the others would reach the live tables.
    fn covers(&self, e: &FeedEvent) -> bool {
        self.projections.iter().any(|p| p.covers(&e.event_type))
    }
}

impl Projector {
    /// Applies `events` to the shadow tables (no checkpoint: the shadow is not live yet). Nothing
    /// reads the shadow before the rebuild ends, and a rebuild that stops starts over from an
    /// empty shadow: its transactions need not wait for their WAL flush (the swap's commit, which
    /// does, comes after all of them in the WAL).
    async fn apply_to_shadow(&self, scope: &Scope, events: &[FeedEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        shadow::target(&mut tx).await?;
        sqlx::query("SET LOCAL synchronous_commit = off")
            .execute(&mut *tx)
            .await?;
        rm::apply(&mut tx, events.iter().filter(|e| scope.covers(e))).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replays every event up to `target` into fresh shadow tables, then indexes them. The next
    /// batch is read from the feed while the last one is applied.
    async fn fill_shadow(
        &self,
        scope: &Scope,
        target: i64,
        progress: &dyn Fn(Progress),
    ) -> Result<u64, StoreError> {
        let deferred = shadow::prepare(&self.pool, &scope.tables).await?;
        let mut follower = Feed::new(self.pool.clone()).follow(0);
        follower.batch_size = BATCH;
        let (batches, mut incoming) = mpsc::channel(2);
        let reader = tokio::spawn(async move {
            while follower.position() < target {
                let batch = follower.next_batch().await.map(|batch| {
                    let events: Vec<FeedEvent> =
                        batch.into_iter().filter(|e| e.position <= target).collect();
                    (events, follower.position().min(target))
                });
                let failed = batch.is_err();
                if batches.send(batch).await.is_err() || failed {
                    return;
                }
            }
        });
        let mut events = 0u64;
        while let Some(batch) = incoming.recv().await {
            let (batch, position) = batch?;
            self.apply_to_shadow(scope, &batch).await?;
            events += batch.len() as u64;
            progress(Progress {
                events,
                position,
                target,
            });
        }
        // The reader ends when it reached `target` or sent its error (returned above), or when it
        // panicked: then so does the rebuild, rather than swap in a shadow it did not fill.
        if let Err(stopped) = reader.await {
            std::panic::resume_unwind(stopped.into_panic());
        }
        shadow::index(&self.pool, deferred).await?;
        Ok(events)
    }

    /// Applies the events after `from` up to `to` to the shadow tables, inside `tx`; returns how
    /// many there were.
    async fn catch_up_shadow(
        &self,
        tx: &mut sqlx::PgConnection,
        scope: &Scope,
        from: i64,
        to: i64,
    ) -> Result<u64, StoreError> {
        if to <= from {
            return Ok(0);
        }
        shadow::target(&mut *tx).await?;
        let catch_up = Feed::new(self.pool.clone()).read_range(from, to).await?;
        rm::apply(&mut *tx, catch_up.iter().filter(|e| scope.covers(e))).await?;
        sqlx::query("SET LOCAL search_path TO public")
            .execute(&mut *tx)
            .await?;
        Ok(catch_up.len() as u64)
    }

    /// Rebuilds `projections` (empty: all) from position 0. With `verify`, rebuilds up to the
    /// live checkpoint and reports differences, changing nothing live. Otherwise swaps the
    /// rebuilt tables in atomically, after catching them up under a lock that pauses the
    /// projector (queries of those tables wait for the swap, then read the new tables).
    pub async fn rebuild(
        &self,
        projections: &[Projection],
        verify: bool,
        progress: &dyn Fn(Progress),
    ) -> Result<Rebuilt, StoreError> {
        let scope = Scope::new(projections);
        let target = if verify {
            self.checkpoint().await?
        } else {
            Feed::new(self.pool.clone()).head().await?
        };
        let mut events = self.fill_shadow(&scope, target, progress).await?;
        if verify {
            // Like with like: one snapshot of the live tables and the checkpoint they include
            // (the projector commits both together), and the shadow brought to that very
            // position in the same transaction. The projector keeps running meanwhile.
            let mut tx = self.pool.begin().await?;
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ WRITE")
                .execute(&mut *tx)
                .await?;
            let live = checkpoints::load_in(&mut tx, CONSUMER).await?;
            events += self.catch_up_shadow(&mut tx, &scope, target, live).await?;
            let differences = shadow::diff(&mut tx, &scope.tables).await?;
            tx.commit().await?;
            return Ok(Rebuilt {
                position: live.max(target),
                events,
                differences,
            });
        }

        let mut tx = self.pool.begin().await?;
        // Checkpoint first, tables second: the order every projector batch takes them in.
        let live = checkpoints::load_for_update(&mut tx, CONSUMER).await?;
        shadow::lock_live(&mut tx, &scope.tables).await?;
        // The live projector may have moved past `target` meanwhile: bring the shadow level.
        events += self.catch_up_shadow(&mut tx, &scope, target, live).await?;
        let position = live.max(target);
        shadow::swap_in(&mut tx, &scope.tables).await?;
        checkpoints::save(&mut tx, CONSUMER, position).await?;
        tx.commit().await?;
        Ok(Rebuilt {
            position,
            events,
            differences: Vec::new(),
        })
    }
}
