//! The feed under many concurrent writers whose transactions commit out of order (some held open
//! at random, some rolled back): a live consumer must see every committed position exactly once,
//! in order, and its checkpoint must end at the last position.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rand::Rng;
use serde_json::json;
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::{checkpoints, Feed};

const WRITERS: usize = 8;
const TRANSACTIONS_PER_WRITER: usize = 1400;
const CONSUMER: &str = "feed-test";

/// `n` events appended to `aggregate_id` after `version`.
fn unit(aggregate_id: &str, version: usize, n: usize) -> UnitOfWork {
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "organization".into(),
        aggregate_id: aggregate_id.to_owned(),
        organization_id: Some(aggregate_id.to_owned()),
        version: version as i64,
        events: (version + 1..=version + n)
            .map(|sequence| NewEvent {
                event_type: "organization.updated".into(),
                event_version: "1".into(),
                payload: json!({"type": "organization.updated", "data": {"n": sequence}}),
                metadata: Default::default(),
            })
            .collect(),
        claims: Vec::new(),
        snapshot: None,
    });
    unit
}

async fn writer(pool: sqlx::PgPool, w: usize) -> usize {
    let aggregate_id = format!("org_writer_{w}");
    let mut sequence = 0;
    let mut committed = 0;
    for _ in 0..TRANSACTIONS_PER_WRITER {
        let (hold, rollback, batch) = {
            let mut rng = rand::rng();
            (
                rng.random_ratio(1, 4),
                rng.random_ratio(1, 20),
                rng.random_range(1..=2),
            )
        };
        let mut tx = pool.begin().await.unwrap();
        unit(&aggregate_id, sequence, batch)
            .write(&mut tx)
            .await
            .unwrap();
        if hold {
            // Keep the transaction open while others append and commit after us.
            let micros = rand::rng().random_range(100..3000);
            tokio::time::sleep(Duration::from_micros(micros)).await;
        }
        if rollback {
            tx.rollback().await.unwrap();
        } else {
            tx.commit().await.unwrap();
            sequence += batch;
            committed += batch;
        }
    }
    committed
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_live_consumer_sees_every_event_once_in_order_despite_late_commits() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    let done = Arc::new(AtomicBool::new(false));

    let consumer = {
        let pool = pool.clone();
        let done = done.clone();
        tokio::spawn(async move {
            let mut feed = Feed::new(pool.clone());
            feed.poll_interval = Duration::from_millis(200);
            let mut seen = Vec::new();
            let mut batches = 0;
            loop {
                // Resume from the stored checkpoint now and then, as a restarted consumer would.
                let mut follower = feed.follow(checkpoints::load(&pool, CONSUMER).await.unwrap());
                follower.batch_size = 97;
                for _ in 0..25 {
                    let next =
                        tokio::time::timeout(Duration::from_millis(300), follower.next_batch())
                            .await;
                    let Ok(batch) = next else {
                        if done.load(Ordering::SeqCst) {
                            return seen;
                        }
                        continue;
                    };
                    let batch = batch.unwrap();
                    let mut tx = pool.begin().await.unwrap();
                    checkpoints::save(&mut tx, CONSUMER, batch.last().unwrap().position)
                        .await
                        .unwrap();
                    tx.commit().await.unwrap();
                    seen.extend(batch.iter().map(|e| e.position));
                    batches += 1;
                }
                assert!(batches > 0 || !done.load(Ordering::SeqCst));
            }
        })
    };

    let writers: Vec<_> = (0..WRITERS)
        .map(|w| tokio::spawn(writer(pool.clone(), w)))
        .collect();
    let mut total = 0;
    for w in writers {
        total += w.await.unwrap();
    }
    assert!(total >= 10_000, "only {total} events committed");
    done.store(true, Ordering::SeqCst);
    let seen = tokio::time::timeout(Duration::from_secs(60), consumer)
        .await
        .expect("consumer caught up")
        .unwrap();

    let stored: Vec<i64> = sqlx::query_scalar("SELECT position FROM events ORDER BY position")
        .fetch_all(&pool)
        .await
        .unwrap();
    assert_eq!(stored.len(), total);
    let unique: HashSet<_> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len(), "a position was delivered twice");
    assert!(
        seen.windows(2).all(|w| w[0] < w[1]),
        "positions out of order"
    );
    let seen_set: HashSet<i64> = seen.iter().copied().collect();
    let missed: Vec<i64> = stored
        .iter()
        .copied()
        .filter(|p| !seen_set.contains(p))
        .collect();
    assert!(
        missed.is_empty(),
        "the consumer skipped {} committed events, first {:?}",
        missed.len(),
        &missed[..missed.len().min(10)]
    );
    assert_eq!(
        seen.len(),
        stored.len(),
        "the consumer saw events that are not stored"
    );
    let checkpoint = checkpoints::load(&pool, CONSUMER).await.unwrap();
    assert_eq!(checkpoint, *stored.last().unwrap());
}

#[tokio::test]
async fn envelope_follows_the_public_contract() {
    let db = roster_testkit::fresh_db().await;
    let mut tx = db.pool.begin().await.unwrap();
    let committed = unit("org_x", 0, 1).write(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    // Other tests' open transactions on the same server hold back the cluster-wide xmin, so
    // wait for the event to become readable rather than reading once.
    let events = Feed::new(db.pool.clone())
        .follow(0)
        .next_batch()
        .await
        .unwrap();
    let envelope = serde_json::to_value(events[0].envelope()).unwrap();
    assert_eq!(envelope["id"], committed[0].event_id.as_str());
    assert_eq!(envelope["type"], "organization.updated");
    assert_eq!(envelope["position"], committed[0].position);
    assert_eq!(envelope["organization_id"], "org_x");
    assert_eq!(
        envelope["aggregate"],
        json!({"type": "organization", "id": "org_x", "version": 1})
    );
    assert_eq!(envelope["actor"]["type"], "system");
    assert_eq!(envelope["data"], json!({"n": 1}));
    assert!(envelope["occurred_at"].as_str().unwrap().ends_with('Z'));
}
