//! Bad input across every command route: each gets the right problem status naming the field, no
//! 500, and nothing is written.

use crate::support::{expect, fields, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

#[tokio::test]
async fn thirty_plus_bad_requests_each_get_a_problem_and_write_nothing() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let other = app.named("Other").await;
    let om = app.member(&org, json!({"user_id": "u1"})).await;
    let foreign = app.member(&other, json!({"user_id": "u2"})).await;
    let grp = app.group(&org, "G").await;
    let invitations = format!("/v1/organizations/{org}/invitations");
    let inv = app.create(&invitations, json!({"email": "a@b.co"})).await;
    let unknown_org = "org_01JD0000000000000000000000";
    let before = app.event_count().await;

    let long = "x".repeat(101);
    let cases: Vec<(Method, String, Value, u16, Option<&str>)> = vec![
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": ""}),
            400,
            Some("name"),
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": long}),
            400,
            Some("name"),
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": "A", "metadata": {"k": 1}}),
            400,
            Some("metadata.k"),
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": "A", "extra": true}),
            400,
            Some("extra"),
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": "A", "external_id": " "}),
            400,
            Some("external_id"),
        ),
        (
            Method::PATCH,
            format!("/v1/organizations/{unknown_org}"),
            json!({"name": "A"}),
            404,
            None,
        ),
        (
            Method::PATCH,
            format!("/v1/organizations/{grp}"),
            json!({"name": "A"}),
            400,
            Some("org_id"),
        ),
        (
            Method::DELETE,
            "/v1/organizations/nonsense".into(),
            Value::Null,
            400,
            Some("org_id"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/roles"),
            json!({"slug": "Has Space", "name": "R"}),
            400,
            Some("slug"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/roles"),
            json!({"slug": "admin", "name": "R"}),
            409,
            Some("slug"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/roles"),
            json!({"slug": "r", "name": "R", "permissions": ["a b"]}),
            400,
            Some("permissions"),
        ),
        (
            Method::DELETE,
            format!("/v1/organizations/{org}/roles/member"),
            Value::Null,
            422,
            Some("slug"),
        ),
        (
            Method::PATCH,
            format!("/v1/organizations/{org}/roles/ghost"),
            json!({"name": "G"}),
            404,
            None,
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({}),
            400,
            Some("user_id"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "a", "application_id": "b"}),
            400,
            Some("user_id"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "n", "roles": ["ghost"]}),
            422,
            Some("roles"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "n", "attributes": {"a": [1]}}),
            400,
            Some("attributes"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "u1"}),
            409,
            Some("membership_id"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{unknown_org}/memberships"),
            json!({"user_id": "n"}),
            404,
            None,
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships/bulk"),
            json!({"items": []}),
            400,
            Some("items"),
        ),
        (
            Method::PATCH,
            format!("/v1/memberships/{grp}"),
            json!({}),
            400,
            Some("id"),
        ),
        (
            Method::PATCH,
            format!("/v1/memberships/{om}"),
            json!({"roles": "admin"}),
            400,
            Some("roles"),
        ),
        (
            Method::POST,
            "/v1/memberships/om_01JD0000000000000000000000/deactivate".into(),
            Value::Null,
            404,
            None,
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/groups"),
            json!({"name": ""}),
            400,
            Some("name"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/groups"),
            json!({"name": "g"}),
            409,
            Some("name"),
        ),
        (
            Method::POST,
            format!("/v1/groups/{grp}/members"),
            json!({"membership_id": foreign}),
            422,
            Some("membership_id"),
        ),
        (
            Method::POST,
            format!("/v1/groups/{grp}/members"),
            json!({"membership_id": "nope"}),
            400,
            Some("membership_id"),
        ),
        (
            Method::POST,
            format!("/v1/groups/{grp}/members"),
            json!({}),
            400,
            Some("membership_id"),
        ),
        (
            Method::DELETE,
            format!("/v1/groups/{grp}/members/{om}"),
            Value::Null,
            404,
            None,
        ),
        (
            Method::PATCH,
            "/v1/groups/grp_01JD0000000000000000000000".into(),
            json!({"name": "X"}),
            404,
            None,
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/invitations"),
            json!({"email": "nope"}),
            400,
            Some("email"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/invitations"),
            json!({"email": "A@B.CO"}),
            409,
            Some("email"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/invitations"),
            json!({"email": "c@d.co", "expires_in_days": 60}),
            400,
            Some("expires_in_days"),
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/invitations"),
            json!({"email": "c@d.co", "expires_in_days": 2.5}),
            400,
            Some("expires_in_days"),
        ),
        (
            Method::POST,
            format!("/v1/invitations/{inv}/accept"),
            json!({"user_id": "u", "accept_token": "it_guess"}),
            422,
            Some("accept_token"),
        ),
        (
            Method::POST,
            format!("/v1/invitations/{inv}/accept"),
            json!({"user_id": "u"}),
            400,
            Some("accept_token"),
        ),
        (
            Method::POST,
            "/v1/invitations/inv_01JD0000000000000000000000/revoke".into(),
            Value::Null,
            404,
            None,
        ),
        (
            Method::PUT,
            format!("/v1/groups/{grp}/members"),
            Value::Null,
            405,
            None,
        ),
    ];
    assert!(cases.len() >= 30);
    for (method, path, body, status, field) in cases {
        let mut request = app.client.request(method.clone(), app.url(&path));
        if !body.is_null() {
            request = request.json(&body);
        }
        let res = request.send().await.unwrap();
        let p = problem(res, status).await;
        if let Some(field) = field {
            assert_eq!(fields(&p), [field], "{method} {path} {body}");
        }
    }
    assert_eq!(
        app.event_count().await,
        before,
        "no bad request wrote anything"
    );
}

/// An organization with a membership (user `u1`) and a group: their ids.
async fn organization_with_member_and_group(app: &TestApp) -> (String, String, String) {
    let org = app.organization().await;
    let om = app.member(&org, json!({"user_id": "u1"})).await;
    let grp = app.group(&org, "G").await;
    (org, om, grp)
}

/// A NUL (or another control character) anywhere a string goes: bodies, keys, query parameters
/// and path segments are 400s naming the field, never a 500, and nothing is written.
#[tokio::test]
async fn control_characters_are_refused_everywhere() {
    let app = TestApp::spawn().await;
    let (org, om, grp) = organization_with_member_and_group(&app).await;
    let before = app.event_count().await;
    let nul = "a\u{0}b";
    let cases: Vec<(Method, String, Value, &str)> = vec![
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": "x", "metadata": {"k": nul}}),
            "metadata",
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": "x", "metadata": {nul: "v"}}),
            "metadata",
        ),
        (
            Method::PATCH,
            format!("/v1/organizations/{org}"),
            json!({"metadata": {"k": nul}}),
            "metadata",
        ),
        (
            Method::POST,
            "/v1/organizations".into(),
            json!({"name": nul}),
            "name",
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "u2", "attributes": {"team": nul}}),
            "attributes",
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": "u2", "attributes": {nul: "x"}}),
            "attributes",
        ),
        (
            Method::POST,
            format!("/v1/organizations/{org}/memberships"),
            json!({"user_id": nul}),
            "user_id",
        ),
        (
            Method::PATCH,
            format!("/v1/memberships/{om}"),
            json!({"attributes": {"team": nul}}),
            "attributes",
        ),
        (
            Method::PATCH,
            format!("/v1/groups/{grp}"),
            json!({"description": nul}),
            "description",
        ),
        (
            Method::POST,
            "/v1/webhook-endpoints".into(),
            json!({"url": format!("http://127.0.0.1:9/{nul}")}),
            "url",
        ),
        (
            Method::POST,
            "/v1/webhook-endpoints".into(),
            json!({"url": "http://127.0.0.1:9/", "description": nul}),
            "description",
        ),
    ];
    for (method, path, body, field) in cases {
        let res = app
            .client
            .request(method.clone(), app.url(&path))
            .json(&body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 400).await;
        assert_eq!(fields(&p), [field], "{method} {path} {body}");
    }

    let items = json!({"items": [{"user_id": "u3", "attributes": {"k": nul}}, {"user_id": nul}]});
    let bulk = app
        .post(&format!("/v1/organizations/{org}/memberships/bulk"), items)
        .await;
    let bulk = expect(bulk, 200).await;
    assert_eq!(bulk["failed"], 2, "{bulk}");
    for item in bulk["data"].as_array().unwrap() {
        assert_eq!(item["status"], 400, "{item}");
    }

    for path in [
        format!("/v1/organizations/{org}/groups?name=%00"),
        "/v1/organizations?external_id=%00".to_string(),
        format!("/v1/organizations/{org}/memberships?user_id=%00"),
        format!("/v1/organizations/{org}/memberships?application_id=a%00"),
        format!("/v1/organizations/{org}/memberships?attr.k=%00"),
        format!("/v1/organizations/{org}/memberships?attr.%00=x"),
        format!("/v1/organizations/{org}/invitations?email=%00"),
        format!("/v1/organizations/{org}/claims?user_id=%00"),
        "/v1/users/%00/memberships".to_string(),
        "/v1/users/u%1B1/memberships".to_string(),
        "/v1/organizations/org%00/memberships".to_string(),
    ] {
        let res = app.fetch(&path).await;
        let p = problem(res, 400).await;
        assert_eq!(fields(&p).len(), 1, "{path}: {p}");
    }
    assert_eq!(app.event_count().await, before, "nothing was written");
}

