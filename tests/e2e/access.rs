//! API keys at the edge: a matrix over every `/v1` route the router serves (read back from the
//! route declarations, not kept by hand here): no key, a malformed header, a revoked or expired
//! key → 401; an organization key on another organization's objects → 404 (and on admin-only
//! routes → 403); a read-only key on a command → 403; the right key → success. Key management,
//! actors in events, and revocation across processes.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::support::receiver::Receiver;
use crate::support::{eventually, expect, id, make_key, webhooks, TestApp};

/// A bound on waiting for something that must happen, not a pause.
const WAIT: Duration = Duration::from_secs(60);

/// The objects of one organization that path parameters are filled with.
struct Objects {
    org: String,
    /// The organization's name and external id (a document names it by the latter).
    name: String,
    external_id: String,
    membership: String,
    /// A membership, group and invitations that the success pass consumes (deleted, accepted…).
    spare_membership: String,
    group: String,
    spare_group: String,
    invitation: String,
    invitation_to_accept: (String, String),
    invitation_to_revoke: String,
    endpoint: String,
    delivery: String,
    /// The organization's first event.
    event: String,
    /// A replay job to the organization's endpoint.
    replay: String,
    /// A domain it verified, with the `suggest` policy.
    domain: String,
}

async fn objects(app: &TestApp, name: &str, receiver: &Receiver) -> Objects {
    let external_id = name.to_lowercase();
    let org = id(&app
        .created(
            "/v1/organizations",
            json!({ "name": name, "external_id": external_id }),
        )
        .await);
    let endpoint = id(&app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": receiver.url, "organization_id": org}),
        )
        .await);
    app.created(
        &format!("/v1/organizations/{org}/roles"),
        json!({"slug": "viewer", "name": "Viewer"}),
    )
    .await;
    let member = |user: &str| {
        let path = format!("/v1/organizations/{org}/memberships");
        let body = json!({ "user_id": user });
        async move { id(&app.created(&path, body).await) }
    };
    let membership = member("u1").await;
    let spare_membership = member("u2").await;
    let group = |n: &str| {
        let path = format!("/v1/organizations/{org}/groups");
        let body = json!({ "name": n });
        async move { id(&app.created(&path, body).await) }
    };
    let (group, spare_group) = (group("g1").await, group("g2").await);
    app.created(
        &format!("/v1/groups/{group}/members"),
        json!({ "membership_id": membership }),
    )
    .await;
    let invite = |email: &str| {
        let path = format!("/v1/organizations/{org}/invitations");
        let body = json!({ "email": email });
        async move { app.created(&path, body).await }
    };
    let invitation = id(&invite("a@example.com").await);
    let to_accept = invite("b@example.com").await;
    let invitation_to_accept = (
        id(&to_accept),
        to_accept["accept_token"].as_str().unwrap().to_owned(),
    );
    let invitation_to_revoke = id(&invite("c@example.com").await);
    let domain = format!("{external_id}.example");
    let added = app
        .created(
            &format!("/v1/organizations/{org}/domains"),
            json!({ "domain": domain }),
        )
        .await;
    app.dns.publish(
        added["verification"]["name"].as_str().unwrap(),
        added["verification"]["value"].as_str().unwrap(),
    );
    let res = app
        .post_empty(&format!("/v1/organizations/{org}/domains/{domain}/verify"))
        .await;
    expect(res, 200).await;
    let res = app
        .patch(
            &format!("/v1/organizations/{org}/domains/{domain}"),
            json!({"policy": "suggest"}),
        )
        .await;
    expect(res, 200).await;
    // The dispatcher fans the organization's events out to its endpoint.
    let delivery: String = eventually(WAIT, "a delivery is queued", || async {
        sqlx::query_scalar(
            "SELECT id FROM webhook_deliveries WHERE endpoint_id = $1 ORDER BY id LIMIT 1",
        )
        .bind(&endpoint)
        .fetch_optional(&app.db.pool)
        .await
        .unwrap()
    })
    .await;
    let event: String = sqlx::query_scalar(
        "SELECT metadata->>'event_id' FROM events WHERE organization_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(&org)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    let replay = id(&{
        let res = app
            .post(
                &format!("/v1/webhook-endpoints/{endpoint}/replay"),
                json!({"from_position": 1}),
            )
            .await;
        assert_eq!(res.status(), 202);
        res.json::<Value>().await.unwrap()
    });
    Objects {
        replay,
        event,
        org,
        name: name.to_owned(),
        external_id,
        membership,
        spare_membership,
        group,
        spare_group,
        invitation,
        invitation_to_accept,
        invitation_to_revoke,
        endpoint,
        delivery,
        domain,
    }
}

