//! `--prune`: what a document no longer lists goes only when its source manages it (or its list
//! says `mode: replace`); what the API made stays; removals are shown first, capped by
//! `--max-deletions`, and visible as `managed_by` on the read side; `--prune-organizations`
//! deletes the organizations the source manages and no longer lists, to the end.

use crate::plan::{applied, apply, document, plan, text, TWO};
use crate::support::served::temp_dir;
use crate::support::TestApp;
use serde_json::json;

/// TWO without the bot, the invitation, and Globex.
const SMALLER: &str = r#"
source: hr-sync
organizations:
  - external_id: acme
    name: Acme
    roles: [{slug: lead, name: Lead, permissions: [projects:write]}]
    members:
      - {user_id: ann, roles: [lead, member], attributes: {team: red}}
    groups: [{name: Ops, members: [{user_id: ann}]}]
"#;

#[tokio::test]
async fn prune_removes_only_what_the_source_manages_and_shows_it_first() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    applied(&app, &dir, "two.yaml", TWO).await;
    // Made through the API meanwhile: a member, a group, an invitation.
    let head = app.head().await;
    let orgs = app.read("/v1/organizations?external_id=acme", head).await;
    let acme = orgs["data"][0]["id"].as_str().unwrap().to_owned();
    let dan = app.member(&acme, json!({"user_id": "dan"})).await;
    app.group(&acme, "Api").await;
    let invitations = format!("/v1/organizations/{acme}/invitations");
    app.created(&invitations, json!({"email": "eve@example.com"}))
        .await;
    // The read side says who manages what.
    let head = app.head().await;
    let members = app
        .read(
            &format!("/v1/organizations/{acme}/memberships?limit=10"),
            head,
        )
        .await;
    for m in members["data"].as_array().unwrap() {
        let expected = if m["id"] == dan.as_str() {
            json!(null)
        } else {
            json!("hr-sync")
        };
        assert_eq!(m["managed_by"], expected, "{m}");
    }

    let smaller = document(&dir, "smaller.yaml", SMALLER);
    let file = smaller.to_str().unwrap();
    // Without --prune nothing is removed.
    let out = plan(&app, &smaller, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // With it, what hr-sync made and no longer lists, first; nothing the API made.
    let out = plan(&app, &smaller, &["--prune"]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    let lines: Vec<&str> = shown.lines().filter(|l| l.starts_with("  ")).collect();
    let changes: Vec<&str> = lines
        .iter()
        .filter(|l| !l.starts_with("      "))
        .copied()
        .collect();
    assert!(
        changes[0].starts_with("  organization") || changes[0].starts_with("  - "),
        "{shown}"
    );
    assert!(shown.contains("  - invitation bob@example.com"), "{shown}");
    assert!(shown.contains("  - member application:bot"), "{shown}");
    assert!(
        !shown.contains("dan") && !shown.contains("eve@") && !shown.contains("Api"),
        "{shown}"
    );
    assert!(
        !shown.contains("globex ("),
        "organizations stay without --prune-organizations: {shown}"
    );
    assert!(
        shown.contains("0 to create, 0 to update, 2 to remove."),
        "{shown}"
    );
    // The cap refuses it whole, and nothing is written.
    let before = app.event_count().await;
    let (code, _, errors) = apply(&app, &["-f", file, "--prune", "--max-deletions", "1"]).await;
    assert_eq!(code, Some(1));
    assert!(
        errors.contains("the plan removes 2 objects, more than the 1 allowed"),
        "{errors}"
    );
    assert_eq!(app.event_count().await, before);

    let (code, out, errors) = apply(&app, &["-f", file, "--prune"]).await;
    assert_eq!(code, Some(0), "{out}{errors}");
    assert!(out.contains("removed: 1 invitation, 1 member"), "{out}");
    let head = app.head().await;
    let members = app
        .read(&format!("/v1/organizations/{acme}/memberships"), head)
        .await;
    let mut subjects: Vec<String> = (members["data"].as_array().unwrap().iter())
        .map(|m| {
            m["user_id"]
                .as_str()
                .or(m["application_id"].as_str())
                .unwrap()
                .to_owned()
        })
        .collect();
    subjects.sort();
    assert_eq!(
        subjects,
        ["ann", "dan"],
        "the bot left, dan (made through the API) stayed"
    );
    let pending = app
        .read(&format!("{invitations}?state=pending"), head)
        .await;
    let emails: Vec<&str> = (pending["data"].as_array().unwrap().iter())
        .map(|i| i["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails, ["eve@example.com"]);
    // Applied: planning again with --prune finds nothing.
    let out = plan(&app, &smaller, &["--prune"]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));

    // A list that is the whole truth takes what the API made too.
    let replace = SMALLER.replace(
        "    members:\n      - {user_id: ann, roles: [lead, member], attributes: {team: red}}",
        "    members:\n      mode: replace\n      items: [{user_id: ann, roles: [lead, member], attributes: {team: red}}]",
    );
    let replace = document(&dir, "replace.yaml", &replace);
    let out = plan(&app, &replace, &["--prune"]).await;
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!("  - member user:dan ({dan})")),
        "{shown}"
    );

    // Organizations: Globex, made by hr-sync and no longer listed, is deleted to the end.
    let (code, out, errors) = apply(&app, &["-f", file, "--prune-organizations"]).await;
    assert_eq!(code, Some(0), "{out}{errors}");
    assert!(out.contains("removed: 1 organization"), "{out}");
    let head = app.head().await;
    let globex = app.read("/v1/organizations?external_id=globex", head).await;
    assert_eq!(
        globex["data"],
        json!([]),
        "deleted, contents and all: {globex}"
    );
    let deleted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE event_type = 'organization.deleted'")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(deleted, 1, "the process manager finished the deletion");
}
