//! The projector keeps the read models in step with the feed, and re-applying events changes
//! nothing.

use std::time::Duration;

use crate::support::{expect, TestApp};
use projector::Projector;
use serde_json::json;

/// Waits (bounded) until the projector has applied `position`.
async fn caught_up(projector: &Projector, position: i64) {
    let what = format!("the projector reaches {position}");
    crate::support::eventually(Duration::from_secs(60), what, || async {
        (projector.checkpoint().await.unwrap() >= position).then_some(())
    })
    .await;
}

/// Every read-model row, as text, for comparing states.
async fn dump(app: &TestApp) -> Vec<String> {
    let mut rows = Vec::new();
    for table in [
        "rm_organizations",
        "rm_roles",
        "rm_domains",
        "rm_memberships",
        "rm_groups",
        "rm_group_members",
        "rm_invitations",
    ] {
        let sql = format!("SELECT t::text FROM {table} t ORDER BY t::text");
        let part: Vec<String> = sqlx::query_scalar(&sql)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
        rows.extend(part.into_iter().map(|r| format!("{table}: {r}")));
    }
    rows
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_models_follow_the_commands_and_replays_change_nothing() {
    let app = TestApp::spawn().await;
    let projector = Projector::new(app.db.pool.clone());
    let running = tokio::spawn(projector.clone().run());

    let acme = json!({"name": "Acme", "metadata": {"tier": "gold"}});
    let org = app.create("/v1/organizations", acme).await;
    let org_id = org.as_str();
    let billing = json!({"slug": "billing", "name": "Billing", "permissions": ["billing:read"]});
    app.created(&format!("/v1/organizations/{org_id}/roles"), billing)
        .await;
    let u1 = json!({"user_id": "u1", "roles": ["billing"], "attributes": {"dept": "fin"}});
    let m1 = app.member(org_id, u1).await;
    let m2 = app.member(org_id, json!({"user_id": "u2"})).await;
    let grp = app.group(org_id, "Finance").await;
    let grp_id = grp.as_str();
    for m in [&m1, &m2] {
        let members = format!("/v1/groups/{grp_id}/members");
        app.created(&members, json!({"membership_id": m})).await;
    }
    let deactivate = format!("/v1/memberships/{m2}/deactivate");
    expect(app.post_empty(&deactivate).await, 200).await;
    let invitations = format!("/v1/organizations/{org_id}/invitations");
    let inv = app.create(&invitations, json!({"email": "x@y.co"})).await;

    let head = app.head().await;
    caught_up(&projector, head).await;

    let (name, tier): (String, String) =
        sqlx::query_as("SELECT name, metadata->>'tier' FROM rm_organizations WHERE id = $1")
            .bind(org_id)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((name.as_str(), tier.as_str()), ("Acme", "gold"));
    let roles: Vec<String> =
        sqlx::query_scalar("SELECT slug FROM rm_roles WHERE organization_id = $1 ORDER BY slug")
            .bind(org_id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        roles,
        ["billing"],
        "its own; admin and member are the template's"
    );
    let (status, mroles, dept): (String, Vec<String>, String) = sqlx::query_as(
        "SELECT status, roles, attributes->>'dept' FROM rm_memberships WHERE id = $1",
    )
    .bind(&m1)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), mroles, dept.as_str()),
        ("active", vec!["billing".to_string()], "fin")
    );
    let status: String = sqlx::query_scalar("SELECT status FROM rm_memberships WHERE id = $1")
        .bind(&m2)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(status, "inactive");
    let members: Vec<String> =
        sqlx::query_scalar("SELECT membership_id FROM rm_group_members WHERE group_id = $1")
            .bind(grp_id)
            .fetch_all(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(
        members,
        [m1.as_str()],
        "the deactivated member left the group"
    );
    let state: String = sqlx::query_scalar("SELECT state FROM rm_invitations WHERE id = $1")
        .bind(&inv)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(state, "pending");

    // Re-applying every event (as after restoring a checkpoint older than the tables) leaves
    // the same state.
    running.abort();
    let before = dump(&app).await;
    sqlx::query("UPDATE checkpoints SET position = 0 WHERE consumer = $1")
        .bind(projector::CONSUMER)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let mut follower = store::Feed::new(app.db.pool.clone()).follow(0);
    let mut seen = 0;
    while seen < head {
        let batch = follower.next_batch().await.unwrap();
        seen = batch.last().unwrap().position;
        projector.apply_batch(&batch).await.unwrap();
    }
    assert_eq!(projector.checkpoint().await.unwrap(), head);
    assert_eq!(dump(&app).await, before);

    // Deleting the organization empties its read models.
    let running = tokio::spawn(projector.clone().run());
    // Accepted (202), carried out by the process manager, then projected.
    app.delete_and_wait(&format!("/v1/organizations/{org_id}"))
        .await;
    caught_up(&projector, app.head().await).await;
    let invitations_state: String =
        sqlx::query_scalar("SELECT state FROM rm_invitations WHERE id = $1")
            .bind(&inv)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(invitations_state, "revoked");
    let left: i64 = sqlx::query_scalar(
        "SELECT (SELECT count(*) FROM rm_organizations) + (SELECT count(*) FROM rm_roles)
              + (SELECT count(*) FROM rm_memberships) + (SELECT count(*) FROM rm_groups)
              + (SELECT count(*) FROM rm_group_members)",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(left, 0);
    running.abort();
}
