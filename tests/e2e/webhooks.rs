//! Webhook delivery end to end, to real receivers on loopback that verify signatures on their
//! own: filters, headers and order; retries on a millisecond schedule, Retry-After, timeouts;
//! 410 and long failure disabling the endpoint (with its event); recover, retry and replay;
//! rotation; isolation from a stuck endpoint; hostile responses; the SSRF check at delivery.

use std::collections::HashSet;
use std::time::Duration;

use crate::support::receiver::{Receiver, Reply};
use crate::support::{eventually, expect, webhooks, TestApp};
use serde_json::{json, Value};

/// A bound on waiting for deliveries, not a pause. Generous because every test database lives in
/// one Postgres cluster, and the feed's visibility horizon is cluster-wide (docs/event-store.md):
/// a long writing transaction of another test (a `roster rebuild` of thousands of events) holds
/// back every fan-out in the cluster until it ends.
const WAIT: Duration = Duration::from_secs(120);

async fn endpoint(app: &TestApp, body: Value) -> (String, String) {
    let id = app.create("/v1/webhook-endpoints", body).await;
    let secret = app
        .get(&format!("/v1/webhook-endpoints/{id}/secret"))
        .await
        .1["key"]
        .as_str()
        .unwrap()
        .to_owned();
    (id, secret)
}

/// An endpoint at `url` for events of `event_type`: (id, secret).
async fn subscribe(app: &TestApp, url: &str, event_type: &str) -> (String, String) {
    endpoint(app, json!({"url": url, "event_types": [event_type]})).await
}

/// Creates `n` memberships (users `u0`…).
async fn memberships(app: &TestApp, org: &str, n: usize) {
    app.bulk_memberships(org, (0..n).map(|i| format!("u{i}")))
        .await;
}

/// (event id, type, organization) of every event, in position order.
async fn events(app: &TestApp) -> Vec<(String, String, Option<String>)> {
    sqlx::query_as(
        "SELECT metadata->>'event_id', event_type, organization_id FROM events
          WHERE aggregate_type <> 'api_key' AND position > $1 ORDER BY position",
    )
    .bind(app.prepared)
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
}

/// The endpoint's deliveries as the API lists them (all pages).
async fn deliveries(app: &TestApp, endpoint: &str, status: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    loop {
        let page = app
            .get(&format!(
                "/v1/webhook-endpoints/{endpoint}/deliveries?status={status}&limit=100{after}"
            ))
            .await
            .1;
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["list_metadata"]["after"].as_str() {
            Some(c) => after = format!("&after={c}"),
            None => return out,
        }
    }
}

async fn until_deliveries(app: &TestApp, endpoint: &str, status: &str, n: usize) -> Vec<Value> {
    eventually(WAIT, format!("{n} {status} deliveries"), || async {
        let found = deliveries(app, endpoint, status).await;
        (found.len() >= n).then_some(found)
    })
    .await
}

async fn delivery(app: &TestApp, id: &str) -> Value {
    app.get(&format!("/v1/deliveries/{id}")).await.1
}

#[tokio::test]
async fn events_arrive_signed_filtered_and_in_position_order() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let all = Receiver::start().await;
    let groups = Receiver::start().await;
    let other_org = Receiver::start().await;
    let (_, all_secret) = endpoint(&app, json!({"url": all.url})).await;
    let (_, groups_secret) =
        endpoint(&app, json!({"url": groups.url, "event_types": ["group.*"]})).await;

    let acme = app.named("Acme").await;
    let globex = app.named("Globex").await;
    endpoint(
        &app,
        json!({"url": other_org.url, "organization_id": globex}),
    )
    .await;
    let group = app.group(&acme, "Ops").await;
    app.group(&globex, "Eng").await;
    app.patch(
        &format!("/v1/groups/{group}"),
        json!({"name": "Operations"}),
    )
    .await;

    let log = events(&app).await;
    let received = all.until_count(log.len(), WAIT).await;
    let ids: Vec<&str> = received.iter().map(|r| r.header("webhook-id")).collect();
    let expected: Vec<&str> = log.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(ids, expected, "every event, once, in position order");
    let mut last_position = 0;
    for r in &received {
        assert!(
            r.verifies(&all_secret),
            "signature of {}",
            r.header("webhook-id")
        );
        assert!(!r.verifies(&groups_secret));
        assert_eq!(r.signatures(), 1);
        assert_eq!(r.header("content-type"), "application/json");
        assert!(r.header("user-agent").starts_with("roster-webhooks/"));
        let envelope = r.json();
        assert_eq!(envelope["id"], r.header("webhook-id"));
        let position = envelope["position"].as_i64().unwrap();
        assert!(position > last_position);
        last_position = position;
        assert!(envelope["data"].is_object());
    }

    let group_events: Vec<&str> = log
        .iter()
        .filter(|(_, t, _)| t.starts_with("group."))
        .map(|(id, ..)| id.as_str())
        .collect();
    let got = groups.until_count(group_events.len(), WAIT).await;
    assert_eq!(
        got.iter()
            .map(|r| r.header("webhook-id"))
            .collect::<Vec<_>>(),
        group_events
    );
    assert!(got.iter().all(|r| r.verifies(&groups_secret)));

    // The organization filter; and only events after the endpoint's creation.
    let globex_events: Vec<&str> = log
        .iter()
        .skip_while(|(_, t, org)| !(t == "group.created" && org.as_deref() == Some(&globex)))
        .filter(|(_, _, org)| org.as_deref() == Some(&globex))
        .map(|(id, ..)| id.as_str())
        .collect();
    assert_eq!(globex_events.len(), 1);
    let got = other_org.until_count(1, WAIT).await;
    assert_eq!(got[0].header("webhook-id"), globex_events[0]);
    // The fan-out has passed every event (the first endpoint got them all): nothing else was
    // queued for this endpoint.
    let (other_id,): (String,) =
        sqlx::query_as("SELECT id FROM webhook_endpoints WHERE organization_id = $1")
            .bind(&globex)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let mut queued = Vec::new();
    for status in ["pending", "succeeded", "failed"] {
        queued.extend(deliveries(&app, &other_id, status).await);
    }
    assert_eq!(queued.len(), 1, "{queued:?}");
    assert_eq!(other_org.count(), 1);
}

