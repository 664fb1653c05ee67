//! Idempotency-Key on POST: retries replay the first response and append nothing.

use std::sync::Arc;

use crate::support::{eventually, fields, problem, AppParts, TestApp};
use serde_json::{json, Value};

async fn post_with_key(app: &TestApp, key: &str, body: Value) -> reqwest::Response {
    app.client
        .post(app.url("/v1/organizations"))
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_retry_replays_the_first_response_and_appends_nothing() {
    let app = TestApp::spawn().await;
    let body = json!({"name": "Acme", "external_id": "acme"});
    let first = post_with_key(&app, "k-1", body.clone()).await;
    assert_eq!(first.status(), 201);
    assert!(first.headers().get("idempotent-replayed").is_none());
    let position = first.headers()["roster-position"].clone();
    let first: Value = first.json().await.unwrap();

    let again = post_with_key(&app, "k-1", body.clone()).await;
    assert_eq!(again.status(), 201);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(again.headers()["roster-position"], position);
    assert_eq!(again.headers()["content-type"], "application/json");
    assert_eq!(again.json::<Value>().await.unwrap(), first);
    assert_eq!(app.event_count().await, 1, "organization.created");

    // Without the key the same body is a new request (and here a duplicate external id).
    problem(app.post("/v1/organizations", body).await, 409).await;
}

#[tokio::test]
async fn the_same_key_with_another_request_is_refused() {
    let app = TestApp::spawn().await;
    assert_eq!(
        post_with_key(&app, "k-2", json!({"name": "A"}))
            .await
            .status(),
        201
    );
    let body = problem(post_with_key(&app, "k-2", json!({"name": "B"})).await, 422).await;
    assert_eq!(fields(&body), ["Idempotency-Key"]);
    assert_eq!(app.event_count().await, 1, "organization.created");
}

#[tokio::test]
async fn rejected_requests_are_replayed_too_and_bad_keys_refused() {
    let app = TestApp::spawn().await;
    let first = problem(post_with_key(&app, "k-3", json!({"name": ""})).await, 400).await;
    let again = post_with_key(&app, "k-3", json!({"name": ""})).await;
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    assert_eq!(problem(again, 400).await, first);

    let long = "x".repeat(256);
    let body = problem(post_with_key(&app, &long, json!({"name": "A"})).await, 400).await;
    assert_eq!(fields(&body), ["Idempotency-Key"]);
    assert_eq!(app.event_count().await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_with_one_key_run_once() {
    let app = Arc::new(TestApp::spawn().await);
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let app = app.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                barrier.wait().await;
                let res = post_with_key(&app, "k-race", json!({"name": "Racer"})).await;
                let status = res.status().as_u16();
                (status, res.json::<Value>().await.unwrap())
            })
        })
        .collect();
    let mut ids = std::collections::HashSet::new();
    for t in tasks {
        match t.await.unwrap() {
            (201, body) => {
                ids.insert(body["id"].as_str().unwrap().to_owned());
            }
            (409, body) => assert_eq!(fields(&body), ["Idempotency-Key"]),
            (status, body) => panic!("unexpected {status}: {body}"),
        }
    }
    assert_eq!(ids.len(), 1, "every 201 is the same organization");
    assert_eq!(app.event_count().await, 1, "the command ran once");
}

#[tokio::test]
async fn one_time_secrets_are_not_saved_for_replays() {
    let app = TestApp::spawn().await;
    let org: Value = post_with_key(&app, "k-org", json!({"name": "Acme"}))
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/v1/organizations/{}/invitations",
        org["id"].as_str().unwrap()
    );
    let invite = |key: &'static str| {
        app.client
            .post(app.url(&path))
            .header("idempotency-key", key)
            .json(&json!({"email": "ann@example.com"}))
            .send()
    };
    let first: Value = invite("k-inv").await.unwrap().json().await.unwrap();
    let token = first["accept_token"].as_str().unwrap().to_owned();
    let replay = invite("k-inv").await.unwrap();
    assert_eq!(replay.headers()["idempotent-replayed"], "true");
    let replay: Value = replay.json().await.unwrap();
    assert_eq!(replay["id"], first["id"]);
    assert!(
        replay.get("accept_token").is_none(),
        "the token is shown once"
    );
    let saved: Vec<Vec<u8>> = sqlx::query_scalar("SELECT response_body FROM idempotency_keys")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(saved
        .iter()
        .all(|b| !String::from_utf8_lossy(b).contains(&token)));
}

