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
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM rm_organizations WHERE id = $1")
                .bind(org)
                .fetch_optional(&db.pool)
                .await
                .unwrap();
        if name.as_deref() == Some("Acme") {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the binary never projected the event"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
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
