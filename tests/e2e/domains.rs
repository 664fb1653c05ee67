//! Verified domains and auto-join, against a real DNS server on loopback (`support::dns`): a
//! domain is verified by its TXT record and by one organization at a time (also when they race),
//! the background check backs off and expires, names are normalised and public suffixes and
//! free-mail domains refused, hostile answers (silence, huge answers) do not stall a check, and
//! an email under a verified `auto_join` domain joins without an invitation.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use command_service::app::domains::{check_pending, Checked, Schedule};
use serde_json::{json, Value};

use crate::support::{domain_settings, eventually, expect, fields, problem, TestApp};

async fn add(app: &TestApp, org: &str, domain: &str) -> Value {
    expect(
        app.post(
            &format!("/v1/organizations/{org}/domains"),
            json!({ "domain": domain }),
        )
        .await,
        201,
    )
    .await
}

async fn verify(app: &TestApp, org: &str, domain: &str) -> reqwest::Response {
    app.post_empty(&format!("/v1/organizations/{org}/domains/{domain}/verify"))
        .await
}

/// Publishes the domain's own record (as the organization's admin would).
fn publish(app: &TestApp, added: &Value) {
    app.dns.publish(
        added["verification"]["name"].as_str().unwrap(),
        added["verification"]["value"].as_str().unwrap(),
    );
}

fn problem_type(body: &Value) -> &str {
    body["type"].as_str().unwrap().rsplit('/').next().unwrap()
}