#[tokio::test]
async fn failures_are_retried_on_schedule_and_every_attempt_is_logged() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    // 500, 500, then 200.
    let flaky = Receiver::with(|n| {
        if n < 2 {
            Reply::Status(500)
        } else {
            Reply::Status(200)
        }
    })
    .await;
    let (id, secret) = subscribe(&app, &flaky.url, "organization.created").await;
    app.named("Acme").await;

    let done = until_deliveries(&app, &id, "succeeded", 1).await;
    let first = &done[0];
    assert_eq!(first["attempts"], 3);
    let detail = delivery(&app, first["id"].as_str().unwrap()).await;
    let log = detail["attempts_log"].as_array().unwrap();
    let codes: Vec<i64> = log
        .iter()
        .map(|a| a["status_code"].as_i64().unwrap())
        .collect();
    assert_eq!(codes, [500, 500, 200]);
    assert_eq!(log[0]["error_kind"], "http_status");
    assert_eq!(log[0]["response_excerpt"], "status 500");
    assert_eq!(log[2]["error_kind"], Value::Null);
    // Retries carry the same webhook-id, and each is signed.
    let all = flaky.all();
    let same: Vec<_> = all
        .iter()
        .filter(|r| r.header("webhook-id") == first["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(same.len(), 3);
    assert!(same.iter().all(|r| r.verifies(&secret)));
    // The schedule's 50 ms and 100 ms (±20 %) separate the attempts.
    assert!(same[1].at - same[0].at >= Duration::from_millis(40));
    assert!(same[2].at - same[1].at >= Duration::from_millis(80));
}

#[tokio::test]
async fn retry_after_is_honoured_and_timeouts_are_retried() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let busy = Receiver::with(|n| {
        if n == 0 {
            Reply::TooMany(1)
        } else {
            Reply::Status(200)
        }
    })
    .await;
    let slow = Receiver::with(|n| {
        if n == 0 {
            Reply::Hang
        } else {
            Reply::Status(204)
        }
    })
    .await;
    let (busy_id, _) = subscribe(&app, &busy.url, "organization.created").await;
    let (slow_id, _) = subscribe(&app, &slow.url, "organization.created").await;
    app.named("Acme").await;

    let got = busy.until_count(2, WAIT).await;
    let gap = got[1].at - got[0].at;
    assert!(
        gap >= Duration::from_millis(950),
        "Retry-After: 1 waited only {gap:?}"
    );
    let d = until_deliveries(&app, &busy_id, "succeeded", 1).await;
    let log = delivery(&app, d[0]["id"].as_str().unwrap()).await["attempts_log"].clone();
    assert_eq!(log[0]["status_code"], 429);

    let d = until_deliveries(&app, &slow_id, "succeeded", 1).await;
    let log = delivery(&app, d[0]["id"].as_str().unwrap()).await["attempts_log"].clone();
    assert_eq!(log[0]["error_kind"], "timeout");
    assert_eq!(log[0]["status_code"], Value::Null);
    assert!(log[0]["latency_ms"].as_i64().unwrap() >= 1400);
    assert_eq!(log[1]["status_code"], 204);
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_logs_an_event_others_receive() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let gone = Receiver::with(|_| Reply::Status(410)).await;
    let watcher = Receiver::start().await;
    let (gone_id, _) = subscribe(&app, &gone.url, "organization.created").await;
    subscribe(&app, &watcher.url, "webhook_endpoint.*").await;
    app.named("Acme").await;

    let got = watcher.until_count(1, WAIT).await;
    let event = got[0].json();
    assert_eq!(event["type"], "webhook_endpoint.disabled");
    assert_eq!(event["data"]["id"], gone_id.as_str());
    assert_eq!(event["data"]["reason"], "gone");
    assert_eq!(event["actor"]["type"], "system");
    // The data is what docs/events.md documents.
    let data: domain::webhook_endpoint::EndpointDisabled =
        serde_json::from_value(event["data"].clone()).unwrap();
    assert_eq!(data.url, gone.url);
    let e = app.get(&format!("/v1/webhook-endpoints/{gone_id}")).await.1;
    assert_eq!(e["enabled"], false);
    assert_eq!(e["disabled_reason"], "gone");
    let failed = deliveries(&app, &gone_id, "failed").await;
    assert_eq!(failed.len(), 1, "410 is final: no retries");
    assert_eq!(gone.count(), 1);
    let metrics = app.metrics().await;
    assert!(
        metrics.contains("\nroster_webhook_queue{state=\"disabled\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nroster_webhook_queue{state=\"failed\"} 1\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains("\nroster_consumer_lag_events{consumer=\"webhook_fanout\"} "),
        "{metrics}"
    );

    // Disabled: events are not queued for it (the watcher shows the log moved on) …
    gone.set(|_| Reply::Status(200));
    subscribe(&app, &watcher.url, "organization.created").await;
    app.named("Globex").await;
    watcher.until_count(2, WAIT).await;
    assert_eq!(deliveries(&app, &gone_id, "pending").await.len(), 0);
    assert_eq!(gone.count(), 1);
    // … until it is enabled again.
    app.post(
        &format!("/v1/webhook-endpoints/{gone_id}/enable"),
        json!({}),
    )
    .await;
    app.named("Initech").await;
    let got = gone.until_count(2, WAIT).await;
    assert_eq!(got[1].json()["data"]["name"], "Initech");
}

#[tokio::test]
async fn an_endpoint_failing_for_the_whole_window_is_disabled() {
    let mut config = webhooks();
    config.failure_window = Duration::from_millis(200);
    config.schedule.delays = [0, 100, 100, 100, 100, 100]
        .map(Duration::from_millis)
        .to_vec();
    let app = TestApp::with_dispatcher(config).await;
    let down = Receiver::with(|_| Reply::Status(503)).await;
    let (id, _) = subscribe(&app, &down.url, "organization.created").await;
    app.named("Acme").await;
    let e = eventually(WAIT, "the endpoint is disabled", || async {
        let e = app.get(&format!("/v1/webhook-endpoints/{id}")).await.1;
        (e["enabled"] == false).then_some(e)
    })
    .await;
    assert_eq!(e["disabled_reason"], "failing");
    let logged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'webhook_endpoint.disabled' AND aggregate_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(logged, 1);
    assert!(down.count() >= 2, "it failed more than once first");
}

#[tokio::test]
async fn exhausted_deliveries_fail_and_retry_recover_and_replay_send_again() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let down = Receiver::with(|_| Reply::Status(500)).await;
    let (id, secret) = subscribe(&app, &down.url, "organization.*").await;
    app.named("Acme").await;
    let failed = until_deliveries(&app, &id, "failed", 1).await;
    assert_eq!(failed[0]["attempts"], 4, "the whole schedule was used");
    assert_eq!(down.count(), 4);
    let event_id = failed[0]["event_id"].as_str().unwrap().to_owned();

    down.set(|_| Reply::Status(200));
    let retry = format!("/v1/deliveries/{}/retry", failed[0]["id"].as_str().unwrap());
    expect(app.post(&retry, json!({})).await, 200).await;
    until_deliveries(&app, &id, "succeeded", 1).await;
    assert_eq!(down.all()[4].header("webhook-id"), event_id);

    // A second organization fails for good, then is recovered.
    down.set(|_| Reply::Status(500));
    let before = down.count();
    app.named("Globex").await;
    until_deliveries(&app, &id, "failed", 1).await;
    down.set(|_| Reply::Status(200));
    let since = (chrono::Utc::now() - chrono::Duration::minutes(5)).to_rfc3339();
    let recover = format!("/v1/webhook-endpoints/{id}/recover");
    let recovered = expect(app.post(&recover, json!({"since": since})).await, 202).await;
    assert_eq!(recovered["count"], 1);
    until_deliveries(&app, &id, "succeeded", 2).await;
    assert_eq!(down.count(), before + 5);

    // Replay both organizations' events: new deliveries, the same webhook-ids, signed.
    let head = app.head().await;
    let count = down.count();
    let replay = json!({"from_position": 1, "to_position": head});
    let job = expect(
        app.post(&format!("/v1/webhook-endpoints/{id}/replay"), replay)
            .await,
        202,
    )
    .await;
    assert_eq!(
        (job["object"].as_str(), job["status"].as_str()),
        (Some("replay"), Some("running"))
    );
    let got = down.until_count(count + 2, WAIT).await;
    let replayed: HashSet<&str> = got[count..]
        .iter()
        .map(|r| r.header("webhook-id"))
        .collect();
    assert!(replayed.contains(event_id.as_str()));
    assert!(got[count..].iter().all(|r| r.verifies(&secret)));
    // The job ends with what it sent (the endpoint's filter left the other events out).
    let done = eventually(WAIT, "the replay done", || async {
        let (_, now) = app
            .get(&format!("/v1/replays/{}", job["id"].as_str().unwrap()))
            .await;
        (now["status"] == "done").then_some(now)
    })
    .await;
    assert_eq!(done["sent"], 2, "{done}");
    assert_eq!(done["position"], json!(head));
}

