//! `roster events tail|export|verify` against a real Postgres: tail follows concurrent writers
//! without skipping or repeating, export writes what the HTTP export writes, verify passes a
//! clean log and reports each kind of tampering.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::support::TestApp;

const BIN: &str = env!("CARGO_BIN_EXE_roster");

fn roster(app: &TestApp, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.arg("events")
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tail_follows_concurrent_writers_in_order_without_gaps() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let other = app.named("Globex").await;
    let mut child = roster(
        &app,
        &[
            "tail",
            "--from",
            "1",
            "--types",
            "membership.*",
            "--organization",
            &org,
        ],
    )
    .stdout(Stdio::piped())
    .spawn()
    .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if lines_tx.send(line).is_err() {
                return;
            }
        }
    });

    // Four writers, two organizations; only Acme's memberships are asked for.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let client = app.client.clone();
            let target = if w % 2 == 0 { &org } else { &other };
            let url = app.url(&format!("/v1/organizations/{target}/memberships"));
            tokio::spawn(async move {
                for i in 0..25 {
                    let res = client
                        .post(&url)
                        .json(&json!({"user_id": format!("w{w}-{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201);
                }
            })
        })
        .collect();
    for w in writers {
        w.await.unwrap();
    }
    let mut got = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(30);
    while got.len() < 50 {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => got.push(serde_json::from_str::<Value>(&line).unwrap()),
            Err(_) => panic!("tail printed {} of 50 events", got.len()),
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let positions: Vec<i64> = got
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    let stored: Vec<i64> = sqlx::query_scalar(
        "SELECT position FROM events WHERE organization_id = $1 AND event_type LIKE 'membership.%'
          ORDER BY position",
    )
    .bind(&org)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(positions, stored);
    assert!(got.iter().all(|e| e["type"] == "membership.created"));
}

#[tokio::test]
async fn export_writes_what_the_http_export_writes() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    for user in ["a", "b", "c"] {
        app.created(
            &format!("/v1/organizations/{org}/memberships"),
            json!({ "user_id": user }),
        )
        .await;
    }
    let head = app.head().await;
    let http = |query: &str| {
        let url = app.url(&format!("/v1/events/export{query}?min_position={head}"));
        let client = app.client.clone();
        async move { client.get(url).send().await.unwrap().text().await.unwrap() }
    };
    let out = roster(&app, &["export"]).output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), http("").await);

    let out = roster(
        &app,
        &[
            "export", "--from", "3", "--until", "4", "--format", "csv", "--types", "*",
        ],
    )
    .output()
    .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    assert!(rows[0].starts_with("position,id,type"));
    assert!(
        rows[1].starts_with("3,") && rows[2].starts_with("4,"),
        "{text}"
    );

    let out = roster(&app, &["export", "--types", "gro*"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--types"));
}

#[tokio::test]
async fn verify_passes_a_clean_log_and_reports_each_tampering() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let m = app.member(&org, json!({"user_id": "alice"})).await;
    for roles in [
        json!(["admin"]),
        json!(["member"]),
        json!(["admin", "member"]),
    ] {
        let res = app
            .patch(&format!("/v1/memberships/{m}"), json!({ "roles": roles }))
            .await;
        assert_eq!(res.status(), 200);
    }
    let g = app.group(&org, "Ops").await;

    let out = roster(&app, &["verify"]).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{report}");
    assert!(report.contains("every check passed"), "{report}");

    // Tamper with the log (a throwaway test database): a lost event, a mangled payload, an
    // event without its id, a type this version does not know.
    let pool = &app.db.pool;
    let position_of = |id: &str, sequence: i64| {
        let id = id.to_owned();
        async move {
            sqlx::query_scalar::<_, i64>(
                "SELECT position FROM events WHERE aggregate_id = $1 AND sequence = $2",
            )
            .bind(id)
            .bind(sequence)
            .fetch_one(pool)
            .await
            .unwrap()
        }
    };
    let lost = position_of(&m, 2).await;
    let mangled = position_of(&g, 1).await;
    let anonymous = position_of(&org, 1).await;
    let unknown = position_of(&m, 4).await;
    for sql in [
        format!("DELETE FROM events WHERE position = {lost}"),
        format!("UPDATE events SET payload = jsonb_set(payload, '{{data,name}}', '42') WHERE position = {mangled}"),
        format!("UPDATE events SET metadata = metadata - 'event_id' WHERE position = {anonymous}"),
        format!("UPDATE events SET event_type = 'membership.promoted' WHERE position = {unknown}"),
    ] {
        sqlx::query(&sql).execute(pool).await.unwrap();
    }
    let out = roster(&app, &["verify"]).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(out.status.code(), Some(1), "{report}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("problems in the event log"));
    let line_of = |position: i64| {
        report
            .lines()
            .find(|l| l.starts_with(&format!("position {position} ")))
            .unwrap_or_else(|| panic!("nothing about position {position}: {report}"))
            .to_owned()
    };
    assert!(line_of(position_of(&m, 3).await).contains("version 3 follows version 1"));
    assert!(line_of(mangled).contains("does not deserialise"));
    assert!(line_of(anonymous).contains("no valid event id"));
    assert!(line_of(unknown).contains("not an event type"));
}
