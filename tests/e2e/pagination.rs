//! Keyset pagination over HTTP: both directions across page boundaries, concurrent inserts,
//! 10,000 rows by 100, and every kind of bad paging input.

use std::collections::HashSet;

use crate::support::{fields, ids, problem, TestApp};
use serde_json::{json, Value};

/// Creates `n` memberships (users `user-{from:05}`…); returns the last position.
async fn memberships(app: &TestApp, org: &str, from: usize, n: usize) -> i64 {
    app.bulk_memberships(org, (from..from + n).map(|i| format!("user-{i:05}")))
        .await
}

/// Walks pages with `before` cursors starting from `cursor`, returning the rows in list order.
async fn walk_back(
    app: &TestApp,
    path: &str,
    limit: usize,
    mut cursor: String,
    pos: i64,
) -> Vec<String> {
    let mut pages: Vec<Vec<String>> = Vec::new();
    loop {
        let page = app
            .read(&format!("{path}&limit={limit}&before={cursor}"), pos)
            .await;
        let rows = ids(&page);
        assert!(rows.len() <= limit);
        pages.push(rows);
        match page["list_metadata"]["before"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => break,
        }
    }
    pages.into_iter().rev().flatten().collect()
}

#[tokio::test]
async fn pages_walk_forward_and_backward_in_both_orders() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let pos = memberships(&app, &org, 0, 23).await;
    let base = format!("/v1/organizations/{org}/memberships");
    for order in ["asc", "desc"] {
        let path = format!("{base}?order={order}");
        let forward: Vec<String> = app
            .walk(&path, 5, pos)
            .await
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(forward.len(), 23);
        let mut expected = forward.clone();
        expected.sort();
        if order == "desc" {
            expected.reverse();
        }
        assert_eq!(forward, expected, "{order}: every row once, in order");

        // Back from the last page: its `before` cursor leads through every earlier page.
        let mut last = app.read(&format!("{path}&limit=5"), pos).await;
        while let Some(after) = last["list_metadata"]["after"].as_str() {
            last = app
                .read(&format!("{path}&limit=5&after={after}"), pos)
                .await;
        }
        assert_eq!(ids(&last), forward[20..], "{order}: the last page");
        let before = last["list_metadata"]["before"].as_str().unwrap().to_owned();
        let backward = walk_back(&app, &path, 5, before, pos).await;
        assert_eq!(backward, forward[..20], "{order}: backward walk");
        // The first page reached backwards says there is nothing before it.
        let first = app.read(&format!("{path}&limit=5"), pos).await;
        assert_eq!(first["list_metadata"]["before"], Value::Null);
    }
}

#[tokio::test]
async fn rows_inserted_while_walking_never_make_a_row_repeat_or_vanish() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let pos = memberships(&app, &org, 0, 300).await;
    let base = format!("/v1/organizations/{org}/memberships");
    let before_walk: HashSet<String> = app
        .walk(&format!("{base}?order=asc"), 100, pos)
        .await
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(before_walk.len(), 300);

    for order in ["asc", "desc"] {
        // Writers add memberships while the reader walks small pages.
        let writer = {
            let base = app.base.clone();
            let org = org.clone();
            let client = app.client.clone();
            let offset = if order == "asc" { 1000 } else { 2000 };
            tokio::spawn(async move {
                for i in 0..150 {
                    let res = client
                        .post(format!("{base}/v1/organizations/{org}/memberships"))
                        .json(&json!({"user_id": format!("late-{}", offset + i)}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201);
                }
            })
        };
        let walked: Vec<String> = app
            .walk(&format!("{base}?order={order}"), 7, pos)
            .await
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        writer.await.unwrap();
        let distinct: HashSet<&String> = walked.iter().collect();
        assert_eq!(distinct.len(), walked.len(), "{order}: a row came twice");
        for id in &before_walk {
            assert!(distinct.contains(id), "{order}: {id} was skipped");
        }
    }

    // Backwards from the last page while writers add rows (in `desc` order new rows land at
    // the front, the very end a backward walk heads for).
    for (n, order) in ["asc", "desc"].into_iter().enumerate() {
        let path = format!("{base}?order={order}");
        let existing: HashSet<String> = app
            .walk(&path, 100, 0)
            .await
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect();
        let mut last = app.read(&format!("{path}&limit=7"), 0).await;
        let mut walked = ids(&last);
        while let Some(after) = last["list_metadata"]["after"].as_str() {
            last = app.read(&format!("{path}&limit=7&after={after}"), 0).await;
            walked = ids(&last);
        }
        let writer = {
            let (base, org, client) = (app.base.clone(), org.clone(), app.client.clone());
            tokio::spawn(async move {
                for i in 0..150 {
                    let res = client
                        .post(format!("{base}/v1/organizations/{org}/memberships"))
                        .json(&json!({"user_id": format!("back-{n}-{i}")}))
                        .send()
                        .await
                        .unwrap();
                    assert_eq!(res.status(), 201);
                }
            })
        };
        let before = last["list_metadata"]["before"].as_str().unwrap().to_owned();
        walked.extend(walk_back(&app, &path, 7, before, 0).await);
        writer.await.unwrap();
        let distinct: HashSet<&String> = walked.iter().collect();
        assert_eq!(
            distinct.len(),
            walked.len(),
            "{order} backwards: a row came twice"
        );
        for id in &existing {
            assert!(distinct.contains(id), "{order} backwards: {id} was skipped");
        }
    }
}

