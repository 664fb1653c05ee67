//! Memberships over HTTP: lifecycle, one per subject and organization (also under concurrency),
//! roles checked against the organization's catalogue.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn membership_lifecycle() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let memberships = format!("/v1/organizations/{org}/memberships");

    let created = expect(
        app.post(&memberships, json!({"user_id": "user_1"})).await,
        201,
    )
    .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("om_"));
    assert_eq!(created["object"], "organization_membership");
    assert_eq!(created["organization_id"], org.as_str());
    assert_eq!(created["status"], "active");
    assert_eq!(created["roles"], json!(["member"]));

    let dup = problem(
        app.post(&memberships, json!({"user_id": "user_1"})).await,
        409,
    )
    .await;
    assert_eq!(
        dup["errors"][0],
        json!({"field": "membership_id", "message": id})
    );

    let path = format!("/v1/memberships/{id}");
    let updated = expect(
        app.patch(&path, json!({"roles": ["admin", "member"], "attributes": {"dept": "eng", "level": 3, "remote": true}}))
            .await,
        200,
    )
    .await;
    assert_eq!(updated["roles"], json!(["admin", "member"]));
    assert_eq!(updated["attributes"]["level"], 3);

    let inactive = expect(app.post_empty(&format!("{path}/deactivate")).await, 200).await;
    assert_eq!(inactive["status"], "inactive");
    // Creating it again reactivates the same membership, with the roles given now.
    let sent = json!({"user_id": "user_1", "roles": ["admin"]});
    let back = expect(app.post(&memberships, sent).await, 200).await;
    assert_eq!(
        (back["id"].as_str(), back["status"].as_str()),
        (Some(id.as_str()), Some("active"))
    );
    assert_eq!(back["roles"], json!(["admin"]));
    // Reactivating an active membership changes nothing.
    let same = expect(app.post_empty(&format!("{path}/reactivate")).await, 200).await;
    assert_eq!(same["position"], back["position"]);

    let deleted = expect(app.delete(&path).await, 200).await;
    assert_eq!(deleted["id"], id.as_str());
    problem(app.patch(&path, json!({"roles": ["member"]})).await, 404).await;
    let again = expect(
        app.post(&memberships, json!({"user_id": "user_1"})).await,
        201,
    )
    .await;
    assert_ne!(
        again["id"],
        id.as_str(),
        "a deleted membership frees its subject"
    );

    let types: Vec<String> = app.events_of(&id).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        types,
        [
            "membership.created",
            "membership.updated",
            "membership.deactivated",
            "membership.reactivated",
            "membership.updated",
            "membership.deleted"
        ]
    );
    let (_, _, _, payload, metadata) = &app.events_of(&id).await[1];
    assert_eq!(
        payload["data"]["previous_attributes"],
        json!({"roles": ["member"], "attributes": {}})
    );
    assert_eq!(metadata["organization_id"], org.as_str());

    let machine = expect(
        app.post(&memberships, json!({"application_id": "app_1"}))
            .await,
        201,
    )
    .await;
    assert_eq!(machine["application_id"], "app_1");
    assert_eq!(machine["user_id"], Value::Null);
}