#[tokio::test]
async fn after_a_rotation_both_secrets_sign() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let r = Receiver::start().await;
    let (id, old) = subscribe(&app, &r.url, "organization.created").await;
    app.named("One").await;
    let got = r.until_count(1, WAIT).await;
    assert_eq!(got[0].signatures(), 1);

    let rotate = format!("/v1/webhook-endpoints/{id}/rotate-secret");
    let rotated = expect(app.post(&rotate, json!({})).await, 200).await;
    let new = rotated["key"].as_str().unwrap();
    app.named("Two").await;
    let got = r.until_count(2, WAIT).await;
    assert_eq!(got[1].signatures(), 2);
    assert!(
        got[1].verifies(&old),
        "receivers on the old secret keep working"
    );
    assert!(got[1].verifies(new));
}

#[tokio::test]
async fn a_stuck_endpoint_never_delays_the_others() {
    // Attempts time out only after a minute: the stuck endpoint's first attempt is still hanging
    // when the fast endpoint has received everything, however busy the machine is.
    let mut config = webhooks();
    config.timeout = Duration::from_secs(60);
    let app = TestApp::with_dispatcher(config).await;
    let stuck = Receiver::with(|_| Reply::Hang).await;
    let fast = Receiver::start().await;
    endpoint(&app, json!({"url": stuck.url})).await;
    endpoint(&app, json!({"url": fast.url})).await;
    let org = app.named("Acme").await;
    memberships(&app, &org, 60).await;
    let total = events(&app).await.len();
    fast.until_count(total, WAIT).await;
    assert!(
        stuck.count() <= 1,
        "the stuck endpoint got {} requests while its first one hangs",
        stuck.count()
    );
    // The stuck endpoint's queue is behind schedule, and /metrics says by how much.
    let metrics = app.metrics().await;
    let overdue: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("roster_webhook_delivery_overdue_seconds "))
        .expect("the overdue gauge")
        .parse()
        .unwrap();
    assert!(overdue > 0.0, "{metrics}");
}

