//! Uniqueness claims hold under racing commands: one winner, typed conflicts for the rest, and
//! nothing of a loser stored.

use std::sync::Arc;

use chrono::Utc;
use command_service::bus::{CommandError, Commands};
use domain::organization::{
    CreateOrganization, Organization, OrganizationCommand, UpdateOrganization,
};
use domain::values::{ExternalId, Metadata, OrganizationName};
use domain::RequestContext;
use domain::{Actor, OrganizationId};
use store::{EventRepository, StoreError};

fn ctx() -> RequestContext {
    RequestContext {
        document: None,
        actor: Actor::system(),
        request_id: "req_test".into(),
        limited_to: None,
    }
}

fn create(id: OrganizationId, external_id: &str) -> OrganizationCommand {
    OrganizationCommand::Create(CreateOrganization {
        id,
        name: OrganizationName::parse("Acme").unwrap(),
        description: None,
        external_id: Some(ExternalId::parse(external_id).unwrap()),
        metadata: Metadata::default(),
        max_members: None,
        template_roles: None,
        at: Utc::now(),
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_racing_claims_of_one_key_have_exactly_one_winner() {
    let db = roster_testkit::fresh_db().await;
    let commands = Arc::new(Commands::<Organization>::new(
        EventRepository::new(db.pool.clone()),
        (),
        None,
    ));
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let commands = commands.clone();
            let barrier = barrier.clone();
            tokio::spawn(async move {
                let id = OrganizationId::new();
                barrier.wait().await;
                let r = commands
                    .execute(
                        &id.to_string(),
                        Some(&id.to_string()),
                        create(id, "acme-42"),
                        &ctx(),
                    )
                    .await;
                (id, r)
            })
        })
        .collect();
    let mut winners = Vec::new();
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            (id, Ok(executed)) => {
                assert_eq!(executed.events.len(), 1, "organization.created");
                winners.push(id.to_string());
            }
            (_, Err(CommandError::Store(StoreError::ClaimTaken { key, .. }))) => {
                assert_eq!(key, "organization/external_id/acme-42");
                conflicts += 1;
            }
            (_, Err(other)) => panic!("unexpected error: {other}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one command wins");
    assert_eq!(conflicts, 49);

    let stored: Vec<String> = sqlx::query_scalar("SELECT DISTINCT aggregate_id FROM events")
        .fetch_all(&db.pool)
        .await
        .unwrap();
    assert_eq!(stored, winners, "no event of a loser is stored");
    let owner: String = sqlx::query_scalar("SELECT aggregate_id FROM claims WHERE key = $1")
        .bind("organization/external_id/acme-42")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(owner, winners[0]);
}

#[tokio::test]
async fn a_released_claim_can_be_taken_by_another_aggregate() {
    let db = roster_testkit::fresh_db().await;
    let commands =
        Commands::<Organization>::new(EventRepository::new(db.pool.clone()), (), Some(2));
    let (a, b) = (OrganizationId::new(), OrganizationId::new());
    commands
        .execute(&a.to_string(), None, create(a, "x"), &ctx())
        .await
        .unwrap();
    let taken = commands
        .execute(&b.to_string(), None, create(b, "x"), &ctx())
        .await;
    assert!(
        matches!(taken, Err(CommandError::Store(StoreError::ClaimTaken { ref owner_id, .. })) if *owner_id == a.to_string())
    );

    // A moves to "y" (releasing "x"); the snapshot store (every 2 events) is exercised too.
    let update = OrganizationCommand::Update(UpdateOrganization {
        external_id: Some(Some(ExternalId::parse("y").unwrap())),
        at: Utc::now(),
        ..Default::default()
    });
    commands
        .execute(&a.to_string(), None, update, &ctx())
        .await
        .unwrap();
    commands
        .execute(&b.to_string(), None, create(b, "x"), &ctx())
        .await
        .unwrap();
    let loaded = commands.load(&a.to_string()).await.unwrap();
    assert_eq!(loaded.state.unwrap().external_id.unwrap().as_str(), "y");
    let snapshots: i64 =
        sqlx::query_scalar("SELECT count(*) FROM snapshots WHERE aggregate_id = $1")
            .bind(a.to_string())
            .fetch_one(&db.pool)
            .await
            .unwrap();
    assert_eq!(snapshots, 1, "organization snapshotted after 2 events");
    let keys: Vec<String> = sqlx::query_scalar(
        "SELECT key FROM claims WHERE key LIKE 'organization/external_id/%' ORDER BY key",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap();
    assert_eq!(
        keys,
        ["organization/external_id/x", "organization/external_id/y"]
    );
}

#[tokio::test]
async fn committed_events_carry_ids_metadata_and_positions() {
    let db = roster_testkit::fresh_db().await;
    let commands = Commands::<Organization>::new(EventRepository::new(db.pool.clone()), (), None);
    let id = OrganizationId::new();
    let executed = commands
        .execute(
            &id.to_string(),
            Some(&id.to_string()),
            create(id, "meta"),
            &ctx(),
        )
        .await
        .unwrap();
    let event = &executed.events[0];
    // The typed events come back in the order, and at the positions, the log holds them.
    let logged: Vec<(i64, String)> = sqlx::query_as(
        "SELECT position, event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence",
    )
    .bind(id.to_string())
    .fetch_all(&db.pool)
    .await
    .unwrap();
    let returned: Vec<(i64, String)> = executed
        .events
        .iter()
        .map(|r| (r.position, cqrs_es::DomainEvent::event_type(&r.event)))
        .collect();
    assert_eq!(returned, logged);
    assert_eq!(executed.state.current().map(|o| o.id), Some(id));
    let (position, metadata, org): (i64, serde_json::Value, Option<String>) = sqlx::query_as(
        "SELECT position, metadata, organization_id FROM events WHERE aggregate_id = $1 AND sequence = 1",
    )
    .bind(id.to_string())
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(position, event.position);
    assert_eq!(executed.events[0].position, position);
    assert_eq!(executed.last_position(), Some(position));
    assert!(metadata["event_id"].as_str().unwrap().starts_with("evt_"));
    assert_eq!(metadata["request_id"], "req_test");
    assert_eq!(metadata["actor_type"], "system");
    assert_eq!(org.as_deref(), Some(id.to_string().as_str()));
}

/// Text the database cannot store (a NUL, in text or in JSON) is a typed error the edges answer
/// with a 400, never an internal one: the last line behind the domain's parsing.
#[tokio::test]
async fn unstorable_text_is_a_typed_error() {
    let db = roster_testkit::fresh_db().await;
    let text = sqlx::query("SELECT $1::text")
        .bind("a\u{0}b")
        .execute(&db.pool)
        .await
        .unwrap_err();
    assert!(
        matches!(
            store::StoreError::from(text),
            store::StoreError::Unstorable(_)
        ),
        "NUL in text"
    );
    let json = sqlx::query("SELECT $1::jsonb")
        .bind(serde_json::json!({"k": "a\u{0}b"}))
        .execute(&db.pool)
        .await
        .unwrap_err();
    assert!(
        matches!(
            store::StoreError::from(json),
            store::StoreError::Unstorable(_)
        ),
        "NUL in JSON"
    );
}
