//! Invitations over HTTP: one-time tokens (stored only as hashes), resend, revoke, accept into a
//! membership, expiry by the sweeper, one pending invitation per email and organization.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

async fn invite(app: &TestApp, org: &str, body: Value) -> Value {
    expect(
        app.post(&format!("/v1/organizations/{org}/invitations"), body)
            .await,
        201,
    )
    .await
}

fn action(inv: &Value, what: &str) -> String {
    format!("/v1/invitations/{}/{what}", inv["id"].as_str().unwrap())
}

#[tokio::test]
async fn accepting_creates_the_membership_with_the_invited_roles() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let inv = invite(
        &app,
        &org,
        json!({"email": "Ann@Example.com", "roles": ["admin"], "inviter_user_id": "boss"}),
    )
    .await;
    assert_eq!(inv["object"], "invitation");
    assert_eq!(inv["state"], "pending");
    let token = inv["accept_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("it_") && token.len() > 40);
    assert!(
        inv.get("accept_token_sha256").is_none(),
        "the hash never leaves the store"
    );

    // One pending invitation per email, whatever its case.
    let sent = json!({"email": "ann@example.COM"});
    let body = problem(
        app.post(&format!("/v1/organizations/{org}/invitations"), sent)
            .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["email"]);

    let sent = json!({"user_id": "ann", "accept_token": "it_wrong"});
    let body = problem(app.post(&action(&inv, "accept"), sent).await, 422).await;
    assert_eq!(fields(&body), ["accept_token"]);
    let sent = json!({"user_id": "ann", "accept_token": token});
    let accepted = expect(app.post(&action(&inv, "accept"), sent).await, 200).await;
    assert_eq!(accepted["state"], "accepted");
    assert_eq!(accepted["accepted_user_id"], "ann");
    assert_eq!(accepted["membership"]["roles"], json!(["admin"]));
    assert_eq!(accepted["membership"]["user_id"], "ann");
    assert_eq!(accepted["membership_id"], accepted["membership"]["id"]);

    let inv_id = inv["id"].as_str().unwrap();
    let om = accepted["membership_id"].as_str().unwrap();
    let inv_events = app.events_of(inv_id).await;
    let om_events = app.events_of(om).await;
    assert_eq!(inv_events.last().unwrap().0, "invitation.accepted");
    assert_eq!(om_events[0].0, "membership.created");
    assert!(
        inv_events.last().unwrap().2 < om_events[0].2,
        "accepted, then the membership"
    );
    assert_eq!(accepted["position"], om_events[0].2);

    // The token is spent; the email may be invited again.
    let sent = json!({"user_id": "ann", "accept_token": token});
    let body = problem(app.post(&action(&inv, "accept"), sent).await, 422).await;
    assert_eq!(fields(&body), ["state"]);
    invite(&app, &org, json!({"email": "ann@example.com"})).await;

    // Envelopes carry no token hash either.
    let events = store::Feed::new(app.db.pool.clone())
        .read_after(0, 1000)
        .await
        .unwrap();
    for e in events.iter().filter(|e| e.aggregate_type == "invitation") {
        assert!(e.payload["data"]["accept_token_sha256"].is_string());
        assert!(e.envelope().data.get("accept_token_sha256").is_none());
    }
}

#[tokio::test]
async fn resend_replaces_the_token_and_revoke_ends_the_invitation() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let inv = invite(
        &app,
        &org,
        json!({"email": "bob@example.com", "expires_in_days": 3}),
    )
    .await;
    let old = inv["accept_token"].as_str().unwrap().to_owned();
    let resent = expect(app.post(&action(&inv, "resend"), json!({})).await, 200).await;
    let new = resent["accept_token"].as_str().unwrap().to_owned();
    assert_ne!(old, new);
    assert!(resent["expires_at"].as_str() >= inv["expires_at"].as_str());
    let sent = json!({"user_id": "bob", "accept_token": old});
    problem(app.post(&action(&inv, "accept"), sent).await, 422).await;

    let revoked = expect(app.post(&action(&inv, "revoke"), json!({})).await, 200).await;
    assert_eq!(revoked["state"], "revoked");
    let sent = json!({"user_id": "bob", "accept_token": new});
    problem(app.post(&action(&inv, "accept"), sent).await, 422).await;
    problem(app.post(&action(&inv, "revoke"), json!({})).await, 422).await;
    problem(app.post(&action(&inv, "resend"), json!({})).await, 422).await;
    let types: Vec<String> = app
        .events_of(inv["id"].as_str().unwrap())
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(
        types,
        [
            "invitation.created",
            "invitation.resent",
            "invitation.revoked"
        ]
    );
}