#[tokio::test]
async fn a_domain_is_verified_by_its_txt_record_and_by_one_organization_at_a_time() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let added = add(&app, &org, " Acme.COM. ").await;
    assert_eq!(added["object"], "organization_domain");
    assert_eq!(added["domain"], "acme.com");
    assert_eq!(added["state"], "pending");
    assert_eq!(added["policy"], "off");
    assert_eq!(added["default_roles"], json!(["member"]));
    assert_eq!(added["verified_at"], Value::Null);
    let record = added["verification"]["name"].as_str().unwrap().to_owned();
    assert_eq!(record, "_roster-challenge.acme.com");
    let value = added["verification"]["value"].as_str().unwrap().to_owned();
    assert!(value.starts_with("roster-verification=") && value.len() > 40);
    let window = chrono::DateTime::parse_from_rfc3339(added["expires_at"].as_str().unwrap())
        .unwrap()
        - chrono::DateTime::parse_from_rfc3339(added["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(window, chrono::TimeDelta::days(7));

    // Nothing published yet, then a record with another value: not verified, and said why.
    let body = problem(verify(&app, &org, "acme.com").await, 422).await;
    assert_eq!(problem_type(&body), "domain-not-verified");
    assert_eq!(fields(&body), ["domain"]);
    assert!(
        body["detail"].as_str().unwrap().contains("no TXT record"),
        "{body}"
    );
    app.dns.publish(&record, "roster-verification=someone-else");
    let body = problem(verify(&app, &org, "acme.com").await, 422).await;
    assert!(
        body["detail"].as_str().unwrap().contains("1 TXT record(s)"),
        "{body}"
    );
    assert_eq!(app.dns.asked(&record), 2, "each check asks the DNS server");

    app.dns.publish(&record, &value);
    let verified = expect(verify(&app, &org, "ACME.com").await, 200).await;
    assert_eq!(verified["state"], "verified");
    assert!(verified["verified_at"].is_string());
    // Again: already verified, nothing written, same answer.
    let again = expect(verify(&app, &org, "acme.com").await, 200).await;
    assert_eq!(again["position"], verified["position"]);

    let position = verified["position"].as_i64().unwrap();
    let list = app
        .read(&format!("/v1/organizations/{org}/domains"), position)
        .await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["data"][0]["state"], "verified");
    let one = app
        .read(
            &format!("/v1/organizations/{org}/domains/acme.com"),
            position,
        )
        .await;
    assert_eq!(one["verification"]["value"], value.as_str());

    // Another organization may add it, but not verify it while the first holds it.
    let other = app.named("Other").await;
    let theirs = add(&app, &other, "acme.com").await;
    publish(&app, &theirs);
    let body = problem(verify(&app, &other, "acme.com").await, 409).await;
    assert_eq!(problem_type(&body), "domain-verified-elsewhere");
    assert_eq!(fields(&body), ["domain"]);
    // Removed by the first, it is free.
    expect(
        app.delete(&format!("/v1/organizations/{org}/domains/acme.com"))
            .await,
        200,
    )
    .await;
    expect(verify(&app, &other, "acme.com").await, 200).await;

    let types: Vec<String> = app
        .events_of(&org)
        .await
        .into_iter()
        .map(|e| e.0)
        .filter(|t| t.starts_with("organization_domain."))
        .collect();
    assert_eq!(
        types,
        [
            "organization_domain.added",
            "organization_domain.verified",
            "organization_domain.removed"
        ]
    );
    // Unknown domains and other organizations' are 404s.
    problem(verify(&app, &org, "nope.example").await, 404).await;
    let key = crate::support::make_key(&app.db.pool, Some(&org), false).await;
    let scoped = app.client_with(Some(&key));
    let res = scoped
        .post(app.url(&format!(
            "/v1/organizations/{other}/domains/acme.com/verify"
        )))
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn organizations_racing_to_verify_one_domain_leave_exactly_one_owner() {
    let app = Arc::new(TestApp::spawn().await);
    let mut orgs = Vec::new();
    for i in 0..8 {
        let org = app.named(&format!("Racer {i}")).await;
        let added = add(&app, &org, "contested.example").await;
        publish(&app, &added);
        orgs.push(org);
    }
    let barrier = Arc::new(tokio::sync::Barrier::new(orgs.len()));
    let tasks: Vec<_> = orgs
        .iter()
        .cloned()
        .map(|org| {
            let (app, barrier) = (app.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                let res = verify(&app, &org, "contested.example").await;
                (res.status().as_u16(), org)
            })
        })
        .collect();
    let mut winners = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            (200, org) => winners.push(org),
            (409, _) => {}
            (status, org) => panic!("{org}: unexpected {status}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let owners: Vec<String> = sqlx::query_scalar(
        "SELECT aggregate_id FROM claims WHERE key = 'domain/contested.example/verified'",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(owners, winners);
    let verified: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'organization_domain.verified'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(verified, 1);
}

#[tokio::test]
async fn domain_names_are_normalised_and_suffixes_free_mail_and_garbage_refused() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    assert_eq!(
        add(&app, &org, "Bücher.DE.").await["domain"],
        "xn--bcher-kva.de"
    );
    assert_eq!(
        add(&app, &org, "eng.acme.co.uk").await["domain"],
        "eng.acme.co.uk"
    );
    let path = format!("/v1/organizations/{org}/domains");
    for bad in [
        "com",
        "co.uk",
        "localhost",
        "1.2.3.4",
        "a..b.com",
        "-x.example.com",
        "acme com",
        "",
        "acme.com/x",
        &format!("{}.com", "a".repeat(64)),
        &"a.".repeat(200),
    ] {
        let body = problem(app.post(&path, json!({ "domain": bad })).await, 400).await;
        assert_eq!(fields(&body), ["domain"], "{bad:?}: {body}");
    }
    let body = problem(app.post(&path, json!({ "domain": "co.uk" })).await, 400).await;
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("public suffix"));
    for free in ["gmail.com", "GMAIL.com.", "outlook.com"] {
        let body = problem(app.post(&path, json!({ "domain": free })).await, 422).await;
        assert_eq!(problem_type(&body), "free-mail-domain");
        assert_eq!(fields(&body), ["domain"]);
    }
    let body = problem(app.post(&path, json!({ "domain": "BÜCHER.de" })).await, 409).await;
    assert_eq!(fields(&body), ["domain"]);
    // Nothing of the refused ones was written.
    let added: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE event_type = 'organization_domain.added'",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(added, 2);
}

