//! Changes that span aggregates commit as one unit of work: invitation accept (invitation +
//! membership), membership deactivation and deletion (membership + each of its groups). A fault
//! injected at the commit leaves nothing behind, and a retry then does the whole change; a
//! successful unit's events share one transaction. Unbounded changes are carried out by the
//! process manager, which finishes them after a failure between any two steps.

use serde_json::json;

use crate::support::{eventually, expect, problem, TestApp};

/// Transaction ids of the events at `positions`, deduplicated.
async fn transactions(app: &TestApp, positions: &[i64]) -> Vec<String> {
    let mut txids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT txid::text FROM events WHERE position = ANY ($1) ORDER BY 1",
    )
    .bind(positions)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    txids.dedup();
    txids
}

async fn positions_since(app: &TestApp, after: i64) -> Vec<(i64, String)> {
    sqlx::query_as("SELECT position, event_type FROM events WHERE position > $1 ORDER BY position")
        .bind(after)
        .fetch_all(&app.db.pool)
        .await
        .unwrap()
}

/// Both scenarios in one test: the fault point is process-wide, so they must not overlap.
#[tokio::test]
async fn a_failed_unit_leaves_nothing_and_a_retry_does_it_all() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;

    // Accept: the invitation is not accepted without its membership.
    let ann = json!({"email": "ann@example.com", "roles": ["admin"]});
    let inv = app
        .created(&format!("/v1/organizations/{org}/invitations"), ann)
        .await;
    let inv_id = inv["id"].as_str().unwrap().to_owned();
    let accept = json!({"user_id": "ann", "accept_token": inv["accept_token"]});
    let before = app.head().await;
    fail::cfg("unit_of_work::commit", &format!("return({inv_id})")).unwrap();
    let res = app
        .post(&format!("/v1/invitations/{inv_id}/accept"), accept.clone())
        .await;
    fail::remove("unit_of_work::commit");
    problem(res, 503).await;
    assert_eq!(app.head().await, before, "nothing of the unit was written");
    // The retry is not refused.
    let res = app
        .post(&format!("/v1/invitations/{inv_id}/accept"), accept)
        .await;
    let accepted = expect(res, 200).await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["membership"]["roles"], json!(["admin"]));
    let written = positions_since(&app, before).await;
    let types: Vec<&str> = written.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(types, ["invitation.accepted", "membership.created"]);
    let positions: Vec<i64> = written.iter().map(|(p, _)| *p).collect();
    assert_eq!(transactions(&app, &positions).await.len(), 1);
    assert_eq!(accepted["position"], positions[1]);

    // Deactivation: the membership does not leave half of its groups.
    let om = accepted["membership"]["id"].as_str().unwrap().to_owned();
    let mut groups = Vec::new();
    for name in ["a", "b", "c"] {
        let g = app.group(&org, name).await;
        app.created(
            &format!("/v1/groups/{g}/members"),
            json!({"membership_id": om}),
        )
        .await;
        groups.push(g);
    }
    let before = app.head().await;
    // Aimed at the second group: the unit holds the membership and all three groups.
    fail::cfg("unit_of_work::commit", &format!("return({})", groups[1])).unwrap();
    let res = app
        .post(&format!("/v1/memberships/{om}/deactivate"), json!({}))
        .await;
    fail::remove("unit_of_work::commit");
    problem(res, 503).await;
    assert_eq!(app.head().await, before, "no group lost the member alone");
    let in_groups: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM claims WHERE key LIKE 'membership/' || $1 || '/group/%'",
    )
    .bind(&om)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(in_groups, 3);

    let res = app
        .post(&format!("/v1/memberships/{om}/deactivate"), json!({}))
        .await;
    let body = expect(res, 200).await;
    assert_eq!(body["status"], "inactive");
    let written = positions_since(&app, before).await;
    let types: Vec<&str> = written.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "group.member_removed",
            "group.member_removed",
            "group.member_removed",
            "membership.deactivated"
        ]
    );
    let positions: Vec<i64> = written.iter().map(|(p, _)| *p).collect();
    assert_eq!(transactions(&app, &positions).await.len(), 1);
    assert_eq!(body["position"], positions[3]);

    // Deletion of a member of two groups: removals, then `membership.deleted`, in one unit.
    let om2 = app.member(&org, json!({"user_id": "bob"})).await;
    for g in &groups[..2] {
        app.created(
            &format!("/v1/groups/{g}/members"),
            json!({"membership_id": om2}),
        )
        .await;
    }
    let before = app.head().await;
    let res = app.delete(&format!("/v1/memberships/{om2}")).await;
    assert_eq!(res.status(), 200);
    let written = positions_since(&app, before).await;
    let types: Vec<&str> = written.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "group.member_removed",
            "group.member_removed",
            "membership.deleted"
        ]
    );
    let positions: Vec<i64> = written.iter().map(|(p, _)| *p).collect();
    assert_eq!(transactions(&app, &positions).await.len(), 1);
}

