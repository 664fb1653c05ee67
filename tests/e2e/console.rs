//! The admin console (docs/console.md) in a real browser: headless Chromium driving the pages
//! `roster serve` serves at `/console`, signed in with real keys; every main page checked with
//! axe-core and for browser errors, and saved as a screenshot.

use std::time::Duration;

use serde_json::{json, Value};

use crate::support::browser::Browser;
use crate::support::served::{serve_on, serve_with_url, temp_dir, Served};
use crate::support::{eventually, make_key};

/// `roster serve` on the embedded default, started for the first time: it prints an admin key.
async fn first_start() -> (std::path::PathBuf, Served, String) {
    let dir = temp_dir(false);
    let mut cmd = serve_on(&dir.join("pg"));
    cmd.env_remove("DATABASE_URL")
        .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8");
    let mut served = Served::start(cmd);
    served.ready().await;
    let key = served.printed_key();
    (dir, served, key)
}

/// `roster serve` on a fresh database, with `settings`, and an admin key.
async fn serve(settings: &[(&str, &str)]) -> (roster_testkit::TestDb, Served, String) {
    let db = roster_testkit::fresh_db().await;
    let key = make_key(&db.pool, None, false).await;
    let mut cmd = serve_with_url(&db.url, &[]);
    cmd.envs(settings.iter().copied());
    let mut served = Served::start(cmd);
    served.ready().await;
    (db, served, key)
}

