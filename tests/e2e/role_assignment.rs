//! Bulk role assignment over HTTP (`POST /v1/organizations/{id}/memberships/roles`): add and
//! remove or set, for users, applications or memberships; all or nothing, with every item that
//! cannot take the change named at once; scoped keys; a deactivation racing the change.

use std::sync::Arc;

use crate::support::{expect, fields, make_key, problem, TestApp};
use serde_json::{json, Value};

/// The membership events of `ids`, as (membership, type), oldest first.
async fn membership_events(app: &TestApp, ids: &[&str]) -> Vec<(String, String)> {
    let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    sqlx::query_as(
        "SELECT aggregate_id, event_type FROM events
          WHERE aggregate_id = ANY ($1) ORDER BY position",
    )
    .bind(&ids)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

fn roles(item: &Value) -> Vec<&str> {
    let list = item["roles"].as_array().unwrap();
    list.iter().map(|r| r.as_str().unwrap()).collect()
}

#[tokio::test]
async fn roles_are_added_removed_and_set_for_users_applications_and_memberships() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let path = format!("/v1/organizations/{org}/memberships/roles");
    app.created(
        &format!("/v1/organizations/{org}/roles"),
        json!({"slug": "billing", "name": "Billing"}),
    )
    .await;
    let ann = app.member(&org, json!({"user_id": "ann"})).await;
    let bob = json!({"user_id": "bob", "roles": ["member", "billing"]});
    let bob = app.member(&org, bob).await;
    let bot = json!({"application_id": "bot", "roles": []});
    let bot = app.member(&org, bot).await;
    let before = membership_events(&app, &[&ann, &bob, &bot]).await.len();

    let change = json!({"user_ids": ["bob", "ann"], "add": ["billing"], "remove": ["member"]});
    let done = expect(app.post(&path, change.clone()).await, 200).await;
    assert_eq!(done["object"], "membership_roles_result");
    assert_eq!(done["changed"], 2);
    let data = done["data"].as_array().unwrap();
    assert_eq!(
        (data[0]["id"].as_str(), data[1]["id"].as_str()),
        (Some(&*bob), Some(&*ann))
    );
    assert!(data
        .iter()
        .all(|m| roles(m) == ["billing"] && m["changed"] == true));
    assert_eq!(data[0]["object"], "organization_membership");
    let written = membership_events(&app, &[&ann, &bob, &bot]).await;
    let new: Vec<&str> = written[before..].iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(new, ["membership.updated", "membership.updated"]);
    // Read your writes: the position covers both.
    let listed = app
        .read(
            &format!("/v1/organizations/{org}/memberships?role=billing"),
            done["position"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);

    // The same change again: nothing changes, no event, the members' last position.
    let again = expect(app.post(&path, change).await, 200).await;
    assert_eq!(again["changed"], 0);
    assert_eq!(again["position"], done["position"]);
    assert!(again["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["changed"] == false));
    assert_eq!(membership_events(&app, &[&ann, &bob, &bot]).await, written);

    // Applications, and `set` by membership id (one already so).
    let bots = json!({"application_ids": ["bot"], "add": ["billing"]});
    let added = expect(app.post(&path, bots).await, 200).await;
    assert_eq!(
        (added["data"][0]["id"].as_str(), roles(&added["data"][0])),
        (Some(&*bot), vec!["billing"])
    );
    let set = json!({"membership_ids": [ann, bot.to_lowercase()], "set": ["member"]});
    let set = expect(app.post(&path, set).await, 200).await;
    assert_eq!(set["changed"], 2);
    assert!(set["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| roles(m) == ["member"]));
}

#[tokio::test]
async fn one_member_that_cannot_take_the_change_stops_it_for_all_and_every_one_is_named() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let other = app.named("Globex").await;
    let path = format!("/v1/organizations/{org}/memberships/roles");
    let ann = app.member(&org, json!({"user_id": "ann"})).await;
    let idle = app.member(&org, json!({"user_id": "idle"})).await;
    expect(
        app.post_empty(&format!("/v1/memberships/{idle}/deactivate"))
            .await,
        200,
    )
    .await;
    let stranger = app.member(&other, json!({"user_id": "ann"})).await;
    let before = app.event_count().await;

    let change = json!({"user_ids": ["ann", "ghost", "idle", "ANN"], "add": ["admin", "nope"]});
    let refused = problem(app.post(&path, change).await, 422).await;
    assert_eq!(
        fields(&refused),
        ["add[1]", "user_ids[1]", "user_ids[2]", "user_ids[3]"],
        "unknown role, unknown member, inactive member, `ANN` (another user): {refused}"
    );
    let change = json!({"user_ids": ["ann", "ann"], "add": ["admin"]});
    let twice = problem(app.post(&path, change).await, 422).await;
    assert_eq!(fields(&twice), ["user_ids[1]"], "{twice}");
    // A membership of another organization is not one of this organization's members.
    let change = json!({"membership_ids": [ann, stranger], "set": ["admin"]});
    let elsewhere = problem(app.post(&path, change).await, 422).await;
    assert_eq!(fields(&elsewhere), ["membership_ids[1]"]);
    assert_eq!(app.event_count().await, before, "nothing was written");
    assert_eq!(app.events_of(&ann).await.len(), 1, "ann kept her roles");
}

#[tokio::test]
async fn bad_requests_are_400s_naming_the_field() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let path = format!("/v1/organizations/{org}/memberships/roles");
    let many: Vec<String> = (0..1001).map(|i| format!("u{i}")).collect();
    for (body, field) in [
        (json!({"add": ["admin"]}), "user_ids"),
        (
            json!({"user_ids": ["a"], "application_ids": ["b"], "add": ["admin"]}),
            "user_ids",
        ),
        (json!({"user_ids": [], "add": ["admin"]}), "user_ids"),
        (
            json!({"application_ids": many, "add": ["admin"]}),
            "application_ids",
        ),
        (
            json!({"membership_ids": ["om_1", "grp_01JD0000000000000000000000"], "add": ["admin"]}),
            "membership_ids[0]",
        ),
        (json!({"user_ids": ["a"]}), "add"),
        (
            json!({"user_ids": ["a"], "add": ["admin"], "set": ["member"]}),
            "set",
        ),
        (
            json!({"user_ids": ["a"], "remove": ["Not A Slug"]}),
            "remove[0]",
        ),
        (
            json!({"user_ids": ["a"], "add": ["admin"], "also": 1}),
            "also",
        ),
    ] {
        let refused = problem(app.post(&path, body.clone()).await, 400).await;
        assert_eq!(fields(&refused)[0], field, "{body}: {refused}");
    }
    // Well-formed but contradictory: a rule, not malformed input (the schema cannot say it).
    let both = json!({"user_ids": ["a"], "add": ["admin", "x"], "remove": ["x"]});
    let refused = problem(app.post(&path, both).await, 422).await;
    assert_eq!(fields(&refused), ["remove[0]"], "{refused}");
    let unknown = "/v1/organizations/org_01JD0000000000000000000000/memberships/roles";
    let change = json!({"user_ids": ["a"], "add": ["admin"]});
    problem(app.post(unknown, change).await, 404).await;
}

#[tokio::test]
async fn keys_of_another_organization_and_read_only_keys_change_nothing() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let other = app.named("Globex").await;
    app.member(&org, json!({"user_id": "ann"})).await;
    let url = app.url(&format!("/v1/organizations/{org}/memberships/roles"));
    let change = json!({"user_ids": ["ann"], "add": ["admin"]});
    let before = app.event_count().await;
    for (key, status) in [
        (make_key(&app.db.pool, Some(&other), false).await, 404),
        (make_key(&app.db.pool, Some(&org), true).await, 403),
    ] {
        let res = app.client_with(Some(&key)).post(&url).json(&change).send();
        problem(res.await.unwrap(), status).await;
    }
    assert_eq!(app.event_count().await, before);
    let own = make_key(&app.db.pool, Some(&org), false).await;
    let res = app.client_with(Some(&own)).post(&url).json(&change).send();
    assert_eq!(expect(res.await.unwrap(), 200).await["changed"], 1);
}

/// A deactivation racing a bulk change to 100 members, started at staggered moments so that it
/// lands before the change, while it is decided, or after it: either the change commits first (all
/// get it) or the deactivation does and the change is refused (none gets it) — never some.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deactivation_racing_the_change_leaves_it_all_or_nothing() {
    const ROUNDS: u64 = 16;
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let path = Arc::new(format!("/v1/organizations/{org}/memberships/roles"));
    let (mut committed, mut refused) = (0, 0);
    for round in 0..ROUNDS {
        let users: Vec<String> = (0..100).map(|n| format!("r{round}-{n}")).collect();
        app.bulk_memberships(&org, users.clone()).await;
        let last: String = sqlx::query_scalar(
            "SELECT aggregate_id FROM events WHERE event_type = 'membership.created'
                AND payload->'data'->>'user_id' = $1",
        )
        .bind(&users[99])
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        let change = {
            let (app, path) = (app.clone(), path.clone());
            tokio::spawn(async move {
                let body = json!({"user_ids": users, "add": ["admin"]});
                app.post(&path, body).await.status().as_u16()
            })
        };
        let deactivation = {
            let app = app.clone();
            tokio::spawn(async move {
                tokio::time::sleep(std::time::Duration::from_millis(round * 4)).await;
                let path = format!("/v1/memberships/{last}/deactivate");
                app.post_empty(&path).await.status().as_u16()
            })
        };
        let (status, deactivated) = (change.await.unwrap(), deactivation.await.unwrap());
        assert_eq!(deactivated, 200);
        let updated: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE event_type = 'membership.updated'
                AND payload->'data'->>'user_id' LIKE $1",
        )
        .bind(format!("r{round}-%"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        match status {
            200 => {
                committed += 1;
                assert_eq!(updated, 100, "round {round}: all of them");
            }
            422 => {
                refused += 1;
                assert_eq!(updated, 0, "round {round}: none");
            }
            other => panic!("round {round}: {other}"),
        }
    }
    eprintln!("committed {committed}, refused {refused}");
    assert_eq!(committed + refused, ROUNDS);
}
