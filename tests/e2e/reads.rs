//! The read API over HTTP against the real projector: every route, every filter, 404s, and
//! read-your-writes through `min_position`.

use crate::support::{expect, fields, ids, problem, TestApp};
use serde_json::{json, Value};

/// POSTs and returns (id, position) of the created or changed object.
async fn write(app: &TestApp, path: &str, body: Value) -> (String, i64) {
    let res = app.post(path, body).await;
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap();
    assert!(
        status == 200 || status == 201,
        "POST {path}: {status} {body}"
    );
    (
        body["id"].as_str().unwrap_or_default().to_owned(),
        body["position"].as_i64().unwrap(),
    )
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn organizations_are_listed_counted_and_gone_when_deleted() {
    let app = TestApp::with_projector().await;
    let acme = app.named("Acme").await;
    let (globex, _) = write(
        &app,
        "/v1/organizations",
        json!({"name": "Globex", "external_id": "crm-42", "metadata": {"tier": "gold"}}),
    )
    .await;
    let initech = app.named("Initech").await;
    let members = format!("/v1/organizations/{acme}/memberships");
    write(&app, &members, json!({"user_id": "u1"})).await;
    let (idle, _) = write(&app, &members, json!({"user_id": "u2"})).await;
    write(
        &app,
        &format!("/v1/memberships/{idle}/deactivate"),
        json!({}),
    )
    .await;
    write(&app, &members, json!({"user_id": "u3"})).await;
    let (_, pos) = write(
        &app,
        &format!("/v1/organizations/{acme}/groups"),
        json!({"name": "Ops"}),
    )
    .await;

    let asc = app.read("/v1/organizations?order=asc", pos).await;
    assert_eq!(
        ids(&asc),
        [acme.as_str(), globex.as_str(), initech.as_str()]
    );
    assert_eq!(asc["list_metadata"], json!({"before": null, "after": null}));
    let desc = app.read("/v1/organizations", pos).await;
    assert_eq!(
        ids(&desc),
        [initech.as_str(), globex.as_str(), acme.as_str()],
        "default order is desc"
    );
    let by_external = app.read("/v1/organizations?external_id=crm-42", pos).await;
    assert_eq!(ids(&by_external), [globex.as_str()]);
    assert_eq!(by_external["data"][0]["metadata"], json!({"tier": "gold"}));
    assert_eq!(by_external["data"][0]["object"], "organization");

    let one = app.read(&format!("/v1/organizations/{acme}"), pos).await;
    assert_eq!(one["name"], "Acme");
    assert_eq!(one["member_count"], 2, "active memberships only");
    assert_eq!(one["group_count"], 1);

    app.delete_and_wait(&format!("/v1/organizations/{globex}"))
        .await;
    let pos = app.head().await;
    assert_eq!(
        ids(&app.read("/v1/organizations?order=asc", pos).await),
        [acme.as_str(), initech.as_str()]
    );
    let (status, body) = app.get(&format!("/v1/organizations/{globex}")).await;
    assert_eq!(status, 404, "{body}");
}

#[tokio::test]
async fn roles_are_listed_by_slug() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let roles = format!("/v1/organizations/{org}/roles");
    for slug in ["viewer", "auditor", "billing"] {
        write(
            &app,
            &roles,
            json!({"slug": slug, "name": slug, "permissions": [format!("{slug}:read")]}),
        )
        .await;
    }
    let (_, pos) = write(
        &app,
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": "u"}),
    )
    .await;
    let page = app.read(&format!("{roles}?order=asc"), pos).await;
    let slugs: Vec<&str> = page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    // `admin` and `member` are the organization template's.
    assert_eq!(slugs, ["admin", "auditor", "billing", "member", "viewer"]);
    assert_eq!(page["data"][1]["permissions"], json!(["auditor:read"]));
    assert_eq!(page["data"][0]["object"], "organization_role");

    let three = app.read(&format!("{roles}?order=asc&limit=3"), pos).await;
    let after = three["list_metadata"]["after"].as_str().unwrap();
    let rest = app
        .read(&format!("{roles}?order=asc&limit=3&after={after}"), pos)
        .await;
    assert_eq!(rest["data"][0]["slug"], "member");
    assert_eq!(rest["data"][1]["slug"], "viewer");
    assert_eq!(rest["list_metadata"]["after"], Value::Null);

    let unknown = "org_01JD0000000000000000000000";
    assert_eq!(
        app.get(&format!("/v1/organizations/{unknown}/roles"))
            .await
            .0,
        404
    );
}