#[tokio::test]
async fn hostile_responses_are_cut_short_and_redirects_are_not_followed() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let elsewhere = Receiver::start().await;
    let target = elsewhere.url.clone();
    let cases = [
        ("huge", Reply::Huge(50 * 1024 * 1024)),
        ("drip", Reply::SlowDrip),
        ("binary", Reply::NonUtf8),
        ("redirect", Reply::Redirect(target)),
    ];
    let mut endpoints = Vec::new();
    for (name, reply) in cases {
        let r = Receiver::with(move |_| reply.clone()).await;
        let (id, _) = subscribe(&app, &r.url, "organization.created").await;
        endpoints.push((name, id, r));
    }
    app.named("Acme").await;
    for (name, id, _) in &endpoints {
        let status = if *name == "redirect" {
            "failed"
        } else {
            "succeeded"
        };
        let d = until_deliveries(&app, id, status, 1).await;
        let log = delivery(&app, d[0]["id"].as_str().unwrap()).await["attempts_log"].clone();
        let first = &log[0];
        let excerpt = first["response_excerpt"].as_str().unwrap_or_default();
        assert!(
            excerpt.len() <= 4096 * 4 / 3 + 4,
            "{name}: excerpt of {} bytes",
            excerpt.len()
        );
        match *name {
            "huge" => {
                assert_eq!(excerpt.len(), 4096);
                assert_eq!(first["response_excerpt_encoding"], "text");
            }
            "drip" => assert!(first["latency_ms"].as_i64().unwrap() <= 2500),
            "binary" => {
                // Not UTF-8: kept whole, as base64.
                assert_eq!(first["response_excerpt_encoding"], "base64");
                assert_eq!(base64_decode(excerpt), [0xff, 0xfe, b'o', b'k', 0xc3]);
            }
            "redirect" => {
                assert_eq!(first["status_code"], 302);
                assert_eq!(first["error_kind"], "redirect");
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(elsewhere.count(), 0, "the redirect was not followed");
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap_or_else(|e| panic!("{text:?} is not base64: {e}"))
}

/// An answer a hostile or broken receiver might send: a status line, headers and a body made of
/// any bytes (NULs, bytes that are not UTF-8, no colon, no CRLF), a length that lies or none, cut
/// off anywhere.
fn hostile_answer(rng: &mut impl rand::Rng) -> Vec<u8> {
    fn junk(rng: &mut impl rand::Rng, max: usize) -> Vec<u8> {
        let len = rng.random_range(0..=max);
        (0..len)
            .map(|_| match rng.random_range(0..4) {
                0 => 0,
                1 => rng.random_range(0x80..=0xff),
                _ => rng.random_range(0x20..0x7f),
            })
            .collect()
    }
    let status = match rng.random_range(0..6) {
        0 => rng.random_range(100..1000).to_string().into_bytes(),
        1 => junk(rng, 5),
        _ => [200, 201, 204, 400, 500, 503][rng.random_range(0..6)]
            .to_string()
            .into_bytes(),
    };
    let mut out = b"HTTP/1.1 ".to_vec();
    out.extend(status);
    out.push(b' ');
    out.extend(junk(rng, 20));
    out.extend(b"\r\n");
    for _ in 0..rng.random_range(0..6) {
        out.extend(junk(rng, 12));
        if rng.random_bool(0.8) {
            out.extend(b": ");
        }
        out.extend(junk(rng, 200));
        out.extend(b"\r\n");
    }
    let body = junk(rng, 6000);
    match rng.random_range(0..4) {
        0 => out.extend(format!("content-length: {}\r\n", body.len()).into_bytes()),
        1 => out.extend(format!("content-length: {}\r\n", body.len() * 2 + 1).into_bytes()),
        2 => out.extend(b"transfer-encoding: chunked\r\n"),
        _ => {}
    }
    out.extend(b"\r\n");
    out.extend(body);
    if rng.random_bool(0.2) {
        let cut = rng.random_range(0..out.len());
        out.truncate(cut);
    }
    out
}

#[tokio::test]
async fn whatever_a_receiver_answers_is_logged_and_the_delivery_moves_on() {
    // Fixed answers first (a 200 whose body holds a NUL once broke the attempt log's write, and
    // the delivery was sent again and again without end), then generated ones.
    let seed: u64 = std::env::var("ROSTER_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261203);
    let mut rng = <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed);
    let nul_body = b"ok\0\xff\xfe".to_vec();
    let mut answers = vec![
        [
            format!(
                "HTTP/1.1 200 OK\r\ncontent-length: {}\r\n\r\n",
                nul_body.len()
            )
            .into_bytes(),
            nul_body.clone(),
        ]
        .concat(),
        b"HTTP/1.1 500 \0\xff\r\nx-\xff: \0\r\ncontent-length: 3\r\n\r\na\0b".to_vec(),
    ];
    answers.extend((0..40).map(|_| hostile_answer(&mut rng)));
    let answers = std::sync::Arc::new(answers);
    let mut config = webhooks();
    config.schedule.delays = [0, 10, 10].map(Duration::from_millis).to_vec();
    let app = TestApp::with_dispatcher(config).await;
    let replies = answers.clone();
    let r = Receiver::with(move |n| Reply::Raw(replies[n % replies.len()].clone())).await;
    let (id, _) = subscribe(&app, &r.url, "organization.created").await;
    let orgs = 20;
    for i in 0..orgs {
        app.named(&format!("Org {i}")).await;
    }
    // Every delivery comes to an end by the schedule (3 attempts at most): none stays pending.
    let finished = eventually(
        WAIT,
        format!("seed {seed}: all {orgs} deliveries finished"),
        || async {
            let done: Vec<Value> = [
                deliveries(&app, &id, "succeeded").await,
                deliveries(&app, &id, "failed").await,
            ]
            .concat();
            (done.len() == orgs).then_some(done)
        },
    )
    .await;
    // Every request the receiver got was logged as an attempt of its delivery, and no delivery
    // was sent more often than the schedule allows.
    let mut logged = 0;
    for d in &finished {
        let detail = delivery(&app, d["id"].as_str().unwrap()).await;
        let log = detail["attempts_log"].as_array().unwrap();
        assert!((1..=3).contains(&log.len()), "seed {seed}: {detail}");
        let sent = r
            .all()
            .iter()
            .filter(|x| x.header("webhook-id") == detail["event_id"].as_str().unwrap())
            .count();
        assert_eq!(sent, log.len(), "seed {seed}: {detail}");
        logged += log.len();
        for attempt in log {
            match attempt["response_excerpt_encoding"].as_str() {
                Some("base64") => {
                    base64_decode(attempt["response_excerpt"].as_str().unwrap());
                }
                Some("text") | None => {}
                other => panic!("encoding {other:?}"),
            }
        }
    }
    assert_eq!(logged, r.count(), "seed {seed}");
    // The first answer (a 200 with a NUL in its body) is kept byte for byte.
    let first = r.all()[0].header("webhook-id").to_owned();
    let d = finished
        .iter()
        .find(|d| d["event_id"] == first.as_str())
        .unwrap();
    let detail = delivery(&app, d["id"].as_str().unwrap()).await;
    let attempt = &detail["attempts_log"][0];
    assert_eq!(attempt["status_code"], 200, "{detail}");
    assert_eq!(attempt["response_excerpt_encoding"], "base64");
    assert_eq!(
        base64_decode(attempt["response_excerpt"].as_str().unwrap()),
        nul_body
    );
}

#[tokio::test]
async fn addresses_are_checked_again_at_delivery_time() {
    // The API allows loopback (as tests do); this dispatcher does not: what the endpoint's URL
    // leads to is judged again when delivering, not only when it was saved.
    let app = TestApp::spawn().await;
    let mut strict = webhooks();
    strict.addresses = std::sync::Arc::new(webhook_dispatcher::ssrf::AddressPolicy::default());
    strict.schedule.delays = vec![Duration::ZERO];
    webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), std::sync::Arc::new(strict))
        .unwrap();
    let r = Receiver::start().await;
    let local_name = r.url.replace("127.0.0.1", "localhost");
    let (literal, _) = subscribe(&app, &r.url, "organization.created").await;
    app.named("Acme").await;
    let d = until_deliveries(&app, &literal, "failed", 1).await;
    let log = delivery(&app, d[0]["id"].as_str().unwrap()).await["attempts_log"].clone();
    assert_eq!(log[0]["error_kind"], "blocked_address");
    assert_eq!(r.count(), 0);

    // A host name is checked in the resolver the client connects with (DNS rebinding).
    sqlx::query("UPDATE webhook_endpoints SET url = $1 WHERE id = $2")
        .bind(&local_name)
        .bind(&literal)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let retry = format!("/v1/deliveries/{}/retry", d[0]["id"].as_str().unwrap());
    expect(app.post(&retry, json!({})).await, 200).await;
    let log = eventually(WAIT, "a second attempt is logged", || async {
        let log = delivery(&app, d[0]["id"].as_str().unwrap()).await["attempts_log"].clone();
        (log.as_array().unwrap().len() == 2).then_some(log)
    })
    .await;
    assert_eq!(log[1]["error_kind"], "blocked_address", "{log}");
    assert_eq!(r.count(), 0);
}

