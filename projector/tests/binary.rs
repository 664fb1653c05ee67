//! The stand-alone `roster-projector` binary follows the feed into the read models and stops
//! cleanly on SIGTERM.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};

#[tokio::test]
async fn the_projector_binary_projects_and_stops_on_sigterm() {
    let db = roster_testkit::fresh_db().await;
    let org = "org_01JD0000000000000000000001";
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "organization".into(),
        aggregate_id: org.to_owned(),
        organization_id: Some(org.to_owned()),
        version: 0,
        events: vec![NewEvent {
            event_type: "organization.created".into(),
            event_version: "1".into(),
            payload: json!({"type": "organization.created", "data": {
                "id": org, "name": "Acme", "description": null, "external_id": null,
                "metadata": {}, "created_at": "2026-11-24T10:00:00Z",
                "updated_at": "2026-11-24T10:00:00Z"}}),
            metadata: Default::default(),
        }],
        claims: Vec::new(),
        snapshot: None,
    });
    unit.commit(&db.pool).await.unwrap();

    let mut child = Command::new(env!("CARGO_BIN_EXE_roster-projector"))
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    roster_testkit::eventually(
        Duration::from_secs(30),
        "the binary projected the event",
        || async {
            let name: Option<String> =
                sqlx::query_scalar("SELECT name FROM rm_organizations WHERE id = $1")
                    .bind(org)
                    .fetch_optional(&db.pool)
                    .await
                    .unwrap();
            (name.as_deref() == Some("Acme")).then_some(())
        },
    )
    .await;
    assert_eq!(
        store::checkpoints::load(&db.pool, projector::CONSUMER)
            .await
            .unwrap(),
        1
    );
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());

    let missing = Command::new(env!("CARGO_BIN_EXE_roster-projector"))
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

/// A `roster-projector` whose log lines arrive on a channel.
fn spawn_projector(url: &str) -> (std::process::Child, std::sync::mpsc::Receiver<String>) {
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster-projector"))
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    (child, rx)
}

fn wait_for_line(log: &std::sync::mpsc::Receiver<String>, needle: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match log.recv_timeout(left) {
            Ok(line) if line.contains(needle) => return,
            Ok(_) => {}
            Err(_) => panic!("no log line with `{needle}`"),
        }
    }
}

async fn organization_created(pool: &sqlx::PgPool, n: usize) -> String {
    let org = format!("org_01JD00000000000000000{n:05}");
    let mut unit = UnitOfWork::new();
    unit.push(StreamChange {
        aggregate_type: "organization".into(),
        aggregate_id: org.clone(),
        organization_id: Some(org.clone()),
        version: 0,
        events: vec![NewEvent {
            event_type: "organization.created".into(),
            event_version: "1".into(),
            payload: json!({"type": "organization.created", "data": {
                "id": org, "name": format!("Org {n}"), "description": null, "external_id": null,
                "metadata": {}, "created_at": "2026-11-24T10:00:00Z",
                "updated_at": "2026-11-24T10:00:00Z"}}),
            metadata: Default::default(),
        }],
        claims: Vec::new(),
        snapshot: None,
    });
    unit.commit(pool).await.unwrap();
    org
}

async fn projected(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM rm_organizations")
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Two projector processes: one applies, the other stands by; SIGKILL the active one and the
/// other takes over, with every event projected once the dust settles.
#[tokio::test]
async fn a_standby_projector_takes_over_when_the_active_one_is_killed() {
    let db = roster_testkit::fresh_db().await;
    let (mut first, first_log) = spawn_projector(&db.url);
    wait_for_line(&first_log, "active");
    let (mut second, second_log) = spawn_projector(&db.url);
    wait_for_line(&second_log, "standing by");

    for n in 0..50 {
        organization_created(&db.pool, n).await;
    }
    let deadline = Instant::now() + Duration::from_secs(30);
    while projected(&db.pool).await < 50 {
        assert!(
            Instant::now() < deadline,
            "the active projector never caught up"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    unsafe { libc::kill(first.id() as i32, libc::SIGKILL) };
    first.wait().unwrap();
    for n in 50..100 {
        organization_created(&db.pool, n).await;
    }
    wait_for_line(&second_log, "active");
    let deadline = Instant::now() + Duration::from_secs(30);
    while projected(&db.pool).await < 100 {
        assert!(Instant::now() < deadline, "the standby never took over");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(
        store::checkpoints::load(&db.pool, projector::CONSUMER)
            .await
            .unwrap(),
        head
    );
    unsafe { libc::kill(second.id() as i32, libc::SIGTERM) };
    assert!(second.wait().unwrap().success());
}
