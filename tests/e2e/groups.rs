//! Groups over HTTP: names unique per organization (any case), members that are active
//! memberships of the same organization — also when a deactivation races the adds.

use std::sync::Arc;

use crate::support::{expect, fields, problem, TestApp};
use serde_json::json;

/// Net membership of `om` in `grp` according to the stored events.
async fn is_member(app: &TestApp, grp: &str, om: &str) -> bool {
    let n: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(CASE event_type WHEN 'group.member_added' THEN 1 ELSE -1 END), 0)
           FROM events WHERE aggregate_id = $1 AND payload->'data'->>'membership_id' = $2",
    )
    .bind(grp)
    .bind(om)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    n > 0
}

#[tokio::test]
async fn group_lifecycle_and_members() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let other_org = app.organization().await;
    let grp = app.group(&org, "Engineering").await;
    let om = app.member(&org, json!({"user_id": "u1"})).await;

    let sent = json!({"name": "ENGINEERING"});
    let body = problem(
        app.post(&format!("/v1/organizations/{org}/groups"), sent)
            .await,
        409,
    )
    .await;
    assert_eq!(fields(&body), ["name"]);
    // Another organization may use the name.
    app.group(&other_org, "Engineering").await;

    let members = format!("/v1/groups/{grp}/members");
    let added = expect(app.post(&members, json!({"membership_id": om})).await, 201).await;
    assert_eq!(added["object"], "group_member");
    let again = expect(app.post(&members, json!({"membership_id": om})).await, 200).await;
    assert_eq!(
        again["position"], added["position"],
        "re-adding appends nothing"
    );
    assert_eq!(
        again["at"], added["at"],
        "an existing member is shown as it was added, not as of the second request"
    );

    let stranger = app.member(&other_org, json!({"user_id": "u2"})).await;
    let body = problem(
        app.post(&members, json!({"membership_id": stranger})).await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["membership_id"]);
    let idle = app.member(&org, json!({"user_id": "u3"})).await;
    expect(
        app.post_empty(&format!("/v1/memberships/{idle}/deactivate"))
            .await,
        200,
    )
    .await;
    let body = problem(
        app.post(&members, json!({"membership_id": idle})).await,
        422,
    )
    .await;
    assert_eq!(fields(&body), ["membership_id"]);
    let sent = json!({"membership_id": "om_01JD0000000000000000000000"});
    problem(app.post(&members, sent).await, 404).await;
    let body = problem(app.post(&members, json!({"membership_id": grp})).await, 400).await;
    assert_eq!(fields(&body), ["membership_id"]);

    let renamed = expect(
        app.patch(&format!("/v1/groups/{grp}"), json!({"name": "Platform"}))
            .await,
        200,
    )
    .await;
    assert_eq!(renamed["name"], "Platform");
    // The old name is free again.
    app.group(&org, "engineering").await;

    let removed = expect(app.delete(&format!("{members}/{om}")).await, 200).await;
    assert_eq!(removed["membership_id"], om.as_str());
    problem(app.delete(&format!("{members}/{om}")).await, 404).await;

    expect(app.post(&members, json!({"membership_id": om})).await, 201).await;
    let deleted = expect(app.delete(&format!("/v1/groups/{grp}")).await, 200).await;
    assert_eq!(deleted["id"], grp.as_str());
    let types: Vec<String> = app.events_of(&grp).await.into_iter().map(|e| e.0).collect();
    assert_eq!(
        types[types.len() - 2..],
        [
            "group.member_removed".to_string(),
            "group.deleted".to_string()
        ]
    );
    problem(app.post(&members, json!({"membership_id": om})).await, 404).await;
    app.group(&org, "Platform").await;
}

#[tokio::test]
async fn deactivating_or_deleting_a_membership_takes_it_out_of_its_groups() {
    let app = TestApp::spawn().await;
    let org = app.organization().await;
    let (g1, g2) = (app.group(&org, "One").await, app.group(&org, "Two").await);
    let om = app.member(&org, json!({"user_id": "u1"})).await;
    for g in [&g1, &g2] {
        let sent = json!({"membership_id": om});
        expect(
            app.post(&format!("/v1/groups/{g}/members"), sent).await,
            201,
        )
        .await;
    }
    expect(
        app.post_empty(&format!("/v1/memberships/{om}/deactivate"))
            .await,
        200,
    )
    .await;
    assert!(!is_member(&app, &g1, &om).await && !is_member(&app, &g2, &om).await);

    expect(
        app.post_empty(&format!("/v1/memberships/{om}/reactivate"))
            .await,
        200,
    )
    .await;
    let sent = json!({"membership_id": om});
    expect(
        app.post(&format!("/v1/groups/{g1}/members"), sent).await,
        201,
    )
    .await;
    let deleted = expect(app.delete(&format!("/v1/memberships/{om}")).await, 200).await;
    assert!(!is_member(&app, &g1, &om).await);
    let removed_at = app.events_of(&g1).await.last().unwrap().2;
    assert!(
        removed_at < deleted["position"].as_i64().unwrap(),
        "removed from groups before membership.deleted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deactivation_racing_adds_leaves_no_inactive_member() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let mut groups = Vec::new();
    for i in 0..8 {
        groups.push(app.group(&org, &format!("g{i}")).await);
    }
    for round in 0..5 {
        let om = app
            .member(&org, json!({"user_id": format!("racer{round}")}))
            .await;
        let barrier = Arc::new(tokio::sync::Barrier::new(groups.len() + 1));
        let mut tasks = Vec::new();
        for g in &groups {
            let (app, barrier, g, om) = (app.clone(), barrier.clone(), g.clone(), om.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                app.post(
                    &format!("/v1/groups/{g}/members"),
                    json!({"membership_id": om}),
                )
                .await
                .status()
                .as_u16()
            }));
        }
        let deactivation = {
            let (app, barrier, om) = (app.clone(), barrier.clone(), om.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                app.post_empty(&format!("/v1/memberships/{om}/deactivate"))
                    .await
                    .status()
                    .as_u16()
            })
        };
        for t in tasks {
            let status = t.await.unwrap();
            assert!(status == 201 || status == 422, "add answered {status}");
        }
        assert_eq!(deactivation.await.unwrap(), 200);
        for g in &groups {
            assert!(
                !is_member(&app, g, &om).await,
                "round {round}: inactive {om} left in {g}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_racing_creates_of_one_name_in_any_case_have_one_winner() {
    let app = Arc::new(TestApp::spawn().await);
    let org = app.organization().await;
    let path = Arc::new(format!("/v1/organizations/{org}/groups"));
    let barrier = Arc::new(tokio::sync::Barrier::new(50));
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let (app, path, barrier) = (app.clone(), path.clone(), barrier.clone());
            let name = if i % 2 == 0 { "Admins" } else { "ADMINS" };
            tokio::spawn(async move {
                barrier.wait().await;
                app.post(&path, json!({"name": name}))
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
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1);
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count(),
        49,
        "{statuses:?}"
    );
    let created: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'group.created'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(created, 1);
}