/// When the endpoint's attempts started (the attempt log, in order), once at least `count` are
/// logged (attempts are logged in batches, a moment after they are made).
async fn attempt_starts(
    app: &TestApp,
    endpoint_id: &str,
    count: usize,
) -> Vec<chrono::DateTime<chrono::Utc>> {
    eventually(WAIT, format!("{count} attempts logged"), || async {
        let at: Vec<chrono::DateTime<chrono::Utc>> = sqlx::query_scalar(
            "SELECT a.attempted_at
               FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id
              WHERE d.endpoint_id = $1 ORDER BY a.attempted_at",
        )
        .bind(endpoint_id)
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
        (at.len() >= count).then_some(at)
    })
    .await
}

#[tokio::test]
async fn a_rate_limit_spaces_an_endpoints_deliveries() {
    let mut config = webhooks();
    config.max_in_flight = 4;
    let app = TestApp::with_dispatcher(config).await;
    let limited = Receiver::start().await;
    let free = Receiver::start().await;
    let (limited_id, _) = endpoint(&app, json!({"url": limited.url, "rate_limit_per_s": 10})).await;
    let (free_id, _) = endpoint(&app, json!({"url": free.url})).await;
    let org = app.named("Acme").await;
    memberships(&app, &org, 17).await;
    let total = events(&app).await.len();
    assert_eq!(total, 18);
    limited.until_count(total, WAIT).await;
    free.until_count(total, WAIT).await;
    // When each attempt started, by the dispatcher's clock (a busy receiver cannot shift them).
    let limited_starts = attempt_starts(&app, &limited_id, total).await;
    // 10 per second: consecutive attempts start 100 ms apart. A busy machine may start one late
    // (which shortens the gap after it), so judge the typical gap, the median: without the
    // limit it would be a few milliseconds.
    let mut gaps: Vec<Duration> = limited_starts
        .windows(2)
        .map(|w| (w[1] - w[0]).to_std().unwrap())
        .collect();
    gaps.sort();
    let median = gaps[gaps.len() / 2];
    assert!(
        median >= Duration::from_millis(90),
        "median gap {median:?}, gaps {gaps:?}"
    );
    // The unlimited endpoint was not held back by the limited one: its attempts had all been
    // made (and logged) by the time the limited endpoint's last one started.
    let free_starts = attempt_starts(&app, &free_id, total).await;
    assert!(free_starts.last() < limited_starts.last());
}