/// `null` for a field that cannot be cleared is a 400 naming it, on every PATCH route.
#[tokio::test]
async fn null_for_a_required_field_is_refused_on_every_patch() {
    let app = TestApp::spawn().await;
    let (org, om, grp) = organization_with_member_and_group(&app).await;
    let viewer = json!({"slug": "viewer", "name": "Viewer"});
    app.created(&format!("/v1/organizations/{org}/roles"), viewer)
        .await;
    let endpoint = json!({"url": "http://127.0.0.1:9/"});
    let we = app.create("/v1/webhook-endpoints", endpoint).await;
    let before = app.event_count().await;
    for (path, field) in [
        (format!("/v1/organizations/{org}"), "name"),
        (format!("/v1/organizations/{org}"), "metadata"),
        (format!("/v1/organizations/{org}/roles/viewer"), "name"),
        (
            format!("/v1/organizations/{org}/roles/viewer"),
            "permissions",
        ),
        (format!("/v1/groups/{grp}"), "name"),
        (format!("/v1/memberships/{om}"), "roles"),
        (format!("/v1/memberships/{om}"), "attributes"),
        (format!("/v1/webhook-endpoints/{we}"), "url"),
        (format!("/v1/webhook-endpoints/{we}"), "event_types"),
    ] {
        let p = problem(app.patch(&path, json!({ field: null })).await, 400).await;
        assert_eq!(fields(&p), [field], "PATCH {path} {{{field}: null}}");
    }
    // Fields that can be cleared still can.
    let res = app
        .patch(
            &format!("/v1/organizations/{org}"),
            json!({"description": null}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.event_count().await, before, "nothing was written");
}

/// A key given twice in one object is a 400 naming it (with its path), not "last one wins".
#[tokio::test]
async fn duplicate_keys_are_refused() {
    let app = TestApp::spawn().await;
    for (path, body, field) in [
        ("/v1/organizations", r#"{"name": "A", "name": "B"}"#, "name"),
        (
            "/v1/organizations",
            r#"{"name": "A", "metadata": {"k": "1", "k": "2"}}"#,
            "metadata.k",
        ),
        (
            "/v1/webhook-endpoints",
            r#"{"url": "http://127.0.0.1:9/", "url": "http://127.0.0.1:9/x"}"#,
            "url",
        ),
    ] {
        let res = app
            .client
            .post(app.url(path))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 400).await;
        assert_eq!(fields(&p), [field], "{body}");
    }
    assert_eq!(app.event_count().await, 0);
    let (_, list) = app.get("/v1/webhook-endpoints").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 0);
}

