//! Which of the template's roles an organization offers (`template_roles`, Clerk's role sets):
//! all of them by default, or only some. A role not offered is not listed, cannot be given and
//! grants nothing from the change on; the process manager takes it from its holders — and under
//! races, no one keeps a role withdrawn while it is being given.

use std::sync::Arc;

use crate::support::{expect, fields, given, holders, joins_at_once, problem, TestApp};
use serde_json::{json, Value};

const TEMPLATES: &str = "/v1/role-templates";

fn slugs(page: &Value) -> Vec<(String, bool)> {
    let mut slugs: Vec<(String, bool)> = (page["data"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["slug"].as_str().unwrap().to_owned(),
                r["template"].as_bool().unwrap(),
            )
        })
        .collect();
    slugs.sort();
    slugs
}

fn owned(list: &[(&str, bool)]) -> Vec<(String, bool)> {
    list.iter().map(|(s, t)| (s.to_string(), *t)).collect()
}

#[tokio::test]
async fn an_organization_offers_only_the_template_roles_it_chooses() {
    let app = TestApp::with_projector().await;
    app.created(
        TEMPLATES,
        json!({"slug": "viewer", "name": "Viewer", "permissions": ["docs:read"]}),
    )
    .await;
    app.created(
        TEMPLATES,
        json!({"slug": "billing", "name": "Billing", "permissions": ["billing:read"]}),
    )
    .await;

    // Bad sets are refused, naming the field; nothing is created.
    for (body, status, says) in [
        (json!(["viewer"]), 400, "member"),
        (json!(["member", "Not A Slug"]), 400, "template_roles"),
        (json!(["member", "ghost"]), 422, "ghost"),
    ] {
        let res = app
            .post(
                "/v1/organizations",
                json!({"name": "Bad", "template_roles": body}),
            )
            .await;
        let body = problem(res, status).await;
        assert_eq!(fields(&body), ["template_roles"], "{body}");
        assert!(body.to_string().contains(says), "{body}");
    }
    let at = app.head().await;
    let none = app.read("/v1/organizations?name=Bad", at).await;
    assert_eq!(none["data"], json!([]));

    let created = app
        .created(
            "/v1/organizations",
            json!({"name": "Acme", "template_roles": ["viewer", "member"]}),
        )
        .await;
    let org = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["template_roles"], json!(["member", "viewer"]));
    let at = created["position"].as_i64().unwrap();
    let read = app.read(&format!("/v1/organizations/{org}"), at).await;
    assert_eq!(read["template_roles"], json!(["member", "viewer"]));
    let roles = app
        .read(&format!("/v1/organizations/{org}/roles"), at)
        .await;
    assert_eq!(slugs(&roles), owned(&[("member", true), ("viewer", true)]));

    // A role it does not offer cannot be given, directly or through a group.
    let memberships = format!("/v1/organizations/{org}/memberships");
    let res = app
        .post(&memberships, json!({"user_id": "eve", "roles": ["admin"]}))
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["roles"]);
    let group = app.group(&org, "Finance").await;
    let res = app
        .put(
            &format!("/v1/groups/{group}/roles"),
            json!({"roles": ["billing"]}),
        )
        .await;
    problem(res, 422).await;

    // Ann holds `viewer` directly, Bob through the group; a domain gives it to joiners.
    let ann = app
        .member(&org, json!({"user_id": "ann", "roles": ["viewer"]}))
        .await;
    let bob = app.member(&org, json!({"user_id": "bob"})).await;
    expect(
        app.put(
            &format!("/v1/groups/{group}/roles"),
            json!({"roles": ["viewer"]}),
        )
        .await,
        200,
    )
    .await;
    expect(
        app.post(
            &format!("/v1/groups/{group}/members"),
            json!({"membership_id": bob}),
        )
        .await,
        201,
    )
    .await;
    app.created(
        &format!("/v1/organizations/{org}/domains"),
        json!({"domain": "acme-sets.com"}),
    )
    .await;
    expect(
        app.patch(
            &format!("/v1/organizations/{org}/domains/acme-sets.com"),
            json!({"default_roles": ["viewer", "member"]}),
        )
        .await,
        200,
    )
    .await;
    let at = app.head().await;
    for user in ["ann", "bob"] {
        let claims = app
            .read(
                &format!("/v1/organizations/{org}/claims?user_id={user}"),
                at,
            )
            .await;
        assert_eq!(claims["permissions"], json!(["docs:read"]), "{user}");
    }

    // Withdrawn: it grants nothing from the change on, and is then taken from every holder.
    let res = app
        .patch(
            &format!("/v1/organizations/{org}"),
            json!({"template_roles": ["member", "billing"]}),
        )
        .await;
    let updated = expect(res, 200).await;
    assert_eq!(updated["template_roles"], json!(["billing", "member"]));
    let at = updated["position"].as_i64().unwrap();
    let claims = app
        .read(&format!("/v1/organizations/{org}/claims?user_id=ann"), at)
        .await;
    assert_eq!(claims["permissions"], json!([]), "{claims}");
    let roles = app
        .read(&format!("/v1/organizations/{org}/roles"), at)
        .await;
    assert_eq!(slugs(&roles), owned(&[("billing", true), ("member", true)]));
    app.workflows_done(at).await;
    let at = app.head().await;
    let of_ann = app.read(&format!("/v1/memberships/{ann}"), at).await;
    assert_eq!(of_ann["roles"], json!([]), "{of_ann}");
    let of_group = app.read(&format!("/v1/groups/{group}"), at).await;
    assert_eq!(of_group["roles"], json!([]), "{of_group}");
    let domain = app
        .read(
            &format!("/v1/organizations/{org}/domains/acme-sets.com"),
            at,
        )
        .await;
    assert_eq!(domain["default_roles"], json!(["member"]), "{domain}");
    let events: Vec<String> = app.events_of(&org).await.into_iter().map(|e| e.0).collect();
    assert!(
        events.ends_with(&[
            "organization.updated".into(),
            "organization_domain.updated".into()
        ]),
        "{events:?}"
    );
    let res = app
        .post(&memberships, json!({"user_id": "cy", "roles": ["viewer"]}))
        .await;
    assert_eq!(fields(&problem(res, 422).await), ["roles"]);

    // Back to all of them: `admin` and `viewer` are offered again.
    let res = app
        .patch(
            &format!("/v1/organizations/{org}"),
            json!({"template_roles": null}),
        )
        .await;
    let all = expect(res, 200).await;
    assert_eq!(all["template_roles"], Value::Null);
    app.member(&org, json!({"user_id": "cy", "roles": ["admin", "viewer"]}))
        .await;
    let at = app.head().await;
    let roles = app
        .read(&format!("/v1/organizations/{org}/roles"), at)
        .await;
    assert_eq!(
        slugs(&roles),
        owned(&[
            ("admin", true),
            ("billing", true),
            ("member", true),
            ("viewer", true)
        ])
    );
}