/// An organization with roles, five memberships (one inactive, one an application) and a group.
struct Fixture {
    org: String,
    u1: String,
    u2: String,
    u3: String,
    app1: String,
    idle: String,
    group: String,
    position: i64,
}

async fn fixture(app: &TestApp) -> Fixture {
    let org = app.organization().await;
    let roles = format!("/v1/organizations/{org}/roles");
    // `admin` and `member` come from the organization template; give admin permissions there.
    let admin = json!({"permissions": ["members:write", "members:read"]});
    expect(app.patch("/v1/role-templates/admin", admin).await, 200).await;
    let viewer = ["members:read", "reports:read"];
    let viewer = json!({"slug": "viewer", "name": "Viewer", "permissions": viewer});
    write(app, &roles, viewer).await;
    let member = |body: Value| app.member(&org, body);
    let u1 = member(
        json!({"user_id": "u1", "roles": ["admin"], "attributes": {"tier": "gold", "seats": 10}}),
    )
    .await;
    let u2 =
        member(json!({"user_id": "u2", "roles": ["viewer"], "attributes": {"tier": "silver"}}))
            .await;
    let u3 = member(json!({"user_id": "u3", "roles": ["admin", "viewer"], "attributes": {"tier": "gold", "beta": true}})).await;
    let app1 = member(json!({"application_id": "app1"})).await;
    let idle = member(json!({"user_id": "u4", "roles": ["admin"]})).await;
    write(
        app,
        &format!("/v1/memberships/{idle}/deactivate"),
        json!({}),
    )
    .await;
    let group = app.group(&org, "Engineering").await;
    let members = format!("/v1/groups/{group}/members");
    write(app, &members, json!({"membership_id": u1})).await;
    let (_, position) = write(app, &members, json!({"membership_id": u3})).await;
    Fixture {
        org,
        u1,
        u2,
        u3,
        app1,
        idle,
        group,
        position,
    }
}