/// `template` with its parameters filled from `o` (`spare`: the objects a success may consume).
fn fill(template: &str, o: &Objects, key: &str, spare: bool) -> String {
    let kind = template.split('/').nth(2).unwrap_or_default();
    let id = match kind {
        "memberships" if spare => &o.spare_membership,
        "memberships" => &o.membership,
        // The spare group is deleted; members leave the group that has them.
        "groups" if spare && !template.contains("{membership_id}") => &o.spare_group,
        "groups" => &o.group,
        "invitations" if spare && template.ends_with("/accept") => &o.invitation_to_accept.0,
        "invitations" if spare && template.ends_with("/revoke") => &o.invitation_to_revoke,
        "invitations" => &o.invitation,
        "webhook-endpoints" => &o.endpoint,
        "deliveries" => &o.delivery,
        "replays" => &o.replay,
        "api-keys" => key,
        _ => "",
    };
    let path = template
        .replace("{org_id}", &o.org)
        .replace("{id}", id)
        .replace(
            "{slug}",
            if kind == "role-templates" {
                "reviewer"
            } else {
                "viewer"
            },
        )
        .replace("{membership_id}", &o.membership)
        .replace("{event_id}", &o.event)
        .replace("{user_id}", "u1")
        .replace("{domain}", &o.domain);
    // The one route with a required query parameter.
    if template.ends_with("/claims") {
        return format!("{path}?user_id=u1");
    }
    path
}