/// Memberships given a template role while their organization stops offering it: once the
/// process manager is done, no one holds it (a change committed after the withdrawal is refused,
/// one before it is seen by the process manager).
#[tokio::test]
async fn no_one_keeps_a_template_role_withdrawn_while_it_is_being_given() {
    let app = Arc::new(TestApp::spawn().await);
    app.created(TEMPLATES, json!({"slug": "viewer", "name": "Viewer"}))
        .await;
    for round in 0..3 {
        let org = app.named(&format!("Race {round}")).await;
        let joins = joins_at_once(&app, &org, "u", json!(["viewer"]), 24);
        let res = app
            .patch(
                &format!("/v1/organizations/{org}"),
                json!({"template_roles": ["member"]}),
            )
            .await;
        let withdrawn = expect(res, 200).await;
        let given = given(joins).await;
        app.workflows_done(withdrawn["position"].as_i64().unwrap())
            .await;
        let holders = holders(&app.db.pool, &org, "viewer").await;
        assert_eq!(
            holders, 0,
            "round {round}: {given} given before the withdrawal"
        );
    }
}

/// A document says which template roles an organization offers: the plan shows the change, a
/// member named with a role it will not offer is refused before anything is written, and an
/// export carries the choice and plans back to nothing.
#[tokio::test]
async fn documents_choose_the_template_roles_an_organization_offers() {
    let app = TestApp::with_projector().await;
    app.created(TEMPLATES, json!({"slug": "viewer", "name": "Viewer"}))
        .await;
    let apply = |query: &'static str, body: &'static str| {
        let url = app.url(&format!("/v1/apply{query}"));
        let client = app.client_with(Some(&app.admin_key));
        async move {
            let res = (client.post(url))
                .header("content-type", "application/yaml")
                .body(body)
                .send()
                .await
                .unwrap();
            res
        }
    };

    let refused = "organizations:\n  - external_id: acme\n    name: Acme\n    template_roles: [member, viewer]\n    members: [{user_id: ann, roles: [admin]}]\n";
    let body = problem(apply("", refused).await, 422).await;
    assert_eq!(
        fields(&body),
        ["organizations[0].members[0].roles[0]"],
        "{body}"
    );
    assert!(body.to_string().contains("template_roles"), "{body}");
    let unknown =
        "organizations:\n  - {external_id: acme, name: Acme, template_roles: [member, ghost]}\n";
    let body = problem(apply("", unknown).await, 422).await;
    assert_eq!(fields(&body), ["organizations[0].template_roles"], "{body}");
    assert!(body.to_string().contains("ghost"), "{body}");
    let at = app.head().await;
    let none = app.read("/v1/organizations?external_id=acme", at).await;
    assert_eq!(none["data"], json!([]), "nothing written");

    let document = "organizations:\n  - external_id: acme\n    name: Acme\n    template_roles: [member, viewer]\n    members: [{user_id: ann, roles: [viewer]}]\n";
    let plan = expect(apply("?dry_run=true", document).await, 200).await;
    let created = &plan["organizations"][0]["changes"][0];
    let offered = (created["fields"].as_array().unwrap().iter())
        .find(|f| f["field"] == "template_roles")
        .unwrap_or_else(|| panic!("{created}"));
    assert_eq!(offered["new"], json!(["member", "viewer"]));
    let applied = expect(apply("", document).await, 200).await;
    assert_eq!(applied["complete"], true, "{applied}");
    let at = applied["position"].as_i64().unwrap();
    let acme = app.read("/v1/organizations?external_id=acme", at).await["data"][0].clone();
    assert_eq!(acme["template_roles"], json!(["member", "viewer"]));

    // Narrowed by a document: the update shows old and new.
    let narrowed =
        "organizations:\n  - {external_id: acme, name: Acme, template_roles: [member]}\n";
    let plan = expect(apply("?dry_run=true", narrowed).await, 200).await;
    let update = &plan["organizations"][0]["changes"][0];
    assert_eq!(update["action"], "update", "{plan}");
    assert_eq!(
        update["fields"],
        json!([{"field": "template_roles", "old": ["member", "viewer"], "new": ["member"]}])
    );

    // The export carries the choice and plans back to nothing.
    let (status, exported) = app
        .get(&format!("/v1/export?format=json&min_position={at}"))
        .await;
    assert_eq!(status, 200, "{exported}");
    assert_eq!(
        exported["organizations"][0]["template_roles"],
        json!(["member", "viewer"])
    );
    let client = app.client_with(Some(&app.admin_key));
    let res = (client.post(app.url("/v1/apply?dry_run=true")))
        .json(&exported)
        .send()
        .await
        .unwrap();
    let replanned = expect(res, 200).await;
    assert!(
        (replanned["organizations"].as_array().unwrap().iter())
            .all(|o| o["changes"].as_array().unwrap().is_empty()),
        "{replanned}"
    );
}