#[tokio::test]
async fn a_slow_stretch_never_turns_into_a_burst_over_the_rate_limit() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    // The first six answers take 250 ms each, 2.5 times the 100 ms the rate limit spaces
    // deliveries by; then the receiver answers at once.
    let r = Receiver::with(|n| {
        if n < 6 {
            Reply::Slow(Duration::from_millis(250))
        } else {
            Reply::Status(200)
        }
    })
    .await;
    endpoint(&app, json!({"url": r.url, "rate_limit_per_s": 10})).await;
    let org = app.named("Acme").await;
    memberships(&app, &org, 17).await;
    let total = events(&app).await.len();
    let got = r.until_count(total, WAIT).await;
    // Slots are taken when an attempt starts: after the slow stretch the deliveries go on 100 ms
    // apart, never catching up on the slots the slow answers used (which would send several
    // within a millisecond). Any five in a row span 400 ms, less what one send's start can be
    // late by on a busy machine.
    for five in got.windows(5) {
        let span = five[4].at - five[0].at;
        assert!(
            span >= Duration::from_millis(300),
            "five deliveries in {span:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_dispatchers_share_the_queue_without_sending_twice() {
    let app = TestApp::spawn().await;
    let r = Receiver::start().await;
    let (id, _) = endpoint(&app, json!({"url": r.url})).await;
    let mut config = webhooks();
    config.max_in_flight = 4;
    let config = std::sync::Arc::new(config);
    for _ in 0..3 {
        webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), config.clone()).unwrap();
    }
    let org = app.named("Acme").await;
    memberships(&app, &org, 300).await;
    let total = events(&app).await.len();
    until_deliveries(&app, &id, "succeeded", total).await;
    let got = r.all();
    let distinct: HashSet<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
    assert_eq!(distinct.len(), total, "every event");
    assert_eq!(
        got.len(),
        total,
        "three fan-outs and three deliverers, yet each event once"
    );
    assert_eq!(deliveries(&app, &id, "succeeded").await.len(), total);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn several_dispatchers_keep_an_endpoints_order_and_rate_limit() {
    let app = TestApp::spawn().await;
    let ordered = Receiver::start().await;
    let limited = Receiver::start().await;
    endpoint(&app, json!({"url": ordered.url})).await;
    endpoint(&app, json!({"url": limited.url, "rate_limit_per_s": 25})).await;
    // One in flight per endpoint (the default), three dispatchers racing for the endpoints.
    let config = std::sync::Arc::new(webhooks());
    for _ in 0..3 {
        webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), config.clone()).unwrap();
    }
    let org = app.named("Acme").await;
    memberships(&app, &org, 60).await;
    let log = events(&app).await;
    let expected: Vec<&str> = log.iter().map(|(id, ..)| id.as_str()).collect();

    let got = ordered.until_count(log.len(), WAIT).await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids, expected, "each event once, in position order");

    let got = limited.until_count(log.len(), WAIT).await;
    let ids: Vec<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids, expected, "each event once, in position order");
    // 25 per second across all three dispatchers: n deliveries span at least (n - 1) / 25 s.
    let span = got.last().unwrap().at - got[0].at;
    let least = Duration::from_millis(40 * (log.len() as u64 - 1));
    assert!(
        span >= least.mul_f64(0.95),
        "{} deliveries in {span:?}",
        log.len()
    );
}

