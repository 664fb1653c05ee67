//! Bad input across every command route: each gets the right problem status naming the field, no
//! 500, and nothing is written.

mod support;

use reqwest::Method;
use serde_json::{json, Value};
use support::{fields, problem, TestApp};

async fn created(app: &TestApp, path: &str, body: Value) -> String {
    let res = app.post(path, body).await;
    assert_eq!(res.status(), 201);
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn thirty_plus_bad_requests_each_get_a_problem_and_write_nothing() {
    let app = TestApp::spawn().await;
    let org = created(&app, "/v1/organizations", json!({"name": "Acme"})).await;
    let other = created(&app, "/v1/organizations", json!({"name": "Other"})).await;
    let om = created(
        &app,
        &format!("/v1/organizations/{org}/memberships"),
        json!({"user_id": "u1"}),
    )
    .await;
    let foreign = created(
        &app,
        &format!("/v1/organizations/{other}/memberships"),
        json!({"user_id": "u2"}),
    )
    .await;
    let grp = created(
        &app,
        &format!("/v1/organizations/{org}/groups"),
        json!({"name": "G"}),
    )
    .await;
    let inv = created(
        &app,
        &format!("/v1/organizations/{org}/invitations"),
        json!({"email": "a@b.co"}),
    )
    .await;
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