/// A request that succeeds on each command route with the right key (the test fails for a route
/// without one: a new route gets its sample here).
fn sample_body(method: &Method, template: &str, o: &Objects) -> Option<Value> {
    if *method == Method::GET || *method == Method::DELETE {
        return Some(Value::Null);
    }
    Some(match (method.as_str(), template) {
        ("POST", "/v1/organizations") => json!({"name": "Fresh"}),
        ("PATCH", "/v1/organizations/{org_id}") => json!({"description": "patched"}),
        ("POST", "/v1/organizations/{org_id}/roles") => {
            json!({"slug": "auditor", "name": "Auditor"})
        }
        ("PATCH", "/v1/organizations/{org_id}/roles/{slug}") => json!({"name": "Viewer 2"}),
        ("POST", "/v1/organizations/{org_id}/memberships") => json!({"user_id": "u9"}),
        ("POST", "/v1/organizations/{org_id}/memberships/bulk") => {
            json!({"items": [{"user_id": "u10"}]})
        }
        ("POST", "/v1/organizations/{org_id}/memberships/roles") => {
            json!({"membership_ids": [o.membership], "add": ["member"]})
        }
        ("PATCH", "/v1/memberships/{id}") => json!({"attributes": {"team": "x"}}),
        ("POST", "/v1/memberships/{id}/deactivate") => Value::Null,
        ("POST", "/v1/memberships/{id}/reactivate") => Value::Null,
        ("POST", "/v1/organizations/{org_id}/groups") => json!({"name": "g9"}),
        ("PATCH", "/v1/groups/{id}") => json!({"description": "patched"}),
        ("POST", "/v1/groups/{id}/members") => json!({"membership_id": o.membership}),
        ("PUT", "/v1/groups/{id}/roles") => json!({"roles": ["member"]}),
        ("POST", "/v1/organizations/{org_id}/domains") => {
            json!({"domain": format!("new.{}", o.domain)})
        }
        ("PATCH", "/v1/organizations/{org_id}/domains/{domain}") => json!({"policy": "auto_join"}),
        ("POST", "/v1/organizations/{org_id}/domains/{domain}/verify") => Value::Null,
        ("POST", "/v1/organizations/{org_id}/invitations") => json!({"email": "z@example.com"}),
        ("POST", "/v1/invitations/{id}/resend") => Value::Null,
        ("POST", "/v1/invitations/{id}/revoke") => Value::Null,
        ("POST", "/v1/invitations/{id}/accept") => {
            json!({"user_id": "u20", "accept_token": o.invitation_to_accept.1})
        }
        ("POST", "/v1/webhook-endpoints") => {
            json!({"url": "http://127.0.0.1:9/other", "organization_id": o.org})
        }
        ("PATCH", "/v1/webhook-endpoints/{id}") => json!({"description": "patched"}),
        ("POST", "/v1/webhook-endpoints/{id}/rotate-secret") => Value::Null,
        ("POST", "/v1/webhook-endpoints/{id}/enable") => Value::Null,
        ("POST", "/v1/webhook-endpoints/{id}/disable") => Value::Null,
        ("POST", "/v1/webhook-endpoints/{id}/recover") => json!({"since": "2026-01-01T00:00:00Z"}),
        ("POST", "/v1/webhook-endpoints/{id}/replay") => json!({"from_position": 1}),
        ("POST", "/v1/deliveries/{id}/retry") => Value::Null,
        ("POST", "/v1/api-keys") => json!({"name": "made in the matrix"}),
        ("POST", "/v1/role-templates") => json!({"slug": "matrix", "name": "Matrix"}),
        ("PATCH", "/v1/role-templates/{slug}") => json!({"name": "Reviewer 2"}),
        ("POST", "/v1/apply") => json!({"organizations": [
            {"external_id": o.external_id, "name": o.name, "members": [{"user_id": "u30"}]}
        ]}),
        _ => return None,
    })
}