/// Every way `roster serve --only …` can be combined that serves POSTs honours the key: on the
/// command routes and on the webhook routes alike.
#[tokio::test]
async fn every_component_mix_that_serves_posts_honours_the_key() {
    let webhooks = || Some(Arc::new(crate::support::webhooks()));
    let queries = Some(std::time::Duration::from_secs(5));
    let mixes = [
        ("command", true, None, None),
        ("webhooks", false, None, webhooks()),
        ("command,webhooks", true, None, webhooks()),
        ("command,query", true, queries, None),
        ("query,webhooks", false, queries, webhooks()),
        ("all", true, queries, webhooks()),
    ];
    for (name, commands, queries, hooks) in mixes {
        let has_hooks = hooks.is_some();
        let app = TestApp::serving(
            roster_testkit::fresh_db().await,
            AppParts {
                rate_limit: None,
                commands,
                queries,
                webhooks: hooks,
                domains: None,
                prepared: None,
            },
        )
        .await;
        let mut posts = Vec::new();
        if commands {
            posts.push(("/v1/organizations", json!({"name": "Acme"})));
        }
        if has_hooks {
            posts.push((
                "/v1/webhook-endpoints",
                json!({"url": "http://127.0.0.1:9/"}),
            ));
        }
        for (path, body) in posts {
            let send = || {
                app.client
                    .post(app.url(path))
                    .header("idempotency-key", format!("k-{path}"))
                    .json(&body)
                    .send()
            };
            let first = send().await.unwrap();
            assert_eq!(first.status(), 201, "{name}: POST {path}");
            let first: Value = first.json().await.unwrap();
            let again = send().await.unwrap();
            assert_eq!(
                again.headers()["idempotent-replayed"],
                "true",
                "{name}: {path}"
            );
            assert_eq!(again.json::<Value>().await.unwrap()["id"], first["id"]);
        }
        let endpoints: i64 = sqlx::query_scalar("SELECT count(*) FROM webhook_endpoints")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert_eq!(
            endpoints,
            i64::from(has_hooks),
            "{name}: one endpoint, not two"
        );
        let organizations: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE event_type = 'organization.created'",
        )
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(
            organizations,
            i64::from(commands),
            "{name}: one organization"
        );
    }
}

/// A saved response is replayed for the TTL only: after it, the key is free again (a different
/// request with it runs), and the purge deletes expired keys and nothing else.
#[tokio::test]
async fn saved_responses_expire_and_are_purged() {
    let app = TestApp::spawn().await;
    assert_eq!(
        post_with_key(&app, "old", json!({"name": "A"}))
            .await
            .status(),
        201
    );
    assert_eq!(
        post_with_key(&app, "older", json!({"name": "B"}))
            .await
            .status(),
        201
    );
    assert_eq!(
        post_with_key(&app, "fresh", json!({"name": "C"}))
            .await
            .status(),
        201
    );
    // Age two of them past the default TTL of 24 h.
    sqlx::query(
        "UPDATE idempotency_keys SET created_at = now() - interval '25 hours'
          WHERE split_part(key, '/', 2) IN ('old', 'older')",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();

    // Expired: the same key with another request is no longer a mismatch; it runs.
    let res = post_with_key(&app, "old", json!({"name": "D"})).await;
    assert_eq!(res.status(), 201);
    assert!(res.headers().get("idempotent-replayed").is_none());
    // Fresh: still a mismatch.
    problem(
        post_with_key(&app, "fresh", json!({"name": "E"})).await,
        422,
    )
    .await;

    let purged = http_edge::idempotency::purge(&app.db.pool, http_edge::idempotency::DEFAULT_TTL)
        .await
        .unwrap();
    assert_eq!(purged, 1, "only `older` had expired and not been reused");
    // Stored per API key (`key_…/old`): one caller never replays another's response.
    let left: Vec<String> =
        sqlx::query_scalar("SELECT split_part(key, '/', 2) FROM idempotency_keys ORDER BY 1")
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(left, ["fresh", "old"]);

    // The background purger does the same on its own.
    sqlx::query("UPDATE idempotency_keys SET created_at = now() - interval '25 hours'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let purger = tokio::spawn(http_edge::idempotency::purge_expired(
        app.db.pool.clone(),
        http_edge::idempotency::DEFAULT_TTL,
        std::time::Duration::from_millis(50),
    ));
    eventually(
        std::time::Duration::from_secs(10),
        "every expired key purged",
        || async {
            let n: i64 = sqlx::query_scalar("SELECT count(*) FROM idempotency_keys")
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
            (n == 0).then_some(())
        },
    )
    .await;
    purger.abort();
}
