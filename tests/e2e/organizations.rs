//! Organization commands over HTTP: responses, positions, stored events, and the external-id
//! uniqueness claim under concurrent requests.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn create_returns_the_object_and_its_position() {
    let app = TestApp::spawn().await;
    let res = app
        .post(
            "/v1/organizations",
            json!({"name": "  Acme  ", "external_id": "acme", "metadata": {"tier": "gold"}}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let header: i64 = res.headers()["roster-position"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["object"], "organization");
    assert_eq!(body["name"], "Acme");
    assert_eq!(body["external_id"], "acme");
    assert_eq!(body["metadata"], json!({"tier": "gold"}));
    assert_eq!(body["position"], header);
    let id = body["id"].as_str().unwrap();
    assert!(id.starts_with("org_"));

    let events = app.events_of(id).await;
    let types: Vec<_> = events.iter().map(|e| e.0.as_str()).collect();
    // Its roles are the organization template's: it writes none of its own.
    assert_eq!(types, ["organization.created"]);
    assert_eq!(
        events[0].2, header,
        "the position is the command's last event's"
    );
    let (_, sequence, _, payload, metadata) = &events[0];
    assert_eq!(*sequence, 1);
    assert_eq!(payload["data"]["name"], "Acme");
    assert!(metadata["event_id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(metadata["organization_id"], id);
}

#[tokio::test]
async fn update_changes_fields_and_skips_no_ops() {
    let app = TestApp::spawn().await;
    let acme = json!({"name": "Acme", "description": "d", "external_id": "a"});
    let created = app.created("/v1/organizations", acme).await;
    let id = created["id"].as_str().unwrap();
    let path = format!("/v1/organizations/{id}");

    let change = json!({"name": "Acme Inc", "description": null});
    let updated = expect(app.patch(&path, change).await, 200).await;
    assert_eq!(updated["name"], "Acme Inc");
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["external_id"], "a", "absent fields are left alone");
    assert!(updated["position"].as_i64() > created["position"].as_i64());

    let events = app.events_of(id).await;
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].0, "organization.updated");
    assert_eq!(
        events[1].3["data"]["previous_attributes"],
        json!({"name": "Acme", "description": "d"})
    );

    // Same values again: 200 with the current object and position, and no new event.
    let same = expect(app.patch(&path, json!({"name": "Acme Inc"})).await, 200).await;
    assert_eq!(same["position"], updated["position"]);
    assert_eq!(app.events_of(id).await.len(), 2);
}