/// The process manager fails between two steps of an organization's deletion (after deleting a
/// membership) until the fault is lifted; then, from its checkpoint and with no client action, it
/// finishes the deletion, and `organization.deleted` is the organization's last event.
#[tokio::test]
async fn an_interrupted_deletion_is_finished_by_the_process_manager() {
    let app = TestApp::spawn().await;
    let org = app.named("Doomed").await;
    let group = app.group(&org, "g").await;
    for user in ["a", "b", "c", "d"] {
        let om = app.member(&org, json!({"user_id": user})).await;
        let members = format!("/v1/groups/{group}/members");
        app.created(&members, json!({"membership_id": om})).await;
    }

    fail::cfg("workflows::between_steps", &format!("return({org})")).unwrap();
    let res = app.delete(&format!("/v1/organizations/{org}")).await;
    let intent = expect(res, 202).await["position"].as_i64().unwrap();
    let deleted_memberships = || async {
        sqlx::query_scalar::<_, i64>(
            "SELECT count(*) FROM events WHERE organization_id = $1 AND event_type = 'membership.deleted'",
        )
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap()
    };
    // The first step happened, then the fault stopped it (and stops every retry).
    eventually(
        std::time::Duration::from_secs(30),
        "the first step taken",
        || async { (deleted_memberships().await > 0).then_some(()) },
    )
    .await;
    let checkpoint = store::checkpoints::load(&app.db.pool, command_service::workflows::CONSUMER)
        .await
        .unwrap();
    assert!(checkpoint < intent, "the intent is not done");
    // Each retry gets one step further and fails again, but never to the end while the fault is
    // armed (it fires after every membership, the last one too).
    let finished: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_id = $1 AND event_type = 'organization.deleted'",
    )
    .bind(&org)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(finished, 0, "half done, for now");
    // Operators see it waiting: in /readyz and as a gauge.
    let (_, ready) = app.get("/readyz").await;
    assert!(ready["workflows"]["lag"].as_i64().unwrap() > 0, "{ready}");
    let lag_line = |metrics: &str| {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix("roster_consumer_lag_events{consumer=\"workflows\"} "))
            .map(|v| v.parse::<i64>().unwrap())
    };
    assert!(lag_line(&app.metrics().await).unwrap() > 0);
    // Closed meanwhile.
    let sent = json!({"user_id": "late"});
    problem(
        app.post(&format!("/v1/organizations/{org}/memberships"), sent)
            .await,
        404,
    )
    .await;

    fail::remove("workflows::between_steps");
    app.workflows_done(intent).await;
    let (_, ready) = app.get("/readyz").await;
    assert!(
        ready["workflows"]["position"].as_i64().unwrap() >= intent,
        "{ready}"
    );
    let events: Vec<String> = sqlx::query_scalar(
        "SELECT event_type FROM events WHERE organization_id = $1 AND position > $2 ORDER BY position",
    )
    .bind(&org)
    .bind(intent)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let count = |t: &str| events.iter().filter(|e| *e == t).count();
    assert_eq!(count("membership.deleted"), 4, "{events:?}");
    assert_eq!(count("group.member_removed"), 4, "{events:?}");
    assert_eq!(count("group.deleted"), 1);
    assert_eq!(events.last().unwrap(), "organization.deleted");
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM claims WHERE organization_id = $1")
        .bind(&org)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "nothing of the organization is left");
}
