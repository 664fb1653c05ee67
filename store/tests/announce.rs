//! Announcements of new events survive the runtime that was sending one: actix runs each HTTP
//! worker on a runtime of its own, and a command on a worker starts the sender there. A sender
//! dropped with its runtime (the worker stopped or restarted) — before it ran, or mid-send — must
//! not silence every later announcement of the process: the feed's listeners would fall back to
//! their polls (half a second) for good.

use std::time::Duration;

use sqlx::postgres::{PgListener, PgPoolOptions};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sender_dropped_with_its_runtime_does_not_silence_later_announcements() {
    let db = roster_testkit::fresh_db().await;
    let mut listener = PgListener::connect(&db.url).await.unwrap();
    listener.listen(store::feed::CHANNEL).await.unwrap();
    // A pool whose one connection is taken.
    let busy = PgPoolOptions::new()
        .max_connections(1)
        .acquire_timeout(Duration::from_secs(60))
        .connect(&db.url)
        .await
        .unwrap();

    // Dropped before it ran (no turn), then dropped while waiting for a connection.
    for yields in [0, 10] {
        let held = busy.acquire().await.unwrap();
        // Started on a runtime that stops after `yields` turns; the sender, once it runs,
        // waits for a connection.
        let pool = busy.clone();
        roster_testkit::on_a_runtime_that_stops(async move {
            store::announce::announce(&pool);
            for _ in 0..yields {
                tokio::task::yield_now().await;
            }
        });
        drop(held);
        // Whatever the listener may hold, so that the wait below is for a new announcement.
        while let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_millis(200), listener.recv()).await
        {}

        // A later commit's announcement, from this runtime, still reaches the listener.
        store::announce::announce(&db.pool);
        let heard = tokio::time::timeout(Duration::from_secs(10), listener.recv()).await;
        assert!(
            matches!(heard, Ok(Ok(_))),
            "no announcement after a sender was dropped with its runtime ({yields} turns)"
        );
    }
    busy.close().await;
}