async fn send(
    app: &TestApp,
    method: &Method,
    path: &str,
    authorization: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut req = reqwest::Client::new().request(method.clone(), app.url(path));
    if let Some(a) = authorization {
        req = req.header("authorization", a);
    }
    if !body.is_null() {
        req = req.json(body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    if status == 401 {
        assert_eq!(
            res.headers().get("www-authenticate").unwrap(),
            "Bearer realm=\"roster\""
        );
    }
    let is_problem = res
        .headers()
        .get("content-type")
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    let value = res.json().await.unwrap_or(Value::Null);
    if status >= 400 {
        assert!(
            is_problem,
            "{method} {path}: {status} is not a problem: {value}"
        );
    }
    (status, value)
}

/// Routes only an admin key may take (an organization key gets a 403).
fn admin_only(method: &Method, template: &str) -> bool {
    template.starts_with("/v1/api-keys")
        || (*method == Method::POST && template == "/v1/organizations")
        || (*method != Method::GET && template.starts_with("/v1/role-templates"))
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn every_route_needs_the_right_key() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    tokio::spawn(projector::Projector::new(app.db.pool.clone()).run());
    let receiver = Receiver::start().await;
    let a = objects(&app, "Acme", &receiver).await;
    let b = objects(&app, "Globex", &receiver).await;
    // The organization template's role the `/v1/role-templates/{slug}` routes name.
    app.created(
        "/v1/role-templates",
        json!({"slug": "reviewer", "name": "Reviewer"}),
    )
    .await;
    let pool = &app.db.pool;
    let org_key = make_key(pool, Some(&a.org), false).await;
    let read_only = make_key(pool, None, true).await;
    let revoked = make_key(pool, None, false).await;
    let expired = make_key(pool, None, false).await;
    let spare_key = make_key(pool, None, false).await;
    let key_id = |secret: &str| {
        let secret = secret.to_owned();
        async move {
            let hash = access::secret::hash(&secret);
            sqlx::query_scalar::<_, String>("SELECT id FROM api_keys WHERE secret_sha256 = $1")
                .bind(hash.as_slice())
                .fetch_one(pool)
                .await
                .unwrap()
        }
    };
    let res = app
        .delete(&format!("/v1/api-keys/{}", key_id(&revoked).await))
        .await;
    assert_eq!(res.status(), 200);
    sqlx::query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1")
        .bind(key_id(&expired).await)
        .execute(pool)
        .await
        .unwrap();
    let spare_key_id = key_id(&spare_key).await;

    let routes: Vec<(Method, &str)> = roster::app::route_table()
        .into_iter()
        .filter(|(_, path)| path.starts_with("/v1/"))
        .map(|(m, path)| (Method::from_bytes(m.as_str().as_bytes()).unwrap(), path))
        .collect();
    assert!(routes.len() >= 40, "{} routes", routes.len());
    let overlong = format!("Bearer {}", "x".repeat(10_000));
    let malformed = [
        "Bearer".to_owned(),
        "Basic dXNlcjpwYXNz".to_owned(),
        "Bearer rk_live_short".to_owned(),
        format!("Bearer {}x", app.admin_key),
        format!("Bearer {}", &app.admin_key[..app.admin_key.len() - 1]),
        format!("Bearer  {}", app.admin_key),
        format!("Token {}", app.admin_key),
        overlong,
    ];
    let mut checked = HashMap::new();
    for (method, template) in &routes {
        let path = fill(template, &a, &spare_key_id, false);
        let body = sample_body(method, template, &a)
            .unwrap_or_else(|| panic!("no sample request for {method} {template}: add one"));
        let label = format!("{method} {template}");
        // No key, a malformed one, a revoked one, an expired one: 401, and nothing runs.
        assert_eq!(
            send(&app, method, &path, None, &body).await.0,
            401,
            "{label}: no key"
        );
        for header in &malformed {
            let shown = &header[..header.len().min(30)];
            assert_eq!(
                send(&app, method, &path, Some(header), &body).await.0,
                401,
                "{label}: {shown}"
            );
        }
        for (what, key) in [("revoked", &revoked), ("expired", &expired)] {
            assert_eq!(
                send(&app, method, &path, Some(&bearer(key)), &body).await.0,
                401,
                "{label}: {what} key"
            );
        }
        // A read-only key may not run a command.
        if *method != Method::GET {
            assert_eq!(
                send(&app, method, &path, Some(&bearer(&read_only)), &body)
                    .await
                    .0,
                403,
                "{label}: read-only key"
            );
        }
        // An organization key, on the other organization's objects.
        let admin_only = admin_only(method, template);
        let of_b = fill(template, &b, &spare_key_id, false);
        let body_of_b = sample_body(method, template, &b).unwrap();
        let (status, answer) = send(&app, method, &of_b, Some(&bearer(&org_key)), &body_of_b).await;
        let expected = if admin_only {
            403
        } else if template.contains("{org_id}")
            || template.contains("{id}")
            || template.contains("{event_id}")
            // The body names the other organization.
            || (*template == "/v1/webhook-endpoints" && *method == Method::POST)
            || *template == "/v1/apply"
        {
            404
        } else {
            200 // a list: filtered to what the key reaches
        };
        assert_eq!(
            status, expected,
            "{label}: organization key on the other organization: {answer}"
        );
        let shown = answer.to_string();
        for other in [&b.org, &b.membership, &b.group, &b.invitation, &b.endpoint] {
            // Echoing what the caller sent tells it nothing; anything else of B would.
            if !of_b.contains(other.as_str()) && !body_of_b.to_string().contains(other.as_str()) {
                assert!(
                    !shown.contains(other.as_str()),
                    "{label} leaks {other}: {shown}"
                );
            }
        }
        checked.insert(label, status);
    }
    // The group add names another organization's membership in its body: 404 too.
    let (status, _) = send(
        &app,
        &Method::POST,
        &format!("/v1/groups/{}/members", a.group),
        Some(&bearer(&org_key)),
        &json!({"membership_id": b.membership}),
    )
    .await;
    assert_eq!(status, 404, "another organization's membership in a body");

    // Reads see every fixture.
    let head = app.head().await;
    let mut projected = store::checkpoints::watch(
        app.db.pool.clone(),
        projector::CONSUMER,
        Duration::from_millis(20),
    );
    tokio::time::timeout(Duration::from_secs(30), projected.wait_for(|p| *p >= head))
        .await
        .unwrap()
        .unwrap();

    // The right key succeeds everywhere: the organization key on its own organization, an admin
    // key where only an admin may go. Destructive routes go last.
    let mut ordered = routes.clone();
    ordered.sort_by_key(|(m, t)| (*m == Method::DELETE, *t == "/v1/organizations/{org_id}"));
    for (method, template) in &ordered {
        let admin_only = admin_only(method, template);
        let key = if admin_only { &app.admin_key } else { &org_key };
        let path = fill(template, &a, &spare_key_id, true);
        let body = sample_body(method, template, &a).unwrap();
        let (status, answer) = send(&app, method, &path, Some(&bearer(key)), &body).await;
        assert!(
            (200..300).contains(&status),
            "{method} {template} with the right key: {status} {answer}"
        );
    }
    assert_eq!(checked.len(), routes.len());

    // Lists an organization key gets are filtered to its organization.
    let client = app.client_with(Some(&org_key));
    let listed: Value = client
        .get(app.url("/v1/organizations"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [a.org.as_str()]);
}

#[tokio::test]
async fn keys_are_made_shown_once_listed_and_revoked_by_admin_keys_only() {
    let app = TestApp::with_projector().await;
    let acme = app
        .created("/v1/organizations", json!({"name": "Acme"}))
        .await;
    let (org, at) = (id(&acme), acme["position"].as_i64().unwrap());
    let res = app
        .client
        .post(app.url("/v1/api-keys"))
        .header("idempotency-key", "make-billing-key")
        .json(&json!({"name": "billing", "organization_id": org, "read_only": true}))
        .send()
        .await
        .unwrap();
    let made = expect(res, 201).await;
    let secret = made["secret"].as_str().unwrap().to_owned();
    let key_id = id(&made);
    assert!(
        secret.starts_with("rk_live_") && secret.len() == 51,
        "{secret}"
    );
    assert!(key_id.starts_with("key_"));
    assert_eq!(made["organization_id"], org.as_str());
    assert_eq!(made["read_only"], true);
    assert_eq!(made["prefix"], &secret[..12]);
    // A retry replays the answer without the secret: it is shown once.
    let replayed: Value = app
        .client
        .post(app.url("/v1/api-keys"))
        .header("idempotency-key", "make-billing-key")
        .json(&json!({"name": "billing", "organization_id": org, "read_only": true}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(replayed["id"], key_id.as_str());
    assert!(replayed.get("secret").is_none(), "{replayed}");

    // Listed and read back, never with the secret; nor is it or its hash anywhere in the log.
    let (status, listed) = app.get("/v1/api-keys").await;
    assert_eq!(status, 200);
    assert!(listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|k| k["id"] == key_id.as_str()));
    let (_, one) = app.get(&format!("/v1/api-keys/{key_id}")).await;
    assert_eq!(one["name"], "billing");
    let hash: String = access::secret::hash(&secret)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let log: Vec<String> = sqlx::query_scalar("SELECT payload::text || metadata::text FROM events")
        .fetch_all(&app.db.pool)
        .await
        .unwrap();
    assert!(log
        .iter()
        .all(|e| !e.contains(&secret) && !e.contains(&hash)));
    assert!(!listed.to_string().contains(&secret) && !one.to_string().contains(&secret));

    // The new key reads its organization, may not write, and may not manage keys.
    let billing = app.client_with(Some(&secret));
    let res = billing
        .get(app.url(&format!("/v1/organizations/{org}/roles?min_position={at}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = billing
        .post(app.url(&format!("/v1/organizations/{org}/groups")))
        .json(&json!({"name": "g"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let writer = make_key(&app.db.pool, Some(&org), false).await;
    let writer = app.client_with(Some(&writer));
    for (method, path) in [
        (Method::GET, "/v1/api-keys".to_owned()),
        (Method::POST, "/v1/api-keys".to_owned()),
        (Method::DELETE, format!("/v1/api-keys/{key_id}")),
    ] {
        let res = writer
            .request(method.clone(), app.url(&path))
            .json(&json!({"name": "escalate"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method} {path}");
    }

    // Bad input names the field: malformed is a 400, well-formed but unacceptable a 422.
    for (body, status, field) in [
        (
            json!({"name": "x", "organization_id": "acme"}),
            400,
            "organization_id",
        ),
        (
            json!({"name": "x", "expires_at": "tomorrow"}),
            400,
            "expires_at",
        ),
        (json!({"name": "x", "scopes": []}), 400, "scopes"),
        (json!({"name": ""}), 422, "name"),
        (
            json!({"name": "x", "organization_id": "org_01JD0000000000000000000000"}),
            422,
            "organization_id",
        ),
        (
            json!({"name": "x", "expires_at": "2001-01-01T00:00:00Z"}),
            422,
            "expires_at",
        ),
    ] {
        let p = crate::support::problem(app.post("/v1/api-keys", body.clone()).await, status).await;
        assert_eq!(crate::support::fields(&p), [field], "{body}");
    }

    // Revoked: refused from the answer on; revoking again changes nothing.
    let res = app.delete(&format!("/v1/api-keys/{key_id}")).await;
    let revoked = expect(res, 200).await;
    assert!(revoked["revoked_at"].is_string());
    eventually(WAIT, "the revoked key is refused", || async {
        let res = billing.get(app.url("/v1/organizations")).send().await;
        (res.unwrap().status() == 401).then_some(())
    })
    .await;
    assert_eq!(
        app.delete(&format!("/v1/api-keys/{key_id}")).await.status(),
        200
    );
    let events: Vec<(String, Value)> = sqlx::query_as(
        "SELECT event_type, metadata FROM events WHERE aggregate_id = $1 ORDER BY sequence",
    )
    .bind(&key_id)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    let types: Vec<&str> = events.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(types, ["api_key.created", "api_key.revoked"]);
}

/// Every event carries the key that caused it; the process manager's are `system`.
#[tokio::test]
async fn events_name_the_key_that_caused_them() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let secret = make_key(&app.db.pool, Some(&org), false).await;
    let key_id: String = sqlx::query_scalar("SELECT id FROM api_keys WHERE secret_sha256 = $1")
        .bind(access::secret::hash(&secret).as_slice())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    let res = app
        .client_with(Some(&secret))
        .post(app.url(&format!("/v1/organizations/{org}/memberships")))
        .json(&json!({"user_id": "u1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let membership = id(&res.json().await.unwrap());
    let (_, _, _, _, metadata) = app.events_of(&membership).await.remove(0);
    assert_eq!(metadata["actor_type"], "api_key");
    assert_eq!(metadata["actor_id"], key_id.as_str());
    // Through the feed (once visible: it waits for every older transaction of the cluster).
    let feed = store::Feed::new(app.db.pool.clone());
    let envelope = eventually(WAIT, "the event becomes visible", || async {
        let events = feed.read_range(0, app.head().await).await.unwrap();
        events
            .iter()
            .find(|e| e.event_type == "membership.created")
            .map(|e| e.envelope())
    })
    .await;
    assert_eq!(envelope.actor.kind, "api_key");
    assert_eq!(envelope.actor.id.as_deref(), Some(key_id.as_str()));

    app.delete_and_wait(&format!("/v1/organizations/{org}"))
        .await;
    let (_, _, _, _, metadata) = app.events_of(&membership).await.pop().unwrap();
    assert_eq!(
        metadata["actor_type"], "system",
        "the process manager deleted it"
    );
}

/// A key cache (an hour's TTL) listening for changes, holding a key that was then revoked
/// behind the notification's back: the cache still answers for it (it did not ask again).
async fn cached_then_revoked_silently(app: &TestApp) -> (Arc<access::Keys>, String) {
    // Made before the cache listens: its own change notification must not be what empties it.
    let secret = make_key(&app.db.pool, None, false).await;
    let keys = access::Keys::new(app.db.pool.clone(), Duration::from_secs(3600));
    tokio::spawn(keys.clone().listen());
    eventually(WAIT, "the key listener connects", || async {
        assert!(keys.authenticate(&secret).await.is_ok());
        keys.is_listening().then_some(())
    })
    .await;
    // Looked up once the listener is up (connecting, it emptied the cache), so remembered.
    keys.authenticate(&secret).await.unwrap();
    sqlx::query("ALTER TABLE api_keys DISABLE TRIGGER api_keys_changed")
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("UPDATE api_keys SET revoked_at = now()")
        .execute(&app.db.pool)
        .await
        .unwrap();
    assert!(
        keys.authenticate(&secret).await.is_ok(),
        "served from memory"
    );
    (keys, secret)
}

/// A key is looked up once and then served from memory (no database round trip per request); a
/// change to it empties every process's cache at once.
#[tokio::test]
async fn keys_are_cached_and_a_change_empties_the_cache() {
    let app = TestApp::spawn().await;
    let (keys, secret) = cached_then_revoked_silently(&app).await;
    // The notification every key change sends empties it.
    sqlx::query("ALTER TABLE api_keys ENABLE TRIGGER api_keys_changed")
        .execute(&app.db.pool)
        .await
        .unwrap();
    sqlx::query("SELECT pg_notify($1, 'test')")
        .bind(access::keys::CHANNEL)
        .execute(&app.db.pool)
        .await
        .unwrap();
    // The cache lives an hour: only the notification can empty it within the bound.
    eventually(WAIT, "the notification empties the cache", || async {
        keys.authenticate(&secret).await.is_err().then_some(())
    })
    .await;
}

/// The listening connection is lost (the server restarted, a proxy cut it): what changed
/// meanwhile was announced to nobody, so the cache is emptied when the loss is noticed, not when
/// its hour-long TTL runs out.
#[tokio::test]
async fn a_lost_key_listener_empties_the_cache() {
    let app = TestApp::spawn().await;
    // Revoked without an announcement, as if it came while nobody listened.
    let (keys, secret) = cached_then_revoked_silently(&app).await;
    let cut: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'LISTEN%') t",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert!(cut >= 1, "the listener's connection was found");
    eventually(WAIT, "the lost listener empties the cache", || async {
        keys.authenticate(&secret).await.is_err().then_some(())
    })
    .await;
}

/// Revocation through one process takes effect in another at once (its cache is emptied by the
/// notification, not by a TTL: the TTL here is an hour).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_revoked_through_one_process_is_refused_by_another() {
    let app = TestApp::spawn().await;
    let secret = make_key(&app.db.pool, None, false).await;
    let mut other = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--only", "query", "--key-cache-ttl", "1h"])
        .env("DATABASE_URL", &app.db.url)
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = crate::support::listening_url(other.stderr.take().unwrap());
    let client = app.client_with(Some(&secret));
    let get = || client.get(format!("{base}/v1/organizations")).send();
    eventually(WAIT, "the other process serves the key", || async {
        (get().await.map(|r| r.status().as_u16()).unwrap_or(0) == 200).then_some(())
    })
    .await;
    // Cached there now; revoked here.
    let key_id: String = sqlx::query_scalar("SELECT id FROM api_keys WHERE secret_sha256 = $1")
        .bind(access::secret::hash(&secret).as_slice())
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(
        app.delete(&format!("/v1/api-keys/{key_id}")).await.status(),
        200
    );
    // Its cache keeps a key an hour: refused within the bound means the notification did it.
    eventually(
        WAIT,
        "the other process refuses the revoked key",
        || async { (get().await.unwrap().status() == 401).then_some(()) },
    )
    .await;
    let _ = other.kill();
    let _ = other.wait();
}

/// Each key has its own bucket: a key past its burst gets 429 with `Retry-After` (and every
/// answer says what is left); another key is unaffected; the bucket refills at the rate.
#[tokio::test]
async fn a_key_past_its_rate_limit_waits() {
    use std::num::NonZeroU32;
    let rate = access::limit::Rate {
        per_second: NonZeroU32::new(2).unwrap(),
        burst: NonZeroU32::new(5).unwrap(),
    };
    let app = TestApp::serving(
        roster_testkit::fresh_db().await,
        crate::support::AppParts {
            rate_limit: Some(rate),
            commands: true,
            queries: None,
            webhooks: None,
            domains: None,
            prepared: None,
        },
    )
    .await;
    let create = |client: reqwest::Client, n: usize| {
        let url = app.url("/v1/organizations");
        async move {
            client
                .post(url)
                .json(&json!({ "name": format!("Org {n}") }))
                .send()
                .await
                .unwrap()
        }
    };
    let header = |res: &reqwest::Response, name: &str| -> u64 {
        res.headers()[name].to_str().unwrap().parse().unwrap()
    };
    // Past its burst of 5 a key is refused. The bucket refills at 2 per second meanwhile, so on
    // a slow machine a few more may pass: what each answer says must match what was let through.
    let started = Instant::now();
    let mut accepted = 0u64;
    let refused = loop {
        let res = create(app.client.clone(), accepted as usize).await;
        if res.status() == 429 {
            break res;
        }
        assert_eq!(res.status(), 201);
        assert_eq!(header(&res, "ratelimit-limit"), 5);
        accepted += 1;
        let refilled = (started.elapsed().as_secs_f64() * 2.0).ceil() as u64;
        let remaining = header(&res, "ratelimit-remaining");
        assert!(
            accepted <= 5 + refilled && (5..=5 + refilled).contains(&(accepted + remaining)),
            "{accepted} accepted, {remaining} remaining, {refilled} refilled"
        );
    };
    assert!(accepted >= 5, "refused within the burst");
    let retry_after = header(&refused, "retry-after");
    assert!((1..=1).contains(&retry_after), "{retry_after}");
    assert_eq!(header(&refused, "ratelimit-remaining"), 0);
    let p = crate::support::problem(refused, 429).await;
    assert_eq!(p["type"], "https://roster.dev/problems/rate-limited");
    assert_eq!(
        app.event_count().await,
        accepted as i64,
        "one organization.created each: the refused request wrote nothing"
    );

    // Another key has a bucket of its own.
    let other = make_key(&app.db.pool, None, false).await;
    assert_eq!(create(app.client_with(Some(&other)), 6).await.status(), 201);

    // The first key's bucket refills at 2 per second.
    eventually(WAIT, "the bucket refills", || async {
        let res = create(app.client.clone(), 1000).await;
        assert!([201, 429].contains(&res.status().as_u16()));
        (res.status() == 201).then_some(())
    })
    .await;
}

#[tokio::test]
async fn keys_are_listed_by_organization() {
    let app = TestApp::spawn().await;
    let (a, b) = (app.named("A").await, app.named("B").await);
    for org in [&a, &a, &b] {
        let made = app
            .post("/v1/api-keys", json!({"name": "k", "organization_id": org}))
            .await;
        expect(made, 201).await;
    }
    let (status, of_a) = app.get(&format!("/v1/api-keys?organization_id={a}")).await;
    assert_eq!(status, 200, "{of_a}");
    let orgs: Vec<&str> = (of_a["data"].as_array().unwrap().iter())
        .map(|k| k["organization_id"].as_str().unwrap())
        .collect();
    assert_eq!(orgs, [a.as_str(), a.as_str()]);
    let (status, bad) = app.get("/v1/api-keys?organization_id=nope").await;
    assert_eq!(status, 400, "{bad}");
}