/// Ids of every kind parse the same way: a lower-case ULID names the same object.
#[tokio::test]
async fn lower_case_ids_work_for_every_kind() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let endpoint = json!({"url": "http://127.0.0.1:9/"});
    let we = app.create("/v1/webhook-endpoints", endpoint).await;
    let lower = |id: &str| {
        let (prefix, ulid) = id.split_once('_').unwrap();
        format!("{prefix}_{}", ulid.to_lowercase())
    };
    let res = app
        .patch(
            &format!("/v1/organizations/{}", lower(&org)),
            json!({"name": "B"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let (status, body) = app
        .get(&format!("/v1/webhook-endpoints/{}", lower(&we)))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], we.as_str());
    let (status, body) = app
        .get(&format!("/v1/webhook-endpoints/{}/deliveries", lower(&we)))
        .await;
    assert_eq!(status, 200, "{body}");
    let missing = lower(&domain::DeliveryId::new().to_string());
    let (status, body) = app.get(&format!("/v1/deliveries/{missing}")).await;
    assert_eq!(
        status, 404,
        "a well-formed delivery id is looked up: {body}"
    );
}

#[tokio::test]
async fn integral_numbers_written_with_a_fraction_are_integers() {
    // JSON Schema counts `3.0` as an integer, and some clients write numbers that way.
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let body = r#"{"email": "c@d.co", "expires_in_days": 3.0}"#;
    let res = app
        .client
        .post(app.url(&format!("/v1/organizations/{org}/invitations")))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    let made = expect(res, 201).await;
    let expires: chrono::DateTime<chrono::Utc> =
        made["expires_at"].as_str().unwrap().parse().unwrap();
    let days = (expires - chrono::Utc::now()).num_hours() as f64 / 24.0;
    assert!((2.9..=3.0).contains(&days), "{days} days");
}