#[tokio::test]
async fn disabling_an_endpoint_stops_its_drain_at_once_and_enabling_resumes_it() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let r = Receiver::start().await;
    let (id, _) = endpoint(&app, json!({"url": r.url, "rate_limit_per_s": 20})).await;
    let org = app.named("Acme").await;
    memberships(&app, &org, 40).await;
    let log = events(&app).await;
    // Disabled endpoints are not queued new events: disable only once everything is queued.
    let queued = format!(
        "SELECT count(*) = {} FROM webhook_deliveries WHERE endpoint_id = $1",
        log.len()
    );
    until_holds(&app.db.pool, &queued, &id).await;
    r.until_count(5, WAIT).await;
    expect(
        app.post(&format!("/v1/webhook-endpoints/{id}/disable"), json!({}))
            .await,
        200,
    )
    .await;
    let at_disable = r.count();
    // The drain notices with its next batch of attempt logs and gives the endpoint up.
    let released = "SELECT drain_owner IS NULL FROM webhook_endpoints WHERE id = $1";
    until_holds(&app.db.pool, released, &id).await;
    let stopped = r.count();
    assert!(
        stopped <= at_disable + 2,
        "{} more deliveries after the disable",
        stopped - at_disable
    );
    assert!(
        stopped < log.len(),
        "everything went out before the disable"
    );
    assert!(!deliveries(&app, &id, "pending").await.is_empty());

    expect(
        app.post(&format!("/v1/webhook-endpoints/{id}/enable"), json!({}))
            .await,
        200,
    )
    .await;
    let got = r
        .until(WAIT, |got| {
            let ids: HashSet<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
            ids.len() == log.len()
        })
        .await;
    let mut first_arrivals: Vec<&str> = Vec::new();
    for g in &got {
        if !first_arrivals.contains(&g.header("webhook-id")) {
            first_arrivals.push(g.header("webhook-id"));
        }
    }
    let expected: Vec<&str> = log.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(first_arrivals, expected, "in position order, none lost");
    // An attempt cut short by the disable may be sent again (same webhook-id), no more.
    assert!(got.len() <= log.len() + 1);
}

