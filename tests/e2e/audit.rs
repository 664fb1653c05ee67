//! The event log as an audit trail over HTTP: `GET /v1/events` with every filter and its paging
//! (including a late commit, which paging on with `after` must not skip), single events, exports
//! in JSON Lines and CSV, each object's history, point-in-time reads, organization scope, bad
//! input, and events stored in an older shape (upcast on read).

use std::collections::BTreeSet;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::{eventually, expect, fields, id, make_key, problem, TestApp};

fn types(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["type"].as_str().unwrap().to_owned())
        .collect()
}

fn positions(page: &Value) -> Vec<i64> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect()
}

/// Every event a filter selects, oldest first, walking `after` with pages of `limit`.
async fn walk(app: &TestApp, client: &reqwest::Client, query: &str, limit: u32) -> Vec<Value> {
    let mut out = Vec::new();
    let mut after = String::new();
    // Read your writes: everything written so far.
    let head = app.head().await;
    loop {
        let url = app.url(&format!(
            "/v1/events?order=asc&limit={limit}{query}{after}&min_position={head}"
        ));
        let res = client.get(url).send().await.unwrap();
        let page = expect(res, 200).await;
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["list_metadata"]["after"].as_str() {
            Some(c) => after = format!("&after={c}"),
            None => return out,
        }
    }
}

/// An organization with two members, a group, a role change and an invitation; returns
/// (org, membership, group, invitation).
async fn organization(app: &TestApp, name: &str) -> (String, String, String, String) {
    let org = app.named(name).await;
    let m = app
        .member(&org, json!({"user_id": format!("{name}-alice")}))
        .await;
    app.member(&org, json!({"user_id": format!("{name}-bob")}))
        .await;
    let g = app.group(&org, "Finance").await;
    app.created(
        &format!("/v1/groups/{g}/members"),
        json!({ "membership_id": m }),
    )
    .await;
    let roles = json!({"roles": ["admin"]});
    expect(app.patch(&format!("/v1/memberships/{m}"), roles).await, 200).await;
    let invitations = format!("/v1/organizations/{org}/invitations");
    let inv = app
        .create(
            &invitations,
            json!({"email": format!("{name}@example.com")}),
        )
        .await;
    (org, m, g, inv)
}

