//! The projector applies a batch as a few set-based statements: the read models it leaves must
//! be exactly those of the same events applied one at a time — with a row written several times
//! in one batch, a role deleted and made again, a group member removed and added back, and an
//! apply's `managed_by` kept through later changes made otherwise.

use serde_json::{json, Value};
use store::unit_of_work::{NewEvent, StreamChange, UnitOfWork};
use store::{Feed, FeedEvent};

const ORG: &str = "org_01JD0000000000000000000001";
const AT: &str = "2026-11-24T10:00:00Z";

/// One event of `kind` about `data`, recorded by an apply of `managed_by` if given.
fn event(kind: &str, data: Value, managed_by: Option<&str>) -> NewEvent {
    let mut metadata = serde_json::Map::new();
    if let Some(source) = managed_by {
        metadata.insert("managed_by".into(), json!(source));
    }
    NewEvent {
        event_type: kind.into(),
        event_version: "1".into(),
        payload: json!({ "type": kind, "data": data }),
        metadata,
    }
}

fn organization(name: &str) -> Value {
    json!({"id": ORG, "name": name, "description": null, "external_id": "acme", "metadata": {},
           "created_at": AT, "updated_at": AT})
}

fn role(slug: &str, permissions: &[&str]) -> Value {
    json!({"organization_id": ORG, "slug": slug, "name": slug, "description": null,
           "permissions": permissions, "created_at": AT, "updated_at": AT})
}

fn membership(id: &str, status: &str, roles: &[&str]) -> Value {
    json!({"id": id, "organization_id": ORG, "user_id": format!("user-{id}"), "application_id": null,
           "status": status, "roles": roles, "attributes": {"team": id}, "created_at": AT,
           "updated_at": AT})
}

fn group(id: &str, name: &str) -> Value {
    json!({"id": id, "organization_id": ORG, "name": name, "description": null,
           "created_at": AT, "updated_at": AT})
}

fn member(group_id: &str, membership_id: &str) -> Value {
    json!({"group_id": group_id, "membership_id": membership_id, "organization_id": ORG, "at": AT})
}

fn invitation(id: &str, state: &str) -> Value {
    json!({"id": id, "organization_id": ORG, "email": "a@example.com", "roles": ["member"],
           "state": state, "expires_at": AT, "inviter_user_id": null, "accepted_user_id": null,
           "membership_id": null, "created_at": AT, "updated_at": AT})
}

/// The log: each event its own unit, in this order.
fn log() -> Vec<(&'static str, &'static str, NewEvent)> {
    let doc = Some("file://org.yaml");
    vec![
        (
            "organization",
            ORG,
            event("organization.created", organization("Acme"), doc),
        ),
        (
            "organization",
            ORG,
            event("organization.updated", organization("Acme Inc"), None),
        ),
        (
            "organization",
            ORG,
            event("organization_role.created", role("viewer", &["read"]), None),
        ),
        (
            "organization",
            ORG,
            event("organization_role.deleted", role("viewer", &["read"]), None),
        ),
        (
            "organization",
            ORG,
            event(
                "organization_role.created",
                role("viewer", &["read", "list"]),
                doc,
            ),
        ),
        (
            "organization",
            ORG,
            event("organization_role.updated", role("viewer", &["list"]), None),
        ),
        (
            "membership",
            "mem_1",
            event(
                "membership.created",
                membership("mem_1", "active", &["viewer"]),
                doc,
            ),
        ),
        (
            "membership",
            "mem_2",
            event(
                "membership.created",
                membership("mem_2", "active", &[]),
                None,
            ),
        ),
        (
            "membership",
            "mem_1",
            event(
                "membership.updated",
                membership("mem_1", "active", &[]),
                None,
            ),
        ),
        (
            "membership",
            "mem_1",
            event(
                "membership.deactivated",
                membership("mem_1", "inactive", &[]),
                None,
            ),
        ),
        (
            "membership",
            "mem_2",
            event(
                "membership.deleted",
                membership("mem_2", "active", &[]),
                None,
            ),
        ),
        (
            "group",
            "grp_1",
            event("group.created", group("grp_1", "Ops"), None),
        ),
        (
            "group",
            "grp_1",
            event("group.member_added", member("grp_1", "mem_1"), None),
        ),
        (
            "group",
            "grp_1",
            event("group.member_removed", member("grp_1", "mem_1"), None),
        ),
        (
            "group",
            "grp_1",
            event("group.member_added", member("grp_1", "mem_1"), doc),
        ),
        (
            "group",
            "grp_1",
            event("group.member_added", member("grp_1", "mem_1"), None),
        ),
        (
            "group",
            "grp_1",
            event("group.updated", group("grp_1", "Operations"), None),
        ),
        (
            "group",
            "grp_2",
            event("group.created", group("grp_2", "Gone"), None),
        ),
        (
            "group",
            "grp_2",
            event("group.deleted", group("grp_2", "Gone"), None),
        ),
        (
            "invitation",
            "inv_1",
            event("invitation.created", invitation("inv_1", "pending"), None),
        ),
        (
            "invitation",
            "inv_1",
            event("invitation.revoked", invitation("inv_1", "revoked"), None),
        ),
        (
            "organization",
            ORG,
            event("organization.updated", organization("Acme GmbH"), None),
        ),
    ]
}