#[tokio::test]
async fn the_sweeper_expires_invitations_past_their_expiry() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let short = invite(
        &app,
        &org,
        json!({"email": "c@example.com", "expires_in_days": 1}),
    )
    .await;
    let long = invite(
        &app,
        &org,
        json!({"email": "d@example.com", "expires_in_days": 30}),
    )
    .await;
    let state =
        command_service::CommandState::new(store::EventRepository::new(app.db.pool.clone()));
    let now = chrono::Utc::now();
    assert_eq!(
        command_service::sweep_expired_invitations(&state, now)
            .await
            .unwrap(),
        0
    );
    let later = now + chrono::Duration::days(2);
    assert_eq!(
        command_service::sweep_expired_invitations(&state, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        command_service::sweep_expired_invitations(&state, later)
            .await
            .unwrap(),
        0
    );
    let events = app.events_of(short["id"].as_str().unwrap()).await;
    assert_eq!(events.last().unwrap().0, "invitation.expired");
    assert_eq!(events.last().unwrap().4["actor_type"], "system");
    assert_eq!(app.events_of(long["id"].as_str().unwrap()).await.len(), 1);
    let token = short["accept_token"].as_str().unwrap();
    let sent = json!({"user_id": "c", "accept_token": token});
    let body = problem(app.post(&action(&short, "accept"), sent).await, 422).await;
    assert_eq!(fields(&body), ["state"]);
}

#[tokio::test]
async fn bad_invitation_requests_write_nothing() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let path = format!("/v1/organizations/{org}/invitations");
    let inv = invite(&app, &org, json!({"email": "e@example.com"})).await;
    let before = app.event_count().await;
    let cases = [
        (json!({"email": "not-an-email"}), 400, vec!["email"]),
        (json!({}), 400, vec!["email"]),
        (
            json!({"email": "f@example.com", "expires_in_days": 0}),
            400,
            vec!["expires_in_days"],
        ),
        (
            json!({"email": "f@example.com", "expires_in_days": 31}),
            400,
            vec!["expires_in_days"],
        ),
        (
            json!({"email": "f@example.com", "roles": ["ghost"]}),
            422,
            vec!["roles"],
        ),
        (
            json!({"email": "f@example.com", "inviter_user_id": ""}),
            400,
            vec!["inviter_user_id"],
        ),
    ];
    for (input, status, expected) in cases {
        let body = problem(app.post(&path, input.clone()).await, status).await;
        assert_eq!(fields(&body), expected, "for {input}");
    }
    let sent = json!({"user_id": "", "accept_token": ""});
    let body = problem(app.post(&action(&inv, "accept"), sent).await, 400).await;
    assert_eq!(fields(&body), ["user_id", "accept_token"]);
    let sent = json!({});
    problem(
        app.post(
            "/v1/invitations/inv_01JD0000000000000000000000/revoke",
            sent,
        )
        .await,
        404,
    )
    .await;
    let sent = json!({});
    let body = problem(
        app.post("/v1/invitations/om_01JD0000000000000000000000/revoke", sent)
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["id"]);
    let sent = json!({"email": "g@example.com"});
    problem(
        app.post(
            "/v1/organizations/org_01JD0000000000000000000000/invitations",
            sent,
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.event_count().await, before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_invitations_of_one_email_leave_one_pending() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let path = Arc::new(format!("/v1/organizations/{org}/invitations"));
    let barrier = Arc::new(tokio::sync::Barrier::new(20));
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (app, path, barrier) = (app.clone(), path.clone(), barrier.clone());
            let email = if i % 2 == 0 {
                "Race@Example.com"
            } else {
                "race@example.com"
            };
            tokio::spawn(async move {
                barrier.wait().await;
                app.post(&path, json!({"email": email}))
                    .await
                    .status()
                    .as_u16()
            })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 201).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 19);
}
