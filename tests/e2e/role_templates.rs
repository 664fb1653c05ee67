//! The organization template: roles defined once by an admin key, offered by every organization
//! besides its custom roles; a template change reaches every holder's claims at once; a deleted
//! template role is taken from its holders everywhere — and under races, a slug is never both a
//! template role and an organization's custom role, and no one keeps a deleted template role.

use std::sync::Arc;

use crate::support::{expect, fields, make_key, problem, TestApp};
use serde_json::{json, Value};

const TEMPLATES: &str = "/v1/role-templates";

async fn claims(app: &TestApp, org: &str, user: &str, position: i64) -> Value {
    app.read(
        &format!("/v1/organizations/{org}/claims?user_id={user}"),
        position,
    )
    .await
}

#[tokio::test]
async fn template_roles_are_offered_everywhere_and_changes_reach_every_holder_at_once() {
    let app = TestApp::with_projector().await;
    let (a, b) = (app.named("A").await, app.named("B").await);
    let auditor = json!({"slug": "auditor", "name": "Auditor", "permissions": ["logs:read"]});

    // Only an admin key changes the template; any key reads it.
    let org_key = make_key(&app.db.pool, Some(&a), false).await;
    let as_org = app.client_with(Some(&org_key));
    let res = as_org
        .post(app.url(TEMPLATES))
        .json(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let created = app.created(TEMPLATES, auditor).await;
    assert_eq!(created["object"], "role_template");
    assert_eq!(created["permissions"], json!(["logs:read"]));
    let at = created["position"].as_i64().unwrap();
    let listed = app.read(TEMPLATES, at).await;
    assert_eq!(listed["data"][0]["slug"], "auditor");
    let one = app.read(&format!("{TEMPLATES}/auditor"), at).await;
    assert_eq!(one["name"], "Auditor");
    let res = as_org.get(app.url(TEMPLATES)).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // Every organization offers it, marked as the template's.
    let roles = app.read(&format!("/v1/organizations/{a}/roles"), at).await;
    let mut offered: Vec<(String, bool)> = (roles["data"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["slug"].as_str().unwrap().to_owned(),
                r["template"].as_bool().unwrap(),
            )
        })
        .collect();
    offered.sort();
    assert_eq!(
        offered,
        [
            ("admin".into(), false),
            ("auditor".into(), true),
            ("member".into(), false)
        ]
    );

    // Held directly in A, through a group in B.
    app.member(&a, json!({"user_id": "ann", "roles": ["auditor"]}))
        .await;
    app.member(&b, json!({"user_id": "bob"})).await;
    let bea = app.member(&b, json!({"user_id": "bea"})).await;
    let group = app.group(&b, "Audit").await;
    expect(
        app.put(
            &format!("/v1/groups/{group}/roles"),
            json!({"roles": ["auditor"]}),
        )
        .await,
        200,
    )
    .await;
    let added = expect(
        app.post(
            &format!("/v1/groups/{group}/members"),
            json!({ "membership_id": bea }),
        )
        .await,
        201,
    )
    .await;
    let at = added["position"].as_i64().unwrap();
    assert_eq!(
        claims(&app, &a, "ann", at).await["permissions"],
        json!(["logs:read"])
    );
    assert_eq!(
        claims(&app, &b, "bea", at).await["permissions"],
        json!(["logs:read"])
    );

    // One change, every holder in every organization.
    let updated = expect(
        app.patch(
            &format!("{TEMPLATES}/auditor"),
            json!({"permissions": ["logs:read", "logs:export"]}),
        )
        .await,
        200,
    )
    .await;
    let at = updated["position"].as_i64().unwrap();
    for (org, user) in [(&a, "ann"), (&b, "bea")] {
        let c = claims(&app, org, user, at).await;
        assert_eq!(c["permissions"], json!(["logs:export", "logs:read"]));
        assert!(c["roles"].as_array().unwrap().contains(&json!("auditor")));
    }

    // A custom role may not take the slug; the organization's role routes point to the template.
    let body = problem(
        app.post(
            &format!("/v1/organizations/{a}/roles"),
            json!({"slug": "auditor", "name": "Mine"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["slug"]);
    let body = problem(
        app.patch(
            &format!("/v1/organizations/{a}/roles/auditor"),
            json!({"name": "Mine"}),
        )
        .await,
        409,
    )
    .await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("/v1/role-templates/auditor"));
    // Nor may a template role take a slug an organization uses.
    app.created(
        &format!("/v1/organizations/{b}/roles"),
        json!({"slug": "billing", "name": "Billing"}),
    )
    .await;
    let body = problem(
        app.post(TEMPLATES, json!({"slug": "billing", "name": "Billing"}))
            .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["slug"]);
    assert!(body["detail"].as_str().unwrap().contains(&b));
    // Bad input and the built-in.
    let body = problem(
        app.post(TEMPLATES, json!({"slug": "Not A Slug", "name": ""}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["slug", "name"]);
    let res = app.delete(&format!("{TEMPLATES}/nope")).await;
    assert_eq!(res.status(), 404);

    // Deleted: taken from every holder, by the process manager.
    let deleted = app.delete_and_wait(&format!("{TEMPLATES}/auditor")).await;
    let at = app.head().await;
    assert!(at >= deleted["position"].as_i64().unwrap());
    for (org, user) in [(&a, "ann"), (&b, "bea")] {
        let c = claims(&app, org, user, at).await;
        assert_eq!(c["permissions"], json!([]), "{user}");
        assert!(!c["roles"].to_string().contains("auditor"), "{user}: {c}");
    }
    let group_now = app.read(&format!("/v1/groups/{group}"), at).await;
    assert_eq!(group_now["roles"], json!([]));
    let body = problem(
        app.post(
            &format!("/v1/organizations/{a}/memberships"),
            json!({"user_id": "cid", "roles": ["auditor"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["roles"]);

    // The template's events belong to no organization; they are in the log like any other.
    let events = app.events_of("auditor").await;
    let types: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "role_template.created",
            "role_template.updated",
            "role_template.deleted"
        ]
    );
    let orgless: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'role_template' AND organization_id IS NULL",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(orgless, 3);
    let (status, event) = app
        .get(&format!(
            "/v1/events/{}",
            events[0].4["event_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["organization_id"], Value::Null);
    // An organization key does not see events of no organization.
    let res = as_org
        .get(app.url(&format!("/v1/events/{}", event["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

/// A template role and custom roles of one slug created at once in several organizations: either
/// the template role or custom roles, never both (the custom role forbids the template's key; the
/// template's creation finds the slug index empty, under the same key's lock).
#[tokio::test]
async fn a_slug_is_never_both_a_template_role_and_a_custom_role() {
    let app = Arc::new(TestApp::spawn().await);
    let mut orgs = Vec::new();
    for i in 0..6 {
        orgs.push(app.named(&format!("Org {i}")).await);
    }
    let (mut templates, mut customs) = (0, 0);
    for round in 0..8 {
        let slug = format!("race-{round}");
        let body = json!({"slug": slug, "name": "Race"});
        let template = {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move { app.post(TEMPLATES, body).await.status().as_u16() })
        };
        let custom: Vec<_> = (orgs.iter().cloned())
            .map(|org| {
                let (app, body) = (app.clone(), body.clone());
                tokio::spawn(async move {
                    let path = format!("/v1/organizations/{org}/roles");
                    app.post(&path, body).await.status().as_u16()
                })
            })
            .collect();
        let template = template.await.unwrap();
        let mut created = 0;
        for c in custom {
            match c.await.unwrap() {
                201 => created += 1,
                409 => {}
                other => panic!("custom role: {other}"),
            }
        }
        match template {
            201 => assert_eq!(created, 0, "{slug}: a template role and custom roles"),
            409 => assert!(created > 0, "{slug}: refused for no custom role"),
            other => panic!("template role: {other}"),
        }
        templates += usize::from(template == 201);
        customs += usize::from(created > 0);
        // The claims agree with the answers.
        let both: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM claims WHERE key = 'role_template/' || $1)
                AND EXISTS (SELECT 1 FROM claims WHERE key LIKE 'role_slug/' || $1 || '/%')",
        )
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert!(!both, "{slug}");
    }
    assert_eq!(templates + customs, 8);
}

/// Memberships given a template role while the role is deleted: once the process manager is done
/// with the deletion, no one holds it (a change that commits after the deletion is refused, one
/// before it is seen by the process manager).
#[tokio::test]
async fn no_one_keeps_a_template_role_deleted_while_it_is_being_given() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    for round in 0..3 {
        let slug = format!("temp-{round}");
        app.created(TEMPLATES, json!({"slug": slug, "name": "Temporary"}))
            .await;
        let joins: Vec<_> = (0..24)
            .map(|i| {
                let (app, org, slug) = (app.clone(), org.clone(), slug.clone());
                tokio::spawn(async move {
                    let body = json!({"user_id": format!("u{round}-{i}"), "roles": [slug]});
                    let path = format!("/v1/organizations/{org}/memberships");
                    app.post(&path, body).await.status().as_u16()
                })
            })
            .collect();
        let deletion = app.delete(&format!("{TEMPLATES}/{slug}")).await;
        assert_eq!(deletion.status(), 202);
        let deleted: Value = deletion.json().await.unwrap();
        let mut given = 0;
        for j in joins {
            match j.await.unwrap() {
                201 => given += 1,
                422 => {}
                other => panic!("join: {other}"),
            }
        }
        app.workflows_done(deleted["position"].as_i64().unwrap())
            .await;
        let holders: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM claims WHERE key LIKE 'organization/%/role\\_member/' || $1 || '/%'",
        )
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            holders, 0,
            "round {round}: {given} given before the deletion"
        );
    }
}
