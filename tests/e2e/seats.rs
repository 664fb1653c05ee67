//! Seat limits (`max_members`): every way of joining is refused at the limit with a 422 naming
//! it, deactivated members do not count, lowering the limit only blocks new seats, racing joins
//! cannot both take the last seat, and a store written before seats existed counts its members.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

/// An organization limited to `max` active members.
async fn limited(app: &TestApp, max: u64) -> String {
    let org = app
        .created(
            "/v1/organizations",
            json!({"name": "Seats", "max_members": max}),
        )
        .await;
    assert_eq!(org["max_members"], max);
    org["id"].as_str().unwrap().to_owned()
}

/// The refusal of a join at the limit: a 422 naming `max_members`.
async fn refused_at_the_limit(res: reqwest::Response) -> Value {
    let body = problem(res, 422).await;
    assert_eq!(fields(&body), ["max_members"], "{body}");
    assert!(
        body["type"]
            .as_str()
            .unwrap()
            .ends_with("seat-limit-reached"),
        "{body}"
    );
    body
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_racing_joins_one_seat_short_of_the_limit_let_exactly_one_in() {
    let app = Arc::new(TestApp::with_projector().await);
    let org = limited(&app, 10).await;
    app.bulk_memberships(&org, (0..9).map(|i| format!("first_{i}")))
        .await;
    let path = Arc::new(format!("/v1/organizations/{org}/memberships"));
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (app, path, barrier) = (app.clone(), path.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let res = app
                    .post(&path, json!({"user_id": format!("racer_{i}")}))
                    .await;
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let (mut admitted, mut refused) = (Vec::new(), 0);
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => admitted.push(body),
            (422, body) => {
                assert_eq!(fields(&body), ["max_members"], "{body}");
                refused += 1;
            }
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!((admitted.len(), refused), (1, 49));
    let created: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'membership.created' AND organization_id = $1",
    )
    .bind(&org)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(created, 10);
    let position = admitted[0]["position"].as_i64().unwrap();
    let read = app
        .read(&format!("/v1/organizations/{org}"), position)
        .await;
    assert_eq!(
        (read["members_count"].as_i64(), read["max_members"].as_i64()),
        (Some(10), Some(10))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_reactivations_and_creates_share_the_last_seat() {
    let app = Arc::new(TestApp::spawn().await);
    let org = limited(&app, 3).await;
    let memberships = format!("/v1/organizations/{org}/memberships");
    let mut inactive = Vec::new();
    for i in 0..3 {
        let id = app
            .member(&org, json!({"user_id": format!("old_{i}")}))
            .await;
        expect(
            app.post_empty(&format!("/v1/memberships/{id}/deactivate"))
                .await,
            200,
        )
        .await;
        inactive.push(id);
    }
    app.member(&org, json!({"user_id": "a"})).await;
    app.member(&org, json!({"user_id": "b"})).await;
    // One seat left: three reactivations and ten creates race for it.
    let barrier = Arc::new(tokio::sync::Barrier::new(13));
    let mut tasks = Vec::new();
    for id in inactive {
        let (app, barrier) = (app.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            app.post_empty(&format!("/v1/memberships/{id}/reactivate"))
                .await
                .status()
                .as_u16()
        }));
    }
    for i in 0..10 {
        let (app, barrier, path) = (app.clone(), barrier.clone(), memberships.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            app.post(&path, json!({"user_id": format!("new_{i}")}))
                .await
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    let won = statuses.iter().filter(|s| matches!(s, 200 | 201)).count();
    let lost = statuses.iter().filter(|s| **s == 422).count();
    assert_eq!((won, lost), (1, 12), "{statuses:?}");
    let seats: i64 = sqlx::query_scalar("SELECT count(*) FROM claims WHERE key LIKE $1")
        .bind(format!("organization/{org}/seat/%"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(seats, 3);
}

#[tokio::test]
async fn every_way_of_joining_counts_against_the_limit() {
    let app = TestApp::with_projector().await;
    let org = limited(&app, 2).await;
    let memberships = format!("/v1/organizations/{org}/memberships");
    app.member(&org, json!({"user_id": "a"})).await;
    let b = app.member(&org, json!({"user_id": "b"})).await;

    // A create at the limit.
    let body = refused_at_the_limit(app.post(&memberships, json!({"user_id": "c"})).await).await;
    assert!(body["detail"].as_str().unwrap().contains(&org), "{body}");

    // A deactivated member gives its seat back, and reactivating it needs one.
    expect(
        app.post_empty(&format!("/v1/memberships/{b}/deactivate"))
            .await,
        200,
    )
    .await;
    app.member(&org, json!({"user_id": "c"})).await;
    refused_at_the_limit(
        app.post_empty(&format!("/v1/memberships/{b}/reactivate"))
            .await,
    )
    .await;
    refused_at_the_limit(app.post(&memberships, json!({"user_id": "b"})).await).await;

    // An invitation can be sent, but not accepted without a seat.
    let inv = app
        .created(
            &format!("/v1/organizations/{org}/invitations"),
            json!({"email": "dee@example.com"}),
        )
        .await;
    let accept = format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap());
    let sent = json!({"user_id": "dee", "accept_token": inv["accept_token"]});
    refused_at_the_limit(app.post(&accept, sent.clone()).await).await;

    // A bulk import: each item refused on its own.
    let res = app
        .post(
            &format!("{memberships}/bulk"),
            json!({"items": [{"user_id": "e"}, {"user_id": "f"}]}),
        )
        .await;
    let bulk = expect(res, 200).await;
    assert_eq!(
        (bulk["succeeded"].as_u64(), bulk["failed"].as_u64()),
        (Some(0), Some(2))
    );
    assert_eq!(
        bulk["data"][0]["error"]["errors"][0]["field"],
        "max_members"
    );

    // Lowering the limit below the members there are is allowed, and blocks new seats only.
    let lowered = expect(
        app.patch(
            &format!("/v1/organizations/{org}"),
            json!({"max_members": 1}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(lowered["max_members"], 1);
    let read = app
        .read(
            &format!("/v1/organizations/{org}"),
            lowered["position"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(
        (read["members_count"].as_i64(), read["max_members"].as_i64()),
        (Some(2), Some(1))
    );
    refused_at_the_limit(app.post(&memberships, json!({"user_id": "g"})).await).await;
    // Every member still can be changed (only new seats are refused).
    expect(
        app.patch(&format!("/v1/memberships/{b}"), json!({"roles": ["admin"]}))
            .await,
        200,
    )
    .await;

    // Lifted: everyone gets in again, the invitation too.
    let lifted = expect(
        app.patch(
            &format!("/v1/organizations/{org}"),
            json!({"max_members": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(lifted["max_members"], Value::Null);
    expect(
        app.post_empty(&format!("/v1/memberships/{b}/reactivate"))
            .await,
        200,
    )
    .await;
    expect(app.post(&accept, sent).await, 200).await;
    let read = app
        .read(&format!("/v1/organizations/{org}"), app.head().await)
        .await;
    assert_eq!(
        (read["members_count"].as_i64(), read["max_members"].as_i64()),
        (Some(4), None)
    );

    // Out of range and mistyped limits are named.
    for bad in [json!(-1), json!(10_000_001), json!("5"), json!(1.5)] {
        let body = problem(
            app.patch(
                &format!("/v1/organizations/{org}"),
                json!({"max_members": bad}),
            )
            .await,
            400,
        )
        .await;
        assert_eq!(fields(&body), ["max_members"], "{bad}: {body}");
    }
}

#[tokio::test]
async fn an_apply_that_would_exceed_the_limit_is_refused_whole() {
    let app = TestApp::with_projector().await;
    let document = |members: &[&str]| {
        let members: Vec<Value> = members.iter().map(|m| json!({"user_id": m})).collect();
        json!({"organizations": [{
            "external_id": "seated", "name": "Seated", "max_members": 2, "members": members
        }]})
    };
    let applied = expect(app.post("/v1/apply", document(&["a", "b"])).await, 200).await;
    assert_eq!(applied["complete"], true, "{applied}");
    let before = app.event_count().await;
    let res = app.post("/v1/apply", document(&["a", "b", "c"])).await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert!(
        body.to_string().contains("max_members"),
        "{status}: the refusal names the limit: {body}"
    );
    assert_eq!(app.event_count().await, before, "nothing of it was written");
}

/// One stream's events committed as the binaries before seats committed them (migration 0020's
/// function, with the claims the events stated then: no seat, no limit).
async fn commit_as_before_seats<E>(
    pool: &sqlx::PgPool,
    kind: &str,
    id: &str,
    org: &str,
    events: &[E],
) where
    E: serde::Serialize + domain::Claims,
{
    use domain::ClaimChange;
    let claims: Vec<(&str, String)> = (events.iter().flat_map(|e| e.claim_changes()))
        .filter_map(|c| match c {
            ClaimChange::Acquire(k) if !k.contains("/seat/") => Some(("acquire", k)),
            ClaimChange::Release(k) if !k.contains("/seat/") => Some(("release", k)),
            ClaimChange::Require(k) => Some(("require", k)),
            _ => None,
        })
        .collect();
    let n = events.len();
    // Stored as `{"type", "data"}`; every event here is at its first version.
    let payloads: Vec<Value> = events
        .iter()
        .map(|e| serde_json::to_value(e).unwrap())
        .collect();
    let metadata: Vec<Value> = (0..n)
        .map(|_| json!({"event_id": domain::EventId::new().to_string(), "organization_id": org}))
        .collect();
    let failures: Vec<Option<String>> = sqlx::query_scalar(
        "SELECT failure FROM roster_commit_units($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
                 $14, $15, '{}', '{}', '{}', '{}', '{}', '{}', '{}', '{}')",
    )
    .bind(vec![0i32; n])
    .bind(vec![kind; n])
    .bind(vec![id; n])
    .bind(vec![org; n])
    .bind((1..=n as i64).collect::<Vec<_>>())
    .bind(
        payloads
            .iter()
            .map(|p| p["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
    )
    .bind(vec!["1"; n])
    .bind(&payloads)
    .bind(metadata)
    .bind(vec![0i32; claims.len()])
    .bind(claims.iter().map(|c| c.0).collect::<Vec<_>>())
    .bind(claims.iter().map(|c| c.1.clone()).collect::<Vec<_>>())
    .bind(vec![kind; claims.len()])
    .bind(vec![id; claims.len()])
    .bind(vec![org; claims.len()])
    .fetch_all(pool)
    .await
    .unwrap();
    assert!(failures.iter().all(Option::is_none), "{failures:?}");
}

#[tokio::test]
async fn a_store_written_before_seats_counts_its_active_members() {
    use domain::membership::{Membership, MembershipCommand, Subject};
    use domain::organization::{CreateOrganization, Organization, OrganizationCommand};
    use domain::values::{OrganizationName, SubjectId};

    let db = roster_testkit::fresh_db_up_to(20).await;
    let org = domain::OrganizationId::new();
    let at = chrono::Utc::now();
    let created = Organization::default()
        .decide(OrganizationCommand::Create(CreateOrganization {
            id: org,
            name: OrganizationName::parse("Older").unwrap(),
            description: None,
            external_id: None,
            metadata: Default::default(),
            max_members: None,
            template_roles: None,
            at,
        }))
        .unwrap();
    let org_id = org.to_string();
    commit_as_before_seats(&db.pool, "organization", &org_id, &org_id, &created).await;
    let mut members = Vec::new();
    for user in ["ann", "bob"] {
        let id = domain::MembershipId::new();
        let events = Membership::default()
            .decide(MembershipCommand::Create {
                id,
                organization_id: org,
                subject: Subject::User(SubjectId::parse(user).unwrap()),
                roles: [domain::values::RoleSlug::member()].into(),
                attributes: Default::default(),
                source: domain::membership::MembershipSource::Api,
                at,
            })
            .unwrap();
        commit_as_before_seats(&db.pool, "membership", &id.to_string(), &org_id, &events).await;
        members.push(id.to_string());
    }

    // The binary of today migrates it and serves it: both members hold a seat.
    store::migrate::run(&db.pool).await.unwrap();
    let app = TestApp::on(db).await;
    expect(
        app.patch(
            &format!("/v1/organizations/{org}"),
            json!({"max_members": 2}),
        )
        .await,
        200,
    )
    .await;
    let memberships = format!("/v1/organizations/{org}/memberships");
    refused_at_the_limit(app.post(&memberships, json!({"user_id": "cy"})).await).await;
    // An older member's seat is given back like any other.
    expect(
        app.post_empty(&format!("/v1/memberships/{}/deactivate", members[0]))
            .await,
        200,
    )
    .await;
    expect(app.post(&memberships, json!({"user_id": "cy"})).await, 201).await;
}