/// An API call with `key`: its status and JSON body.
async fn api(served: &Served, key: &str, method: &str, path: &str, body: Value) -> (u16, Value) {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", served.base);
    let req = match method {
        "GET" => client.get(url),
        "POST" => client.post(url).json(&body),
        "DELETE" => client.delete(url),
        other => panic!("no method {other}"),
    };
    let res = req.bearer_auth(key).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn sign_in(browser: &Browser, key: &str) {
    browser.open("/console/sign-in").await;
    browser.fill("#key", key).await;
    browser
        .submit("form[action='/console/sign-in'] button")
        .await;
}

/// The subjects of the member table's rows, in order.
async fn members_shown(browser: &Browser) -> Vec<String> {
    let rows = browser
        .eval("return [...document.querySelectorAll('#members tbody tr[data-member]')].map(r => r.dataset.member)")
        .await;
    serde_json::from_value(rows).unwrap()
}

#[tokio::test]
async fn an_admin_runs_an_organization_from_the_console() {
    let (_dir, mut served, key) = first_start().await;
    let browser = Browser::start(&served.base, 1280, 900).await;

    // Signed out, every page leads to the sign-in page.
    browser.open("/console/organizations").await;
    assert!(
        browser.path().await.starts_with("/console/sign-in"),
        "{}",
        browser.path().await
    );
    browser.check_page("sign-in").await;

    // Sign in with the key the first start printed.
    sign_in(&browser, &key).await;
    assert_eq!(
        browser.path().await,
        "/console/organizations",
        "{}",
        browser.page_text().await
    );
    assert!(browser.page_text().await.contains("first admin key"));
    browser.check_page("organizations-empty").await;

    // Create an organization.
    browser.fill("#create-name", "Acme Corp").await;
    browser.fill("#create-external_id", "acme").await;
    browser
        .fill("#create-metadata", "plan=pro\nregion=eu")
        .await;
    browser
        .submit("#create-organization button[type=submit]")
        .await;
    assert!(
        browser.path().await.contains("/members"),
        "{}",
        browser.path().await
    );
    assert_eq!(browser.text("header.object h1").await, "Acme Corp");

    // Add members: three users and a machine application, with roles.
    for (subject, admin) in [
        ("alice", true),
        ("bob", false),
        ("carol", false),
        ("dave", false),
    ] {
        browser.fill("#add-subject", subject).await;
        if admin {
            browser
                .click("#add-member input[name=roles][value=admin]")
                .await;
        }
        browser.fill("#add-attributes", "plan=pro\nseats=10").await;
        browser.submit("#add-member button[type=submit]").await;
        assert!(members_shown(&browser).await.contains(&subject.to_owned()));
    }
    browser
        .click("#add-member input[name=kind][value=application]")
        .await;
    browser.fill("#add-subject", "billing-bot").await;
    browser.submit("#add-member button[type=submit]").await;
    assert_eq!(members_shown(&browser).await.len(), 5);
    browser.check_page("members").await;

    // A bad value is refused next to its field, and what was typed is kept.
    browser.fill("#add-subject", &"x".repeat(300)).await;
    browser.submit("#add-member button[type=submit]").await;
    assert!(browser.text("#add-subject-error").await.len() > 5);
    assert_eq!(
        browser
            .find("#add-subject")
            .await
            .prop("value")
            .await
            .unwrap()
            .unwrap()
            .len(),
        300
    );
    assert_eq!(members_shown(&browser).await.len(), 5);
    // The browser logs the refused form's answer, and nothing else.
    let logged = browser.console_errors().await;
    assert!(
        logged.len() == 1 && logged[0].contains("status of 400"),
        "{logged:?}"
    );

    // Create a group, and add two members to it.
    let org_path = browser.path().await;
    let org_id = org_path.split('/').nth(3).unwrap().to_owned();
    browser
        .open(&format!("/console/organizations/{org_id}/groups"))
        .await;
    browser.fill("#group-name", "Engineering").await;
    browser.submit("#create-group button[type=submit]").await;
    browser.click("#groups a").await;
    browser.find("#add-to-group").await;
    for subject in ["bob", "carol"] {
        browser.fill("#add-to-group-subject", subject).await;
        browser.submit("#add-to-group button[type=submit]").await;
    }
    let in_group: Vec<String> = serde_json::from_value(
        browser
            .eval("return [...document.querySelectorAll('#group-members tr[data-member]')].map(r => r.dataset.member)")
            .await,
    )
    .unwrap();
    assert_eq!(in_group.len(), 2, "{in_group:?}");
    // The group grants a role to its members.
    browser
        .click("#set-group-roles input[name=roles][value=admin]")
        .await;
    browser.submit("#set-group-roles button[type=submit]").await;
    assert!(browser.text("#group-roles").await.contains("admin"));
    browser.check_page("group").await;
    browser
        .open(&format!("/console/organizations/{org_id}/groups"))
        .await;
    assert!(
        browser
            .text("#groups tbody")
            .await
            .contains("Engineering\n2")
            || browser
                .text("#groups tbody")
                .await
                .contains("Engineering 2")
    );
    browser.check_page("groups").await;

    // Filter the members by group, then by role: kept in the URL.
    browser
        .open(&format!("/console/organizations/{org_id}/members"))
        .await;
    let group_id: String = serde_json::from_value(
        browser
            .eval("return document.querySelector('#filter-group option:nth-child(2)').value")
            .await,
    )
    .unwrap();
    browser
        .eval(&format!(
            "document.querySelector('#filter-group').value = '{group_id}'"
        ))
        .await;
    browser.submit("form.filters button[type=submit]").await;
    assert!(browser
        .path()
        .await
        .contains(&format!("group_id={group_id}")));
    let mut shown = members_shown(&browser).await;
    shown.sort();
    assert_eq!(shown, ["bob", "carol"]);
    // Groups show as badges.
    assert!(browser
        .text("tr[data-member=bob] td:nth-child(5)")
        .await
        .contains("Engineering"));

    // `admin` is held by alice, and by bob and carol through Engineering; own only: alice.
    browser
        .open(&format!(
            "/console/organizations/{org_id}/members?role=admin"
        ))
        .await;
    let mut shown = members_shown(&browser).await;
    shown.sort();
    assert_eq!(shown, ["alice", "bob", "carol"]);
    browser
        .open(&format!(
            "/console/organizations/{org_id}/members?role=admin&role_source=direct"
        ))
        .await;
    assert_eq!(members_shown(&browser).await, ["alice"]);

    // Assign a role to several members at once (the bulk endpoint), on the filtered page.
    browser
        .open(&format!(
            "/console/organizations/{org_id}/members?group_id={group_id}"
        ))
        .await;
    browser.click("#select-all").await;
    browser
        .eval("document.querySelector('#bulk-role').value = 'admin'")
        .await;
    browser.submit("#bulk button[value=add]").await;
    assert!(
        browser
            .path()
            .await
            .contains(&format!("group_id={group_id}")),
        "the filters are kept"
    );
    browser
        .open(&format!(
            "/console/organizations/{org_id}/members?role=admin"
        ))
        .await;
    let mut admins = members_shown(&browser).await;
    admins.sort();
    assert_eq!(admins, ["alice", "bob", "carol"]);
    // The API agrees: the console went through the same application layer.
    let (status, list) = api(
        &served,
        &key,
        "GET",
        &format!("/v1/organizations/{org_id}/memberships?role=admin"),
        json!(null),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(list["data"].as_array().unwrap().len(), 3);

    // Change one member's roles from its dropdown, then deactivate and reactivate it.
    browser
        .open(&format!("/console/organizations/{org_id}/members"))
        .await;
    browser.click("tr[data-member=dave] details summary").await;
    browser
        .click("tr[data-member=dave] input[name=roles][value=admin]")
        .await;
    browser
        .submit("tr[data-member=dave] details button[type=submit]")
        .await;
    assert!(browser
        .text("tr[data-member=dave] td.roles")
        .await
        .contains("admin"));
    browser
        .submit("tr[data-member=dave] form[action$=deactivate] button")
        .await;
    assert!(!members_shown(&browser).await.contains(&"dave".to_owned()));
    browser
        .open(&format!(
            "/console/organizations/{org_id}/members?status=inactive"
        ))
        .await;
    assert_eq!(members_shown(&browser).await, ["dave"]);
    browser
        .submit("tr[data-member=dave] form[action$=reactivate] button")
        .await;
    browser
        .open(&format!("/console/organizations/{org_id}/members"))
        .await;
    assert!(members_shown(&browser).await.contains(&"dave".to_owned()));

    // A member's page shows its groups and the token claims an identity provider reads.
    browser.click("tr[data-member=bob] td:nth-child(2) a").await;
    browser.find("#claims").await;
    let claims: Value = serde_json::from_str(&browser.text("#claims").await).unwrap();
    assert_eq!(claims["groups"][0]["name"], "Engineering", "{claims}");
    let sources = claims["role_sources"]["admin"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        sources
            .iter()
            .any(|s| s.as_str().is_some_and(|s| s.starts_with("group:grp_"))),
        "admin through Engineering: {claims}"
    );
    assert!(browser.text("#effective-roles").await.contains("admin"));
    browser.check_page("member").await;

    // Every action had the key as its actor, as on the API.
    let (_, events) = api(
        &served,
        &key,
        "GET",
        &format!("/v1/events?organization_id={org_id}&limit=100"),
        json!(null),
    )
    .await;
    let actors: std::collections::BTreeSet<String> = (events["data"].as_array().unwrap().iter())
        .map(|e| e["actor"]["type"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(actors, ["api_key".to_owned()].into());

    // Settings: edit, then delete; the deletion is carried out in the background and the page
    // follows it until it is done.
    browser
        .open(&format!("/console/organizations/{org_id}/settings"))
        .await;
    browser.fill("#edit-name", "Acme Corporation").await;
    browser.fill("#edit-max_members", "many").await;
    browser
        .submit("#edit-organization button[type=submit]")
        .await;
    assert!(
        browser
            .text("#edit-max_members-error")
            .await
            .contains("whole number"),
        "a seat limit that is not a number is named"
    );
    let logged = browser.console_errors().await;
    assert!(
        logged.len() == 1 && logged[0].contains("status of 400"),
        "the refused form is answered 400: {logged:?}"
    );
    // A seat limit below the members there are: allowed, and shown with the seats taken.
    browser.fill("#edit-max_members", "1").await;
    browser
        .submit("#edit-organization button[type=submit]")
        .await;
    assert_eq!(browser.text("header.object h1").await, "Acme Corporation");
    let seats = browser.text("#seats").await;
    assert!(seats.contains("active members of 1 seats"), "{seats}");
    let (_, org) = api(
        &served,
        &key,
        "GET",
        &format!("/v1/organizations/{org_id}"),
        json!(null),
    )
    .await;
    assert_eq!(org["max_members"], 1, "{org}");
    assert!(
        seats.starts_with(&format!("{} active members", org["members_count"])),
        "{seats}: {org}"
    );
    browser.check_page("settings").await;
    browser.submit("form[action$='/delete'] button").await;
    assert!(browser.path().await.contains("/deletion"));
    eventually(
        Duration::from_secs(30),
        "the deletion page saying it is done",
        || async { (browser.text("#deletion").await.contains("is deleted")).then_some(()) },
    )
    .await;
    browser.check_page("deleted").await;
    let (status, _) = api(
        &served,
        &key,
        "GET",
        &format!("/v1/organizations/{org_id}"),
        json!(null),
    )
    .await;
    assert_eq!(status, 404);
    served.kill_if_running();
}

/// Waits until the read side has applied every event so far: what the API wrote before the
/// browser looks at it.
async fn projected(served: &Served, key: &str) {
    let (_, newest) = api(served, key, "GET", "/v1/events?limit=1", json!(null)).await;
    let position = newest["data"][0]["position"].as_i64().unwrap_or(0);
    let path = format!("/v1/organizations?min_position={position}");
    let (status, body) = api(served, key, "GET", &path, json!(null)).await;
    assert_eq!(status, 200, "{body}");
}

/// Creates an organization through the API: its id.
async fn organization(served: &Served, key: &str, name: &str) -> String {
    let (status, org) = api(
        served,
        key,
        "POST",
        "/v1/organizations",
        json!({"name": name}),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    org["id"].as_str().unwrap().to_owned()
}

async fn member(served: &Served, key: &str, org: &str, user: &str) -> String {
    let (status, m) = api(
        served,
        key,
        "POST",
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": user}),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    m["id"].as_str().unwrap().to_owned()
}

/// The session's CSRF token, as its pages carry it.
async fn csrf(browser: &Browser) -> String {
    serde_json::from_value(
        browser
            .eval("return document.querySelector('input[name=csrf]').value")
            .await,
    )
    .unwrap()
}

/// A client sending `browser`'s session cookie, as a forger holding it would.
async fn with_session(browser: &Browser) -> reqwest::Client {
    let cookie = browser.cookie("roster_console").await.expect("signed in");
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        "cookie",
        format!("roster_console={cookie}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

#[tokio::test]
async fn organization_and_read_only_keys_reach_only_what_they_may() {
    let (db, served, admin) = serve(&[]).await;
    let (a, b) = (
        organization(&served, &admin, "Alpha").await,
        organization(&served, &admin, "Beta").await,
    );
    member(&served, &admin, &a, "ann").await;
    let b_member = member(&served, &admin, &b, "bert").await;
    let org_key = make_key(&db.pool, Some(&a), false).await;
    let read_only = make_key(&db.pool, None, true).await;
    projected(&served, &admin).await;

    // An organization key lands on its organization and finds nothing of another one.
    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &org_key).await;
    assert_eq!(
        browser.path().await,
        format!("/console/organizations/{a}/members")
    );
    assert_eq!(members_shown(&browser).await, ["ann"]);
    assert!(browser.count("#create-organization").await == 0);
    browser.check_page("organization-key").await;
    for path in [
        format!("/console/organizations/{b}/members"),
        format!("/console/organizations/{b}/groups"),
        format!("/console/organizations/{b}/settings"),
        format!("/console/memberships/{b_member}"),
    ] {
        browser.open(&path).await;
        assert_eq!(browser.text("h1").await, "Not found", "{path}");
    }
    // The refused pages are the only errors the browser saw.
    let logged = browser.console_errors().await;
    assert!(
        logged.iter().all(|l| l.contains("status of 404")),
        "{logged:?}"
    );
    browser.open("/console/organizations").await;
    assert!(!browser.page_text().await.contains("Beta"));
    // A forged change to another organization is refused as if it did not exist.
    let token = csrf(&browser).await;
    let forged = with_session(&browser)
        .await
        .post(format!("{}/console/organizations/{b}/members", served.base))
        .form(&[
            ("csrf", token.as_str()),
            ("kind", "user"),
            ("subject", "mallory"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 404);
    // It reads the organization template, and may not change it.
    browser.open("/console/role-templates").await;
    assert!(browser
        .text("tr[data-role=member]")
        .await
        .contains("Member"));
    assert_eq!(browser.count("main form[method=post]").await, 0);
    let token = csrf(&browser).await;
    let forged = with_session(&browser)
        .await
        .post(format!("{}/console/role-templates", served.base))
        .form(&[
            ("csrf", token.as_str()),
            ("slug", "sneaky"),
            ("name", "Sneaky"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);

    // Signing out ends the session: its cookie opens nothing any more.
    let stolen = with_session(&browser).await;
    browser
        .submit("form[action='/console/sign-out'] button")
        .await;
    assert!(browser.path().await.starts_with("/console/sign-in"));
    assert!(browser.page_text().await.contains("signed out"));
    let after = stolen
        .get(format!("{}/console/organizations/{a}/members", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(after.status(), 303);

    // A read-only key sees no action, and a forged one is refused with 403.
    sign_in(&browser, &read_only).await;
    browser
        .open(&format!("/console/organizations/{a}/members"))
        .await;
    assert_eq!(members_shown(&browser).await, ["ann"]);
    let actions = browser
        .count("main form[method=post], main details.menu, main input[type=checkbox]")
        .await;
    assert_eq!(actions, 0, "a read-only key is offered no action");
    browser.check_page("read-only").await;
    for page in ["groups", "settings"] {
        browser
            .open(&format!("/console/organizations/{a}/{page}"))
            .await;
        assert_eq!(browser.count("main form[method=post]").await, 0, "{page}");
    }
    browser.open("/console/role-templates").await;
    assert_eq!(browser.count("main form[method=post]").await, 0, "template");
    let token = csrf(&browser).await;
    let forged = with_session(&browser)
        .await
        .post(format!("{}/console/organizations/{a}/members", served.base))
        .form(&[
            ("csrf", token.as_str()),
            ("kind", "user"),
            ("subject", "mallory"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    let (_, list) = api(
        &served,
        &admin,
        "GET",
        &format!("/v1/organizations/{a}/memberships"),
        json!(null),
    )
    .await;
    assert_eq!(
        list["data"].as_array().unwrap().len(),
        1,
        "nothing was added"
    );
}

#[tokio::test]
async fn sessions_end_with_their_key_and_their_lifetime() {
    let (db, served, admin) = serve(&[]).await;
    let browser = Browser::start(&served.base, 1280, 900).await;

    // A wrong key is refused with a clear message.
    sign_in(&browser, "rk_live_not-a-key").await;
    assert!(browser.path().await.starts_with("/console/sign-in"));
    assert!(browser
        .text("#sign-in-message")
        .await
        .contains("not a valid API key"));
    let _ = browser.console_errors().await;

    // The session cookie never reaches the page's scripts.
    let key = make_key(&db.pool, None, false).await;
    sign_in(&browser, &key).await;
    assert_eq!(browser.path().await, "/console/organizations");
    assert_eq!(browser.eval("return document.cookie").await, "");

    // Revoking the key ends its session at once.
    let (_, keys) = api(
        &served,
        &admin,
        "GET",
        "/v1/api-keys?limit=100",
        json!(null),
    )
    .await;
    let id = (keys["data"].as_array().unwrap().iter())
        .filter(|k| k["prefix"].as_str().is_some_and(|p| key.starts_with(p)))
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .next()
        .unwrap();
    let (status, _) = api(
        &served,
        &admin,
        "DELETE",
        &format!("/v1/api-keys/{id}"),
        json!(null),
    )
    .await;
    assert_eq!(status, 200);
    browser.open("/console/organizations").await;
    assert!(browser.path().await.starts_with("/console/sign-in"));
    assert!(browser.text("#sign-in-message").await.contains("revoked"));
    // And the key cannot sign in again.
    sign_in(&browser, &key).await;
    assert!(browser.text("#sign-in-message").await.contains("revoked"));

    // An expired key ends its session, and cannot sign in.
    let key = make_key(&db.pool, None, false).await;
    sign_in(&browser, &key).await;
    assert_eq!(browser.path().await, "/console/organizations");
    sqlx::query("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE secret_sha256 = sha256($1::bytea)")
        .bind(key.as_bytes())
        .execute(&db.pool)
        .await
        .unwrap();
    browser.open("/console/organizations").await;
    assert!(browser.text("#sign-in-message").await.contains("expired"));
    sign_in(&browser, &key).await;
    assert!(browser.text("#sign-in-message").await.contains("expired"));

    // A session idle past its limit, or older than its maximum age, has ended.
    let key = make_key(&db.pool, None, false).await;
    for (column, age, says) in [
        ("last_seen_at", "31 minutes", "without activity"),
        ("created_at", "13 hours", "maximum length"),
    ] {
        sign_in(&browser, &key).await;
        assert_eq!(browser.path().await, "/console/organizations");
        sqlx::query(&format!(
            "UPDATE console_sessions SET {column} = now() - interval '{age}'"
        ))
        .execute(&db.pool)
        .await
        .unwrap();
        browser.open("/console/organizations").await;
        assert!(
            browser.text("#sign-in-message").await.contains(says),
            "{column}"
        );
    }
    let left: i64 = sqlx::query_scalar("SELECT count(*) FROM console_sessions")
        .fetch_one(&db.pool)
        .await
        .unwrap();
    assert_eq!(left, 0, "ended sessions are deleted");
    let _ = browser.console_errors().await;
}

/// Serves `page` as HTML at `http://localhost:<port>/` (another site than `127.0.0.1`).
async fn other_site(page: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = actix_web::HttpServer::new(move || {
        let page = page.clone();
        actix_web::App::new().default_service(actix_web::web::to(move || {
            let page = page.clone();
            async move {
                actix_web::HttpResponse::Ok()
                    .content_type("text/html")
                    .body(page)
            }
        }))
    })
    .workers(1)
    .listen(listener)
    .unwrap()
    .run();
    tokio::spawn(server);
    format!("http://localhost:{port}/")
}

#[tokio::test]
async fn forged_and_cross_site_requests_are_refused() {
    let (_db, served, admin) = serve(&[]).await;
    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &admin).await;
    let token = csrf(&browser).await;
    let client = with_session(&browser).await;
    let create = |extra: &[(&str, &str)]| {
        let mut form = vec![("name", "Forged")];
        form.extend_from_slice(extra);
        client
            .post(format!("{}/console/organizations", served.base))
            .form(&form)
    };
    // No token, a wrong one, or a right one from another origin: refused.
    for (what, req) in [
        ("no token", create(&[])),
        ("a wrong token", create(&[("csrf", "x")])),
        (
            "another origin",
            create(&[("csrf", &token)]).header("origin", "http://evil.example"),
        ),
        (
            "another site",
            create(&[("csrf", &token)]).header("sec-fetch-site", "cross-site"),
        ),
    ] {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 403, "{what}");
    }
    // The same with the right token and origin goes through (the refusals were the checks).
    let res = create(&[("csrf", &token)])
        .header("origin", served.base.as_str())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);

    // A page of another site that posts a form to the console in the signed-in browser.
    let attack = other_site(format!(
        "<!doctype html><html><body><form id=f method=post action='{}/console/organizations'>\
         <input name=name value=CrossSite><input name=csrf value='{token}'></form>\
         <script>document.getElementById('f').submit()</script></body></html>",
        served.base
    ))
    .await;
    browser.client.goto(&attack).await.unwrap();
    eventually(
        Duration::from_secs(20),
        "the cross-site form sent",
        || async { (browser.path().await.starts_with("/console/")).then_some(()) },
    )
    .await;
    let _ = browser.console_errors().await;
    let (_, orgs) = api(
        &served,
        &admin,
        "GET",
        "/v1/organizations?limit=100",
        json!(null),
    )
    .await;
    let names: Vec<&str> = (orgs["data"].as_array().unwrap().iter())
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Forged"], "the cross-site form created nothing");

    // Every console answer carries the security headers.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for (path, client) in [
        ("/console/sign-in", &plain),
        ("/console/organizations", &client),
        (
            "/console/organizations/org_01JD0000000000000000000000/members",
            &client,
        ),
        ("/console/assets/console.css", &plain),
        ("/console/nothing-here", &client),
    ] {
        let res = client
            .get(format!("{}{path}", served.base))
            .send()
            .await
            .unwrap();
        let h = res.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("http"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(h.contains_key("referrer-policy"), "{path}");
    }
    // The session cookie's attributes.
    let signed = plain
        .post(format!("{}/console/sign-in", served.base))
        .form(&[("key", admin.as_str())])
        .send()
        .await
        .unwrap();
    let cookie = signed.headers()["set-cookie"].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(cookie.contains(attribute), "{cookie}");
    }
}

#[tokio::test]
async fn sign_in_attempts_are_limited_per_address() {
    let (_db, served, admin) = serve(&[("ROSTER_CONSOLE_SIGN_INS", "3")]).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Three a minute: a burst of three, then one every 20 seconds.
    let mut statuses = Vec::new();
    for key in [
        "rk_live_guess",
        "rk_live_guess",
        "rk_live_guess",
        admin.as_str(),
    ] {
        let res = plain
            .post(format!("{}/console/sign-in", served.base))
            .form(&[("key", key)])
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        if status == 429 {
            assert!(res
                .text()
                .await
                .unwrap()
                .contains("Too many sign-in attempts"));
        }
        statuses.push(status);
    }
    assert_eq!(statuses, [401, 401, 401, 429], "even the right key waits");
}

#[tokio::test]
async fn roles_invitations_keys_and_the_past_from_the_console() {
    let (_db, served, admin) = serve(&[]).await;
    let org = organization(&served, &admin, "Umbrella").await;
    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &admin).await;

    // A role of the organization template is listed, marked, and changed only through the template.
    let (status, template) = api(
        &served,
        &admin,
        "POST",
        "/v1/role-templates",
        json!({"slug": "auditor", "name": "Auditor", "permissions": ["logs:read"]}),
    )
    .await;
    assert_eq!(status, 201);

    // Roles: create one with permissions, give it to a member, edit it, delete it; the deletion
    // is followed until no member holds the role.
    browser
        .open(&format!(
            "/console/organizations/{org}/roles?min_position={}",
            template["position"]
        ))
        .await;
    assert!(browser
        .text("tr[data-role=auditor]")
        .await
        .contains("from the organization template"));
    for template in ["auditor", "admin", "member"] {
        let css = format!("#edit-role-{template}");
        assert_eq!(browser.count(&css).await, 0, "{template}");
    }
    browser.fill("#role-slug", "editor").await;
    browser.fill("#role-name", "Editor").await;
    browser
        .fill("#role-permissions", "documents:read\ndocuments:write")
        .await;
    browser.submit("#create-role button[type=submit]").await;
    assert!(browser
        .text("tr[data-role=editor]")
        .await
        .contains("documents:write"));
    assert_eq!(browser.count("#edit-role-editor").await, 1, "its own");
    // A taken slug is refused next to the field, what was typed kept.
    browser.fill("#role-slug", "editor").await;
    browser.fill("#role-name", "Another").await;
    browser.submit("#create-role button[type=submit]").await;
    assert!(browser
        .text("#role-slug-error")
        .await
        .contains("already exists"));
    assert_eq!(
        browser
            .find("#role-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("Another")
    );
    assert!(browser
        .console_errors()
        .await
        .iter()
        .all(|l| l.contains("status of 409")));
    browser.check_page("roles").await;

    // Which of the template's roles it offers: only those checked (`member` cannot be left
    // out: refused beside the field, the choice as typed kept), then all of them again.
    let form = "#offer-template-roles";
    let role = |slug: &str| format!("{form} input[name=template_roles][value={slug}]");
    let checked = |css: String| {
        let browser = &browser;
        async move {
            let script = format!("return document.querySelector('{css}').checked");
            browser.eval(&script).await == json!(true)
        }
    };
    assert!(checked(format!("{form} input[value=all]")).await);
    browser.click(&format!("{form} input[value=some]")).await;
    browser.click(&role("member")).await;
    browser.submit(&format!("{form} button[type=submit]")).await;
    assert!(browser
        .text("#template-roles-error")
        .await
        .contains("member"));
    assert!(checked(format!("{form} input[value=some]")).await);
    assert!(!checked(role("member")).await);
    assert!(browser
        .console_errors()
        .await
        .iter()
        .all(|l| l.contains("status of 400")));
    browser.check_page("template-roles-refused").await;
    browser.click(&role("member")).await;
    browser.click(&role("auditor")).await;
    browser.submit(&format!("{form} button[type=submit]")).await;
    assert_eq!(browser.count("tr[data-role=auditor]").await, 0);
    assert_eq!(browser.count("tr[data-role=admin]").await, 1);
    assert!(!checked(role("auditor")).await);
    assert!(checked(role("admin")).await && checked(role("member")).await);
    browser.click(&format!("{form} input[value=all]")).await;
    browser.submit(&format!("{form} button[type=submit]")).await;
    assert_eq!(browser.count("tr[data-role=auditor]").await, 1);

    // The organization template from its own page: a role added, refused on a slug an
    // organization uses, edited, offered in the organization, deleted.
    browser.open("/console/role-templates").await;
    browser.fill("#template-slug", "reviewer").await;
    browser.fill("#template-name", "Reviewer").await;
    browser.fill("#template-permissions", "docs:review").await;
    browser.submit("#create-template button[type=submit]").await;
    assert!(browser
        .text("tr[data-role=reviewer]")
        .await
        .contains("docs:review"));
    browser.fill("#template-slug", "editor").await;
    browser.fill("#template-name", "Editor").await;
    browser.submit("#create-template button[type=submit]").await;
    assert!(browser
        .text("#template-slug-error")
        .await
        .contains("custom role"));
    assert!(browser
        .console_errors()
        .await
        .iter()
        .all(|l| l.contains("status of 409")));
    browser.check_page("role-templates").await;
    browser
        .click("tr[data-role=reviewer] details summary")
        .await;
    browser
        .fill("#reviewer-permissions", "docs:review\ndocs:approve")
        .await;
    browser
        .submit("#edit-template-reviewer button[type=submit]")
        .await;
    assert!(browser
        .text("tr[data-role=reviewer]")
        .await
        .contains("docs:approve"));
    browser
        .open(&format!("/console/organizations/{org}/roles"))
        .await;
    assert!(browser
        .text("tr[data-role=reviewer]")
        .await
        .contains("organization template"));
    browser.open("/console/role-templates").await;
    assert_eq!(
        browser
            .count("tr[data-role=member] form[action$='/delete']")
            .await,
        0,
        "member is built in"
    );
    browser
        .submit("tr[data-role=reviewer] form[action$='/delete'] button")
        .await;
    assert_eq!(browser.count("tr[data-role=reviewer]").await, 0);
    browser
        .open(&format!("/console/organizations/{org}/roles"))
        .await;
    for user in ["uma", "ulf"] {
        let (status, _) = api(
            &served,
            &admin,
            "POST",
            &format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": user, "roles": ["editor"]}),
        )
        .await;
        assert_eq!(status, 201);
    }
    browser.click("tr[data-role=editor] details summary").await;
    browser.fill("#editor-permissions", "documents:read").await;
    browser
        .submit("#edit-role-editor button[type=submit]")
        .await;
    let permissions = browser.text("tr[data-role=editor] td:nth-child(2)").await;
    assert!(
        permissions.contains("documents:read") && !permissions.contains("write"),
        "{permissions}"
    );
    browser
        .submit("tr[data-role=editor] form[action$='/delete'] button")
        .await;
    assert!(browser.path().await.contains("/roles/editor/deletion"));
    eventually(
        Duration::from_secs(30),
        "the role deletion finished",
        || async { (browser.text("#deletion").await.contains("is deleted")).then_some(()) },
    )
    .await;
    browser.check_page("role-deleted").await;
    let (_, held) = api(
        &served,
        &admin,
        "GET",
        &format!("/v1/organizations/{org}/memberships?role=editor&status=all"),
        json!(null),
    )
    .await;
    assert_eq!(held["data"].as_array().unwrap().len(), 0);

    // Invitations: create with roles and expiry (the token is shown once), resend, revoke.
    browser
        .open(&format!("/console/organizations/{org}/invitations"))
        .await;
    browser.fill("#invite-email", "vera@example.com").await;
    browser
        .click("#invite input[name=roles][value=admin]")
        .await;
    browser.fill("#invite-expires_in_days", "3").await;
    browser.submit("#invite button[type=submit]").await;
    let token = browser.text("#accept-token").await;
    assert!(token.len() > 20, "{token}");
    let row = browser.text("tr[data-email='vera@example.com']").await;
    assert!(row.contains("pending") && row.contains("admin"), "{row}");
    browser.check_page("invitations").await;
    browser
        .submit("tr[data-email='vera@example.com'] form[action$=resend] button")
        .await;
    let resent = browser.text("#accept-token").await;
    assert_ne!(resent, token, "a resend issues a new token");
    browser
        .open(&format!("/console/organizations/{org}/invitations"))
        .await;
    assert_eq!(
        browser.count("#accept-token").await,
        0,
        "a token is shown once"
    );
    browser
        .submit("tr[data-email='vera@example.com'] form[action$=revoke] button")
        .await;
    assert!(browser
        .text("tr[data-email='vera@example.com']")
        .await
        .contains("revoked"));

    // API keys of the organization: make one (its secret shown once, and it works), revoke it.
    browser
        .open(&format!("/console/organizations/{org}/keys"))
        .await;
    browser.fill("#key-name", "ci").await;
    browser.click("#make-key input[name=read_only]").await;
    browser.submit("#make-key button[type=submit]").await;
    let secret = browser.text("#key-secret").await;
    let (status, _) = api(
        &served,
        &secret,
        "GET",
        &format!("/v1/organizations/{org}"),
        json!(null),
    )
    .await;
    assert_eq!(status, 200, "the new key reaches its organization");
    browser.check_page("keys").await;
    browser.submit("#keys form[action$=revoke] button").await;
    assert!(browser.text("#keys tbody").await.contains("revoked"));
    let (status, _) = api(
        &served,
        &secret,
        "GET",
        &format!("/v1/organizations/{org}"),
        json!(null),
    )
    .await;
    assert_eq!(status, 401);

    // The organization's history: every event, and its member list as of an earlier one.
    browser
        .open(&format!("/console/organizations/{org}/history"))
        .await;
    let types = browser
        .eval("return [...document.querySelectorAll('#timeline li[data-type]')].map(l => l.dataset.type)")
        .await;
    let types: Vec<String> = serde_json::from_value(types).unwrap();
    for wanted in [
        "organization.created",
        "organization_role.created",
        "membership.created",
        "invitation.revoked",
    ] {
        assert!(types.iter().any(|t| t == wanted), "{wanted} in {types:?}");
    }
    browser.check_page("history").await;
    // Uma joined before Ulf: as of Uma's membership.created, Ulf was not a member yet.
    let uma_joined: i64 = serde_json::from_value(
        browser
            .eval("return Number([...document.querySelectorAll('#timeline li[data-type=\"membership.created\"]')].pop().dataset.position)")
            .await,
    )
    .unwrap();
    browser
        .open(&format!(
            "/console/organizations/{org}/members?as_of={uma_joined}"
        ))
        .await;
    assert!(browser
        .text("#as-of")
        .await
        .contains(&format!("event #{uma_joined}")));
    assert_eq!(members_shown(&browser).await, ["uma"]);
    assert!(
        browser
            .text("tr[data-member=uma] td.roles")
            .await
            .contains("editor"),
        "uma held editor then"
    );
    assert_eq!(
        browser.count("main form[method=post]").await,
        0,
        "the past is only looked at"
    );
    browser.check_page("members-as-of").await;
    browser
        .open(&format!("/console/organizations/{org}/members"))
        .await;
    let mut now = members_shown(&browser).await;
    now.sort();
    assert_eq!(now, ["ulf", "uma"]);
    assert!(!browser
        .text("tr[data-member=uma] td.roles")
        .await
        .contains("editor"));

    // A member's timeline names the fields each event changed; its page as of its creation.
    browser.click("tr[data-member=uma] td:nth-child(2) a").await;
    let timeline = browser.text("#timeline").await;
    assert!(
        timeline.contains("membership.created") && timeline.contains("membership.updated"),
        "{timeline}"
    );
    let changed = browser
        .text("#timeline li[data-type='membership.updated'] table.changes")
        .await;
    assert!(
        changed.contains("roles") && changed.contains("editor"),
        "{changed}"
    );
    browser.check_page("member-timeline").await;
    browser
        .click("#timeline li[data-type='membership.created'] a.as-of")
        .await;
    browser.find("#as-of").await;
    assert!(browser.text("dl.facts").await.contains("editor"));

    // The event log, filtered by type with a wildcard.
    browser.open("/console/events?types=invitation.*").await;
    let types = browser
        .eval("return [...document.querySelectorAll('#timeline li[data-type]')].map(l => l.dataset.type)")
        .await;
    let types: Vec<String> = serde_json::from_value(types).unwrap();
    assert!(
        !types.is_empty() && types.iter().all(|t| t.starts_with("invitation.")),
        "{types:?}"
    );
    assert_eq!(
        types.first().map(String::as_str),
        Some("invitation.revoked"),
        "newest first"
    );
    browser.check_page("events").await;
}

/// Reloads the page until `done` holds of its text (a delivery being made, a job finishing).
async fn reload_until(browser: &Browser, path: &str, what: &str, done: impl Fn(&str) -> bool) {
    eventually(
        Duration::from_secs(30),
        format!("{what} on {path}"),
        || async {
            browser.open(path).await;
            done(&browser.page_text().await).then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn webhooks_and_status_from_the_console() {
    use crate::support::receiver::{Receiver, Reply};
    let (_db, served, admin) = serve(&[]).await;
    // The first delivery fails (503), the later ones succeed.
    let receiver = Receiver::with(|n| {
        if n == 0 {
            Reply::Status(503)
        } else {
            Reply::Status(200)
        }
    })
    .await;
    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &admin).await;

    // An endpoint to a local receiver, for organization events.
    browser.open("/console/webhooks").await;
    browser.fill("#endpoint-url", &receiver.url).await;
    browser
        .fill("#endpoint-event_types", "organization.*")
        .await;
    browser.submit("#create-endpoint button[type=submit]").await;
    let endpoint_path = browser.path().await;
    assert!(
        endpoint_path.starts_with("/console/webhooks/we_"),
        "{endpoint_path}"
    );
    browser.check_page("webhook-new").await;

    // An event it subscribes to is delivered: the failed first attempt is retried.
    organization(&served, &admin, "Hooked").await;
    reload_until(&browser, &endpoint_path, "a delivery", |t| {
        t.contains("organization.created")
    })
    .await;
    browser.click("#deliveries a").await;
    let delivery_path = browser.path().await;
    reload_until(&browser, &delivery_path, "the retry's success", |t| {
        t.contains("succeeded")
    })
    .await;
    let attempts = browser.text("#attempts tbody").await;
    assert!(
        attempts.contains("503") && attempts.contains("200") && attempts.contains(" ms"),
        "{attempts}"
    );
    browser.check_page("delivery").await;
    // Retry it by hand: one more attempt.
    browser.submit("form[action$='/retry'] button").await;
    reload_until(&browser, &delivery_path, "the manual retry", |t| {
        t.matches(" ms").count() >= 3
    })
    .await;

    // The chart counts the attempts of the last hours.
    browser.open(&endpoint_path).await;
    let counts = browser
        .eval("return [...document.querySelectorAll('#chart-data tbody tr')].reduce((s, r) => [s[0] + Number(r.cells[1].textContent), s[1] + Number(r.cells[2].textContent)], [0, 0])")
        .await;
    assert_eq!(counts, json!([2, 1]), "two successes and a failure");
    browser.check_page("webhook").await;

    // Edit its filters, disable and enable it, rotate its secret (the old one's grace shown).
    browser
        .fill("#edit-event_types", "organization.created\nmembership.*")
        .await;
    browser.submit("#edit-endpoint button[type=submit]").await;
    assert_eq!(
        browser
            .find("#edit-event_types")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some("organization.created\nmembership.*")
    );
    browser.submit("form[action$='/disable'] button").await;
    assert!(browser.text("header.object").await.contains("disabled"));
    browser.submit("form[action$='/enable'] button").await;
    assert!(browser.text("header.object").await.contains("enabled"));
    let before = browser
        .eval("return document.querySelector('#signing-secret').textContent")
        .await;
    browser.submit("form[action$='/rotate'] button").await;
    assert!(browser
        .text("#notice")
        .await
        .contains("previous one keeps signing"));
    assert!(browser
        .text("#previous-secret")
        .await
        .contains("keeps signing until"));
    let after = browser
        .eval("return document.querySelector('#signing-secret').textContent")
        .await;
    assert_ne!(before, after);

    // Replay the log from its start: the job is followed until done, and the events are sent again.
    let sent_before = receiver.received.lock().unwrap().len();
    browser.fill("#replay-from", "1").await;
    browser.submit("#replay button[type=submit]").await;
    assert!(browser.path().await.starts_with("/console/replays/"));
    eventually(Duration::from_secs(30), "the replay finished", || async {
        (browser.text("#replay-status").await == "done").then_some(())
    })
    .await;
    browser.check_page("replay").await;
    eventually(
        Duration::from_secs(30),
        "the replayed event arriving",
        || async { (receiver.received.lock().unwrap().len() > sent_before).then_some(()) },
    )
    .await;

    // Recover since a time: nothing failed for good, so nothing is queued.
    browser.open(&endpoint_path).await;
    browser
        .eval("document.querySelector('#recover-since').value = '2020-01-01T00:00'")
        .await;
    browser.submit("#recover button[type=submit]").await;
    assert!(browser
        .text("#notice")
        .await
        .contains("0 failed deliveries"));

    // Status: each consumer's place in the log and the queue.
    browser.open("/console/status").await;
    for consumer in ["projector", "webhook_fanout", "workflows"] {
        let row = browser.text(&format!("tr[data-consumer={consumer}]")).await;
        assert!(row.contains("events"), "{row}");
    }
    assert!(browser.text("#queue").await.contains("Pending deliveries"));
    browser.check_page("status").await;
}

/// Text that would run script if a page put it in unescaped.
const SCRIPT: &str = "<script>window.__xss = 1</script>";
const IMAGE: &str = "\"><img src=x onerror=\"window.__xss = 1\">";

/// Nothing of `SCRIPT` or `IMAGE` runs or becomes an element on the page shown.
async fn nothing_injected(browser: &Browser, page: &str) {
    let injected = browser
        .eval(
            "return {xss: window.__xss === 1,
                     images: document.querySelectorAll('img').length,
                     scripts: [...document.scripts].map(s => s.src || 'inline')}",
        )
        .await;
    assert_eq!(injected["xss"], false, "{page}: {injected}");
    assert_eq!(injected["images"], 0, "{page}: {injected}");
    let scripts = injected["scripts"].as_array().unwrap();
    assert!(
        scripts.len() == 1
            && scripts[0]
                .as_str()
                .unwrap()
                .ends_with("/console/assets/console.js"),
        "{page}: {injected}"
    );
}

#[tokio::test]
async fn text_is_escaped_everywhere() {
    let (_db, served, admin) = serve(&[]).await;
    let both = format!("{SCRIPT} {IMAGE}");
    let (status, org) = api(
        &served,
        &admin,
        "POST",
        "/v1/organizations",
        json!({"name": SCRIPT, "description": IMAGE, "external_id": "x<b>", "metadata": {"note": both}}),
    )
    .await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().unwrap().to_owned();
    let (status, role) = api(
        &served,
        &admin,
        "POST",
        &format!("/v1/organizations/{org}/roles"),
        json!({"slug": "odd", "name": IMAGE, "description": SCRIPT}),
    )
    .await;
    assert_eq!(status, 201, "{role}");
    let (status, m) = api(
        &served,
        &admin,
        "POST",
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": "mallory", "roles": ["odd"], "attributes": {"bio": both, "n": 1}}),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    let member = m["id"].as_str().unwrap().to_owned();
    let (status, g) = api(
        &served,
        &admin,
        "POST",
        &format!("/v1/organizations/{org}/groups"),
        json!({"name": IMAGE, "description": SCRIPT}),
    )
    .await;
    assert_eq!(status, 201, "{g}");
    let group = g["id"].as_str().unwrap().to_owned();
    let (status, _) = api(
        &served,
        &admin,
        "POST",
        &format!("/v1/groups/{group}/members"),
        json!({"membership_id": member}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, w) = api(
        &served,
        &admin,
        "POST",
        "/v1/webhook-endpoints",
        json!({"url": "http://127.0.0.1:9/hook", "description": both}),
    )
    .await;
    assert_eq!(status, 201, "{w}");
    let endpoint = w["id"].as_str().unwrap().to_owned();
    projected(&served, &admin).await;

    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &admin).await;
    for page in [
        "/console/organizations".to_owned(),
        format!("/console/organizations/{org}/members"),
        format!("/console/memberships/{member}"),
        format!("/console/organizations/{org}/groups"),
        format!("/console/groups/{group}"),
        format!("/console/organizations/{org}/roles"),
        format!("/console/organizations/{org}/settings"),
        format!("/console/organizations/{org}/history"),
        "/console/events".to_owned(),
        "/console/webhooks".to_owned(),
        format!("/console/webhooks/{endpoint}"),
    ] {
        browser.open(&page).await;
        nothing_injected(&browser, &page).await;
        let text = browser.page_text().await;
        let source = browser.client.source().await.unwrap();
        // Shown as text, or (in a closed envelope) in the page as escaped text.
        assert!(
            text.contains("<script>") || text.contains("<img") || source.contains("&lt;script&gt;"),
            "{page} shows the text as text"
        );
    }
    // The member's attributes and the organization's name are shown as typed.
    browser
        .open(&format!("/console/organizations/{org}/members"))
        .await;
    assert!(browser
        .text("tr[data-member=mallory]")
        .await
        .contains(SCRIPT));
    assert!(browser.text("header.object h1").await.contains(SCRIPT));

    // A refused form shows what was typed again: escaped too.
    browser.open("/console/organizations").await;
    browser.fill("#create-name", IMAGE).await;
    browser.fill("#create-description", SCRIPT).await;
    browser.fill("#create-metadata", "no equals sign").await;
    browser
        .submit("#create-organization button[type=submit]")
        .await;
    assert!(browser
        .text("#create-metadata-error")
        .await
        .contains("line 1"));
    assert_eq!(
        browser
            .find("#create-name")
            .await
            .prop("value")
            .await
            .unwrap()
            .as_deref(),
        Some(IMAGE)
    );
    nothing_injected(&browser, "the refused form").await;
    let _ = browser.console_errors().await;
}

#[tokio::test]
async fn pages_fit_a_phone_and_work_by_keyboard() {
    use fantoccini::key::Key;
    let (_db, served, admin) = serve(&[]).await;
    let org = organization(&served, &admin, "Pocket").await;
    let member = member(&served, &admin, &org, "pat").await;
    projected(&served, &admin).await;
    let browser = Browser::start(&served.base, 1280, 900).await;

    // Signing in by keyboard alone: the key field is reached with Tab, Enter sends the form;
    // every control reached shows where the focus is.
    browser.open("/console/sign-in").await;
    let mut reached = Vec::new();
    for _ in 0..5 {
        browser.press(&Key::Tab.to_string()).await;
        let (id, outlined) = browser.focused().await;
        if id == "body" {
            continue;
        }
        assert!(outlined, "{id} shows no focus");
        reached.push(id.clone());
        if id == "key" {
            break;
        }
    }
    assert_eq!(
        reached.last().map(String::as_str),
        Some("key"),
        "{reached:?}"
    );
    browser.press(&admin).await;
    browser.press(&Key::Enter.to_string()).await;
    browser.find("#organizations").await;

    // On the members page, Tab reaches the filters, the bulk form, the row actions and the add
    // form, each with a visible focus.
    browser
        .open(&format!("/console/organizations/{org}/members"))
        .await;
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        browser.press(&Key::Tab.to_string()).await;
        let (id, outlined) = browser.focused().await;
        if id == "body" {
            continue;
        }
        assert!(outlined, "{id} shows no focus");
        seen.insert(id);
    }
    for control in [
        "filter-status",
        "filter-role",
        "bulk-role",
        "select-all",
        "add-subject",
    ] {
        assert!(
            seen.contains(control),
            "Tab never reached {control}: {seen:?}"
        );
    }

    // At a phone's width nothing spills sideways off the page, and the pages stay accessible.
    browser.resize(390, 844).await;
    for (name, page) in [
        ("phone-organizations", "/console/organizations".to_owned()),
        (
            "phone-members",
            format!("/console/organizations/{org}/members"),
        ),
        ("phone-member", format!("/console/memberships/{member}")),
        (
            "phone-history",
            format!("/console/organizations/{org}/history"),
        ),
        ("phone-webhooks", "/console/webhooks".to_owned()),
        ("phone-status", "/console/status".to_owned()),
    ] {
        browser.open(&page).await;
        let overflow = browser
            .eval("return document.documentElement.scrollWidth - window.innerWidth")
            .await;
        assert!(
            overflow.as_i64().unwrap() <= 0,
            "{page} is {overflow} px too wide"
        );
        browser.check_page(name).await;
    }
}

#[tokio::test]
async fn domains_from_the_console() {
    let dns = crate::support::dns::DnsServer::start().await;
    let server = dns.addr.to_string();
    let (_db, served, admin) = serve(&[("ROSTER_DNS_SERVERS", server.as_str())]).await;
    let org = organization(&served, &admin, "Initech").await;
    let browser = Browser::start(&served.base, 1280, 900).await;
    sign_in(&browser, &admin).await;
    let page = format!("/console/organizations/{org}/domains");
    browser.open(&page).await;
    assert!(browser.page_text().await.contains("No domains yet"));

    // A free-mail domain is refused next to the field, what was typed kept.
    browser.fill("#domain-domain", "gmail.com").await;
    browser.submit("#add-domain button[type=submit]").await;
    assert!(browser
        .text("#domain-domain-error")
        .await
        .contains("free-mail"));
    assert!(browser
        .console_errors()
        .await
        .iter()
        .all(|l| l.contains("status of 422")));
    browser.fill("#domain-domain", " Initech.Example. ").await;
    browser.submit("#add-domain button[type=submit]").await;
    let row = "tr[data-domain='initech.example']";
    assert!(browser.text(row).await.contains("pending"));
    let record: Vec<String> = serde_json::from_value(
        browser
            .eval(&format!(
                "return [...document.querySelectorAll(\"{row} code.record\")].map(c => c.textContent)"
            ))
            .await,
    )
    .unwrap();
    assert_eq!(record[0], "_roster-challenge.initech.example");
    assert!(record[1].starts_with("roster-verification="));
    browser.check_page("domain-pending").await;

    // Checked before the record is up: said why, beside the domain.
    browser
        .submit(&format!("{row} form[action$='/verify'] button"))
        .await;
    assert!(browser.text(row).await.contains("no TXT record"));
    assert!(browser
        .console_errors()
        .await
        .iter()
        .all(|l| l.contains("status of 422")));
    dns.publish(&record[0], &record[1]);
    browser.open(&page).await;
    browser
        .submit(&format!("{row} form[action$='/verify'] button"))
        .await;
    assert!(browser.text(row).await.contains("verified"));

    // Auto-join with the default roles, then a user joins by email through the API.
    browser.click(&format!("{row} details summary")).await;
    browser
        .eval("document.querySelector('#policy-initech\\\\.example-select').value = 'auto_join'; return null")
        .await;
    browser
        .submit("form[id='policy-initech.example'] button[type=submit]")
        .await;
    assert!(browser
        .text(&format!("{row} td.policy"))
        .await
        .contains("auto_join"));
    browser.check_page("domains").await;
    let (status, joined) = api(
        &served,
        &admin,
        "POST",
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": "peter", "email": "peter@initech.example"}),
    )
    .await;
    assert_eq!(status, 201, "{joined}");
    assert_eq!(joined["source"], "domain");

    browser
        .submit(&format!("{row} form[action$='/remove'] button"))
        .await;
    assert_eq!(browser.count(row).await, 0);
}
