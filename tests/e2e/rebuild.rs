//! `roster rebuild`: a rebuild equals the live read models, `--verify` finds tampering (exit 1),
//! and a swap while commands and the live projector keep running loses nothing.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::support::{eventually, TestApp};
use projector::Projector;
use serde_json::{json, Value};

async fn caught_up(projector: &Projector, app: &TestApp) {
    let head: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let what = format!("the projector reaches {head}");
    crate::support::eventually(Duration::from_secs(60), what, || async {
        (projector.checkpoint().await.unwrap() >= head).then_some(())
    })
    .await;
}

async fn scenario(app: &TestApp, n: usize) {
    let org = app.named(&format!("Org {n}")).await;
    let m = app.member(&org, json!({"user_id": format!("u{n}")})).await;
    let g = app.group(&org, "G").await;
    app.created(
        &format!("/v1/groups/{g}/members"),
        json!({"membership_id": m}),
    )
    .await;
}

fn rebuild(app: &TestApp, verify: bool) -> (bool, String) {
    rebuild_with(app, verify, &[])
}

fn rebuild_with(app: &TestApp, verify: bool, args: &[&str]) -> (bool, String) {
    let (code, out) = rebuild_code(&app.db.url, verify, args);
    (code == Some(0), out)
}

/// Runs `roster rebuild` against `url`: its exit code and standard output.
fn rebuild_code(url: &str, verify: bool, args: &[&str]) -> (Option<i32>, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.arg("rebuild")
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn");
    if verify {
        cmd.arg("--verify");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_tampering_and_a_rebuild_repairs_it() {
    let app = TestApp::spawn().await;
    let projector = Projector::new(app.db.pool.clone());
    let running = tokio::spawn(projector.clone().run());
    for n in 0..3 {
        scenario(&app, n).await;
    }
    caught_up(&projector, &app).await;
    running.abort();

    let (ok, out) = rebuild(&app, true);
    assert!(ok, "{out}");
    assert!(out.contains("match"), "{out}");

    sqlx::query("UPDATE rm_organizations SET name = 'tampered' WHERE name = 'Org 1'")
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (code, out) = rebuild_code(&app.db.url, true, &[]);
    assert_eq!(code, Some(1), "verify exits 1 on a difference");
    assert!(
        out.contains("rm_organizations: live only") && out.contains("tampered"),
        "{out}"
    );

    let (ok, out) = rebuild(&app, false);
    assert!(ok, "{out}");
    let (ok, out) = rebuild(&app, true);
    assert!(ok, "{out}");
    let names: Vec<String> = sqlx::query_scalar("SELECT name FROM rm_organizations ORDER BY name")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(names, ["Org 0", "Org 1", "Org 2"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projection_is_verified_and_rebuilt_alone() {
    let app = TestApp::spawn().await;
    let projector = Projector::new(app.db.pool.clone());
    let running = tokio::spawn(projector.clone().run());
    for n in 0..3 {
        scenario(&app, n).await;
    }
    caught_up(&projector, &app).await;
    running.abort();

    // Damage two projections: groups (a lost member row) and memberships (a wrong status).
    sqlx::query(
        "DELETE FROM rm_group_members WHERE ctid = (SELECT min(ctid) FROM rm_group_members)",
    )
    .execute(&app.db.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE rm_memberships SET status = 'inactive' WHERE user_id = 'u2'")
        .execute(&app.db.pool)
        .await
        .unwrap();

    let (ok, out) = rebuild_with(&app, true, &["--projection", "groups"]);
    assert!(!ok);
    assert!(out.contains("rm_group_members: rebuilt only"), "{out}");
    assert!(
        !out.contains("rm_memberships"),
        "only the named projection: {out}"
    );

    let (ok, out) = rebuild_with(&app, false, &["--projection", "groups"]);
    assert!(ok, "{out}");
    let (ok, out) = rebuild_with(&app, true, &["--projection", "groups,organizations"]);
    assert!(ok, "groups repaired: {out}");
    // The memberships projection was left alone: still damaged, and found by a full verify.
    let (ok, out) = rebuild(&app, true);
    assert!(!ok);
    assert!(
        out.contains("rm_memberships") && !out.contains("rm_group_members"),
        "{out}"
    );

    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["rebuild", "--projection", "users"])
        .env("DATABASE_URL", &app.db.url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown projection `users`"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn progress_is_a_bar_on_a_terminal_and_log_lines_otherwise() {
    let app = TestApp::spawn().await;
    for n in 0..3 {
        scenario(&app, n).await;
    }
    let roster = env!("CARGO_BIN_EXE_roster");
    // Piped: structured log lines with the rate.
    let out = Command::new(roster)
        .args(["rebuild", "--log-format", "json"])
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let logs =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let line = logs
        .lines()
        .find(|l| l.contains("\"rebuilding\""))
        .unwrap_or_else(|| panic!("no progress line in {logs}"));
    let line: Value = serde_json::from_str(line).unwrap();
    assert!(line["fields"]["events_per_s"].is_u64(), "{line}");
    assert!(line["fields"]["eta_s"].is_u64(), "{line}");

    // On a terminal (a pseudo-terminal made by `script`): a progress bar with rate and ETA.
    let out = Command::new("script")
        .args(["-qec", &format!("{roster} rebuild"), "/dev/null"])
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("events/s") && screen.contains("ETA"),
        "{screen}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_swap_while_writes_and_the_projector_continue_loses_nothing() {
    let app = Arc::new(TestApp::spawn().await);
    let projector = Projector::new(app.db.pool.clone());
    let running = tokio::spawn(projector.clone().run());
    for n in 0..5 {
        scenario(&app, n).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (app, stop) = (app.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 100;
            while !stop.load(Ordering::SeqCst) {
                scenario(&app, n).await;
                n += 1;
            }
            n - 100
        })
    };
    let rebuilt = projector.rebuild(&[], false, &|_| {}).await.unwrap();
    assert!(rebuilt.events > 0);
    stop.store(true, Ordering::SeqCst);
    let written = writer.await.unwrap();
    caught_up(&projector, &app).await;
    running.abort();

    let orgs: i64 = sqlx::query_scalar("SELECT count(*) FROM rm_organizations")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(orgs as usize, 5 + written);
    let verified = projector.rebuild(&[], true, &|_| {}).await.unwrap();
    assert!(
        verified.differences.is_empty(),
        "{:?}",
        verified.differences
    );
}

/// SIGKILL the projector process while it works through thousands of events, restart it: the
/// read models end up equal to a fresh rebuild.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_projector_killed_mid_stream_resumes_without_loss_or_duplication() {
    let app = TestApp::spawn().await;
    let org: Value = app
        .post("/v1/organizations", json!({"name": "Big"}))
        .await
        .json()
        .await
        .unwrap();
    let path = format!(
        "/v1/organizations/{}/memberships/bulk",
        org["id"].as_str().unwrap()
    );
    for chunk in 0..3 {
        let items: Vec<Value> = (0..1000)
            .map(|i| json!({"user_id": format!("u{chunk}-{i}"), "attributes": {"i": i}}))
            .collect();
        let res: Value = app
            .post(&path, json!({"items": items}))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(res["succeeded"], 1000);
    }
    let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let checkpoint = || async {
        store::checkpoints::load(&app.db.pool, projector::CONSUMER)
            .await
            .unwrap()
    };
    let serve = || {
        Command::new(env!("CARGO_BIN_EXE_roster"))
            .args(["serve", "--only", "projector"])
            .env("DATABASE_URL", &app.db.url)
            .env("ROSTER_LISTEN", "127.0.0.1:0") // any free port: nothing here calls it
            .env("RUST_LOG", "warn")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };

    let mut first = serve();
    eventually(Duration::from_secs(60), "the projector started", || async {
        (checkpoint().await > 0).then_some(())
    })
    .await;
    first.kill().unwrap(); // SIGKILL
    first.wait().unwrap();
    let at_kill = checkpoint().await;
    assert!(
        at_kill < head,
        "killed before it finished ({at_kill} of {head})"
    );

    let mut second = serve();
    crate::support::eventually(
        Duration::from_secs(60),
        "the restarted projector catches up",
        || async { (checkpoint().await >= head).then_some(()) },
    )
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    let memberships: i64 = sqlx::query_scalar("SELECT count(*) FROM rm_memberships")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(memberships, 3000);
    let (ok, out) = rebuild(&app, true);
    assert!(
        ok,
        "read models differ from a rebuild after the crash:\n{out}"
    );
}

/// An error is not a difference: exit 2 (here: no database to reach).
#[test]
fn a_failed_verify_exits_2() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (code, _) = rebuild_code(
        &format!("postgres://roster@127.0.0.1:{port}/nowhere"),
        true,
        &[],
    );
    assert_eq!(code, Some(2));
}

/// `--verify` while 8 clients keep writing compares the live tables and the rebuild at the same
/// position: no false differences, every time.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn verify_during_writes_reports_no_false_differences() {
    let app = Arc::new(TestApp::spawn().await);
    let projector = Projector::new(app.db.pool.clone());
    let running = tokio::spawn(projector.clone().run());
    for n in 0..100 {
        scenario(&app, n).await;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let (app, stop) = (app.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 1000 * (w + 1);
                while !stop.load(Ordering::SeqCst) {
                    scenario(&app, n).await;
                    n += 1;
                }
            })
        })
        .collect();
    for _ in 0..3 {
        let before: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        let url = app.db.url.clone();
        let (code, out) = tokio::task::spawn_blocking(move || rebuild_code(&url, true, &[]))
            .await
            .unwrap();
        let after: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
        assert!(after > before, "writes went on during the verify");
        assert_eq!(code, Some(0), "{out}");
        assert!(out.contains("match"), "{out}");
    }
    stop.store(true, Ordering::SeqCst);
    for w in writers {
        w.await.unwrap();
    }
    running.abort();
}
