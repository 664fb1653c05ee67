//! Roles granted through groups: a member's effective roles are its own and its groups', claims
//! say where each role and permission comes from, member lists filter by either, a role leaving
//! the catalogue is taken from the groups granting it — and under races, claims read at a change's
//! position never keep a role the member no longer has.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

/// Claims of `user` in `org`, read at `position`.
async fn claims(app: &TestApp, org: &str, user: &str, position: i64) -> Value {
    app.read(
        &format!("/v1/organizations/{org}/claims?user_id={user}"),
        position,
    )
    .await
}

async fn set_roles(app: &TestApp, group: &str, roles: Value) -> Value {
    expect(
        app.put(
            &format!("/v1/groups/{group}/roles"),
            json!({ "roles": roles }),
        )
        .await,
        200,
    )
    .await
}

#[tokio::test]
async fn roles_granted_through_groups_are_effective_with_their_provenance() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let roles = format!("/v1/organizations/{org}/roles");
    app.created(
        &roles,
        json!({"slug": "billing", "name": "Billing", "permissions": ["billing:read"]}),
    )
    .await;
    app.created(
        &roles,
        json!({"slug": "viewer", "name": "Viewer", "permissions": ["docs:read", "billing:read"]}),
    )
    .await;
    let ann = app.member(&org, json!({"user_id": "ann"})).await;
    app.member(&org, json!({"user_id": "bob", "roles": ["viewer"]}))
        .await;
    let finance = app.group(&org, "Finance").await;
    let set = set_roles(&app, &finance, json!(["billing", "viewer"])).await;
    assert_eq!(set["roles"], json!(["billing", "viewer"]));
    // The same set again changes nothing.
    let again = set_roles(&app, &finance, json!(["viewer", "billing"])).await;
    assert_eq!(again["position"], set["position"]);
    let added = expect(
        app.post(
            &format!("/v1/groups/{finance}/members"),
            json!({ "membership_id": ann }),
        )
        .await,
        201,
    )
    .await;

    let position = added["position"].as_i64().unwrap();
    let c = claims(&app, &org, "ann", position).await;
    let group = format!("group:{finance}");
    assert_eq!(c["roles"], json!(["billing", "member", "viewer"]), "{c}");
    assert_eq!(
        c["role_sources"],
        json!({"billing": [group], "member": ["direct"], "viewer": [group]})
    );
    assert_eq!(c["permissions"], json!(["billing:read", "docs:read"]));
    assert_eq!(
        c["permission_sources"],
        json!({"billing:read": [group], "docs:read": [group]})
    );
    // A role held both ways names both.
    let both = expect(
        app.patch(
            &format!("/v1/memberships/{ann}"),
            json!({"roles": ["member", "viewer"]}),
        )
        .await,
        200,
    )
    .await;
    let c = claims(&app, &org, "ann", both["position"].as_i64().unwrap()).await;
    assert_eq!(c["role_sources"]["viewer"], json!(["direct", group]));
    assert_eq!(
        c["permission_sources"]["docs:read"],
        json!(["direct", group])
    );

    // The membership shows its own roles and its effective ones.
    let at = both["position"].as_i64().unwrap();
    let read = app.read(&format!("/v1/memberships/{ann}"), at).await;
    assert_eq!(read["roles"], json!(["member", "viewer"]));
    assert_eq!(
        read["effective_roles"],
        json!(["billing", "member", "viewer"])
    );
    // `role` filters effective roles by default; `role_source=direct` the member's own.
    let members = format!("/v1/organizations/{org}/memberships");
    let users = |page: &Value| -> Vec<String> {
        let mut users: Vec<String> = (page["data"].as_array().unwrap().iter())
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .collect();
        users.sort();
        users
    };
    let page = app.read(&format!("{members}?role=billing"), at).await;
    assert_eq!(users(&page), ["ann"]);
    let page = app
        .read(&format!("{members}?role=billing&role_source=effective"), at)
        .await;
    assert_eq!(users(&page), ["ann"]);
    let page = app
        .read(&format!("{members}?role=billing&role_source=direct"), at)
        .await;
    assert!(users(&page).is_empty());
    let page = app
        .read(&format!("{members}?role=viewer&role_source=direct"), at)
        .await;
    assert_eq!(users(&page), ["ann", "bob"]);
    let bad = problem(app.fetch(&format!("{members}?role_source=both")).await, 400).await;
    assert_eq!(fields(&bad), ["role_source"]);
    let group_read = app.read(&format!("/v1/groups/{finance}"), at).await;
    assert_eq!(group_read["roles"], json!(["billing", "viewer"]));

    // Only roles of the catalogue; every bad slug named.
    let unknown = problem(
        app.put(
            &format!("/v1/groups/{finance}/roles"),
            json!({"roles": ["nope"]}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(fields(&unknown), ["roles"]);
    let malformed = problem(
        app.put(
            &format!("/v1/groups/{finance}/roles"),
            json!({"roles": ["ok", "Not A Slug"]}),
        )
        .await,
        400,
    )
    .await;
    assert_eq!(fields(&malformed), ["roles[1]"]);

    // A role leaving the catalogue is taken from the groups granting it.
    let deleted = expect(app.delete(&format!("{roles}/billing")).await, 202).await;
    app.workflows_done(deleted["position"].as_i64().unwrap())
        .await;
    let head = app.head().await;
    let c = claims(&app, &org, "ann", head).await;
    assert_eq!(c["roles"], json!(["member", "viewer"]), "{c}");
    let types: Vec<String> = (app.events_of(&finance).await.into_iter())
        .map(|e| e.0)
        .collect();
    assert_eq!(
        types,
        [
            "group.created",
            "group.roles_updated",
            "group.member_added",
            "group.roles_updated"
        ]
    );
    let events = app.events_of(&finance).await;
    let last = &events.last().unwrap().3["data"];
    assert_eq!(
        (&last["roles"], &last["previous_roles"]),
        (&json!(["viewer"]), &json!(["billing", "viewer"]))
    );

    // Taken off the group: gone from the claims.
    let cleared = set_roles(&app, &finance, json!([])).await;
    let c = claims(&app, &org, "ann", cleared["position"].as_i64().unwrap()).await;
    assert_eq!(
        c["role_sources"],
        json!({"member": ["direct"], "viewer": ["direct"]})
    );
}

#[tokio::test]
async fn keys_of_another_organization_and_read_only_keys_set_no_roles() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let other = app.named("Globex").await;
    let group = app.group(&org, "Ops").await;
    let url = app.url(&format!("/v1/groups/{group}/roles"));
    let before = app.event_count().await;
    for (key, status) in [
        (
            crate::support::make_key(&app.db.pool, Some(&other), false).await,
            404,
        ),
        (
            crate::support::make_key(&app.db.pool, Some(&org), true).await,
            403,
        ),
    ] {
        let res = app
            .client_with(Some(&key))
            .put(&url)
            .json(&json!({"roles": ["admin"]}))
            .send();
        problem(res.await.unwrap(), status).await;
    }
    assert_eq!(app.event_count().await, before);
}

/// Removals racing reads: members leaving a group, a group's role taken off, a group deleted —
/// while other tasks read claims all along. Each change's own read at its position, and every
/// read after all of them, must not show the role the member no longer has through it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn claims_read_at_a_change_s_position_never_keep_a_role_taken_through_a_group() {
    let app = Arc::new(TestApp::with_projector().await);
    let org = app.organization().await;
    app.created(
        &format!("/v1/organizations/{org}/roles"),
        json!({"slug": "billing", "name": "Billing", "permissions": ["billing:read"]}),
    )
    .await;
    let mut groups = Vec::new();
    let mut members = Vec::new();
    for g in 0..3 {
        let group = app.group(&org, &format!("G{g}")).await;
        set_roles(&app, &group, json!(["billing"])).await;
        let mut of_group = Vec::new();
        for m in 0..8 {
            let user = format!("u{g}_{m}");
            let membership = app.member(&org, json!({"user_id": user})).await;
            app.created(
                &format!("/v1/groups/{group}/members"),
                json!({"membership_id": membership}),
            )
            .await;
            of_group.push((user, membership));
        }
        groups.push(group);
        members.push(of_group);
    }
    let head = app.head().await;
    let c = claims(&app, &org, "u2_7", head).await;
    assert_eq!(c["roles"], json!(["billing", "member"]));

    // Readers of every member's claims, all along.
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..3)
        .map(|r| {
            let (app, org, done) = (app.clone(), org.clone(), done.clone());
            tokio::spawn(async move {
                let mut reads = 0;
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    let user = format!("u{r}_{}", reads % 8);
                    let (status, _) = app
                        .get(&format!("/v1/organizations/{org}/claims?user_id={user}"))
                        .await;
                    assert_eq!(status, 200);
                    reads += 1;
                }
                reads
            })
        })
        .collect();

    // G0: each member removed; G1: its role taken off; G2: deleted — all at once.
    let mut changes = Vec::new();
    for (user, membership) in members[0].clone() {
        let (app, group, org) = (app.clone(), groups[0].clone(), org.clone());
        changes.push(tokio::spawn(async move {
            let res = app
                .delete(&format!("/v1/groups/{group}/members/{membership}"))
                .await;
            let position = expect(res, 200).await["position"].as_i64().unwrap();
            let c = claims(&app, &org, &user, position).await;
            vec![(user, c)]
        }));
    }
    for (g, take) in [(1, "roles"), (2, "delete")] {
        let (app, group, org) = (app.clone(), groups[g].clone(), org.clone());
        let users: Vec<String> = members[g].iter().map(|(u, _)| u.clone()).collect();
        changes.push(tokio::spawn(async move {
            let changed = if take == "roles" {
                set_roles(&app, &group, json!([])).await
            } else {
                expect(app.delete(&format!("/v1/groups/{group}")).await, 200).await
            };
            let position = changed["position"].as_i64().unwrap();
            let mut read = Vec::new();
            for user in users {
                let c = claims(&app, &org, &user, position).await;
                read.push((user, c));
            }
            read
        }));
    }
    for change in changes {
        for (user, c) in change.await.unwrap() {
            assert_eq!(c["roles"], json!(["member"]), "{user}: {c}");
            assert_eq!(c["permissions"], json!([]), "{user}: {c}");
        }
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.await.unwrap() > 0);
    }
    let head = app.head().await;
    for user in members.iter().flatten().map(|(u, _)| u) {
        let c = claims(&app, &org, user, head).await;
        assert_eq!(c["roles"], json!(["member"]), "{user}: {c}");
    }
}
