//! Checkpoint saves are announced: a watch follows them at once, without polling.

use std::time::Duration;

use store::checkpoints;

const CONSUMER: &str = "watch-test";

async fn save(pool: &sqlx::PgPool, position: i64) {
    let mut tx = pool.begin().await.unwrap();
    checkpoints::save(&mut tx, CONSUMER, position)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_watch_follows_announced_saves_and_ignores_rolled_back_ones() {
    let db = roster_testkit::fresh_db().await;
    save(&db.pool, 1).await;
    // Polling once an hour: only announcements can move the watch within the test.
    let mut watch = checkpoints::watch(db.pool.clone(), CONSUMER, Duration::from_secs(3600));
    let bound = Duration::from_secs(10);
    // The watch listens before its first read, so once it shows 1 it hears every later save.
    tokio::time::timeout(bound, watch.wait_for(|p| *p == 1))
        .await
        .expect("the first read")
        .unwrap();

    let mut rolled_back = db.pool.begin().await.unwrap();
    checkpoints::save(&mut rolled_back, CONSUMER, 99)
        .await
        .unwrap();
    rolled_back.rollback().await.unwrap();
    let mut other = db.pool.begin().await.unwrap();
    checkpoints::save(&mut other, "another-consumer", 50)
        .await
        .unwrap();
    other.commit().await.unwrap();
    save(&db.pool, 2).await;
    save(&db.pool, 3).await;
    let seen = *tokio::time::timeout(bound, watch.wait_for(|p| *p >= 3))
        .await
        .expect("announced saves wake the watch")
        .unwrap();
    assert_eq!(
        seen, 3,
        "neither the rolled-back save nor another consumer's moved it"
    );
}
