//! The shared consumer loop: two instances of one consumer name, one active and one on standby;
//! when the active one dies the other takes over, and every event is applied exactly once.

use std::time::Duration;

use serde_json::json;
use sqlx::{PgConnection, PgPool};
use store::consumer::{self, Consumer, LoopConfig, Role, Step};
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::{checkpoints, FeedEvent};
use tokio::sync::watch;

const NAME: &str = "consumer-test";

/// Records which instance applied each position.
struct Recorder(&'static str);

impl Consumer for Recorder {
    fn name(&self) -> &'static str {
        NAME
    }

    fn apply<'a>(&'a self, tx: &'a mut PgConnection, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async move {
            let positions: Vec<i64> = events.iter().map(|e| e.position).collect();
            sqlx::query("INSERT INTO applied (instance, position) SELECT $1, unnest($2::bigint[])")
                .bind(self.0)
                .bind(&positions)
                .execute(tx)
                .await?;
            Ok(())
        })
    }
}

async fn write(pool: &PgPool, aggregate: &str, n: usize) {
    for version in 0..n {
        let mut unit = UnitOfWork::new();
        unit.push(StreamChange {
            aggregate_type: "organization".into(),
            aggregate_id: aggregate.into(),
            organization_id: None,
            version: version as i64,
            events: vec![NewEvent {
                event_type: "organization.updated".into(),
                event_version: "1".into(),
                payload: json!({"type": "organization.updated", "data": {}}),
                metadata: Default::default(),
            }],
            claims: Vec::new(),
            snapshot: None,
        });
        unit.commit(pool).await.unwrap();
    }
}

fn start(
    pool: &PgPool,
    instance: &'static str,
) -> (tokio::task::JoinHandle<()>, watch::Receiver<Role>) {
    let (tx, rx) = watch::channel(Role::Starting);
    let config = LoopConfig {
        lock_poll: Duration::from_millis(100),
        ..Default::default()
    };
    let task = tokio::spawn(consumer::run(pool.clone(), Recorder(instance), config, tx));
    (task, rx)
}

async fn until(role: &mut watch::Receiver<Role>, wanted: Role) {
    tokio::time::timeout(Duration::from_secs(30), role.wait_for(|r| *r == wanted))
        .await
        .unwrap_or_else(|_| panic!("never became {wanted:?}"))
        .unwrap();
}

async fn caught_up(pool: &PgPool) {
    let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(pool)
        .await
        .unwrap();
    let mut checkpoint = checkpoints::watch(pool.clone(), NAME, Duration::from_millis(50));
    tokio::time::timeout(Duration::from_secs(30), checkpoint.wait_for(|p| *p >= head))
        .await
        .expect("the consumer never caught up")
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_instance_applies_the_other_stands_by_and_takes_over() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    sqlx::query("CREATE TABLE applied (instance text NOT NULL, position bigint NOT NULL)")
        .execute(&pool)
        .await
        .unwrap();

    // The instance that will die has a pool of its own, as another process would, whose sessions
    // are named so that its death can end them the way a killed process's end.
    let options: sqlx::postgres::PgConnectOptions = db.url.parse().unwrap();
    let a_pool = sqlx::postgres::PgPoolOptions::new()
        .connect_with(options.application_name("consumer-a"))
        .await
        .unwrap();
    let (a, mut a_role) = start(&a_pool, "a");
    until(&mut a_role, Role::Active).await;
    let (b, mut b_role) = start(&pool, "b");
    until(&mut b_role, Role::Standby).await;

    write(&pool, "org_one", 200).await;
    caught_up(&pool).await;
    let by_b: i64 = sqlx::query_scalar("SELECT count(*) FROM applied WHERE instance = 'b'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(by_b, 0, "the standby applied nothing");
    assert_eq!(*b_role.borrow(), Role::Standby);

    // The active instance dies (its task and its connections dropped, as in a killed process)
    // while events keep coming.
    let writer = tokio::spawn({
        let pool = pool.clone();
        async move { write(&pool, "org_two", 300).await }
    });
    a.abort();
    let _ = a.await;
    // A killed process's sessions end with it (an aborted task's may linger mid-transaction,
    // holding the checkpoint's row lock): end them.
    sqlx::query(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'consumer-a'",
    )
    .execute(&pool)
    .await
    .unwrap();
    until(&mut b_role, Role::Active).await;
    writer.await.unwrap();
    caught_up(&pool).await;

    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT e.position, count(a.position) FROM events e
           LEFT JOIN applied a ON a.position = e.position GROUP BY e.position ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 500);
    for (position, times) in rows {
        assert_eq!(times, 1, "position {position} applied {times} times");
    }
    let by_b: i64 = sqlx::query_scalar("SELECT count(*) FROM applied WHERE instance = 'b'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(by_b > 0, "the standby took over");
    b.abort();
}
