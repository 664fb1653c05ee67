//! The organization template: roles defined once by an admin key, offered by every organization
//! besides its custom roles; a template change reaches every holder's claims at once; a deleted
//! template role is taken from its holders everywhere — and under races, a slug is never both a
//! template role and an organization's custom role, and no one keeps a deleted template role.

use std::sync::Arc;

use crate::support::{expect, fields, given, holders, joins_at_once, make_key, problem, TestApp};
use serde_json::{json, Value};

const TEMPLATES: &str = "/v1/role-templates";

async fn claims(app: &TestApp, org: &str, user: &str, position: i64) -> Value {
    app.read(
        &format!("/v1/organizations/{org}/claims?user_id={user}"),
        position,
    )
    .await
}

#[tokio::test]
async fn template_roles_are_offered_everywhere_and_changes_reach_every_holder_at_once() {
    let app = TestApp::with_projector().await;
    let (a, b) = (app.named("A").await, app.named("B").await);
    let auditor = json!({"slug": "auditor", "name": "Auditor", "permissions": ["logs:read"]});

    // Only an admin key changes the template; any key reads it.
    let org_key = make_key(&app.db.pool, Some(&a), false).await;
    let as_org = app.client_with(Some(&org_key));
    let res = as_org
        .post(app.url(TEMPLATES))
        .json(&auditor)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);

    let created = app.created(TEMPLATES, auditor).await;
    assert_eq!(created["object"], "role_template");
    assert_eq!(created["permissions"], json!(["logs:read"]));
    let at = created["position"].as_i64().unwrap();
    let listed = app.read(TEMPLATES, at).await;
    let mut slugs: Vec<&str> = (listed["data"].as_array().unwrap().iter())
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    slugs.sort();
    assert_eq!(
        slugs,
        ["admin", "auditor", "member"],
        "the built-ins and the new one"
    );
    let one = app.read(&format!("{TEMPLATES}/auditor"), at).await;
    assert_eq!(one["name"], "Auditor");
    let res = as_org.get(app.url(TEMPLATES)).send().await.unwrap();
    assert_eq!(res.status(), 200);

    // Every organization offers it, marked as the template's.
    let roles = app.read(&format!("/v1/organizations/{a}/roles"), at).await;
    let mut offered: Vec<(String, bool)> = (roles["data"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["slug"].as_str().unwrap().to_owned(),
                r["template"].as_bool().unwrap(),
            )
        })
        .collect();
    offered.sort();
    assert_eq!(
        offered,
        [
            ("admin".into(), true),
            ("auditor".into(), true),
            ("member".into(), true)
        ]
    );

    // Held directly in A, through a group in B.
    app.member(&a, json!({"user_id": "ann", "roles": ["auditor"]}))
        .await;
    app.member(&b, json!({"user_id": "bob"})).await;
    let bea = app.member(&b, json!({"user_id": "bea"})).await;
    let group = app.group(&b, "Audit").await;
    expect(
        app.put(
            &format!("/v1/groups/{group}/roles"),
            json!({"roles": ["auditor"]}),
        )
        .await,
        200,
    )
    .await;
    let added = expect(
        app.post(
            &format!("/v1/groups/{group}/members"),
            json!({ "membership_id": bea }),
        )
        .await,
        201,
    )
    .await;
    let at = added["position"].as_i64().unwrap();
    assert_eq!(
        claims(&app, &a, "ann", at).await["permissions"],
        json!(["logs:read"])
    );
    assert_eq!(
        claims(&app, &b, "bea", at).await["permissions"],
        json!(["logs:read"])
    );

    // One change, every holder in every organization.
    let updated = expect(
        app.patch(
            &format!("{TEMPLATES}/auditor"),
            json!({"permissions": ["logs:read", "logs:export"]}),
        )
        .await,
        200,
    )
    .await;
    let at = updated["position"].as_i64().unwrap();
    for (org, user) in [(&a, "ann"), (&b, "bea")] {
        let c = claims(&app, org, user, at).await;
        assert_eq!(c["permissions"], json!(["logs:export", "logs:read"]));
        assert!(c["roles"].as_array().unwrap().contains(&json!("auditor")));
    }

    // A custom role may not take the slug; the organization's role routes point to the template.
    let body = problem(
        app.post(
            &format!("/v1/organizations/{a}/roles"),
            json!({"slug": "auditor", "name": "Mine"}),
        )
        .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["slug"]);
    let body = problem(
        app.patch(
            &format!("/v1/organizations/{a}/roles/auditor"),
            json!({"name": "Mine"}),
        )
        .await,
        409,
    )
    .await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .contains("/v1/role-templates/auditor"));
    // Nor may a template role take a slug an organization uses.
    app.created(
        &format!("/v1/organizations/{b}/roles"),
        json!({"slug": "billing", "name": "Billing"}),
    )
    .await;
    let body = problem(
        app.post(TEMPLATES, json!({"slug": "billing", "name": "Billing"}))
            .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["slug"]);
    assert!(body["detail"].as_str().unwrap().contains(&b));
    // Bad input and the built-in.
    let body = problem(
        app.post(TEMPLATES, json!({"slug": "Not A Slug", "name": ""}))
            .await,
        400,
    )
    .await;
    assert_eq!(fields(&body), ["slug", "name"]);
    let res = app.delete(&format!("{TEMPLATES}/nope")).await;
    assert_eq!(res.status(), 404);
    // `member` is what joining without roles gives: built in.
    problem(app.delete(&format!("{TEMPLATES}/member")).await, 422).await;

    // Deleted: taken from every holder, by the process manager.
    let deleted = app.delete_and_wait(&format!("{TEMPLATES}/auditor")).await;
    let at = app.head().await;
    assert!(at >= deleted["position"].as_i64().unwrap());
    for (org, user) in [(&a, "ann"), (&b, "bea")] {
        let c = claims(&app, org, user, at).await;
        assert_eq!(c["permissions"], json!([]), "{user}");
        assert!(!c["roles"].to_string().contains("auditor"), "{user}: {c}");
    }
    let group_now = app.read(&format!("/v1/groups/{group}"), at).await;
    assert_eq!(group_now["roles"], json!([]));
    let body = problem(
        app.post(
            &format!("/v1/organizations/{a}/memberships"),
            json!({"user_id": "cid", "roles": ["auditor"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["roles"]);

    // The template's events belong to no organization; they are in the log like any other.
    let events = app.events_of("auditor").await;
    let types: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        types,
        [
            "role_template.created",
            "role_template.updated",
            "role_template.deleted"
        ]
    );
    let orgless: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type = 'role_template' AND organization_id IS NULL",
    )
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(orgless, 5, "auditor's three and the built-ins' creation");
    let (status, event) = app
        .get(&format!(
            "/v1/events/{}",
            events[0].4["event_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(status, 200, "{event}");
    assert_eq!(event["organization_id"], Value::Null);
    // An organization key does not see events of no organization.
    let res = as_org
        .get(app.url(&format!("/v1/events/{}", event["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
}

/// A template role and custom roles of one slug created at once in several organizations: either
/// the template role or custom roles, never both (the custom role forbids the template's key; the
/// template's creation finds the slug index empty, under the same key's lock).
#[tokio::test]
async fn a_slug_is_never_both_a_template_role_and_a_custom_role() {
    let app = Arc::new(TestApp::spawn().await);
    let mut orgs = Vec::new();
    for i in 0..6 {
        orgs.push(app.named(&format!("Org {i}")).await);
    }
    let (mut templates, mut customs) = (0, 0);
    for round in 0..8 {
        let slug = format!("race-{round}");
        let body = json!({"slug": slug, "name": "Race"});
        let template = {
            let (app, body) = (app.clone(), body.clone());
            tokio::spawn(async move { app.post(TEMPLATES, body).await.status().as_u16() })
        };
        let custom: Vec<_> = (orgs.iter().cloned())
            .map(|org| {
                let (app, body) = (app.clone(), body.clone());
                tokio::spawn(async move {
                    let path = format!("/v1/organizations/{org}/roles");
                    app.post(&path, body).await.status().as_u16()
                })
            })
            .collect();
        let template = template.await.unwrap();
        let mut created = 0;
        for c in custom {
            match c.await.unwrap() {
                201 => created += 1,
                409 => {}
                other => panic!("custom role: {other}"),
            }
        }
        match template {
            201 => assert_eq!(created, 0, "{slug}: a template role and custom roles"),
            409 => assert!(created > 0, "{slug}: refused for no custom role"),
            other => panic!("template role: {other}"),
        }
        templates += usize::from(template == 201);
        customs += usize::from(created > 0);
        // The claims agree with the answers.
        let both: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM claims WHERE key = 'role_template/' || $1)
                AND EXISTS (SELECT 1 FROM claims WHERE key LIKE 'role_slug/' || $1 || '/%')",
        )
        .bind(&slug)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
        assert!(!both, "{slug}");
    }
    assert_eq!(templates + customs, 8);
}

/// Memberships given a template role while the role is deleted: once the process manager is done
/// with the deletion, no one holds it (a change that commits after the deletion is refused, one
/// before it is seen by the process manager).
#[tokio::test]
async fn no_one_keeps_a_template_role_deleted_while_it_is_being_given() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    for round in 0..3 {
        let slug = format!("temp-{round}");
        app.created(TEMPLATES, json!({"slug": slug, "name": "Temporary"}))
            .await;
        let joins = joins_at_once(&app, &org, &format!("u{round}-"), json!([slug]), 24);
        let deletion = app.delete(&format!("{TEMPLATES}/{slug}")).await;
        assert_eq!(deletion.status(), 202);
        let deleted: Value = deletion.json().await.unwrap();
        let given = given(joins).await;
        app.workflows_done(deleted["position"].as_i64().unwrap())
            .await;
        let holders = holders(&app.db.pool, "%", &slug).await;
        assert_eq!(
            holders, 0,
            "round {round}: {given} given before the deletion"
        );
    }
}

/// One stream's events committed as the binaries before the template committed them: the claims
/// the events stated then (a role held requires the organization's own role; no slug index, no
/// forbidden template key).
async fn commit_as_before_template<E>(
    pool: &sqlx::PgPool,
    kind: &str,
    id: &str,
    org: &str,
    events: &[E],
) where
    E: cqrs_es::DomainEvent + domain::Claims,
{
    use domain::ClaimChange;
    let ctx = domain::RequestContext::system("before-template");
    let mut change = store::StreamChange::typed(
        kind,
        id.to_owned(),
        Some(org.to_owned()),
        0,
        events,
        &ctx.metadata(),
    )
    .unwrap();
    change.claims = (change.claims.into_iter())
        .filter_map(|c| match c {
            ClaimChange::RequireAny(keys) => Some(ClaimChange::Require(keys[0].clone())),
            ClaimChange::Forbid(_) => None,
            ClaimChange::Acquire(k) if k.starts_with("role_slug/") => None,
            // Offering the template (migration 0029 gives it to organizations that exist).
            ClaimChange::Acquire(k) if k.contains("/template/") => None,
            other => Some(other),
        })
        .collect();
    let mut unit = store::UnitOfWork::new();
    unit.push(change);
    unit.commit(pool).await.unwrap();
}

/// A store written before the template (up to migration 0027; an organization created with its
/// own `admin` and `member`) is upgraded by today's binary without a manual step: the template
/// starts as the built-in `admin` and `member`, written once; the older organization keeps its
/// own copies, which take precedence there (its members' claims do not change), until it
/// deletes one and falls back on the template's; its custom roles keep their slugs from the
/// template (migration 0028's backfill).
#[tokio::test]
async fn a_store_from_before_the_template_gets_the_built_ins_and_keeps_its_own_roles() {
    use domain::membership::{Membership, MembershipCommand, MembershipSource, Subject};
    use domain::organization::{OrganizationData, OrganizationEvent, RoleData};
    use domain::values::{OrganizationName, Permissions, RoleName, RoleSlug, SubjectId};

    let db = roster_testkit::fresh_db_up_to(27).await;
    let org = domain::OrganizationId::new();
    let at = chrono::Utc::now();
    let role = |slug: &str, name: &str, permissions: &[&str]| {
        OrganizationEvent::RoleCreated(RoleData {
            organization_id: org,
            slug: RoleSlug::parse(slug).unwrap(),
            name: RoleName::parse(name).unwrap(),
            description: None,
            permissions: Permissions::parse(permissions.iter().map(|p| p.to_string()).collect())
                .unwrap(),
            created_at: at,
            updated_at: at,
        })
    };
    let created = [
        OrganizationEvent::Created(OrganizationData {
            id: org,
            name: OrganizationName::parse("Older").unwrap(),
            description: None,
            external_id: None,
            metadata: Default::default(),
            max_members: None,
            template_roles: None,
            created_at: at,
            updated_at: at,
        }),
        role("admin", "Admin", &["org:manage"]),
        role("member", "Member", &[]),
        role("billing", "Billing", &["billing:read"]),
    ];
    let org_id = org.to_string();
    commit_as_before_template(&db.pool, "organization", &org_id, &org_id, &created).await;
    let ann = domain::MembershipId::new();
    let joined = Membership::default()
        .decide(MembershipCommand::Create {
            id: ann,
            organization_id: org,
            subject: Subject::User(SubjectId::parse("ann").unwrap()),
            roles: [RoleSlug::admin()].into(),
            attributes: Default::default(),
            source: MembershipSource::Api,
            at,
        })
        .unwrap();
    commit_as_before_template(&db.pool, "membership", &ann.to_string(), &org_id, &joined).await;

    // Today's binary migrates and prepares it (as `roster serve` does at start-up).
    roster::database::prepare(&db.pool).await.unwrap();
    let app = TestApp::on(db).await;
    tokio::spawn(projector::Projector::new(app.db.pool.clone()).run());
    let head = app.head().await;
    let templates = app.read(&format!("{TEMPLATES}?order=asc"), head).await;
    let slugs: Vec<&str> = (templates["data"].as_array().unwrap().iter())
        .map(|t| t["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["admin", "member"]);
    let seeded = app.events_of("admin").await;
    assert_eq!(seeded.len(), 1);
    assert_eq!(seeded[0].4["actor_type"], "system");
    let roles = app
        .read(&format!("/v1/organizations/{org}/roles?order=asc"), head)
        .await;
    let own: Vec<(&str, bool)> = (roles["data"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["slug"].as_str().unwrap(),
                r["template"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        own,
        [("admin", false), ("billing", false), ("member", false)]
    );
    assert_eq!(
        claims(&app, &org_id, "ann", head).await["permissions"],
        json!(["org:manage"])
    );

    // The template's admin changes; the older organization's own admin does not.
    let changed = expect(
        app.patch(
            &format!("{TEMPLATES}/admin"),
            json!({"permissions": ["everything"]}),
        )
        .await,
        200,
    )
    .await;
    let at = changed["position"].as_i64().unwrap();
    assert_eq!(
        claims(&app, &org_id, "ann", at).await["permissions"],
        json!(["org:manage"])
    );
    // A new organization has the template's roles only.
    let newer = app.named("Newer").await;
    let bob = app
        .member(&newer, json!({"user_id": "bob", "roles": ["admin"]}))
        .await;
    let at = app.head().await;
    let roles = app
        .read(&format!("/v1/organizations/{newer}/roles?order=asc"), at)
        .await;
    let offered: Vec<(&str, bool)> = (roles["data"].as_array().unwrap().iter())
        .map(|r| {
            (
                r["slug"].as_str().unwrap(),
                r["template"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(offered, [("admin", true), ("member", true)]);
    let of_bob = claims(&app, &newer, "bob", at).await;
    assert_eq!(of_bob["permissions"], json!(["everything"]), "{bob}");

    // The older organization's custom role keeps its slug from the template (the backfill).
    let body = problem(
        app.post(TEMPLATES, json!({"slug": "billing", "name": "Billing"}))
            .await,
        409,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains(&org_id), "{body}");

    // Its own admin deleted, its holders keep `admin` — the template's now.
    app.delete_and_wait(&format!("/v1/organizations/{org}/roles/admin"))
        .await;
    let at = app.head().await;
    let of_ann = claims(&app, &org_id, "ann", at).await;
    assert_eq!(of_ann["roles"], json!(["admin"]));
    assert_eq!(of_ann["permissions"], json!(["everything"]));

    // Prepared again (another start): the template is not written twice.
    roster::database::prepare(&app.db.pool).await.unwrap();
    assert_eq!(app.events_of("member").await.len(), 1);
}

/// A document may define the organization template's roles (admin keys only): created or
/// updated before its organizations, which may name them; applying it again changes nothing; a
/// whole export starts with the template and plans back to nothing.
#[tokio::test]
async fn documents_define_the_template_and_exports_carry_it() {
    let app = TestApp::with_projector().await;
    let document = "role_templates:\n  - {slug: auditor, name: Auditor, permissions: [logs:read]}\n  - {slug: member, name: Member, permissions: [docs:read]}\norganizations:\n  - external_id: acme\n    name: Acme\n    members: [{user_id: ann, roles: [auditor]}]\n";
    let apply = |key: String, query: &'static str, body: String| {
        let client = app.client_with(Some(&key));
        let url = app.url(&format!("/v1/apply{query}"));
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
    let admin = app.admin_key.clone();
    let plan = expect(
        apply(admin.clone(), "?dry_run=true", document.into()).await,
        200,
    )
    .await;
    let templates: Vec<(&str, &str)> = (plan["role_templates"].as_array().unwrap().iter())
        .map(|c| (c["action"].as_str().unwrap(), c["key"].as_str().unwrap()))
        .collect();
    assert_eq!(templates, [("create", "auditor"), ("update", "member")]);

    let applied = expect(apply(admin.clone(), "", document.into()).await, 200).await;
    assert_eq!(applied["complete"], true, "{applied}");
    assert_eq!(applied["role_templates"]["status"], "applied");
    assert_eq!(applied["role_templates"]["events"], 2);
    let at = applied["position"].as_i64().unwrap();
    let one = app.read(&format!("{TEMPLATES}/member"), at).await;
    assert_eq!(one["permissions"], json!(["docs:read"]));
    let acme = app.read("/v1/organizations?external_id=acme", at).await["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let of_ann = claims(&app, &acme, "ann", at).await;
    assert_eq!(of_ann["permissions"], json!(["logs:read"]));
    // The events name the document.
    let auditor = app.events_of("auditor").await;
    assert_eq!(
        auditor[0].4["document_sha256"],
        declarative::sha256(document.as_bytes())
    );

    // Again: nothing to change.
    let again = expect(
        apply(admin.clone(), "?dry_run=true", document.into()).await,
        200,
    )
    .await;
    assert!(again.get("role_templates").is_none(), "{again}");

    // An organization key may not change the template, even for its own organization.
    let org_key = make_key(&app.db.pool, Some(&acme), false).await;
    let changed = document.replace("logs:read", "logs:export");
    problem(apply(org_key.clone(), "", changed.clone()).await, 403).await;
    // Unchanged template roles are no change: it applies its organization.
    let same = expect(apply(org_key, "?dry_run=true", document.into()).await, 200).await;
    assert!(same.get("role_templates").is_none(), "{same}");

    // A slug an organization uses for a custom role is refused, nothing of the template written.
    app.created(
        &format!("/v1/organizations/{acme}/roles"),
        json!({"slug": "billing", "name": "Billing"}),
    )
    .await;
    let clash = "role_templates:\n  - {slug: billing, name: Billing}\n";
    let refused = expect(apply(admin.clone(), "", clash.into()).await, 200).await;
    assert_eq!(refused["complete"], false, "{refused}");
    assert_eq!(refused["role_templates"]["status"], "refused");
    assert!(refused["role_templates"]["problems"][0]["reason"]
        .as_str()
        .unwrap()
        .contains(&acme));

    // A whole export starts with the template, and plans back to nothing.
    let head = app.head().await;
    let (status, exported) = app
        .get(&format!("/v1/export?format=json&min_position={head}"))
        .await;
    assert_eq!(status, 200, "{exported}");
    let slugs: Vec<&str> = (exported["role_templates"].as_array().unwrap().iter())
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["admin", "auditor", "member"]);
    let client = app.client_with(Some(&admin));
    let res = (client.post(app.url("/v1/apply?dry_run=true")))
        .json(&exported)
        .send()
        .await
        .unwrap();
    let replanned = expect(res, 200).await;
    assert!(replanned.get("role_templates").is_none(), "{replanned}");
    assert!(
        (replanned["organizations"].as_array().unwrap().iter())
            .all(|o| o["changes"].as_array().unwrap().is_empty()),
        "{replanned}"
    );
}
