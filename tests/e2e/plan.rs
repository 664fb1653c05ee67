//! `roster plan -f`: the seed documents against an empty store, a store that already matches a
//! document (nothing to do, exit 0), drift shown field by field (exit 2), the JSON plan and the
//! saved one, and documents that cannot be planned (every problem named, exit 1, nothing written).

use std::path::{Path, PathBuf};
use std::process::Output;

use crate::support::served::{roster, temp_dir};
use crate::support::{expect, TestApp};
use serde_json::{json, Value};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../declarative/tests/fixtures")
        .join(name)
}

/// `roster plan -f <file> <args…>` on the test's database (awaited, so the test's own projector
/// runs meanwhile).
async fn plan(app: &TestApp, file: &Path, args: &[&str]) -> Output {
    let mut cmd = roster(&["plan", "-f", file.to_str().unwrap()]);
    cmd.args(args).env("DATABASE_URL", &app.db.url);
    tokio::process::Command::from(cmd).output().await.unwrap()
}

fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A document written to a temp file.
fn document(dir: &Path, name: &str, yaml: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, yaml).unwrap();
    path
}

#[tokio::test]
async fn every_seed_document_plans_against_an_empty_store_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let before = app.event_count().await;
    for seed in [
        "seed-basic-member-assignment.json",
        "seed-advanced-member-configuration.json",
        "seed-adding-multiple-members.json",
        "seed-custom-member-attributes.json",
    ] {
        let out = plan(&app, &fixture(seed), &[]).await;
        assert_eq!(out.status.code(), Some(2), "{seed}: {}", text(&out.stderr));
        let shown = text(&out.stdout);
        assert!(shown.contains("+ organization"), "{shown}");
        assert!(shown.contains("to create, 0 to update."), "{shown}");
    }
    // Roles nobody defined: all of them named, or created when asked.
    for seed in [
        "seed-custom-roles.json",
        "seed-role-based-member-assignment.json",
        "seed-attribute-based-grouping.json",
    ] {
        let out = plan(&app, &fixture(seed), &[]).await;
        assert_eq!(out.status.code(), Some(1), "{seed}");
        let errors = text(&out.stderr);
        assert!(
            errors.contains(&format!("{seed}: organizations[0].members[")),
            "{errors}"
        );
        let out = plan(&app, &fixture(seed), &["--create-missing-roles"]).await;
        assert_eq!(out.status.code(), Some(2), "{seed}: {}", text(&out.stderr));
        assert!(text(&out.stdout).contains("+ role "), "{seed}");
    }
    let custom = plan(&app, &fixture("seed-custom-roles.json"), &[]).await;
    let errors = text(&custom.stderr);
    assert!(
        errors.contains("members[0].roles[1]: the organization has no role `project-lead`"),
        "{errors}"
    );
    assert!(
        errors.contains("members[0].roles[2]: the organization has no role `team-manager`"),
        "{errors}"
    );
    assert_eq!(app.event_count().await, before, "planning wrote nothing");
}

#[tokio::test]
async fn a_store_that_matches_plans_nothing_and_drift_is_shown_field_by_field() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let yaml = r#"
organizations:
  - external_id: acme
    name: Acme
    roles: [{slug: lead, name: Lead, permissions: [projects:write]}]
    members:
      - {user_id: ann, roles: [lead, member], attributes: {team: red}}
      - {application_id: bot}
    groups: [{name: Ops, members: [{user_id: ann}]}]
    invitations: [{email: bob@example.com}]
"#;
    let file = document(&dir, "acme.yaml", yaml);
    // The same state, made through the API.
    let org = app
        .create(
            "/v1/organizations",
            json!({"name": "Acme", "external_id": "acme"}),
        )
        .await;
    let lead = json!({"slug": "lead", "name": "Lead", "permissions": ["projects:write"]});
    app.created(&format!("/v1/organizations/{org}/roles"), lead)
        .await;
    let ann = json!({"user_id": "ann", "roles": ["lead", "member"], "attributes": {"team": "red"}});
    let ann = app.member(&org, ann).await;
    app.member(&org, json!({"application_id": "bot"})).await;
    let ops = app.group(&org, "Ops").await;
    app.created(
        &format!("/v1/groups/{ops}/members"),
        json!({"membership_id": ann}),
    )
    .await;
    let invitations = format!("/v1/organizations/{org}/invitations");
    app.created(&invitations, json!({"email": "Bob@Example.com"}))
        .await;

    let out = plan(&app, &file, &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    assert!(
        text(&out.stdout).contains("No changes"),
        "{}",
        text(&out.stdout)
    );

    // Drift: the member's roles changed through the API.
    let roles = json!({"roles": ["member"]});
    expect(
        app.patch(&format!("/v1/memberships/{ann}"), roles).await,
        200,
    )
    .await;
    let saved = dir.join("plan.json");
    let out = plan(&app, &file, &["--out", saved.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    assert!(
        shown.contains(&format!("~ member user:ann ({ann})")),
        "{shown}"
    );
    assert!(
        shown.contains(r#"roles: ["member"] → ["lead","member"]"#),
        "{shown}"
    );
    assert!(shown.contains("0 to create, 1 to update."), "{shown}");
    // The saved plan is the JSON output: the position, the document's hash, every value.
    let out = plan(&app, &file, &["--output", "json"]).await;
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let saved: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    assert_eq!(printed, saved);
    assert_eq!(printed["object"], "plan");
    assert!(printed["position"].as_i64().unwrap() >= app.head().await);
    let hash = printed["document_sha256"].as_str().unwrap();
    assert_eq!(hash.len(), 64);
    let change = &printed["organizations"][0]["changes"][0];
    assert_eq!(change["action"], "update");
    assert_eq!(change["id"], ann.as_str());
    assert_eq!(
        change["fields"][0],
        json!({"field": "roles", "old": ["member"], "new": ["lead", "member"]})
    );
}

#[tokio::test]
async fn documents_that_cannot_be_planned_name_every_problem_and_write_nothing() {
    let app = TestApp::spawn().await;
    let dir = temp_dir(false);
    let before = app.event_count().await;
    let bad = document(
        &dir,
        "bad.yaml",
        "organizations:\n  - alias: x\n    name: X\n    members: [{user_id: a, rolez: []}, {user_id: ''}]\n  - {external_id: x, name: again}\n",
    );
    let out = plan(&app, &bad, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    let errors = text(&out.stderr);
    for path in [
        "organizations[0].members[0].rolez",
        "organizations[0].members[1].user_id",
    ] {
        assert!(
            errors.contains(&format!("bad.yaml: {path}: ")),
            "{path}: {errors}"
        );
    }
    // Not a document at all; too large; a device that never ends.
    let garbage = document(&dir, "garbage.yaml", "organizations: [");
    let out = plan(&app, &garbage, &[]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("not valid YAML"),
        "{}",
        text(&out.stderr)
    );
    for endless in ["/dev/zero"] {
        let out = plan(&app, Path::new(endless), &[]).await;
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("larger than"),
            "{}",
            text(&out.stderr)
        );
    }
    let missing = plan(&app, &dir.join("nope.yaml"), &[]).await;
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(app.event_count().await, before);
}
