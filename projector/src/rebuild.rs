//! `roster rebuild`: replays the whole feed into fresh shadow tables, then either compares them
//! with the live ones (`--verify`) or swaps them in while the live projector keeps running.

use store::{checkpoints, read_models as rm, Feed, FeedEvent, StoreError};

use crate::{apply, Projector, CONSUMER};

/// What a rebuild did.
#[derive(Debug)]
pub struct Rebuilt {
    /// The position the rebuilt tables include.
    pub position: i64,
    pub events: u64,
    /// With `verify`: the rows that differ (empty when the live read models are right).
    pub differences: Vec<String>,
}

impl Projector {
    /// Applies `events` to the shadow tables (no checkpoint: the shadow is not live yet).
    async fn apply_to_shadow(&self, events: &[FeedEvent]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        rm::target_shadow(&mut tx).await?;
        for e in events {
            apply(&mut tx, e).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Replays every event up to `target` into the shadow tables; `progress(done, target)`.
    async fn fill_shadow(
        &self,
        target: i64,
        progress: &dyn Fn(u64, i64),
    ) -> Result<u64, StoreError> {
        rm::prepare_shadow(&self.pool).await?;
        let mut follower = Feed::new(self.pool.clone()).follow(0);
        follower.batch_size = 1000;
        let mut events = 0u64;
        while follower.position() < target {
            let batch: Vec<FeedEvent> = follower
                .next_batch()
                .await?
                .into_iter()
                .filter(|e| e.position <= target)
                .collect();
            self.apply_to_shadow(&batch).await?;
            events += batch.len() as u64;
            progress(events, target);
        }
        Ok(events)
    }

    /// Rebuilds the read models from position 0. With `verify`, rebuilds up to the live
    /// checkpoint and reports differences, changing nothing live. Otherwise swaps the rebuilt
    /// tables in atomically, after catching them up under a lock that pauses the projector.
    pub async fn rebuild(
        &self,
        verify: bool,
        progress: &dyn Fn(u64, i64),
    ) -> Result<Rebuilt, StoreError> {
        let target = if verify {
            self.checkpoint().await?
        } else {
            Feed::new(self.pool.clone()).head().await?
        };
        let mut events = self.fill_shadow(target, progress).await?;
        if verify {
            let differences = rm::diff_with_shadow(&self.pool).await?;
            return Ok(Rebuilt {
                position: target,
                events,
                differences,
            });
        }

        let mut tx = self.pool.begin().await?;
        rm::lock_live(&mut tx).await?;
        let live = checkpoints::load_for_update(&mut tx, CONSUMER).await?;
        // The live projector may have moved past `target` meanwhile: bring the shadow level.
        let mut position = target;
        if live > target {
            rm::target_shadow(&mut tx).await?;
            let catch_up = Feed::new(self.pool.clone())
                .read_range(target, live)
                .await?;
            for e in &catch_up {
                apply(&mut tx, e).await?;
            }
            events += catch_up.len() as u64;
            position = live;
            sqlx::query("SET LOCAL search_path TO public")
                .execute(&mut *tx)
                .await?;
        }
        rm::swap_in_shadow(&mut tx).await?;
        checkpoints::save(&mut tx, CONSUMER, position).await?;
        tx.commit().await?;
        Ok(Rebuilt {
            position,
            events,
            differences: Vec::new(),
        })
    }
}