#[tokio::test]
async fn the_background_check_backs_off_verifies_and_expires_after_seven_days() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let soon = add(&app, &org, "soon.example").await;
    let never = add(&app, &org, "never.example").await;
    let (soon_name, never_name) = (
        soon["verification"]["name"].as_str().unwrap(),
        never["verification"]["name"].as_str().unwrap(),
    );
    let state = command_service::CommandState::with_domains(
        store::EventRepository::new(app.db.pool.clone()),
        domain_settings(&app.dns),
    );
    let mut schedule = Schedule::default();
    let t0 = Utc::now();
    let at = |secs: i64| t0 + chrono::TimeDelta::seconds(secs);
    let pending = |n| Checked {
        still_pending: n,
        ..Checked::default()
    };
    // Checked at once, then after 1 minute, then 2 more, 4 more …
    assert_eq!(
        check_pending(&state, &mut schedule, at(0)).await.unwrap(),
        pending(2)
    );
    assert_eq!(
        (app.dns.asked(soon_name), app.dns.asked(never_name)),
        (1, 1)
    );
    check_pending(&state, &mut schedule, at(30)).await.unwrap();
    assert_eq!(app.dns.asked(soon_name), 1, "not due before its back-off");
    check_pending(&state, &mut schedule, at(61)).await.unwrap();
    assert_eq!(app.dns.asked(soon_name), 2);
    check_pending(&state, &mut schedule, at(150)).await.unwrap();
    assert_eq!(
        app.dns.asked(soon_name),
        2,
        "the second retry waits twice as long"
    );
    check_pending(&state, &mut schedule, at(182)).await.unwrap();
    assert_eq!(app.dns.asked(soon_name), 3);

    publish(&app, &soon);
    let done = check_pending(&state, &mut schedule, at(3600))
        .await
        .unwrap();
    assert_eq!(
        done,
        Checked {
            verified: 1,
            expired: 0,
            still_pending: 1
        }
    );

    // Past its window, the other expires (a pass before it does not).
    let created = chrono::DateTime::parse_from_rfc3339(never["created_at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc);
    let before = created + chrono::TimeDelta::days(7) - chrono::TimeDelta::seconds(1);
    let done = check_pending(&state, &mut schedule, before).await.unwrap();
    assert_eq!(done.expired, 0);
    let after = created + chrono::TimeDelta::days(7);
    let done = check_pending(&state, &mut schedule, after).await.unwrap();
    assert_eq!(
        done,
        Checked {
            verified: 0,
            expired: 1,
            still_pending: 0
        }
    );
    let pending_claims: i64 =
        sqlx::query_scalar("SELECT count(*) FROM claims WHERE key LIKE 'domain\\_pending/%'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(pending_claims, 0);
    let asked = app.dns.asked(never_name);
    assert_eq!(
        check_pending(&state, &mut schedule, after).await.unwrap(),
        Checked::default()
    );
    assert_eq!(
        app.dns.asked(never_name),
        asked,
        "expired domains are not checked"
    );
    // An expired domain whose record turns up is still verified by a check now.
    publish(&app, &never);
    let body = expect(verify(&app, &org, "never.example").await, 200).await;
    assert_eq!(body["state"], "verified");

    // The running check (as `roster serve` runs it) verifies a domain once its record is up.
    let later = add(&app, &org, "later.example").await;
    let mut settings = domain_settings(&app.dns);
    settings.first_retry = Duration::from_millis(50);
    settings.max_retry = Duration::from_millis(200);
    let state = command_service::CommandState::with_domains(
        store::EventRepository::new(app.db.pool.clone()),
        settings,
    );
    tokio::spawn(roster::domains::check_pending(
        state,
        Duration::from_millis(50),
    ));
    let name = later["verification"]["name"].as_str().unwrap().to_owned();
    eventually(Duration::from_secs(20), "the first look-up", || async {
        (app.dns.asked(&name) > 0).then_some(())
    })
    .await;
    publish(&app, &later);
    eventually(Duration::from_secs(20), "the domain verified", || async {
        let events = app.events_of(&org).await;
        events
            .iter()
            .any(|e| {
                e.0 == "organization_domain.verified" && e.3["data"]["domain"] == "later.example"
            })
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn a_silent_server_or_a_huge_answer_does_not_stall_a_check() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let big = add(&app, &org, "big.example").await;
    let name = big["verification"]["name"].as_str().unwrap();
    // Hundreds of long records (over TCP: too big for a datagram), the token among them.
    publish(&app, &big);
    for i in 0..200 {
        app.dns
            .publish(name, &format!("{i:03}-{}", "x".repeat(200)));
    }
    expect(verify(&app, &org, "big.example").await, 200).await;

    let quiet = add(&app, &org, "quiet.example").await;
    publish(&app, &quiet);
    app.dns.silence();
    let started = Instant::now();
    let body = problem(verify(&app, &org, "quiet.example").await, 422).await;
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(fields(&body), ["domain"]);
    assert!(
        body["detail"].as_str().unwrap().contains("did not answer"),
        "{body}"
    );
}

#[tokio::test]
async fn an_email_under_a_verified_auto_join_domain_joins_with_its_default_roles() {
    let app = TestApp::with_projector().await;
    let org = app
        .created(
            "/v1/organizations",
            json!({"name": "Acme", "max_members": 2}),
        )
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    expect(
        app.post(
            &format!("/v1/organizations/{org}/roles"),
            json!({"slug": "engineer", "name": "Engineer"}),
        )
        .await,
        201,
    )
    .await;
    let added = add(&app, &org, "acme.com").await;
    let join = |user: &str, email: &str| {
        let path = format!("/v1/organizations/{org}/memberships");
        let body = json!({"user_id": user, "email": email});
        let app = &app;
        async move { app.post(&path, body).await }
    };
    // Not verified yet: no joining, and nothing listed.
    let body = problem(join("ada", "ada@acme.com").await, 422).await;
    assert_eq!(problem_type(&body), "no-auto-join");
    assert_eq!(fields(&body), ["email"]);
    publish(&app, &added);
    expect(verify(&app, &org, "acme.com").await, 200).await;
    let lookup = "/v1/domains/acme.com/organizations";
    let policy = |p: &str, roles: Value| {
        let path = format!("/v1/organizations/{org}/domains/acme.com");
        let body = json!({"policy": p, "default_roles": roles});
        let app = &app;
        async move { expect(app.patch(&path, body).await, 200).await }
    };
    let off = policy("off", json!(["member"])).await;
    let listed = app.read(lookup, off["position"].as_i64().unwrap()).await;
    assert_eq!(listed["data"], json!([]));
    problem(join("ada", "ada@acme.com").await, 422).await;

    // `suggest`: listed, but joining takes an admin.
    let suggest = policy("suggest", json!(["member"])).await;
    let listed = app
        .read(lookup, suggest["position"].as_i64().unwrap())
        .await;
    assert_eq!(listed["data"][0]["organization_id"], org.as_str());
    assert_eq!(listed["data"][0]["policy"], "suggest");
    assert_eq!(listed["data"][0]["organization_name"], "Acme");
    problem(join("ada", "ada@acme.com").await, 422).await;

    let auto = policy("auto_join", json!(["engineer", "member"])).await;
    assert_eq!(auto["default_roles"], json!(["engineer", "member"]));
    let listed = app.read(lookup, auto["position"].as_i64().unwrap()).await;
    assert_eq!(listed["data"][0]["policy"], "auto_join");
    let joined = expect(join("ada", "Ada@ACME.com").await, 201).await;
    assert_eq!(joined["source"], "domain");
    assert_eq!(joined["roles"], json!(["engineer", "member"]));
    let filtered = app
        .read(
            &format!("/v1/organizations/{org}/memberships?source=domain"),
            joined["position"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(filtered["data"].as_array().unwrap().len(), 1);
    // Another domain's email, a subdomain's, and an address that is no email: refused.
    for email in ["bob@other.example", "bob@eng.acme.com"] {
        let body = problem(join("bob", email).await, 422).await;
        assert_eq!(fields(&body), ["email"], "{email}");
    }
    let body = problem(join("bob", "not-an-email").await, 400).await;
    assert_eq!(fields(&body), ["email"]);
    // Roles come from the domain; joining this way is for users.
    let path = format!("/v1/organizations/{org}/memberships");
    let body = problem(
        app.post(
            &path,
            json!({"user_id": "bob", "email": "bob@acme.com", "roles": ["admin"]}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["roles"]);
    let body = problem(
        app.post(
            &path,
            json!({"application_id": "app_1", "email": "bob@acme.com"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["email"]);
    // The seat limit holds for joins through a domain too.
    expect(join("bob", "bob@acme.com").await, 201).await;
    let body = problem(join("cy", "cy@acme.com").await, 422).await;
    assert_eq!(fields(&body), ["max_members"]);

    // A default role leaving the catalogue leaves the domain's default roles too.
    let deleted = app
        .delete_and_wait(&format!("/v1/organizations/{org}/roles/engineer"))
        .await;
    let domain = app
        .read(
            &format!("/v1/organizations/{org}/domains/acme.com"),
            deleted["position"].as_i64().unwrap(),
        )
        .await;
    assert_eq!(domain["default_roles"], json!(["member"]));
    // A policy that is none of the three, and an unknown default role, are refused.
    let body = problem(
        app.patch(
            &format!("/v1/organizations/{org}/domains/acme.com"),
            json!({"policy": "sometimes"}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["policy"]);
    let body = problem(
        app.patch(
            &format!("/v1/organizations/{org}/domains/acme.com"),
            json!({"default_roles": ["ghost"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["default_roles"]);

    // An organization key sees its own organization in the look-up only.
    let other = app.named("Other").await;
    let key = crate::support::make_key(&app.db.pool, Some(&other), true).await;
    let (status, body) = {
        let res = app
            .client_with(Some(&key))
            .get(app.url(lookup))
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.json::<Value>().await.unwrap())
    };
    assert_eq!((status, body["data"].clone()), (200, json!([])));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn joins_racing_a_policy_change_land_before_it_or_not_at_all() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let added = add(&app, &org, "racing.example").await;
    publish(&app, &added);
    expect(verify(&app, &org, "racing.example").await, 200).await;
    let policy = format!("/v1/organizations/{org}/domains/racing.example");
    expect(
        app.patch(&policy, json!({"policy": "auto_join"})).await,
        200,
    )
    .await;
    for round in 0..3 {
        let joins = 40;
        let barrier = Arc::new(tokio::sync::Barrier::new(joins + 1));
        let tasks: Vec<_> = (0..joins)
            .map(|i| {
                let (app, barrier, org) = (app.clone(), barrier.clone(), org.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    let user = format!("r{round}_{i}");
                    let res = app
                        .post(
                            &format!("/v1/organizations/{org}/memberships"),
                            json!({"user_id": user, "email": format!("{user}@racing.example")}),
                        )
                        .await;
                    (res.status().as_u16(), res.json::<Value>().await.unwrap())
                })
            })
            .collect();
        barrier.wait().await;
        tokio::task::yield_now().await;
        let off = expect(app.patch(&policy, json!({"policy": "off"})).await, 200).await;
        let closed_at = off["position"].as_i64().unwrap();
        let (mut joined, mut refused) = (0i64, 0usize);
        for t in tasks {
            match t.await.unwrap() {
                (201, body) => {
                    let at = body["position"].as_i64().unwrap();
                    assert!(
                        at < closed_at,
                        "a join landed after the policy change: {at} > {closed_at}"
                    );
                    joined += 1;
                }
                (422, body) => {
                    assert_eq!(fields(&body), ["email"], "{body}");
                    refused += 1;
                }
                (status, body) => panic!("unexpected {status}: {body}"),
            }
        }
        assert_eq!(joined as usize + refused, joins);
        let stored: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE event_type = 'membership.created'
               AND organization_id = $1 AND payload->'data'->>'user_id' LIKE $2",
        )
        .bind(&org)
        .bind(format!("r{round}\\_%"))
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert_eq!(stored, joined);
        expect(
            app.patch(&policy, json!({"policy": "auto_join"})).await,
            200,
        )
        .await;
    }
}

/// POSTs a YAML document to `/v1/apply` (`query`: `?prune=true` …): the answer and its position.
async fn apply(app: &TestApp, query: &str, yaml: &str) -> (Value, i64) {
    let res = app
        .client
        .post(app.url(&format!("/v1/apply{query}")))
        .header("content-type", "application/yaml")
        .body(yaml.to_owned())
        .send()
        .await
        .unwrap();
    let position = res.headers()["roster-position"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    (expect(res, 200).await, position)
}

#[tokio::test]
async fn documents_add_domains_with_their_policy_export_them_and_prune_them() {
    let app = TestApp::with_projector().await;
    let yaml = "organizations:\n  - external_id: doc\n    name: Doc\n    domains:\n      - {domain: Doc.Example., policy: auto_join, default_roles: [admin, member]}\n";
    let (applied, position) = apply(&app, "", yaml).await;
    assert_eq!(applied["complete"], true, "{applied}");
    let org = app
        .read("/v1/organizations?external_id=doc", position)
        .await["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let domain = app
        .read(
            &format!("/v1/organizations/{org}/domains/doc.example"),
            position,
        )
        .await;
    assert_eq!(
        domain["state"], "pending",
        "a document never verifies a domain"
    );
    assert_eq!(domain["policy"], "auto_join");
    assert_eq!(domain["default_roles"], json!(["admin", "member"]));

    // Exported as written; planned back, nothing to do.
    let exported = app
        .read(
            &format!("/v1/export?format=json&organization_id={org}"),
            position,
        )
        .await;
    assert_eq!(
        exported["organizations"][0]["domains"],
        json!([{"domain": "doc.example", "policy": "auto_join", "default_roles": ["admin", "member"]}])
    );
    let (plan, _) = apply(&app, "?dry_run=true", yaml).await;
    assert_eq!(plan["organizations"][0]["changes"], json!([]), "{plan}");

    // Free-mail domains are refused, the organization's part not applied.
    let gmail = yaml.replace("Doc.Example.", "gmail.com");
    let (refused, _) = apply(&app, "", &gmail).await;
    assert_eq!(refused["complete"], false, "{refused}");

    // Left out of the document its source manages, it is pruned.
    let bare = "organizations:\n  - external_id: doc\n    name: Doc\n";
    let (pruned, position) = apply(&app, "?prune=true", bare).await;
    assert_eq!(pruned["complete"], true, "{pruned}");
    let list = app
        .read(&format!("/v1/organizations/{org}/domains"), position)
        .await;
    assert_eq!(list["data"], json!([]));
}
