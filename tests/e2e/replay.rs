//! The replay engine with the webhook sink: a replay job made over HTTP is carried out by the
//! dispatcher while live deliveries to the same endpoint go first; `roster replay` counts with
//! `--dry-run`, shows where it got to, and when SIGKILLed continues from its checkpoint on the
//! next run, queueing every event exactly once.

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::receiver::Receiver;
use crate::support::{eventually, expect, id, webhooks, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_roster");
const WAIT: Duration = Duration::from_secs(120);

async fn organization_with_members(app: &TestApp, members: usize) -> String {
    let org = app.organization().await;
    app.bulk_memberships(&org, (0..members).map(|m| format!("user-{m}")))
        .await;
    org
}

/// An endpoint made now: it receives live events from here on only.
async fn endpoint(app: &TestApp, body: Value) -> String {
    app.create("/v1/webhook-endpoints", body).await
}

async fn job(app: &TestApp, id: &str) -> Value {
    let (status, job) = app.get(&format!("/v1/replays/{id}")).await;
    assert_eq!(status, 200, "{job}");
    job
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn live_deliveries_go_first_while_a_replay_to_the_same_endpoint_runs() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let org = organization_with_members(&app, 400).await;
    let receiver = Receiver::start().await;
    // 100 deliveries a second: the replay of 400 events takes about four seconds.
    let endpoint = endpoint(
        &app,
        json!({"url": receiver.url, "organization_id": org, "rate_limit_per_s": 100}),
    )
    .await;
    let replay = app
        .post(
            &format!("/v1/webhook-endpoints/{endpoint}/replay"),
            json!({"from_position": 1}),
        )
        .await;
    let replay = id(&expect(replay, 202).await);
    receiver.until_count(20, WAIT).await;

    // A live event while the replay is under way.
    let memberships = format!("/v1/organizations/{org}/memberships");
    let live = app.created(&memberships, json!({"user_id": "live"})).await;
    let live_id = {
        let position = live["position"].as_i64().unwrap();
        sqlx::query_scalar::<_, String>(
            "SELECT metadata->>'event_id' FROM events WHERE position = $1",
        )
        .bind(position)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
    };
    let got = receiver
        .until(WAIT, |r| {
            r.iter().any(|r| r.header("webhook-id") == live_id)
        })
        .await;
    let replayed_before_live = got.len() - 1;
    let still_queued: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM webhook_deliveries WHERE replay_id = $1 AND status = 'pending'",
    )
    .bind(&replay)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(
        replayed_before_live < 100,
        "the live event waited behind {replayed_before_live} replayed ones"
    );
    assert!(
        still_queued > 100,
        "the replay was nearly through ({still_queued} left): nothing was tested"
    );

    // The replay ends with every event of the organization sent once more.
    let done = crate::support::eventually(WAIT, "the replay is done", || async {
        let state = job(&app, &replay).await;
        (state["status"] == "done").then_some(state)
    })
    .await;
    let of_org: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE organization_id = $1 AND position <= $2",
    )
    .bind(&org)
    .bind(done["to_position"].as_i64().unwrap())
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(done["sent"].as_i64().unwrap(), of_org);
    let all = receiver.until_count(of_org as usize + 1, WAIT).await;
    let ids: HashSet<&str> = all.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), of_org as usize + 1);
}

fn replay(app: &TestApp, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("replay")
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_cli_replay_continues_from_its_checkpoint_and_queues_each_event_once() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    organization_with_members(&app, 3000).await;
    let receiver = Receiver::start().await;
    let endpoint = endpoint(
        &app,
        json!({"url": receiver.url, "event_types": ["membership.*"], "rate_limit_per_s": 1000}),
    )
    .await;
    let args = [
        "--to",
        "webhook",
        "--endpoint",
        &endpoint,
        "--from",
        "1",
        "--types",
        "membership.created",
    ];

    let out = replay(&app, &[&args[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains("would send 3000 events"), "{said}");
    let jobs: i64 = sqlx::query_scalar("SELECT count(*) FROM replays")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(jobs, 0, "a dry run stores no job");

    let mut first = replay(&app, &args).stderr(Stdio::piped()).spawn().unwrap();
    let (id, at): (String, i64) = eventually(WAIT, "the replay at position 1000", || async {
        sqlx::query_as("SELECT id, position FROM replays WHERE position >= 1000")
            .fetch_optional(&app.db.pool)
            .await
            .unwrap()
    })
    .await;
    first.kill().unwrap(); // SIGKILL, mid-replay
    first.wait().unwrap();
    let (status, position, to): (String, i64, i64) =
        sqlx::query_as("SELECT status, position, to_position FROM replays WHERE id = $1")
            .bind(&id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "running");
    assert!(
        position >= at && position < to,
        "the replay finished before it was killed; nothing was tested"
    );

    let out = replay(&app, &args).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(
        said.contains(&format!("continuing replay {id} at position {position}")),
        "{said}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3000 events sent"));
    let (jobs, queued, distinct): (i64, i64, i64) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM replays), count(*), count(DISTINCT position)
           FROM webhook_deliveries WHERE replay_id = $1",
    )
    .bind(&id)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!((jobs, queued, distinct), (1, 3000, 3000));
    let got = receiver.until_count(3000, WAIT).await;
    let ids: HashSet<&str> = got.iter().map(|r| r.header("webhook-id")).collect();
    assert_eq!(ids.len(), 3000);

    // Bad arguments: one clear line, exit 1.
    for (bad, says) in [
        (vec!["--to", "webhook", "--from", "1"], "--endpoint"),
        (vec!["--to", "fax", "--from", "1"], "--to"),
        (
            vec![
                "--to",
                "webhook",
                "--until",
                "5",
                "--from",
                "9",
                "--endpoint",
                &endpoint,
            ],
            "below",
        ),
        (vec!["--to", "kafka", "--from", "1"], "--kafka-brokers"),
    ] {
        let out = replay(&app, &bad)
            .env_remove("KAFKA_BROKERS")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{bad:?}"
        );
    }
}