#[tokio::test]
async fn ten_thousand_memberships_by_pages_of_100_are_10000_distinct_rows() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let pos = memberships(&app, &org, 0, 10_000).await;
    let rows = app
        .walk(&format!("/v1/organizations/{org}/memberships"), 100, pos)
        .await;
    assert_eq!(rows.len(), 10_000);
    let distinct: HashSet<&str> = rows.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 10_000);
    let users: HashSet<&str> = rows
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(users.len(), 10_000);
}

#[tokio::test]
async fn bad_paging_input_is_a_400_naming_the_parameter() {
    let app = TestApp::with_projector().await;
    let org = app.organization().await;
    let other = app.organization().await;
    let pos = memberships(&app, &org, 0, 3).await;
    let other_pos = memberships(&app, &other, 10, 3).await;
    let path = format!("/v1/organizations/{org}/memberships");
    let page = app.read(&format!("{path}?limit=1"), pos).await;
    let cursor = page["list_metadata"]["after"].as_str().unwrap().to_owned();
    let other_page = app
        .read(
            &format!("/v1/organizations/{other}/memberships?limit=1"),
            other_pos,
        )
        .await;
    let foreign = other_page["list_metadata"]["after"].as_str().unwrap();
    let (key, tag) = cursor.split_once('.').unwrap();
    let mut tampered_key = key.to_owned();
    tampered_key.replace_range(
        key.len() - 2..,
        if key.ends_with("AA") { "AB" } else { "AA" },
    );
    let tampered = format!("{tampered_key}.{tag}");

    let cases: Vec<(String, Vec<&str>)> = vec![
        ("limit=0".into(), vec!["limit"]),
        ("limit=101".into(), vec!["limit"]),
        ("limit=ten".into(), vec!["limit"]),
        ("limit=-1".into(), vec!["limit"]),
        ("limit=5&limit=6".into(), vec!["limit"]),
        ("order=up".into(), vec!["order"]),
        (
            format!("before={cursor}&after={cursor}"),
            vec!["before", "after"],
        ),
        ("after=garbage".into(), vec!["after"]),
        (format!("after={tampered}"), vec!["after"]),
        (format!("before={foreign}"), vec!["before"]),
        ("after=".into(), vec!["after"]),
        ("colour=red".into(), vec!["colour"]),
        ("status=gone".into(), vec!["status"]),
        ("group_id=not-a-group".into(), vec!["group_id"]),
        ("attr.=x".into(), vec!["attr."]),
        ("min_position=-5".into(), vec!["min_position"]),
        ("min_position=soon".into(), vec!["min_position"]),
        ("limit=0&colour=red".into(), vec!["colour", "limit"]),
    ];
    for (query, expected) in cases {
        let res = app.fetch(&format!("{path}?{query}")).await;
        let body = problem(res, 400).await;
        let mut got = fields(&body);
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected, "`{query}`: {body}");
    }
    for (path, query, field) in [
        ("/v1/organizations", "title=x", "title"),
        (
            &*format!("/v1/organizations/{org}/invitations"),
            "state=open",
            "state",
        ),
        (
            &*format!("/v1/organizations/{org}/groups"),
            "limit=500",
            "limit",
        ),
        ("/v1/users/u/memberships", "role=admin", "role"),
        (&*format!("/v1/organizations/{org}"), "limit=5", "limit"),
        ("/v1/organizations/not-an-org/roles", "", "org_id"),
        ("/v1/memberships/org_01JD0000000000000000000000", "", "id"),
    ] {
        let res = app.fetch(&format!("{path}?{query}")).await;
        let body = problem(res, 400).await;
        assert_eq!(fields(&body), [field], "{path}?{query}: {body}");
    }
}