#[tokio::test]
async fn bad_membership_requests_write_nothing() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let memberships = format!("/v1/organizations/{org}/memberships");
    let member = expect(app.post(&memberships, json!({"user_id": "u"})).await, 201).await;
    let path = format!("/v1/memberships/{}", member["id"].as_str().unwrap());
    let before = app.event_count().await;

    let nested = json!({"user_id": "x", "attributes": {"a": {"b": 1}}});
    let many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!(1))).collect();
    let cases = [
        (json!({}), 400, vec!["user_id"]),
        (
            json!({"user_id": "a", "application_id": "b"}),
            400,
            vec!["user_id"],
        ),
        (json!({"user_id": ""}), 400, vec!["user_id"]),
        (
            json!({"application_id": "x".repeat(256)}),
            400,
            vec!["application_id"],
        ),
        (
            json!({"user_id": "x", "roles": ["Not A Slug"]}),
            400,
            vec!["roles"],
        ),
        (
            json!({"user_id": "x", "roles": ["ghost"]}),
            422,
            vec!["roles"],
        ),
        (nested, 400, vec!["attributes"]),
        (
            json!({"user_id": "x", "attributes": many}),
            400,
            vec!["attributes"],
        ),
        (
            json!({"user_id": "x", "attributes": [1]}),
            400,
            vec!["attributes"],
        ),
        (
            json!({"user_id": "x", "colour": "red"}),
            400,
            vec!["colour"],
        ),
    ];
    for (input, status, expected) in cases {
        let body = problem(app.post(&memberships, input.clone()).await, status).await;
        assert_eq!(fields(&body), expected, "for {input}");
    }
    let body = problem(app.patch(&path, json!({"roles": ["ghost"]})).await, 422).await;
    assert_eq!(fields(&body), ["roles"]);
    let body = problem(
        app.patch("/v1/memberships/org_01JD0000000000000000000000", json!({}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["id"]);
    problem(
        app.patch("/v1/memberships/om_01JD0000000000000000000000", json!({}))
            .await,
        404,
    )
    .await;
    problem(
        app.post_empty("/v1/memberships/om_01JD0000000000000000000000/deactivate")
            .await,
        404,
    )
    .await;
    let sent = json!({"user_id": "x"});
    problem(
        app.post(
            "/v1/organizations/org_01JD0000000000000000000000/memberships",
            sent,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(
        app.event_count().await,
        before,
        "no bad request wrote anything"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_for_one_user_make_one_membership() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let path = Arc::new(format!("/v1/organizations/{org}/memberships"));
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (app, path, barrier) = (app.clone(), path.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let res = app.post(&path, json!({"user_id": "racer"})).await;
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut named = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => winners.push(body["id"].as_str().unwrap().to_owned()),
            (409, body) => named.push(body["errors"][0]["message"].as_str().unwrap().to_owned()),
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1);
    assert!(
        named.iter().all(|id| *id == winners[0]),
        "every 409 names the winner"
    );
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'membership.created'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(created, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memberships_created_while_the_organization_is_deleted_do_not_survive_it() {
    let app = Arc::new(TestApp::spawn().await);
    for round in 0..3 {
        let org = app.organization().await;
        let barrier = Arc::new(tokio::sync::Barrier::new(21));
        let mut creates = Vec::new();
        for i in 0..20 {
            let (app, barrier, org) = (app.clone(), barrier.clone(), org.clone());
            creates.push(tokio::spawn(async move {
                barrier.wait().await;
                app.post(
                    &format!("/v1/organizations/{org}/memberships"),
                    json!({"user_id": format!("u{i}")}),
                )
                .await
                .status()
                .as_u16()
            }));
        }
        let delete = {
            let (app, barrier, org) = (app.clone(), barrier.clone(), org.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                app.delete(&format!("/v1/organizations/{org}"))
                    .await
                    .status()
                    .as_u16()
            })
        };
        for c in creates {
            let status = c.await.unwrap();
            assert!(status == 201 || status == 404, "create answered {status}");
        }
        assert_eq!(delete.await.unwrap(), 202);
        let intent: i64 = sqlx::query_scalar(
            "SELECT position FROM events WHERE aggregate_id = $1
                AND event_type = 'organization.deletion_requested'",
        )
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        app.workflows_done(intent).await;
        // Closed from the moment the deletion was accepted: no membership created after it, and
        // nothing of the organization after `organization.deleted`.
        let late: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE organization_id = $1
                AND event_type = 'membership.created' AND position > $2",
        )
        .bind(&org)
        .bind(intent)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            late, 0,
            "round {round}: a create was accepted after the deletion"
        );
        let last: String = sqlx::query_scalar(
            "SELECT event_type FROM events WHERE organization_id = $1 ORDER BY position DESC LIMIT 1",
        )
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(last, "organization.deleted");
        let live: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM (
                 SELECT aggregate_id FROM events WHERE organization_id = $1 AND aggregate_type = 'membership'
                 GROUP BY aggregate_id HAVING bool_and(event_type <> 'membership.deleted')) live",
        )
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            live, 0,
            "round {round}: memberships outlived their organization"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bulk_import_reports_every_item_on_its_own() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let path = format!("/v1/organizations/{org}/memberships/bulk");
    let sent = json!({"user_id": "already"});
    let existing = expect(
        app.post(&format!("/v1/organizations/{org}/memberships"), sent)
            .await,
        201,
    )
    .await;

    // 1,000 items: 990 new users and 5 machine apps (bots), then five that fail each in its own
    // way.
    let mut items: Vec<Value> = (0..990)
        .map(|i| json!({"user_id": format!("bulk{i}"), "attributes": {"n": i}}))
        .collect();
    items.extend((0..5).map(|i| json!({"application_id": format!("bot{i}"), "roles": []})));
    items.push(json!({"user_id": "already"}));
    items.push(json!({"user_id": "x", "roles": ["ghost"]}));
    items.push(json!({"user_id": ""}));
    items.push(json!({"user_id": "y", "colour": "red"}));
    items.push(json!({"user_id": "bulk0"}));
    let res = expect(app.post(&path, json!({"items": items})).await, 200).await;
    assert_eq!(
        (res["succeeded"].as_u64(), res["failed"].as_u64()),
        (Some(995), Some(5))
    );
    let data = res["data"].as_array().unwrap();
    assert_eq!(data.len(), 1000);
    assert!(data.iter().enumerate().all(|(i, r)| r["index"] == i));
    assert_eq!(data[0]["status"], 201);
    assert_eq!(data[0]["membership"]["attributes"]["n"], 0);
    assert_eq!(data[994]["status"], 201);
    assert_eq!(data[994]["membership"]["application_id"], "bot4");
    assert_eq!(data[994]["membership"]["user_id"], Value::Null);
    assert_eq!(data[995]["status"], 409);
    assert_eq!(data[995]["error"]["errors"][0]["message"], existing["id"]);
    assert_eq!(data[996]["status"], 422);
    assert_eq!(data[997]["status"], 400);
    assert_eq!(
        data[998]["error"]["errors"][0]["field"],
        "items[998].colour"
    );
    assert_eq!(
        data[999]["status"], 409,
        "a duplicate within the batch loses to the first"
    );

    let created: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'membership.created' AND organization_id = $1",
    )
    .bind(&org)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(created, 996);

    let too_many: Vec<Value> = (0..1001)
        .map(|i| json!({"user_id": format!("z{i}")}))
        .collect();
    let body = problem(app.post(&path, json!({"items": too_many})).await, 400).await;
    assert_eq!(fields(&body), ["items"]);
    let body = problem(app.post(&path, json!({"items": []})).await, 400).await;
    assert_eq!(fields(&body), ["items"]);
}

#[tokio::test]
async fn every_membership_says_how_it_joined_and_lists_filter_by_it() {
    let app = TestApp::with_projector().await;
    let org = app
        .created(
            "/v1/organizations",
            json!({"name": "Sources", "external_id": "sources"}),
        )
        .await;
    let org = org["id"].as_str().unwrap().to_owned();
    let memberships = format!("/v1/organizations/{org}/memberships");
    let by_api = app.created(&memberships, json!({"user_id": "api"})).await;
    assert_eq!(by_api["source"], "api");
    let bulk = expect(
        app.post(
            &format!("{memberships}/bulk"),
            json!({"items": [{"user_id": "bulk"}]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(bulk["data"][0]["membership"]["source"], "bulk", "{bulk}");
    let inv = app
        .created(
            &format!("/v1/organizations/{org}/invitations"),
            json!({"email": "inv@example.com"}),
        )
        .await;
    let accepted = expect(
        app.post(
            &format!("/v1/invitations/{}/accept", inv["id"].as_str().unwrap()),
            json!({"user_id": "inv", "accept_token": inv["accept_token"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(accepted["membership"]["source"], "invitation");
    let document = json!({"organizations": [{
        "external_id": "sources", "name": "Sources", "members": [{"user_id": "doc"}]
    }]});
    expect(app.post("/v1/apply", document).await, 200).await;
    // Joining again records the new way: reactivated through an invitation.
    let api_id = by_api["id"].as_str().unwrap();
    expect(
        app.post_empty(&format!("/v1/memberships/{api_id}/deactivate"))
            .await,
        200,
    )
    .await;
    let again = app
        .created(
            &format!("/v1/organizations/{org}/invitations"),
            json!({"email": "api@example.com"}),
        )
        .await;
    let back = expect(
        app.post(
            &format!("/v1/invitations/{}/accept", again["id"].as_str().unwrap()),
            json!({"user_id": "api", "accept_token": again["accept_token"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(back["membership"]["source"], "invitation");

    let head = app.head().await;
    for (source, user) in [("bulk", "bulk"), ("invitation", "api"), ("apply", "doc")] {
        let page = app
            .read(&format!("{memberships}?source={source}&order=asc"), head)
            .await;
        let users: Vec<&str> = (page["data"].as_array().unwrap().iter())
            .map(|m| m["user_id"].as_str().unwrap())
            .collect();
        assert!(users.contains(&user), "{source}: {users:?}");
        assert!(
            (page["data"].as_array().unwrap().iter()).all(|m| m["source"] == source),
            "{page}"
        );
    }
    let page = app
        .read(&format!("{memberships}?source=invitation"), head)
        .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    let bad = problem(app.fetch(&format!("{memberships}?source=magic")).await, 400).await;
    assert_eq!(fields(&bad), ["source"]);
}
