//! The role catalogue of an organization over HTTP.

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn roles_are_created_updated_and_deleted_with_events() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let roles = format!("/v1/organizations/{org}/roles");

    let permissions = ["billing:write", "billing:read", "billing:read"];
    let billing = json!({"slug": "billing", "name": "Billing", "permissions": permissions});
    let created = app.created(&roles, billing).await;
    assert_eq!(created["object"], "organization_role");
    assert_eq!(created["organization_id"], org.as_str());
    assert_eq!(
        created["permissions"],
        json!(["billing:read", "billing:write"])
    );

    let role = format!("{roles}/billing");
    let change = json!({"permissions": ["billing:read"], "description": "Invoices"});
    let updated = expect(app.patch(&role, change).await, 200).await;
    assert_eq!(updated["permissions"], json!(["billing:read"]));
    assert_eq!(updated["description"], "Invoices");
    assert!(updated["position"].as_i64() > created["position"].as_i64());

    // Nothing changes: no event, same position.
    let same = expect(
        app.patch(&role, json!({"description": "Invoices"})).await,
        200,
    )
    .await;
    assert_eq!(same["position"], updated["position"]);

    let deleted = app.delete_and_wait(&role).await;
    assert_eq!(deleted["slug"], "billing");

    let events = app.events_of(&org).await;
    let types: Vec<_> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "organization.created",
            "organization_role.created",
            "organization_role.updated",
            "organization_role.deleted",
        ]
    );
    assert_eq!(
        events[2].3["data"]["previous_attributes"],
        json!({"description": null, "permissions": ["billing:read", "billing:write"]})
    );
    assert_eq!(events[3].2, deleted["position"].as_i64().unwrap());

    // Deleted, so it can be created again.
    assert_eq!(
        app.post(&roles, json!({"slug": "billing", "name": "Billing"}))
            .await
            .status(),
        201
    );
}

#[tokio::test]
async fn role_rules_and_bad_input() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let roles = format!("/v1/organizations/{org}/roles");
    let before = app.event_count().await;

    let body = problem(
        app.post(&roles, json!({"slug": "admin", "name": "Again"}))
            .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["slug"]);
    let body = problem(app.delete(&format!("{roles}/member")).await, 422).await;
    assert_eq!(fields(&body), ["slug"]);
    problem(app.delete(&format!("{roles}/nope")).await, 404).await;
    problem(
        app.patch(&format!("{roles}/nope"), json!({"name": "x"}))
            .await,
        404,
    )
    .await;

    let cases = [
        (json!({"slug": "Bad Slug", "name": "x"}), vec!["slug"]),
        (json!({"slug": "ok", "name": ""}), vec!["name"]),
        (
            json!({"slug": "ok", "name": "x", "permissions": ["has space"]}),
            vec!["permissions"],
        ),
        (
            json!({"slug": "ok", "name": "x", "permissions": "billing:read"}),
            vec!["permissions"],
        ),
        (json!({"name": "x"}), vec!["slug"]),
    ];
    for (input, expected) in cases {
        let body = problem(app.post(&roles, input.clone()).await, 400).await;
        assert_eq!(fields(&body), expected, "for {input}");
    }
    let body = problem(app.patch(&format!("{roles}/Bad!"), json!({})).await, 400).await;
    assert_eq!(fields(&body), ["slug"]);
    let sent = json!({"slug": "a", "name": "a"});
    let body = problem(
        app.post(
            "/v1/organizations/grp_01JD0000000000000000000000/roles",
            sent,
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["org_id"]);
    let sent = json!({"slug": "a", "name": "a"});
    problem(
        app.post(
            "/v1/organizations/org_01JD0000000000000000000000/roles",
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

#[tokio::test]
async fn deleting_a_role_takes_it_from_every_membership() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let roles = format!("/v1/organizations/{org}/roles");
    app.created(&roles, json!({"slug": "billing", "name": "Billing"}))
        .await;
    let mut members = Vec::new();
    for user in ["a", "b"] {
        let member = json!({"user_id": user, "roles": ["billing", "member"]});
        members.push(app.member(&org, member).await);
    }
    let deleted = app.delete_and_wait(&format!("{roles}/billing")).await;
    for m in &members {
        let events = app.events_of(m).await;
        let (event_type, _, position, payload, _) = events.last().unwrap();
        assert_eq!(event_type, "membership.updated");
        assert_eq!(payload["data"]["roles"], json!(["member"]));
        assert!(*position > deleted["position"].as_i64().unwrap());
    }
    // The role is gone: it can no longer be given.
    let sent = json!({"roles": ["billing"]});
    let body = problem(
        app.patch(&format!("/v1/memberships/{}", members[0]), sent)
            .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["roles"]);
}

/// A membership change racing the deletion of a role the membership keeps either commits first
/// (and the deletion's cascade then takes the role) or fails: no event after
/// `organization_role.deleted` shows the deleted role. Two deletions whose cascades meet on one
/// membership both finish.
#[tokio::test]
async fn a_kept_role_never_outlives_its_deletion() {
    const N: usize = 20;
    let app = std::sync::Arc::new(TestApp::spawn().await);
    let mut tasks = Vec::new();
    for _ in 0..N {
        let org = app.organization().await;
        let roles = format!("/v1/organizations/{org}/roles");
        for slug in ["x", "y"] {
            app.created(&roles, json!({"slug": slug, "name": slug}))
                .await;
        }
        let member = json!({"user_id": "u", "roles": ["member", "x", "y"]});
        let member = app.member(&org, member).await;
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let (x, y, membership) = (
                format!("{roles}/x"),
                format!("{roles}/y"),
                format!("/v1/memberships/{member}"),
            );
            let (x, y, patched) = tokio::join!(
                app.delete(&x),
                app.delete(&y),
                app.patch(&membership, json!({"roles": ["x"]}))
            );
            [x, y, patched].map(|r| r.status().as_u16())
        }));
    }
    for task in tasks {
        let [x, y, patched] = task.await.unwrap();
        assert_eq!((x, y), (202, 202), "both deletions are accepted");
        assert!([200, 422].contains(&patched), "{patched}");
    }
    // Both cascades finish: no membership holds x or y any more.
    app.workflows_done(app.head().await).await;
    let holding: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM claims WHERE key LIKE 'organization/%/role_member/x/%'
            OR key LIKE 'organization/%/role_member/y/%'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(holding, 0, "both deletions and their cascades finish");
    let events: Vec<(String, Value)> =
        sqlx::query_as("SELECT event_type, payload FROM events ORDER BY position")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    let mut gone = std::collections::HashSet::new();
    for (event_type, payload) in &events {
        let data = &payload["data"];
        let org = data["organization_id"].as_str().unwrap_or_default();
        if event_type == "organization_role.deleted" {
            gone.insert(format!("{org}/{}", data["slug"].as_str().unwrap()));
        } else if event_type.starts_with("membership.") && event_type != "membership.deleted" {
            for role in data["roles"].as_array().unwrap() {
                assert!(
                    !gone.contains(&format!("{org}/{}", role.as_str().unwrap())),
                    "{event_type} of {} shows {role} after its deletion",
                    data["id"]
                );
            }
        }
    }
    assert_eq!(gone.len(), 2 * N);
}