#[tokio::test]
async fn memberships_filter_by_role_status_group_subject_and_attributes() {
    let app = TestApp::with_projector().await;
    let f = fixture(&app).await;
    let list = |query: &str| format!("/v1/organizations/{}/memberships?{query}", f.org);
    let by_group = format!("group_id={}", f.group);
    let cases: Vec<(&str, Vec<&String>)> = vec![
        ("", vec![&f.u1, &f.u2, &f.u3, &f.app1]),
        ("status=active", vec![&f.u1, &f.u2, &f.u3, &f.app1]),
        ("status=inactive", vec![&f.idle]),
        ("status=all", vec![&f.u1, &f.u2, &f.u3, &f.app1, &f.idle]),
        ("role=admin", vec![&f.u1, &f.u3]),
        ("role=admin&status=all", vec![&f.u1, &f.u3, &f.idle]),
        ("role=admin&role=viewer", vec![&f.u3]),
        ("role=nobody", vec![]),
        (&by_group, vec![&f.u1, &f.u3]),
        ("user_id=u2", vec![&f.u2]),
        ("application_id=app1", vec![&f.app1]),
        ("attr.tier=gold", vec![&f.u1, &f.u3]),
        ("attr.tier=gold&attr.beta=true", vec![&f.u3]),
        ("attr.seats=10", vec![&f.u1]),
        ("attr.tier=gold&role=viewer", vec![&f.u3]),
        ("attr.tier=bronze", vec![]),
    ];
    for (query, expected) in cases {
        let page = app.read(&list(query), f.position).await;
        let expected: Vec<String> = expected.into_iter().cloned().collect();
        assert_eq!(sorted(ids(&page)), sorted(expected), "filter `{query}`");
    }

    let one = app
        .read(&format!("/v1/memberships/{}", f.u3), f.position)
        .await;
    assert_eq!(one["object"], "organization_membership");
    assert_eq!(one["roles"], json!(["admin", "viewer"]));
    assert_eq!(one["attributes"], json!({"tier": "gold", "beta": true}));
    assert_eq!(one["status"], "active");

    let groups = app
        .read(&format!("/v1/memberships/{}/groups", f.u1), f.position)
        .await;
    assert_eq!(ids(&groups), [f.group.as_str()]);
    assert_eq!(groups["data"][0]["name"], "Engineering");
    let none = app
        .read(&format!("/v1/memberships/{}/groups", f.u2), f.position)
        .await;
    assert!(ids(&none).is_empty());
    let unknown = "om_01JD0000000000000000000000";
    assert_eq!(app.get(&format!("/v1/memberships/{unknown}")).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/memberships/{unknown}/groups"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_users_memberships_span_organizations() {
    let app = TestApp::with_projector().await;
    let f = fixture(&app).await;
    let other = app.named("Globex").await;
    let (elsewhere, pos) = write(
        &app,
        &format!("/v1/organizations/{other}/memberships"),
        json!({"user_id": "u1"}),
    )
    .await;
    let page = app.read("/v1/users/u1/memberships?order=asc", pos).await;
    assert_eq!(ids(&page), [f.u1.as_str(), elsewhere.as_str()]);
    assert_eq!(page["data"][1]["organization_id"], other);
    // Inactive memberships only on request.
    assert!(ids(&app.read("/v1/users/u4/memberships", pos).await).is_empty());
    assert_eq!(
        ids(&app
            .read("/v1/users/u4/memberships?status=inactive", pos)
            .await),
        [f.idle.as_str()]
    );
    assert!(ids(&app.read("/v1/users/nobody/memberships", pos).await).is_empty());
}

#[tokio::test]
async fn claims_carry_roles_permission_union_and_groups() {
    let app = TestApp::with_projector().await;
    let f = fixture(&app).await;
    let claims = app
        .read(
            &format!("/v1/organizations/{}/claims?user_id=u3", f.org),
            f.position,
        )
        .await;
    assert_eq!(
        claims,
        json!({
            "organization_id": f.org,
            "membership_id": f.u3,
            "status": "active",
            "roles": ["admin", "viewer"],
            "role_sources": {"admin": ["direct"], "viewer": ["direct"]},
            "permissions": ["members:read", "members:write", "reports:read"],
            "permission_sources": {
                "members:read": ["direct"], "members:write": ["direct"], "reports:read": ["direct"]
            },
            "groups": [{"id": f.group, "name": "Engineering"}],
        })
    );
    let machine = app
        .read(
            &format!("/v1/organizations/{}/claims?application_id=app1", f.org),
            f.position,
        )
        .await;
    assert_eq!(machine["membership_id"], f.app1.as_str());
    assert_eq!(machine["permissions"], json!([]));
    assert_eq!(machine["groups"], json!([]));

    // A role's permissions change: the claims follow.
    let (_, pos) = {
        let res = app
            .patch(
                &format!("/v1/organizations/{}/roles/viewer", f.org),
                json!({"permissions": ["reports:export"]}),
            )
            .await;
        let body = expect(res, 200).await;
        ((), body["position"].as_i64().unwrap())
    };
    let claims = app
        .read(
            &format!("/v1/organizations/{}/claims?user_id=u3", f.org),
            pos,
        )
        .await;
    assert_eq!(
        claims["permissions"],
        json!(["members:read", "members:write", "reports:export"])
    );

    for query in ["user_id=u4", "user_id=nobody", "application_id=u1"] {
        let (status, body) = app
            .get(&format!("/v1/organizations/{}/claims?{query}", f.org))
            .await;
        assert_eq!(status, 404, "{query}: {body}");
    }
    let missing = problem(
        app.fetch(&format!("/v1/organizations/{}/claims", f.org))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&missing), ["user_id"]);
    let both = problem(
        app.fetch(&format!(
            "/v1/organizations/{}/claims?user_id=u1&application_id=app1",
            f.org
        ))
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&both), ["application_id"]);
}

