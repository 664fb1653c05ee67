//! Claim changes for the organization template: `RequireAny` (one of several keys held when the
//! unit commits) and `Forbid` (a key not held when it commits). Each holds its keys' locks
//! shared: a unit giving up or taking such a key waits for it, so what it checked stays true
//! until it commits.

use domain::ClaimChange;
use serde_json::json;
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::StoreError;

/// One event on `aggregate_id` (a stream of its own) with `claims`.
fn unit(aggregate_id: &str, version: i64, claims: Vec<ClaimChange>) -> UnitOfWork {
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "test".into(),
        aggregate_id: aggregate_id.to_owned(),
        organization_id: None,
        version,
        events: vec![NewEvent {
            event_type: "test.happened".into(),
            event_version: "1".into(),
            payload: json!({"type": "test.happened", "data": {}}),
            metadata: Default::default(),
        }],
        claims,
        snapshot: None,
    });
    unit
}

fn any(keys: &[&str]) -> ClaimChange {
    ClaimChange::RequireAny(keys.iter().map(|k| k.to_string()).collect())
}

/// Waits until some session waits on an advisory lock, or `done` says the racer finished.
async fn someone_waits(pool: &sqlx::PgPool, done: impl Fn() -> bool) {
    roster_testkit::eventually(
        std::time::Duration::from_secs(10),
        "a racing unit waits on the open one's lock",
        || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'
                    AND wait_event = 'advisory'",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            (waiting > 0 || done()).then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_of_the_alternatives_must_be_held_and_giving_it_up_waits_for_the_unit() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    // None held: refused, naming the smallest key.
    let refused = unit("a", 0, vec![any(&["tpl/x", "org/x"])])
        .commit(&pool)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::RequirementFailed { key }) if key == "org/x"),
        "{refused:?}"
    );
    // Either one will do; a unit taking one itself satisfies it too.
    unit("tpl", 0, vec![ClaimChange::Acquire("tpl/x".into())])
        .commit(&pool)
        .await
        .unwrap();
    unit("a", 0, vec![any(&["org/x", "tpl/x"])])
        .commit(&pool)
        .await
        .unwrap();
    unit(
        "b",
        0,
        vec![
            ClaimChange::Acquire("org/y".into()),
            any(&["org/y", "tpl/y"]),
        ],
    )
    .commit(&pool)
    .await
    .unwrap();

    // A unit relying on `tpl/x` is open: giving `tpl/x` up waits for it.
    let mut open = pool.begin().await.unwrap();
    unit("a", 1, vec![any(&["org/x", "tpl/x"])])
        .write(&mut open)
        .await
        .unwrap();
    let release = tokio::spawn({
        let pool = pool.clone();
        async move {
            unit("tpl", 1, vec![ClaimChange::Release("tpl/x".into())])
                .commit(&pool)
                .await
        }
    });
    someone_waits(&pool, || release.is_finished()).await;
    assert!(
        !release.is_finished(),
        "the key was given up under the unit relying on it"
    );
    open.commit().await.unwrap();
    release.await.unwrap().unwrap();
    // Gone now: a unit relying on it alone is refused.
    assert!(matches!(
        unit("a", 2, vec![any(&["org/x", "tpl/x"])])
            .commit(&pool)
            .await,
        Err(StoreError::RequirementFailed { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forbidden_key_held_refuses_the_unit_and_taking_it_waits_for_the_unit() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    unit("org_1", 0, vec![ClaimChange::Forbid("tpl/x".into())])
        .commit(&pool)
        .await
        .unwrap();
    unit("tpl", 0, vec![ClaimChange::Acquire("tpl/x".into())])
        .commit(&pool)
        .await
        .unwrap();
    let refused = unit("org_1", 1, vec![ClaimChange::Forbid("tpl/x".into())])
        .commit(&pool)
        .await;
    assert!(
        matches!(&refused, Err(StoreError::ClaimTaken { key, owner_id, .. }) if key == "tpl/x" && owner_id == "tpl"),
        "{refused:?}"
    );

    // A custom role (forbidding the template's key, taking its index key) and a template of the
    // same slug (taking the template's key, expecting no index key): never both.
    for round in 0..20 {
        let (custom, template) = (format!("org_{round}"), format!("tpl_{round}"));
        let forbid = format!("tpl/slug{round}");
        let index = format!("custom/slug{round}/");
        let a = tokio::spawn({
            let (pool, forbid, index) = (pool.clone(), forbid.clone(), index.clone());
            async move {
                let claims = vec![
                    ClaimChange::Forbid(forbid),
                    ClaimChange::Acquire(format!("{index}{custom}")),
                ];
                unit(&custom, 0, claims).commit(&pool).await
            }
        });
        let b = tokio::spawn({
            let (pool, forbid, index) = (pool.clone(), forbid.clone(), index.clone());
            async move {
                let mut unit = unit(&template, 0, vec![ClaimChange::Acquire(forbid)]);
                unit.expect_no_claims_under(&index);
                unit.commit(&pool).await
            }
        });
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert!(a.is_ok() != b.is_ok(), "round {round}: {a:?} / {b:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_forbidding_unit_open_makes_a_unit_taking_the_key_wait() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    let mut open = pool.begin().await.unwrap();
    unit("org_1", 0, vec![ClaimChange::Forbid("tpl/x".into())])
        .write(&mut open)
        .await
        .unwrap();
    let take = tokio::spawn({
        let pool = pool.clone();
        async move {
            unit("tpl", 0, vec![ClaimChange::Acquire("tpl/x".into())])
                .commit(&pool)
                .await
        }
    });
    someone_waits(&pool, || take.is_finished()).await;
    assert!(
        !take.is_finished(),
        "the key was taken under the unit forbidding it"
    );
    open.commit().await.unwrap();
    take.await.unwrap().unwrap();
}