async fn write_log(pool: &sqlx::PgPool) -> Vec<FeedEvent> {
    let mut versions = std::collections::HashMap::new();
    for (aggregate_type, id, e) in log() {
        let version = versions.entry(id).or_insert(0i64);
        let mut unit = UnitOfWork::new();
        unit.push(StreamChange {
            aggregate_type: aggregate_type.into(),
            aggregate_id: id.into(),
            organization_id: Some(ORG.into()),
            version: *version,
            events: vec![e],
            claims: Vec::new(),
            snapshot: None,
        });
        unit.commit(pool).await.unwrap();
        *version += 1;
    }
    Feed::new(pool.clone())
        .read_range(0, i64::MAX)
        .await
        .unwrap()
}

/// Every read-model row, as JSON text, table by table in a fixed order.
async fn read_models(pool: &sqlx::PgPool) -> Vec<String> {
    let mut rows = Vec::new();
    for table in read_models::write::TABLES {
        // A constant table name.
        let sql = format!("SELECT row_to_json(t)::text FROM {table} t ORDER BY 1");
        rows.extend(
            sqlx::query_scalar::<_, String>(&sql)
                .fetch_all(pool)
                .await
                .unwrap(),
        );
    }
    rows
}

#[tokio::test]
async fn a_batch_leaves_the_read_models_its_events_one_at_a_time_leave() {
    let (whole, one_by_one) = (
        roster_testkit::fresh_db().await,
        roster_testkit::fresh_db().await,
    );
    let events = write_log(&whole.pool).await;
    assert_eq!(write_log(&one_by_one.pool).await.len(), events.len());

    projector::Projector::new(whole.pool.clone())
        .apply_batch(&events)
        .await
        .unwrap();
    let single = projector::Projector::new(one_by_one.pool.clone());
    for e in &events {
        single.apply_batch(std::slice::from_ref(e)).await.unwrap();
    }

    let (batched, singly) = (
        read_models(&whole.pool).await,
        read_models(&one_by_one.pool).await,
    );
    assert_eq!(batched, singly);
    // And what that is: the last name, the remade role's last permissions with the apply's
    // source kept, the member back in its group with the source that added it.
    let all = batched.join("\n");
    assert!(all.contains(r#""name":"Acme GmbH""#), "{all}");
    assert!(all.contains(r#""permissions":["list"],"#), "{all}");
    assert_eq!(
        all.matches(r#""managed_by":"file://org.yaml""#).count(),
        4,
        "{all}"
    );
    assert!(
        all.contains(r#""group_id":"grp_1","membership_id":"mem_1""#),
        "{all}"
    );
    assert!(!all.contains("mem_2") && !all.contains("grp_2"), "{all}");
    assert!(all.contains(r#""state":"revoked""#), "{all}");
}
