//! Limits on the claim keys held under a prefix (an organization's seats): a unit taking the last
//! place and one racing it never both commit — the second waits for the first and is then
//! refused; units committed in one batch cannot both take it either; a lowered limit refuses new
//! keys only, and a lifted one none.

use domain::ClaimChange;
use serde_json::json;
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::StoreError;

const SEATS: &str = "org_1/seat/";
const LIMIT: &str = "org_1/max_members";

/// One event on `aggregate_id` after `version` with `claims`.
fn unit(aggregate_id: &str, version: i64, claims: Vec<ClaimChange>) -> UnitOfWork {
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "membership".into(),
        aggregate_id: aggregate_id.to_owned(),
        organization_id: Some("org_1".into()),
        version,
        events: vec![NewEvent {
            event_type: "membership.created".into(),
            event_version: "1".into(),
            payload: json!({"type": "membership.created", "data": {}}),
            metadata: Default::default(),
        }],
        claims,
        snapshot: None,
    });
    unit
}

/// A unit of a new member taking its seat, counted against the limit.
fn seat(member: &str) -> UnitOfWork {
    unit(
        member,
        0,
        vec![
            ClaimChange::Acquire(format!("{SEATS}{member}")),
            ClaimChange::Within {
                prefix: SEATS.into(),
                limit: LIMIT.into(),
            },
        ],
    )
}

/// A unit setting (or lifting) the limit, on the organization's stream at `version`.
fn limit(version: i64, max: Option<u32>) -> UnitOfWork {
    unit(
        "org_1",
        version,
        vec![ClaimChange::Limit {
            key: LIMIT.into(),
            max,
        }],
    )
}

fn refused(r: &Result<Vec<store::Committed>, StoreError>) -> bool {
    matches!(r, Err(StoreError::LimitReached { key, limit: 2, .. }) if key == LIMIT)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_unit_racing_for_the_last_place_waits_for_the_first_and_is_refused() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    limit(0, Some(2)).commit(&pool).await.unwrap();
    seat("om_1").commit(&pool).await.unwrap();

    // The first takes the last place in a transaction left open.
    let mut first = pool.begin().await.unwrap();
    seat("om_2").write(&mut first).await.unwrap();
    let racer = tokio::spawn({
        let pool = pool.clone();
        async move { seat("om_3").commit(&pool).await }
    });
    // The racer waits on the first's lock (it must not count while the first is open).
    roster_testkit::eventually(
        std::time::Duration::from_secs(10),
        "the racing unit waits for the open one",
        || async {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                  WHERE datname = current_database() AND wait_event_type = 'Lock'
                    AND wait_event = 'advisory'",
            )
            .fetch_one(&pool)
            .await
            .unwrap();
            (waiting > 0 || racer.is_finished()).then_some(())
        },
    )
    .await;
    assert!(
        !racer.is_finished(),
        "the racer committed while the last place was being taken"
    );
    first.commit().await.unwrap();
    let raced = racer.await.unwrap();
    assert!(refused(&raced), "{raced:?}");

    // Units committed at one moment (one batch or several) take what is left and no more.
    seat("om_2")
        .commit(&pool)
        .await
        .expect_err("om_2 is in already");
    let held = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM claims WHERE key LIKE 'org_1/seat/%'")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    assert_eq!(held(pool.clone()).await, 2);
    limit(1, Some(5)).commit(&pool).await.unwrap();
    let racing: Vec<_> = (10..30)
        .map(|i| {
            let pool = pool.clone();
            tokio::spawn(async move { seat(&format!("om_{i}")).commit(&pool).await })
        })
        .collect();
    let mut committed = 0;
    for r in racing {
        match r.await.unwrap() {
            Ok(_) => committed += 1,
            Err(StoreError::LimitReached { limit: 5, .. }) => {}
            Err(e) => panic!("unexpected: {e}"),
        }
    }
    assert_eq!((committed, held(pool.clone()).await), (3, 5));

    // Lowered below what is held: allowed; new keys are refused, releases still go.
    limit(2, Some(1)).commit(&pool).await.unwrap();
    assert!(matches!(
        seat("om_40").commit(&pool).await,
        Err(StoreError::LimitReached { limit: 1, .. })
    ));
    unit(
        "om_1",
        1,
        vec![ClaimChange::Release(format!("{SEATS}om_1"))],
    )
    .commit(&pool)
    .await
    .unwrap();
    // Lifted: nothing is counted.
    limit(3, None).commit(&pool).await.unwrap();
    seat("om_40").commit(&pool).await.unwrap();
    assert_eq!(held(pool.clone()).await, 5);
}
