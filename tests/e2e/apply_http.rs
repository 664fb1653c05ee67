//! `POST /v1/apply`: the plan for a dry run, the result otherwise (the CLI's JSON shapes); YAML or
//! JSON by content type; the actor is the key; an organization key applies only its own
//! organization (404 naming any other); a read-only key may plan, not apply.

use crate::support::{expect, make_key, problem, TestApp};
use serde_json::{json, Value};

const ACME: &str = "organizations:\n  - external_id: acme\n    name: Acme\n    members: [{user_id: ann, roles: [admin]}]\n";

async fn post(
    app: &TestApp,
    key: &str,
    query: &str,
    content_type: &str,
    body: &str,
) -> reqwest::Response {
    app.client_with(Some(key))
        .post(app.url(&format!("/v1/apply{query}")))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_document_is_planned_and_applied_over_http_within_the_key_s_reach() {
    let app = TestApp::with_projector().await;
    let admin = app.admin_key.clone();
    let before = app.event_count().await;
    // A dry run is the plan, and writes nothing.
    let plan = expect(
        post(&app, &admin, "?dry_run=true", "application/yaml", ACME).await,
        200,
    )
    .await;
    assert_eq!(plan["object"], "plan");
    assert_eq!(
        plan["document_sha256"],
        declarative::sha256(ACME.as_bytes())
    );
    let changes: Vec<(&str, &str)> = (plan["organizations"][0]["changes"]
        .as_array()
        .unwrap()
        .iter())
    .map(|c| (c["action"].as_str().unwrap(), c["key"].as_str().unwrap()))
    .collect();
    assert_eq!(changes, [("create", "acme"), ("create", "user:ann")]);
    assert_eq!(app.event_count().await, before);

    // Applied: each organization's status, the events' actor is the key.
    let res = post(&app, &admin, "", "application/yaml", ACME).await;
    let position: i64 = res.headers()["roster-position"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let applied = expect(res, 200).await;
    assert_eq!(applied["object"], "apply");
    assert_eq!(applied["complete"], true);
    assert_eq!(applied["organizations"][0]["status"], "applied");
    assert_eq!(applied["position"], position);
    let acme = applied["organizations"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // What it made is managed by the document's source: now, and as it was then (rebuilt from
    // the events, as the projector built the row). A group's member list as it was, too.
    let ann = app
        .get(&format!(
            "/v1/organizations/{acme}/memberships?user_id=ann&min_position={position}"
        ))
        .await
        .1["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for at in [String::new(), format!("?as_of={position}")] {
        for path in [
            format!("/v1/organizations/{acme}"),
            format!("/v1/memberships/{ann}"),
        ] {
            let (status, object) = app.get(&format!("{path}{at}")).await;
            assert_eq!(
                (status, &object["managed_by"]),
                (200, &json!("apply")),
                "{path}{at}: {object}"
            );
        }
    }
    let actors: Vec<Value> = sqlx::query_scalar(
        "SELECT DISTINCT metadata->'actor_type' FROM events WHERE organization_id = $1",
    )
    .bind(&acme)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(actors, [json!("api_key")]);
    // Again, as JSON: nothing to do.
    let as_json = serde_json::to_string(
        &declarative::read(ACME.as_bytes(), declarative::Format::Yaml).unwrap(),
    )
    .unwrap();
    let again = expect(
        post(&app, &admin, "", "application/json", &as_json).await,
        200,
    )
    .await;
    assert_eq!(again["organizations"][0]["status"], "unchanged");
    assert_eq!(again["events"], 0);

    // An organization key: its own organization, yes; any other it names, 404 naming it.
    let own = make_key(&app.db.pool, Some(&acme), false).await;
    let more = ACME.replace("roles: [admin]}]", "roles: [admin]}, {user_id: bo}]");
    let applied = expect(post(&app, &own, "", "application/yaml", &more).await, 200).await;
    assert_eq!(applied["organizations"][0]["events"], 1);
    let other = format!("{more}  - external_id: globex\n    name: Globex\n");
    let refused = problem(post(&app, &own, "", "application/yaml", &other).await, 404).await;
    assert!(
        refused["detail"].as_str().unwrap().contains("globex"),
        "{refused}"
    );
    let pruning = problem(
        post(
            &app,
            &own,
            "?prune_organizations=true",
            "application/yaml",
            &more,
        )
        .await,
        403,
    )
    .await;
    assert!(
        pruning["detail"].as_str().unwrap().contains("admin"),
        "{pruning}"
    );

    // A read-only key plans, and may not apply.
    let reader = make_key(&app.db.pool, None, true).await;
    let changed = ACME.replace("roles: [admin]", "roles: [member]");
    let plan = expect(
        post(&app, &reader, "?dry_run=true", "application/yaml", &changed).await,
        200,
    )
    .await;
    assert_eq!(plan["organizations"][0]["changes"][0]["action"], "update");
    let before = app.event_count().await;
    for query in ["", "?dry_run=false", "?dry_run=true&dry_run=false"] {
        problem(
            post(&app, &reader, query, "application/yaml", &changed).await,
            403,
        )
        .await;
    }
    assert_eq!(app.event_count().await, before);

    // Bad input: a clear problem, nothing written.
    let bad = problem(post(&app, &admin, "", "text/plain", ACME).await, 415).await;
    assert!(
        bad["detail"].as_str().unwrap().contains("application/yaml"),
        "{bad}"
    );
    let typo = ACME.replace("members:", "membres:");
    let bad = problem(post(&app, &admin, "", "application/yaml", &typo).await, 400).await;
    assert!(
        bad["errors"][0]["field"]
            .as_str()
            .unwrap()
            .contains("organizations[0]"),
        "{bad}"
    );
    let bad = problem(
        post(&app, &admin, "?dry_run=maybe", "application/yaml", ACME).await,
        400,
    )
    .await;
    assert!(bad["detail"].as_str().unwrap().contains("dry_run"), "{bad}");
    assert_eq!(app.event_count().await, before);
}
