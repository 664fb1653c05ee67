//! Group commit: units committed at the same moment share statements and transactions, yet each
//! succeeds or fails on its own — a taken claim, an unmet requirement, a stale version or input
//! the database refuses fails only its own unit, and a failed unit leaves nothing behind.

use std::sync::Arc;

use domain::ClaimChange;
use serde_json::json;
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::StoreError;
use tokio::sync::Barrier;

/// One event on `aggregate_id` after `version`, with `claims` and `payload` as its data.
fn unit(aggregate_id: &str, version: i64, claims: Vec<ClaimChange>, data: &str) -> UnitOfWork {
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "organization".into(),
        aggregate_id: aggregate_id.to_owned(),
        organization_id: Some(aggregate_id.to_owned()),
        version,
        events: vec![NewEvent {
            event_type: "organization.updated".into(),
            event_version: "1".into(),
            payload: json!({"type": "organization.updated", "data": {"note": data}}),
            metadata: Default::default(),
        }],
        claims,
        snapshot: None,
    });
    unit
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Ok,
    ClaimTaken,
    RequirementFailed,
    Conflict,
    Unstorable,
}

fn outcome(r: &Result<Vec<store::Committed>, StoreError>) -> Outcome {
    match r {
        Ok(_) => Outcome::Ok,
        Err(StoreError::ClaimTaken { .. }) => Outcome::ClaimTaken,
        Err(StoreError::RequirementFailed { .. }) => Outcome::RequirementFailed,
        Err(StoreError::Conflict) => Outcome::Conflict,
        Err(StoreError::Unstorable(_)) => Outcome::Unstorable,
        Err(e) => panic!("unexpected error: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn units_committed_together_succeed_or_fail_each_on_their_own() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    // A stream at version 1 for the stale writers, and a key held by someone else.
    unit(
        "org_existing",
        0,
        vec![ClaimChange::Acquire("held".into())],
        "",
    )
    .commit(&pool)
    .await
    .unwrap();

    // (aggregate, unit, expected outcome class)
    let mut work: Vec<(String, UnitOfWork, &str)> = Vec::new();
    for i in 0..30 {
        let id = format!("org_free_{i}");
        let claims = vec![
            ClaimChange::Acquire(format!("own/{i}")),
            ClaimChange::Require("held".into()),
        ];
        work.push((id.clone(), unit(&id, 0, claims, "fine"), "free"));
    }
    for i in 0..8 {
        let id = format!("org_racer_{i}");
        let claims = vec![ClaimChange::Acquire("contested".into())];
        work.push((id.clone(), unit(&id, 0, claims, ""), "racer"));
    }
    for i in 0..4 {
        let id = format!("org_taken_{i}");
        let claims = vec![ClaimChange::Acquire("held".into())];
        work.push((id.clone(), unit(&id, 0, claims, ""), "taken"));
    }
    for i in 0..4 {
        let id = format!("org_unmet_{i}");
        let claims = vec![ClaimChange::Require("nobody/holds/this".into())];
        work.push((id.clone(), unit(&id, 0, claims, ""), "unmet"));
    }
    for i in 0..6 {
        // All at version 1 of one stream: one of them wins.
        let data = format!("stale {i}");
        work.push((
            "org_existing".into(),
            unit("org_existing", 1, vec![], &data),
            "stale",
        ));
    }
    let barrier = Arc::new(Barrier::new(work.len()));
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(id, unit, class)| {
            let (pool, barrier) = (pool.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                (id, class, outcome(&unit.commit(&pool).await))
            })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    let count = |class: &str, o: Outcome| {
        results
            .iter()
            .filter(|(_, c, r)| *c == class && *r == o)
            .count()
    };
    assert_eq!(count("free", Outcome::Ok), 30, "{results:?}");
    assert_eq!(count("racer", Outcome::Ok), 1, "{results:?}");
    assert_eq!(count("racer", Outcome::ClaimTaken), 7, "{results:?}");
    assert_eq!(count("taken", Outcome::ClaimTaken), 4, "{results:?}");
    assert_eq!(count("unmet", Outcome::RequirementFailed), 4, "{results:?}");
    assert_eq!(count("stale", Outcome::Ok), 1, "{results:?}");
    assert_eq!(count("stale", Outcome::Conflict), 5, "{results:?}");

    // A failed unit left nothing: no event of its stream, no claim it tried to take.
    for (id, class, o) in &results {
        if *o != Outcome::Ok && *class != "stale" {
            let events: i64 =
                sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            assert_eq!(events, 0, "{id} ({class}) failed but left events");
        }
    }
    let (events, claims): (i64, i64) =
        sqlx::query_as("SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM claims)")
            .fetch_one(&pool)
            .await
            .unwrap();
    // The first unit, 30 free, one racer, one stale writer.
    assert_eq!(events, 1 + 30 + 1 + 1);
    // `held`, 30 own keys, `contested`.
    assert_eq!(claims, 1 + 30 + 1);
    let owner: String =
        sqlx::query_scalar("SELECT aggregate_id FROM claims WHERE key = 'contested'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert!(results
        .iter()
        .any(|(id, c, o)| *id == owner && *c == "racer" && *o == Outcome::Ok));

    // They were grouped (the checks ran inside batches): fewer transactions than units.
    let transactions: i64 = sqlx::query_scalar("SELECT count(DISTINCT txid) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        transactions < events,
        "{events} events in {transactions} transactions: nothing was grouped"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_unit_expecting_no_claims_under_a_prefix_sees_them_literally_and_after_its_releases() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    let held = vec![
        ClaimChange::Acquire("index_a/1".into()),
        ClaimChange::Acquire("other_b/1".into()),
    ];
    unit("org_owner", 0, held, "").commit(&pool).await.unwrap();

    // Something is left under the prefix: refused, and decided again by the caller.
    let mut u = unit("org_owner", 1, vec![], "");
    u.expect_no_claims_under("index_a/");
    assert!(matches!(u.commit(&pool).await, Err(StoreError::Conflict)));
    // `%` and `_` are not wildcards: `index%` matches nothing, `other_` only `other_b/1`.
    let mut u = unit("org_owner", 1, vec![], "");
    u.expect_no_claims_under("index%");
    u.expect_no_claims_under("other%b/");
    u.commit(&pool).await.unwrap();
    // Released by the unit itself: nothing is left under it.
    let mut u = unit(
        "org_owner",
        2,
        vec![ClaimChange::Release("index_a/1".into())],
        "",
    );
    u.expect_no_claims_under("index_a/");
    u.commit(&pool).await.unwrap();
    // Taken by the unit itself: something is.
    let mut u = unit(
        "org_owner",
        3,
        vec![ClaimChange::Acquire("index_a/2".into())],
        "",
    );
    u.expect_no_claims_under("index_a/");
    assert!(matches!(u.commit(&pool).await, Err(StoreError::Conflict)));
}

/// Input the database refuses (a NUL in JSON) fails the batch's statement as a whole: rolled
/// back, its units are committed alone, so only the offending units fail.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn input_the_database_refuses_fails_only_its_own_unit() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    let mut work: Vec<(String, UnitOfWork, bool)> = Vec::new();
    for i in 0..20 {
        let id = format!("org_fine_{i}");
        let claims = vec![ClaimChange::Acquire(format!("fine/{i}"))];
        work.push((id.clone(), unit(&id, 0, claims, "fine"), true));
    }
    for i in 0..3 {
        let id = format!("org_nul_{i}");
        let claims = vec![ClaimChange::Acquire(format!("nul/{i}"))];
        work.push((id.clone(), unit(&id, 0, claims, "a\u{0}b"), false));
    }
    let barrier = Arc::new(Barrier::new(work.len()));
    let tasks: Vec<_> = work
        .into_iter()
        .map(|(id, unit, fine)| {
            let (pool, barrier) = (pool.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                (id, fine, outcome(&unit.commit(&pool).await))
            })
        })
        .collect();
    for t in tasks {
        let (id, fine, o) = t.await.unwrap();
        let expected = if fine {
            Outcome::Ok
        } else {
            Outcome::Unstorable
        };
        assert_eq!(o, expected, "{id}");
    }
    let (events, claims): (i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM events), (SELECT count(*) FROM claims WHERE key LIKE 'nul/%')",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!((events, claims), (20, 0));
}

/// A caller on a runtime that stops (an actix worker's) starts a runner there; the runner is
/// dropped with that runtime, perhaps before it ever ran. More such callers than there are runner
/// slots must leave the slots free: a commit afterwards, from a runtime that lives, completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runners_dropped_with_their_runtime_before_they_ran_leave_their_slots_free() {
    use futures::FutureExt;
    let db = roster_testkit::fresh_db().await;
    for n in 0..8 {
        let pool = db.pool.clone();
        roster_testkit::on_a_runtime_that_stops(async move {
            // Queued, its runner spawned on this runtime; then the caller is gone and the
            // runtime stops before the runner's first turn.
            let committing = unit(&format!("org_dropped_{n}"), 0, vec![], "x").commit(&pool);
            assert!(committing.now_or_never().is_none());
        });
    }
    let after = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        unit("org_after", 0, vec![], "y").commit(&db.pool),
    )
    .await;
    assert!(
        matches!(after, Ok(Ok(_))),
        "a commit after runners were dropped unrun did not complete: {after:?}"
    );
}
