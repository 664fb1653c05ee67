//! Idempotency-Key on POST: retries replay the first response and append nothing.

use std::sync::Arc;

use crate::support::{fields, problem, TestApp};
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
    assert_eq!(app.event_count().await, 3);

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
    assert_eq!(app.event_count().await, 3);
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
    assert_eq!(app.event_count().await, 3, "the command ran once");
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