#[tokio::test]
async fn update_rejects_unknown_and_wrong_ids() {
    let app = TestApp::spawn().await;
    let unknown = "/v1/organizations/org_01JD0000000000000000000000";
    problem(app.patch(unknown, json!({"name": "x"})).await, 404).await;
    let sent = json!({});
    let body = problem(
        app.patch("/v1/organizations/grp_01JD0000000000000000000000", sent)
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["org_id"]);
    let body = problem(
        app.patch("/v1/organizations/nonsense", json!({})).await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["org_id"]);
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test]
async fn invalid_fields_are_all_named() {
    let app = TestApp::spawn().await;
    let many: serde_json::Map<String, Value> =
        (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let cases = [
        (json!({"name": ""}), vec!["name"]),
        (json!({"name": "x".repeat(101)}), vec!["name"]),
        (
            json!({"name": "ok", "external_id": "  "}),
            vec!["external_id"],
        ),
        (json!({"name": "ok", "metadata": many}), vec!["metadata"]),
        (
            json!({"name": "ok", "metadata": {"k": 1}}),
            vec!["metadata.k"],
        ),
        (
            json!({"name": "", "description": "", "external_id": ""}),
            vec!["name", "description", "external_id"],
        ),
    ];
    for (input, expected) in cases {
        let body = problem(app.post("/v1/organizations", input.clone()).await, 400).await;
        assert_eq!(fields(&body), expected, "for {input}");
    }
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_creates_with_one_external_id_have_one_winner() {
    let app = Arc::new(TestApp::spawn().await);
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let app = app.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let res = app
                    .post(
                        "/v1/organizations",
                        json!({"name": format!("Org {i}"), "external_id": "same"}),
                    )
                    .await;
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut created = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => created.push(body["id"].as_str().unwrap().to_owned()),
            (409, body) => {
                assert!(body["detail"]
                    .as_str()
                    .unwrap()
                    .contains("external_id/same"));
                conflicts += 1;
            }
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!((created.len(), conflicts), (1, 49));
    assert_eq!(
        app.event_count().await,
        1,
        "only the winner's event is stored"
    );
    assert_eq!(app.events_of(&created[0]).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_updates_of_one_organization_are_serialised() {
    let app = Arc::new(TestApp::spawn().await);
    let created: Value = app
        .post("/v1/organizations", json!({"name": "Acme"}))
        .await
        .json()
        .await
        .unwrap();
    let path = Arc::new(format!(
        "/v1/organizations/{}",
        created["id"].as_str().unwrap()
    ));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let app = app.clone();
            let path = path.clone();
            tokio::spawn(async move {
                app.patch(&path, json!({"metadata": {"writer": i.to_string()}}))
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            200 => ok += 1,
            409 => {}
            other => panic!("unexpected status {other}"),
        }
    }
    let events = app.events_of(created["id"].as_str().unwrap()).await;
    // Every success wrote exactly one event (its value differs from the one before, unless two
    // writers chose the same value — they do not), and the stream has no holes.
    assert_eq!(events.len(), 1 + ok);
    assert!(events.iter().enumerate().all(|(i, e)| e.1 == i as i64 + 1));
    assert!(
        ok >= 10,
        "retries let most concurrent updates through, got {ok}"
    );
}

#[tokio::test]
async fn deleting_an_organization_deletes_its_contents_first_and_ends_it() {
    let app = TestApp::spawn().await;
    let doomed = json!({"name": "Doomed", "external_id": "doomed"});
    let org = app.create("/v1/organizations", doomed).await;
    let om = app.member(&org, json!({"user_id": "u"})).await;
    let grp = app.group(&org, "G").await;
    app.created(
        &format!("/v1/groups/{grp}/members"),
        json!({"membership_id": om}),
    )
    .await;
    app.created(
        &format!("/v1/organizations/{org}/roles"),
        json!({"slug": "own", "name": "Own"}),
    )
    .await;

    let deleted = app
        .delete_and_wait(&format!("/v1/organizations/{org}"))
        .await;

    let types: Vec<(String, i64)> = sqlx::query_as(
        "SELECT event_type, position FROM events WHERE organization_id = $1 ORDER BY position",
    )
    .bind(&org)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let tail: Vec<&str> = types
        .iter()
        .rev()
        .take(5)
        .rev()
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        tail,
        [
            "group.member_removed",
            "group.deleted",
            "membership.deleted",
            "organization_role.deleted",
            "organization.deleted"
        ]
    );
    // The answer carried the position of the accepted intent; the organization's last event is
    // `organization.deleted`.
    let intent = types
        .iter()
        .find(|(t, _)| t == "organization.deletion_requested")
        .unwrap();
    assert_eq!(intent.1, deleted["position"].as_i64().unwrap());

    // Everything about it is gone, and its external id is free again.
    problem(
        app.patch(&format!("/v1/organizations/{org}"), json!({"name": "x"}))
            .await,
        404,
    )
    .await;
    problem(app.delete(&format!("/v1/organizations/{org}")).await, 404).await;
    let sent = json!({"user_id": "v"});
    problem(
        app.post(&format!("/v1/organizations/{org}/memberships"), sent)
            .await,
        404,
    )
    .await;
    let sent = json!({"name": "H"});
    problem(
        app.post(&format!("/v1/organizations/{org}/groups"), sent)
            .await,
        404,
    )
    .await;
    let sent = json!({"slug": "x", "name": "X"});
    problem(
        app.post(&format!("/v1/organizations/{org}/roles"), sent)
            .await,
        404,
    )
    .await;
    problem(
        app.patch(&format!("/v1/memberships/{om}"), json!({})).await,
        404,
    )
    .await;
    problem(
        app.patch(&format!("/v1/groups/{grp}"), json!({})).await,
        404,
    )
    .await;
    let reborn = json!({"name": "Reborn", "external_id": "doomed"});
    app.create("/v1/organizations", reborn).await;
}