#[tokio::test]
async fn a_stopped_dispatcher_hands_its_endpoints_over_at_once() {
    let app = TestApp::spawn().await;
    let r = Receiver::start().await;
    let (id, _) = endpoint(&app, json!({"url": r.url, "rate_limit_per_s": 20})).await;
    let config = std::sync::Arc::new(webhooks());
    let first = webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), config.clone()).unwrap();
    let org = app.named("Acme").await;
    memberships(&app, &org, 40).await;
    let log = events(&app).await;
    r.until_count(5, WAIT).await;

    let (lease_end,): (chrono::DateTime<chrono::Utc>,) =
        sqlx::query_as("SELECT drain_until FROM webhook_endpoints WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    first.stop().await;
    let stopped_at = chrono::Utc::now();
    let at_stop = r.count();
    assert!(at_stop < log.len(), "everything went out before the stop");
    // Released: no owner, and no lease beyond the rate limit's next slot (50 ms).
    let (owner, held): (Option<String>, bool) = sqlx::query_as(
        "SELECT drain_owner, coalesce(drain_until > now() + interval '1 second', false)
           FROM webhook_endpoints WHERE id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(owner, None);
    assert!(!held, "the lease was not given up");

    // Another dispatcher takes over at once: had the lease been left to run out, it would have
    // waited until the lease's end (2 × (1.5 s timeout + 5 s) after the last renewal) first.
    let second = webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), config).unwrap();
    let got = r
        .until(WAIT, |got| {
            let ids: HashSet<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
            ids.len() == log.len()
        })
        .await;
    let attempts = attempt_starts(&app, &id, log.len()).await;
    let first_after_stop = attempts.iter().find(|at| **at > stopped_at);
    let took_over_early = first_after_stop.is_some_and(|at| *at < lease_end);
    assert!(
        took_over_early,
        "the second dispatcher waited for the lease"
    );
    // An attempt cut short by the stop may be sent again (same webhook-id), no more.
    assert!(got.len() <= log.len() + 1);
    second.stop().await;
}

/// Endpoints that share a host share the dispatcher's keep-alive pool: in steady state at most
/// `max_in_flight` + 1 connections per endpoint, however many deliveries go out.
#[tokio::test]
async fn deliveries_reuse_their_connections() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let r = Receiver::start().await;
    for _ in 0..4 {
        endpoint(&app, json!({"url": r.url})).await;
    }
    let org = app.named("Acme").await;
    memberships(&app, &org, 60).await;
    let expected = 4 * events(&app).await.len();
    r.until_count(expected, WAIT).await;
    let in_flight = webhooks().max_in_flight;
    assert!(
        r.connections() <= 4 * (in_flight + 1),
        "{} connections for {expected} deliveries to 4 endpoints",
        r.connections()
    );
}

/// What another process queues (its fan-out, a replay it runs) reaches this process's deliverer
/// by the notification on `roster_webhooks`: with the poll interval at an hour, nothing else
/// would wake it. Twice: from a fresh start, and after the endpoint's first drain let go.
#[tokio::test]
async fn deliveries_another_process_queues_go_out_without_waiting_for_a_poll() {
    let app = TestApp::spawn().await;
    let r = Receiver::start().await;
    let org = app.named("Acme").await;
    memberships(&app, &org, 1).await;
    // Created after both events: this process's fan-out queues neither for it.
    let (id, _) = endpoint(&app, json!({"url": r.url})).await;
    let config = webhook_dispatcher::DispatcherConfig {
        poll_interval: Duration::from_secs(3600),
        ..webhooks()
    };
    let dispatcher =
        webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), std::sync::Arc::new(config))
            .unwrap();
    let pool = &app.db.pool;
    // Awaited, not slept: the deliverer listens, so what is queued from now on is heard of.
    until_holds(
        pool,
        "SELECT EXISTS (SELECT 1 FROM pg_stat_activity
                         WHERE datname = current_database() AND query ILIKE 'LISTEN%' || $1 || '%')",
        webhook_dispatcher::queue::CHANNEL,
    )
    .await;
    let logged: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT position, metadata->>'event_id', event_type FROM events
          WHERE organization_id = $1 ORDER BY position LIMIT 2",
    )
    .bind(&org)
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(logged.len(), 2);
    for (n, (position, event_id, event_type)) in logged.into_iter().enumerate() {
        if n > 0 {
            // The first delivery's drain has let the endpoint go: nothing holds it now.
            until_holds(
                pool,
                "SELECT drain_owner IS NULL FROM webhook_endpoints WHERE id = $1",
                &id,
            )
            .await;
        }
        // What another process's fan-out does: queue, and notify with its own name.
        let mut conn = pool.acquire().await.unwrap();
        let queued = webhook_dispatcher::queue::insert_deliveries(
            &mut conn,
            &[webhook_dispatcher::queue::NewDelivery {
                id: domain::DeliveryId::new().to_string(),
                endpoint_id: id.clone(),
                event_id: event_id.clone(),
                position,
                event_type,
                replay_id: None,
            }],
            "drn_another_process",
        )
        .await
        .unwrap();
        assert_eq!(queued, 1);
        drop(conn);
        let got = r.until_count(n + 1, WAIT).await;
        assert_eq!(got[n].header("webhook-id"), event_id);
    }
    dispatcher.stop().await;
}

/// Waits until `sql` (a boolean query of `arg`) holds; panics after `WAIT`.
async fn until_holds(pool: &sqlx::PgPool, sql: &str, arg: &str) {
    eventually(WAIT, sql, || async {
        let holds: bool = sqlx::query_scalar(sql)
            .bind(arg)
            .fetch_one(pool)
            .await
            .unwrap();
        holds.then_some(())
    })
    .await
}