#[tokio::test]
async fn the_events_api_filters_pages_and_keeps_organizations_apart() {
    let app = TestApp::with_projector().await;
    let (acme, alice, finance, _) = organization(&app, "acme").await;
    let (globex, _, _, _) = organization(&app, "globex").await;
    let all: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&app.db.pool)
        .await
        .unwrap();

    // Every event, newest first by default, then the whole log oldest first in pages of 7.
    let head = app.head().await;
    let (status, first) = app
        .get(&format!("/v1/events?limit=5&min_position={head}"))
        .await;
    assert_eq!(status, 200);
    let newest = positions(&first);
    assert_eq!(newest.len(), 5);
    assert!(newest.windows(2).all(|w| w[0] > w[1]), "{newest:?}");
    let log = walk(&app, &app.client, "", 7).await;
    assert_eq!(log.len() as i64, all);
    let mut seen: Vec<i64> = log
        .iter()
        .map(|e| e["position"].as_i64().unwrap())
        .collect();
    assert!(seen.windows(2).all(|w| w[0] < w[1]));
    seen.dedup();
    assert_eq!(seen.len() as i64, all);
    for field in [
        "id",
        "type",
        "position",
        "occurred_at",
        "aggregate",
        "actor",
        "data",
    ] {
        assert!(log[0].get(field).is_some(), "{field} missing: {}", log[0]);
    }

    // Types: exact names and wildcards; aggregate; actor; organization.
    let groups = walk(
        &app,
        &app.client,
        &format!("&organization_id={acme}&types=group.*"),
        100,
    )
    .await;
    let kinds: BTreeSet<&str> = groups.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["group.created", "group.member_added"])
    );
    let exact = walk(
        &app,
        &app.client,
        "&types=membership.created,organization.created",
        100,
    )
    .await;
    assert_eq!(exact.len(), 6, "two organizations, four members");
    let of_alice = walk(&app, &app.client, &format!("&aggregate_id={alice}"), 100).await;
    assert_eq!(
        of_alice
            .iter()
            .map(|e| e["type"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["membership.created", "membership.updated"]
    );
    assert_eq!(of_alice[1]["data"]["roles_added"], json!(["admin"]));
    assert_eq!(of_alice[1]["data"]["roles_removed"], json!(["member"]));
    let key = of_alice[0]["actor"]["id"].as_str().unwrap().to_owned();
    let by_actor = walk(&app, &app.client, &format!("&actor_id={key}"), 100).await;
    assert_eq!(
        by_actor.len() as i64,
        all - 1 - app.prepared,
        "all but the admin key's own creation and the template the store was prepared with"
    );
    let no_one = walk(
        &app,
        &app.client,
        "&actor_id=key_01JD8ZB0C1D2E3F4G5H6J7K8M9",
        100,
    )
    .await;
    assert!(no_one.is_empty());

    // Who added alice to Finance, and when: one request.
    let (_, added) = app
        .get(&format!(
            "/v1/events?aggregate_id={finance}&types=group.member_added&min_position={head}"
        ))
        .await;
    assert_eq!(added["data"][0]["data"]["membership_id"], json!(alice));
    assert_eq!(added["data"][0]["actor"]["id"], json!(key));

    // A time range: everything before the first Globex event, nothing from before the log.
    let globex_start = walk(&app, &app.client, &format!("&organization_id={globex}"), 1).await[0]
        ["occurred_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = walk(
        &app,
        &app.client,
        &format!("&range_end={}", urlencode(&globex_start)),
        100,
    )
    .await;
    assert!(before.iter().all(|e| e["organization_id"] != json!(globex)));
    assert!(!before.is_empty());
    let since = walk(
        &app,
        &app.client,
        &format!("&range_start={}", urlencode(&globex_start)),
        100,
    )
    .await;
    assert_eq!(before.len() + since.len(), log.len());

    // One event by id.
    let one = &of_alice[1];
    let (status, got) = app
        .get(&format!("/v1/events/{}", one["id"].as_str().unwrap()))
        .await;
    assert_eq!(status, 200);
    assert_eq!(&got, one);

    // An organization key sees its organization only, and nothing of another.
    let own = make_key(&app.db.pool, Some(&acme), true).await;
    let client = app.client_with(Some(&own));
    let scoped = walk(&app, &client, "", 100).await;
    assert!(!scoped.is_empty());
    assert!(scoped.iter().all(|e| e["organization_id"] == json!(acme)));
    let res = client
        .get(app.url(&format!("/v1/events?organization_id={globex}")))
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
    let theirs = walk(&app, &app.client, &format!("&organization_id={globex}"), 1).await;
    let res = client
        .get(app.url(&format!("/v1/events/{}", theirs[0]["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    problem(res, 404).await;
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

/// A writer holds its transaction open after taking a position; later writers commit around
/// it. A reader paging on with `after` must wait for the held event rather than skip it.
#[tokio::test]
async fn paging_on_with_after_never_skips_an_event_that_commits_late() {
    let app = TestApp::spawn().await;
    let org = app.named("Acme").await;
    let pool = app.db.pool.clone();
    let (_, start) = last_page(&app, None).await;

    // The late writer: an event appended in a transaction that stays open.
    let mut held = pool.begin().await.unwrap();
    let mut unit = store::UnitOfWork::new();
    unit.push(store::unit_of_work::StreamChange {
        aggregate_type: "membership".into(),
        aggregate_id: "om_late".into(),
        organization_id: Some(org.clone()),
        version: 0,
        events: vec![store::unit_of_work::NewEvent {
            event_type: "membership.deleted".into(),
            event_version: "1".into(),
            payload: json!({}),
            metadata: serde_json::Map::new(),
        }],
        claims: Vec::new(),
        snapshot: None,
    });
    let late = unit.write(&mut held).await.unwrap()[0].position;

    // Concurrent writers commit events after it while a reader pages on.
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let app_url = app.url(&format!("/v1/organizations/{org}/memberships"));
            let client = app.client.clone();
            tokio::spawn(async move {
                for i in 0..5 {
                    let res = client
                        .post(&app_url)
                        .json(&json!({"user_id": format!("w{w}-{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201);
                }
            })
        })
        .collect();
    let mut read = Vec::new();
    let mut after = start;
    for w in writers {
        w.await.unwrap();
    }
    // Every writer is done; the late event is still uncommitted. Nothing past it is shown.
    let (page, next) = last_page(&app, after).await;
    read.extend(page);
    after = next;
    assert!(
        read.iter().all(|p| *p < late),
        "a page went past the open transaction's position {late}: {read:?}"
    );
    held.commit().await.unwrap();
    let stored: Vec<i64> =
        sqlx::query_scalar("SELECT position FROM events WHERE position > $1 ORDER BY position")
            .bind(start.unwrap_or(0))
            .fetch_all(&pool)
            .await
            .unwrap();
    // The rest is readable once every older transaction of the cluster has ended, other tests'
    // in their own databases included: page on from the same place until the end is reached.
    let end = stored.last().copied();
    let page = eventually(Duration::from_secs(30), "paging on to the end", || async {
        let (page, _) = last_page(&app, after).await;
        (page.last().copied() == end).then_some(page)
    })
    .await;
    read.extend(page);
    assert_eq!(read, stored, "paging on skipped or repeated an event");
    assert!(read.contains(&late));
}

/// Pages on from `after` (oldest first, 3 at a time) until the end of what is readable now:
/// the positions read, and where to go on from.
async fn last_page(app: &TestApp, after: Option<i64>) -> (Vec<i64>, Option<i64>) {
    let mut read = Vec::new();
    let mut after = after;
    loop {
        let cursor = after.map(|a| format!("&after={a}")).unwrap_or_default();
        let (status, page) = app
            .get(&format!("/v1/events?order=asc&limit=3{cursor}"))
            .await;
        assert_eq!(status, 200, "{page}");
        let got = positions(&page);
        if got.is_empty() {
            return (read, after);
        }
        after = got.last().copied();
        read.extend(got);
    }
}

#[tokio::test]
async fn exports_stream_every_selected_event_as_json_lines_or_csv() {
    let app = TestApp::with_projector().await;
    let (acme, ..) = organization(&app, "acme").await;
    organization(&app, "globex").await;
    let all = walk(&app, &app.client, "", 100).await;
    let head = app.head().await;

    let res = app
        .fetch(&format!("/v1/events/export?min_position={head}"))
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers().get("content-type").unwrap(),
        "application/x-ndjson"
    );
    let text = res.text().await.unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines, all);

    let res = app
        .client
        .get(app.url(&format!(
            "/v1/events/export?organization_id={acme}&types=membership.*&min_position={head}"
        )))
        .header("accept", "text/csv")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        query_service::export::CSV_HEADER
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let expected: Vec<&Value> = all
        .iter()
        .filter(|e| {
            e["organization_id"] == json!(acme)
                && e["type"].as_str().unwrap().starts_with("membership.")
        })
        .collect();
    assert_eq!(rows.len(), expected.len());
    for (row, event) in rows.iter().zip(&expected) {
        assert_eq!(row[0], event["position"].to_string());
        assert_eq!(row[1], *event["id"].as_str().unwrap());
        let data: Value = serde_json::from_str(&row[10]).unwrap();
        assert_eq!(data, event["data"]);
    }

    // `after` starts past a position; `format=csv` asks for CSV as the header does.
    let cut = all[3]["position"].as_i64().unwrap();
    let res = app
        .fetch(&format!(
            "/v1/events/export?after={cut}&format=csv&min_position={head}"
        ))
        .await;
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 1 + all.len() - 4);
}

#[tokio::test]
async fn history_and_point_in_time_reads_rebuild_objects_even_after_deletion() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let alice = json!({"user_id": "alice", "attributes": {"team": "red"}});
    let created = app
        .created(&format!("/v1/organizations/{org}/memberships"), alice)
        .await;
    let m = id(&created);
    let at_creation = created["position"].as_i64().unwrap();
    let res = app
        .patch(
            &format!("/v1/memberships/{m}"),
            json!({"roles": ["admin"], "attributes": {"team": "blue"}}),
        )
        .await;
    let promoted: Value = res.json().await.unwrap();
    let at_promotion = promoted["position"].as_i64().unwrap();
    let (_, promoted_event) = app
        .get(&format!(
            "/v1/events?aggregate_id={m}&limit=1&min_position={at_promotion}"
        ))
        .await;
    let promoted_at = promoted_event["data"][0]["occurred_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app.delete(&format!("/v1/memberships/{m}")).await;
    assert!(res.status().is_success());
    let gone: Value = res.json().await.unwrap();
    let now = gone["position"].as_i64().unwrap();

    // Today it is gone; its history and its past are still there.
    let (status, _) = app
        .get(&format!("/v1/memberships/{m}?min_position={now}"))
        .await;
    assert_eq!(status, 404);
    let (status, history) = app
        .get(&format!("/v1/memberships/{m}/history?min_position={now}"))
        .await;
    assert_eq!(status, 200, "{history}");
    assert_eq!(
        types(&history),
        [
            "membership.created",
            "membership.updated",
            "membership.deleted"
        ]
    );
    let versions: Vec<i64> = history["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["aggregate"]["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    let (_, page) = app
        .get(&format!("/v1/memberships/{m}/history?limit=2"))
        .await;
    let next = page["list_metadata"]["after"].as_str().unwrap();
    let (_, rest) = app
        .get(&format!("/v1/memberships/{m}/history?limit=2&after={next}"))
        .await;
    assert_eq!(types(&rest), ["membership.deleted"]);

    let (status, then) = app
        .get(&format!("/v1/memberships/{m}?as_of={at_creation}"))
        .await;
    assert_eq!(status, 200, "{then}");
    assert_eq!(then["object"], "organization_membership");
    assert_eq!(then["roles"], json!(["member"]));
    assert_eq!(then["attributes"], json!({"team": "red"}));
    let (_, later) = app
        .get(&format!(
            "/v1/memberships/{m}?as_of={}",
            urlencode(&promoted_at)
        ))
        .await;
    assert_eq!(later["roles"], json!(["admin"]));
    assert_eq!(later["attributes"], json!({"team": "blue"}));
    // The same shape as the current read (as it was just before the deletion).
    let (_, current_then) = app
        .get(&format!("/v1/memberships/{m}?as_of={at_promotion}"))
        .await;
    assert_eq!(current_then, later);
    let keys: BTreeSet<String> = later.as_object().unwrap().keys().cloned().collect();
    let expected: BTreeSet<String> = [
        "object",
        "id",
        "organization_id",
        "user_id",
        "application_id",
        "status",
        "roles",
        "attributes",
        "source",
        "created_at",
        "updated_at",
        "managed_by",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(keys, expected);

    // Before creation and after deletion: 404.
    for as_of in [
        (at_creation - 1).to_string(),
        "2000-01-01T00:00:00Z".to_owned(),
        now.to_string(),
    ] {
        let res = app
            .fetch(&format!("/v1/memberships/{m}?as_of={}", urlencode(&as_of)))
            .await;
        problem(res, 404).await;
    }

    // Organizations, groups and invitations too; an invitation never shows its token's hash.
    let g = app.group(&org, "Ops").await;
    let renamed = app
        .patch(&format!("/v1/groups/{g}"), json!({"name": "DevOps"}))
        .await;
    let renamed_at = expect(renamed, 200).await["position"].clone();
    let (_, history) = app
        .get(&format!("/v1/groups/{g}/history?min_position={renamed_at}"))
        .await;
    let first = history["data"][0]["position"].as_i64().unwrap();
    let (_, ops) = app.get(&format!("/v1/groups/{g}?as_of={first}")).await;
    assert_eq!(
        (ops["name"].as_str(), ops["object"].as_str()),
        (Some("Ops"), Some("group"))
    );
    let (_, acme) = app
        .get(&format!("/v1/organizations/{org}?as_of={first}"))
        .await;
    assert_eq!(acme["name"], "Acme");
    let invitations = format!("/v1/organizations/{org}/invitations");
    let inv = app
        .created(&invitations, json!({"email": "x@example.com"}))
        .await;
    let (status, invitation) = app
        .get(&format!(
            "/v1/invitations/{}?as_of={}",
            id(&inv),
            inv["position"]
        ))
        .await;
    assert_eq!(status, 200, "{invitation}");
    assert_eq!(invitation["state"], "pending");
    assert!(
        invitation.get("accept_token_sha256").is_none(),
        "{invitation}"
    );
    let (_, history) = app
        .get(&format!("/v1/invitations/{}/history", id(&inv)))
        .await;
    assert!(!history.to_string().contains("accept_token_sha256"));
    let (status, org_history) = app.get(&format!("/v1/organizations/{org}/history")).await;
    assert_eq!(status, 200);
    assert_eq!(types(&org_history)[0], "organization.created");

    // Another organization's key: 404 for the past and the history alike.
    let other = app.named("Globex").await;
    let theirs = app.client_with(Some(&make_key(&app.db.pool, Some(&other), true).await));
    for path in [
        format!("/v1/memberships/{m}?as_of={at_creation}"),
        format!("/v1/memberships/{m}/history"),
        format!("/v1/organizations/{org}/history"),
    ] {
        let res = theirs.get(app.url(&path)).send().await.unwrap();
        problem(res, 404).await;
    }
    // An id that never existed.
    let res = app
        .fetch("/v1/groups/grp_01JD8Z5V7Q4S2M9K3X6T1B0C8N/history")
        .await;
    problem(res, 404).await;
}

#[tokio::test]
async fn bad_audit_queries_are_400s_naming_the_parameter() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    for (query, field) in [
        ("/v1/events?types=nope.created", "types"),
        ("/v1/events?types=group.*,gro*", "types"),
        ("/v1/events?types=*.created", "types"),
        ("/v1/events?types=", "types"),
        (
            "/v1/events?range_start=2026-11-30T10:00:00Z&range_end=2026-11-30T09:00:00Z",
            "range_end",
        ),
        ("/v1/events?range_start=yesterday", "range_start"),
        ("/v1/events?after=3&before=9", "after"),
        ("/v1/events?after=abc", "after"),
        ("/v1/events?limit=1001", "limit"),
        ("/v1/events?aggregate_id=nope_1", "aggregate_id"),
        ("/v1/events?organization_id=acme", "organization_id"),
        ("/v1/events?cursor=1", "cursor"),
        ("/v1/events?min_position=999999", "min_position"),
        ("/v1/events/evt_nope", "event_id"),
        ("/v1/events/export?format=xml", "format"),
        ("/v1/events/export?limit=5", "limit"),
        (
            "/v1/memberships/om_01JD8Z6A2B3C4D5E6F7G8H9J0K?as_of=last-tuesday",
            "as_of",
        ),
        (
            "/v1/memberships/om_01JD8Z6A2B3C4D5E6F7G8H9J0K?as_of=-4",
            "as_of",
        ),
        (
            "/v1/groups/grp_01JD8Z5V7Q4S2M9K3X6T1B0C8N/history?before=x",
            "before",
        ),
    ] {
        let res = app.fetch(query).await;
        let body = problem(res, 400).await;
        assert!(fields(&body).contains(&field.to_owned()), "{query}: {body}");
    }
    let (status, page) = app.get("/v1/events?limit=1000").await;
    assert_eq!(status, 200, "{page}");
    // Before creation: 404.
    let res = app
        .fetch(&format!(
            "/v1/organizations/{org}?as_of=2001-01-01T00:00:00Z"
        ))
        .await;
    problem(res, 404).await;
}

/// A `membership.updated` stored in version 1 (before `roles_added`/`roles_removed`) loads for
/// commands, projects, reads, exports and reaches consumers in the current shape.
#[tokio::test]
async fn events_stored_in_an_older_shape_still_load_project_replay_and_export() {
    let app = TestApp::with_dispatcher(crate::support::webhooks()).await;
    tokio::spawn(projector::Projector::new(app.db.pool.clone()).run());
    let org = app.named("Acme").await;
    let memberships = format!("/v1/organizations/{org}/memberships");
    let created = app.created(&memberships, json!({"user_id": "alice"})).await;
    let m = id(&created);
    let mut data = created["data"].clone();
    if data.is_null() {
        data = created.clone();
    }
    let mut v1 = json!({
        "id": m, "organization_id": org, "user_id": "alice", "application_id": null,
        "status": "active", "roles": ["admin", "member"], "attributes": {},
        "created_at": data["created_at"], "updated_at": data["created_at"],
        "previous_attributes": {"roles": ["member"]}
    });
    v1.as_object_mut().unwrap().remove("roles_added");
    let mut unit = store::UnitOfWork::new();
    let mut metadata = serde_json::Map::new();
    metadata.insert("actor_type".into(), "system".into());
    unit.push(store::unit_of_work::StreamChange {
        aggregate_type: "membership".into(),
        aggregate_id: m.clone(),
        organization_id: Some(org.clone()),
        version: 1,
        events: vec![store::unit_of_work::NewEvent {
            event_type: "membership.updated".into(),
            event_version: "1".into(),
            payload: json!({"type": "membership.updated", "data": v1}),
            metadata,
        }],
        claims: Vec::new(),
        snapshot: None,
    });
    let committed = unit.commit(&app.db.pool).await.unwrap();
    let position = committed.last().unwrap().position;
    let stored: (String, Value) =
        sqlx::query_as("SELECT event_version, payload FROM events WHERE position = $1")
            .bind(position)
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(stored.0, "1");
    assert!(
        stored.1["data"].get("roles_added").is_none(),
        "stored as version 1"
    );

    // Projected, and read back in the current shape through every read of the log.
    let now = app.read(&format!("/v1/memberships/{m}"), position).await;
    assert_eq!(now["roles"], json!(["admin", "member"]));
    let (_, events) = app
        .get(&format!(
            "/v1/events?aggregate_id={m}&types=membership.updated"
        ))
        .await;
    assert_eq!(events["data"][0]["data"]["roles_added"], json!(["admin"]));
    assert_eq!(events["data"][0]["data"]["roles_removed"], json!([]));
    let export = app
        .fetch(&format!("/v1/events/export?aggregate_id={m}"))
        .await
        .text()
        .await
        .unwrap();
    let line: Value = serde_json::from_str(export.lines().nth(1).unwrap()).unwrap();
    assert_eq!(line["data"]["roles_added"], json!(["admin"]));
    let (_, then) = app
        .get(&format!("/v1/memberships/{m}?as_of={position}"))
        .await;
    assert_eq!(then["roles"], json!(["admin", "member"]));

    // A replay sends it to a webhook endpoint in the current shape too.
    let receiver = crate::support::receiver::Receiver::start().await;
    let endpoint = app
        .post("/v1/webhook-endpoints", json!({"url": receiver.url}))
        .await
        .json::<Value>()
        .await
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .post(
            &format!("/v1/webhook-endpoints/{endpoint}/replay"),
            json!({"from_position": position, "to_position": position}),
        )
        .await;
    assert_eq!(res.status(), 202);
    let got = receiver
        .until_count(1, std::time::Duration::from_secs(60))
        .await;
    assert_eq!(got[0].json()["data"]["roles_added"], json!(["admin"]));

    // The command side loads it: a change on top of it is decided from the upcast state.
    let res = app
        .patch(
            &format!("/v1/memberships/{m}"),
            json!({"roles": ["member"]}),
        )
        .await;
    let changed = expect(res, 200).await;
    let (_, latest) = app
        .get(&format!(
            "/v1/events?aggregate_id={m}&limit=1&min_position={}",
            changed["position"]
        ))
        .await;
    assert_eq!(latest["data"][0]["data"]["roles_removed"], json!(["admin"]));
    let version: String = sqlx::query_scalar(
        "SELECT event_version FROM events WHERE aggregate_id = $1 ORDER BY sequence DESC LIMIT 1",
    )
    .bind(&m)
    .fetch_one(&app.db.pool)
    .await
    .unwrap();
    assert_eq!(
        version, "2",
        "new events are written in the current version"
    );
    // And the log checks out with this version's code.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["events", "verify"])
        .env("DATABASE_URL", &app.db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Resident memory of a process, in KiB (`VmRSS` of /proc/<pid>/status).
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

/// The export streams: exporting 200,000 events (a hundred megabytes) barely moves the serving
/// process's memory, where holding the result would grow it by more than the output's size.
/// (`roster bench` measures the same with 1,000,000 events in a release build.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_export_of_many_events_streams_in_flat_memory() {
    let app = TestApp::spawn().await;
    bench::synthetic_events(&app.db.pool, 200_000)
        .await
        .unwrap();
    let mut server = std::process::Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["serve", "--only", "query"])
        .env("DATABASE_URL", &app.db.url)
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let base = crate::support::listening_url(server.stderr.take().unwrap());
    let key = make_key(&app.db.pool, None, true).await;
    let client = app.client_with(Some(&key));
    // Warm up (connections, caches, the first pages), then take the baseline.
    let res = client
        .get(format!("{base}/v1/events?limit=1000"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let baseline = rss_kib(server.id());
    let mut res = client
        .get(format!("{base}/v1/events/export"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (mut bytes, mut lines, mut peak) = (0usize, 0usize, baseline);
    while let Some(chunk) = res.chunk().await.unwrap() {
        bytes += chunk.len();
        lines += chunk.iter().filter(|b| **b == b'\n').count();
        peak = peak.max(rss_kib(server.id()));
    }
    let _ = server.kill();
    let _ = server.wait();
    assert!(lines >= 200_000, "{lines} lines");
    let grown = peak.saturating_sub(baseline);
    let output_kib = (bytes / 1024) as u64;
    println!("export of {lines} events: {output_kib} KiB out, RSS {baseline} → peak {peak} KiB");
    assert!(
        grown * 4 < output_kib,
        "memory grew by {grown} KiB while {output_kib} KiB were exported"
    );
}

#[tokio::test]
async fn a_groups_members_as_they_were_even_after_the_group_is_gone() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let alice = app.member(&org, json!({ "user_id": "alice" })).await;
    let bob = app.member(&org, json!({ "user_id": "bob" })).await;
    let carol = app.member(&org, json!({ "user_id": "carol" })).await;
    let g = app.group(&org, "Ops").await;
    let mut at = 0;
    let members = format!("/v1/groups/{g}/members");
    for m in [&alice, &bob, &carol] {
        let added = app.created(&members, json!({ "membership_id": m })).await;
        at = added["position"].as_i64().unwrap();
    }
    let all_three = at;
    let roles = json!({"roles": ["admin"]});
    expect(
        app.patch(&format!("/v1/memberships/{bob}"), roles).await,
        200,
    )
    .await;
    let removed = app.delete(&format!("/v1/groups/{g}/members/{carol}")).await;
    let without_carol = expect(removed, 200).await["position"].as_i64().unwrap();
    let res = app.delete(&format!("/v1/groups/{g}")).await;
    assert!(res.status().is_success());
    let gone: Value = res.json().await.unwrap();

    let members = |as_of: i64, query: &'static str| {
        let app = &app;
        let g = g.clone();
        async move {
            app.get(&format!("/v1/groups/{g}/members?as_of={as_of}{query}"))
                .await
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let (status, then) = members(all_three, "&order=asc&limit=10").await;
    assert_eq!(status, 200, "{then}");
    let mut expected = vec![alice.clone(), bob.clone(), carol.clone()];
    expected.sort();
    assert_eq!(ids(&then), expected);
    assert!(then["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|m| m["roles"] == json!(["member"])));
    assert_eq!(then["data"][0]["object"], "organization_membership");
    // Each member as it was then too: bob's promotion came later.
    let (_, later) = members(without_carol, "&order=asc").await;
    let mut two = vec![alice.clone(), bob.clone()];
    two.sort();
    assert_eq!(ids(&later), two);
    let bob_then = later["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == json!(bob))
        .unwrap()
        .clone();
    assert_eq!(bob_then["roles"], json!(["admin"]));
    // Paged one by one, newest first.
    let (_, first) = members(all_three, "&limit=1").await;
    assert_eq!(ids(&first), [expected[2].clone()]);
    let after = first["list_metadata"]["after"].as_str().unwrap().to_owned();
    let (_, second) = app
        .get(&format!(
            "/v1/groups/{g}/members?as_of={all_three}&limit=1&after={after}"
        ))
        .await;
    assert_eq!(ids(&second), [expected[1].clone()]);
    // Gone now, and at or after its deletion; the live list agrees.
    let deleted_at = gone["position"].as_i64().unwrap();
    let (status, _) = members(deleted_at, "").await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&format!("/v1/groups/{g}/members?min_position={deleted_at}"))
        .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn an_organizations_members_as_they_were() {
    let app = TestApp::with_projector().await;
    let org = app.named("Acme").await;
    let alice = app.member(&org, json!({ "user_id": "alice" })).await;
    let bob = app.member(&org, json!({ "user_id": "bob" })).await;
    let promoted = app
        .patch(
            &format!("/v1/memberships/{bob}"),
            json!({"roles": ["admin"]}),
        )
        .await;
    let two = expect(promoted, 200).await["position"].as_i64().unwrap();
    let left = app
        .post(&format!("/v1/memberships/{alice}/deactivate"), json!({}))
        .await;
    expect(left, 200).await;
    let carol = app
        .created(
            &format!("/v1/organizations/{org}/memberships"),
            json!({ "user_id": "carol" }),
        )
        .await;
    let last = carol["position"].as_i64().unwrap();

    let list = |query: String| {
        let app = &app;
        let org = org.clone();
        async move {
            app.get(&format!("/v1/organizations/{org}/memberships?{query}"))
                .await
        }
    };
    let users = |page: &Value| -> Vec<String> {
        let mut users: Vec<String> = (page["data"].as_array().unwrap().iter())
            .map(|m| m["user_id"].as_str().unwrap().to_owned())
            .collect();
        users.sort();
        users
    };
    // As of bob's promotion: alice active, bob an admin, carol not there yet.
    let (status, then) = list(format!("as_of={two}")).await;
    assert_eq!(status, 200, "{then}");
    assert_eq!(users(&then), ["alice", "bob"]);
    let bob_then = (then["data"].as_array().unwrap().iter())
        .find(|m| m["user_id"] == "bob")
        .unwrap();
    assert_eq!(bob_then["roles"], json!(["admin"]));
    // Now: alice inactive (not in the default list), carol in.
    let (_, now) = list(format!("min_position={last}")).await;
    assert_eq!(users(&now), ["bob", "carol"]);
    // `status` filters the past too; the past pages like the live list.
    let (_, inactive_then) = list(format!("as_of={two}&status=inactive")).await;
    assert!(users(&inactive_then).is_empty());
    let (_, first) = list(format!("as_of={two}&limit=1&order=asc")).await;
    assert_eq!(first["data"].as_array().unwrap().len(), 1);
    let after = first["list_metadata"]["after"].as_str().unwrap().to_owned();
    let (_, second) = list(format!("as_of={two}&limit=1&order=asc&after={after}")).await;
    let mut paged = users(&first);
    paged.extend(users(&second));
    paged.sort();
    assert_eq!(paged, ["alice", "bob"]);
    // Filters of the live read model are refused with it, naming the field.
    let (status, refused) = list(format!("as_of={two}&role=admin")).await;
    assert_eq!(status, 400, "{refused}");
    assert_eq!(refused["errors"][0]["field"], "role");
    // Before the organization existed: 404.
    let (status, _) = list("as_of=2001-01-01T00:00:00Z".into()).await;
    assert_eq!(status, 404);
    let _ = carol;
}
