//! SIGKILL the dispatcher process while it fans out and delivers thousands of events to several
//! endpoints, restart it: every event reaches every matching endpoint at least once, and a
//! duplicate carries the same `webhook-id` (and is validly signed). A clean stop (SIGTERM) of
//! the restarted one mid-way leaves no drain lease behind.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::receiver::Receiver;
use crate::support::TestApp;
use serde_json::{json, Value};

fn dispatcher(db_url: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--only", "webhooks"])
        .env("DATABASE_URL", db_url)
        .env("ROSTER_SECRET_KEY", crate::support::SECRET_KEY)
        .env("ROSTER_LISTEN", "127.0.0.1:0") // any free port: nothing here calls it
        .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8")
        .env("ROSTER_WEBHOOK_RETRY_SCHEDULE", "0,50ms,100ms,200ms")
        .env("ROSTER_WEBHOOK_TIMEOUT_MS", "1000")
        .env("ROSTER_WEBHOOK_MAX_IN_FLIGHT", "4")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_dispatcher_delivers_everything_at_least_once_after_restart() {
    let app = TestApp::spawn().await;
    let acme: Value = app
        .post("/v1/organizations", json!({"name": "Acme"}))
        .await
        .json()
        .await
        .unwrap();
    let acme = acme["id"].as_str().unwrap().to_owned();

    let receivers = [
        Receiver::start().await,
        Receiver::start().await,
        Receiver::start().await,
    ];
    // A rate limit keeps the dispatcher busy for seconds, so the kill lands mid-way.
    let bodies = [
        json!({"url": receivers[0].url, "rate_limit_per_s": 500}),
        json!({"url": receivers[1].url, "event_types": ["membership.*"], "rate_limit_per_s": 500}),
        json!({"url": receivers[2].url, "event_types": ["group.*", "membership.created"],
               "organization_id": acme, "rate_limit_per_s": 500}),
    ];
    let mut secrets = Vec::new();
    for body in bodies {
        let created: Value = app
            .post("/v1/webhook-endpoints", body)
            .await
            .json()
            .await
            .unwrap();
        let id = created["id"].as_str().unwrap();
        secrets.push(
            app.get(&format!("/v1/webhook-endpoints/{id}/secret"))
                .await
                .1["key"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let since: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

    let globex: Value = app
        .post("/v1/organizations", json!({"name": "Globex"}))
        .await
        .json()
        .await
        .unwrap();
    let globex = globex["id"].as_str().unwrap().to_owned();
    for (n, org) in [&acme, &globex, &acme].into_iter().enumerate() {
        app.bulk_memberships(org, (0..1000).map(|i| format!("u{n}-{i}")))
            .await;
    }
    app.post(
        &format!("/v1/organizations/{acme}/groups"),
        json!({"name": "Ops"}),
    )
    .await;

    let log: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT metadata->>'event_id', event_type, organization_id FROM events
          WHERE position > $1 ORDER BY position",
    )
    .bind(since)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let expected: [HashSet<String>; 3] = [
        log.iter().map(|(id, ..)| id.clone()).collect(),
        log.iter()
            .filter(|(_, t, _)| t.starts_with("membership."))
            .map(|(id, ..)| id.clone())
            .collect(),
        log.iter()
            .filter(|(_, t, org)| {
                org.as_deref() == Some(acme.as_str())
                    && (t.starts_with("group.") || t == "membership.created")
            })
            .map(|(id, ..)| id.clone())
            .collect(),
    ];
    assert!(expected[0].len() > 3000);

    // Started with everything still to fan out and deliver.
    let mut child = dispatcher(&app.db.url);

    // Kill it mid-way: some deliveries made, many not.
    receivers[0].until_count(300, Duration::from_secs(60)).await;
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let at_kill: Vec<usize> = receivers.iter().map(Receiver::count).collect();
    assert!(
        at_kill[0] < expected[0].len(),
        "the dispatcher finished before the kill; the test proves nothing"
    );

    // Restarted, it takes the dead one's endpoints over once their leases run out. Stopped
    // cleanly (SIGTERM) mid-way, it hands them back at once: no lease is left behind.
    let mut child = dispatcher(&app.db.url);
    receivers[0]
        .until_count(at_kill[0] + 300, Duration::from_secs(60))
        .await;
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success(), "exits 0 on SIGTERM");
    let distinct: HashSet<String> = receivers[0]
        .all()
        .iter()
        .map(|g| g.header("webhook-id").to_owned())
        .collect();
    assert!(
        distinct.len() < expected[0].len(),
        "the restarted dispatcher finished before the stop; the test proves nothing"
    );
    let held: i64 =
        sqlx::query_scalar("SELECT count(*) FROM webhook_endpoints WHERE drain_owner IS NOT NULL")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(held, 0, "drain leases left behind by a clean stop");

    let mut child = dispatcher(&app.db.url);
    let deadline = Instant::now() + Duration::from_secs(120);
    for (r, want) in receivers.iter().zip(&expected) {
        r.until(deadline.saturating_duration_since(Instant::now()), |got| {
            let ids: HashSet<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
            want.iter().all(|id| ids.contains(id.as_str()))
        })
        .await;
    }
    child.kill().unwrap();
    child.wait().unwrap();

    for ((r, want), secret) in receivers.iter().zip(&expected).zip(&secrets) {
        let got = r.all();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for g in &got {
            assert_eq!(
                g.json()["id"],
                g.header("webhook-id"),
                "body and header agree"
            );
            assert!(g.verifies(secret));
            *seen.entry(g.header("webhook-id").to_owned()).or_default() += 1;
        }
        let ids: HashSet<&String> = seen.keys().collect();
        let want: HashSet<&String> = want.iter().collect();
        assert_eq!(ids, want, "exactly the matching events, each at least once");
    }
}