#[tokio::test]
async fn organizations_are_searched_by_part_of_their_name_and_groups_count_their_members() {
    let app = TestApp::with_projector().await;
    let a = app.named("Acme Rockets").await;
    let _ = app.named("Globex").await;
    let (_, pos) = write(&app, "/v1/organizations", json!({"name": "50% Off Shop"})).await;
    let found = app.read("/v1/organizations?name=rocket", pos).await;
    assert_eq!(ids(&found), [a.as_str()]);
    // `%` is a literal character, not a wildcard.
    let literal = app.read("/v1/organizations?name=0%25", pos).await;
    assert_eq!(literal["data"].as_array().unwrap().len(), 1, "{literal}");
    assert_eq!(
        app.read("/v1/organizations?name=%25", pos).await["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let m = app.member(&a, json!({"user_id": "u1"})).await;
    let g = app.group(&a, "Ops").await;
    let (_, pos) = write(
        &app,
        &format!("/v1/groups/{g}/members"),
        json!({"membership_id": m}),
    )
    .await;
    let groups = app
        .read(&format!("/v1/organizations/{a}/groups"), pos)
        .await;
    assert_eq!(groups["data"][0]["member_count"], 1, "{groups}");
}

#[tokio::test]
async fn groups_filter_by_name_prefix_and_list_their_members() {
    let app = TestApp::with_projector().await;
    let f = fixture(&app).await;
    let groups = format!("/v1/organizations/{}/groups", f.org);
    let (eng_ops, _) = write(&app, &groups, json!({"name": "engineering_ops"})).await;
    let (_, _) = write(&app, &groups, json!({"name": "EngineeringXops"})).await;
    let (percent, pos) = write(&app, &groups, json!({"name": "100% Sales"})).await;

    let eng = app.read(&format!("{groups}?name=ENG&order=asc"), pos).await;
    assert_eq!(eng["data"].as_array().unwrap().len(), 3, "{eng}");
    // `_` and `%` are literal characters, not wildcards.
    let literal = app.read(&format!("{groups}?name=engineering_"), pos).await;
    assert_eq!(ids(&literal), [eng_ops.as_str()]);
    let pct = app.read(&format!("{groups}?name=100%25"), pos).await;
    assert_eq!(ids(&pct), [percent.as_str()]);
    assert_eq!(
        app.read(&groups, pos).await["data"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    let group = app.read(&format!("/v1/groups/{}", f.group), pos).await;
    assert_eq!(group["object"], "group");
    assert_eq!(group["member_count"], 2);
    let members = app
        .read(&format!("/v1/groups/{}/members?order=asc", f.group), pos)
        .await;
    assert_eq!(
        sorted(ids(&members)),
        sorted(vec![f.u1.clone(), f.u3.clone()])
    );

    // Removing a member shows in both directions of the relation.
    let res = app
        .delete(&format!("/v1/groups/{}/members/{}", f.group, f.u1))
        .await;
    assert_eq!(res.status(), 200);
    let pos: i64 = res.json::<Value>().await.unwrap()["position"]
        .as_i64()
        .unwrap();
    assert_eq!(
        ids(&app
            .read(&format!("/v1/groups/{}/members", f.group), pos)
            .await),
        [f.u3.as_str()]
    );
    assert!(ids(&app
        .read(&format!("/v1/memberships/{}/groups", f.u1), pos)
        .await)
    .is_empty());

    let unknown = "grp_01JD0000000000000000000000";
    assert_eq!(app.get(&format!("/v1/groups/{unknown}")).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/groups/{unknown}/members")).await.0,
        404
    );
}

#[tokio::test]
async fn invitations_filter_by_state_and_email_without_exposing_tokens() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let path = format!("/v1/organizations/{org}/invitations");
    let (ann, _) = write(&app, &path, json!({"email": "Ann@Example.com"})).await;
    let (bob, _) = write(&app, &path, json!({"email": "bob@example.com"})).await;
    let (_, pos) = write(&app, &format!("/v1/invitations/{bob}/revoke"), json!({})).await;

    assert_eq!(
        sorted(ids(&app.read(&path, pos).await)),
        sorted(vec![ann.clone(), bob.clone()])
    );
    assert_eq!(
        ids(&app.read(&format!("{path}?state=pending"), pos).await),
        [ann.as_str()]
    );
    assert_eq!(
        ids(&app.read(&format!("{path}?state=revoked"), pos).await),
        [bob.as_str()]
    );
    assert!(ids(&app.read(&format!("{path}?state=accepted"), pos).await).is_empty());
    assert_eq!(
        ids(&app
            .read(&format!("{path}?email=ann@example.COM"), pos)
            .await),
        [ann.as_str()]
    );

    let one = app.read(&format!("/v1/invitations/{ann}"), pos).await;
    assert_eq!(one["object"], "invitation");
    assert_eq!(one["state"], "pending");
    let text = one.to_string();
    assert!(!text.contains("token"), "{text}");
    let unknown = "inv_01JD0000000000000000000000";
    assert_eq!(app.get(&format!("/v1/invitations/{unknown}")).await.0, 404);
}

#[tokio::test]
async fn a_query_with_min_position_always_sees_the_command_before_it() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let members = format!("/v1/organizations/{org}/memberships");
    for i in 0..40 {
        let (id, pos) = write(&app, &members, json!({"user_id": format!("user-{i}")})).await;
        let one = app.read(&format!("/v1/memberships/{id}"), pos).await;
        assert_eq!(one["user_id"], format!("user-{i}"));
        let page = app.read(&format!("{members}?user_id=user-{i}"), pos).await;
        assert_eq!(ids(&page), [id.as_str()]);
    }
}

#[tokio::test]
async fn a_position_the_projector_does_not_reach_in_time_is_a_503_naming_min_position() {
    // No projector runs here: nothing will ever reach the position.
    let db = roster_testkit::fresh_db().await;
    let app = TestApp::build(db, std::time::Duration::from_millis(300)).await;
    let (org, pos) = write(&app, "/v1/organizations", json!({"name": "Acme"})).await;
    let started = std::time::Instant::now();
    let res = app
        .fetch(&format!("/v1/organizations/{org}?min_position={pos}"))
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let body = problem(res, 503).await;
    assert_eq!(fields(&body), ["min_position"]);
    assert!(started.elapsed() >= std::time::Duration::from_millis(300));
    // Without min_position the (stale) read model answers at once.
    assert_eq!(app.get(&format!("/v1/organizations/{org}")).await.0, 404);
}

#[tokio::test]
async fn a_position_past_the_end_of_the_log_is_a_400_at_once() {
    // No command ever returned it, so no wait could end well (found by the API fuzzer: such
    // reads waited the whole bound and answered 503).
    let db = roster_testkit::fresh_db().await;
    let app = TestApp::build(db, std::time::Duration::from_secs(30)).await;
    let (org, pos) = write(&app, "/v1/organizations", json!({"name": "Acme"})).await;
    let started = std::time::Instant::now();
    let res = app
        .fetch(&format!(
            "/v1/organizations/{org}?min_position={}",
            pos + 1_000_000
        ))
        .await;
    let body = problem(res, 400).await;
    assert_eq!(fields(&body), ["min_position"]);
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
}

#[tokio::test]
async fn read_paths_refuse_other_methods_and_share_paths_with_commands() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    // A 405 names the methods the path has (RFC 9110), whichever component serves each.
    for (path, allowed) in [
        (format!("/v1/organizations/{org}/claims"), "GET"),
        ("/v1/organizations".to_owned(), "GET, POST"),
        (format!("/v1/organizations/{org}"), "DELETE, GET, PATCH"),
        ("/v1/apply".to_owned(), "POST"),
    ] {
        let res = app.client.put(app.url(&path)).send().await.unwrap();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(allow.as_deref(), Some(allowed), "{path}");
        problem(res, 405).await;
    }
}

#[tokio::test]
async fn metrics_expose_the_projector_lag() {
    let db = roster_testkit::fresh_db().await;
    let app = TestApp::build(db, std::time::Duration::from_secs(5)).await;
    let (_, pos) = write(&app, "/v1/organizations", json!({"name": "Acme"})).await;
    // No projector yet: the read models trail by every event.
    let text = app.metrics().await;
    assert!(
        text.contains(&format!("roster_feed_head_position {pos}\n")),
        "{text}"
    );
    assert!(
        text.contains("roster_consumer_position{consumer=\"projector\"} 0\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "roster_consumer_lag_events{{consumer=\"projector\"}} {pos}\n"
        )),
        "{text}"
    );

    tokio::spawn(projector::Projector::new(app.db.pool.clone()).run());
    app.read("/v1/organizations", pos).await;
    let text = app.metrics().await;
    assert!(
        text.contains("roster_consumer_lag_events{consumer=\"projector\"} 0\n"),
        "{text}"
    );
    let ready = app.get("/readyz").await.1;
    assert_eq!(ready["projector"]["lag"], 0);
}

/// `/metrics` counts requests by route template and status, commands by outcome, appended events
/// and delivery attempts, and reports the connection pools (the token: `cli.rs`).
#[tokio::test]
async fn metrics_count_requests_commands_and_events() {
    let app = TestApp::spawn().await;
    let _ = app.named("Acme").await;
    let res = app.post("/v1/organizations", json!({"name": ""})).await;
    assert_eq!(res.status(), 400);
    let text = app.metrics().await;
    let has = |needle: &str| text.lines().any(|l| l.starts_with(needle));
    assert!(
        has("roster_http_requests_total{route=\"/v1/organizations\",method=\"POST\",status=\"201\"}"),
        "{text}"
    );
    assert!(has(
        "roster_http_requests_total{route=\"/v1/organizations\",method=\"POST\",status=\"400\"}"
    ));
    assert!(
        has("roster_http_request_duration_seconds_bucket{le=\"0.001\",route=\"/v1/organizations\"")
            || has("roster_http_request_duration_seconds_bucket{route=\"/v1/organizations\"")
    );
    assert!(has(
        "roster_commands_total{command=\"organization.create\",outcome=\"ok\"}"
    ));
    assert!(has(
        "roster_events_appended_total{event_type=\"organization.created\"}"
    ));
    assert!(has(
        "roster_db_pool_connections{pool=\"http\",state=\"open\"}"
    ));
    assert!(text.ends_with("# EOF\n"));
}
