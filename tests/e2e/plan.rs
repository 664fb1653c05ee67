//! Organizations in files. `roster plan -f`: the seed documents against an empty store, a store
//! that already matches a document (nothing to do, exit 0), drift shown field by field (exit 2),
//! the JSON plan and the saved one, documents that cannot be planned (every problem named, exit 1,
//! nothing written). `roster apply`: a document made so once (the events naming it), every seed
//! document, a saved plan refused for an organization changed after it (and applied for the
//! others), a tampered plan refused whole. `roster export` / `GET /v1/export`: plans back to
//! nothing.

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
pub(crate) async fn plan(app: &TestApp, file: &Path, args: &[&str]) -> Output {
    let file = file.to_str().unwrap();
    cli(app, &[&["plan", "-f", file], args].concat()).await
}

/// `roster <args…>` on the test's database, awaited.
pub(crate) async fn cli(app: &TestApp, args: &[&str]) -> Output {
    let mut cmd = roster(args);
    cmd.env("DATABASE_URL", &app.db.url);
    tokio::process::Command::from(cmd).output().await.unwrap()
}

/// `roster <command> <args…>`: (exit code, standard output, standard error).
pub(crate) async fn run(
    app: &TestApp,
    command: &str,
    args: &[&str],
) -> (Option<i32>, String, String) {
    let out = cli(app, &[&[command], args].concat()).await;
    (out.status.code(), text(&out.stdout), text(&out.stderr))
}

pub(crate) fn text(out: &[u8]) -> String {
    String::from_utf8_lossy(out).into_owned()
}

/// A document written to a temp file.
pub(crate) fn document(dir: &Path, name: &str, yaml: &str) -> PathBuf {
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
        assert!(
            shown.contains("to create, 0 to update, 0 to remove."),
            "{shown}"
        );
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
    assert!(
        shown.contains("0 to create, 1 to update, 0 to remove."),
        "{shown}"
    );
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

/// `roster export …` on the test's database: (exit code, standard output, standard error).
async fn export(app: &TestApp, args: &[&str]) -> (Option<i32>, String, String) {
    run(app, "export", args).await
}

#[tokio::test]
async fn an_export_plans_back_to_nothing_in_yaml_and_json() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let acme = json!({"name": "Acme", "external_id": "acme", "description": "Rockets", "metadata": {"tier": "gold"}, "max_members": 40});
    let acme = app.create("/v1/organizations", acme).await;
    let lead = json!({"slug": "lead", "name": "Lead", "description": "Leads", "permissions": ["projects:write"]});
    app.created(&format!("/v1/organizations/{acme}/roles"), lead)
        .await;
    // The template's roles are not the organization's: changed there, they stay out of it.
    let admin = json!({"permissions": ["members:write"]});
    expect(app.patch("/v1/role-templates/admin", admin).await, 200).await;
    let ann = json!({"user_id": "ann", "roles": ["lead", "member"], "attributes": {"team": "red", "level": 3}});
    let ann = app.member(&acme, ann).await;
    let bot = app
        .member(&acme, json!({"application_id": "bot", "roles": []}))
        .await;
    let idle = app.member(&acme, json!({"user_id": "idle"})).await;
    expect(
        app.post_empty(&format!("/v1/memberships/{idle}/deactivate"))
            .await,
        200,
    )
    .await;
    let ops = app
        .create(
            &format!("/v1/organizations/{acme}/groups"),
            json!({"name": "Ops", "description": "On call"}),
        )
        .await;
    for m in [&ann, &bot] {
        app.created(
            &format!("/v1/groups/{ops}/members"),
            json!({"membership_id": m}),
        )
        .await;
    }
    expect(
        app.put(
            &format!("/v1/groups/{ops}/roles"),
            json!({"roles": ["lead"]}),
        )
        .await,
        200,
    )
    .await;
    let invitations = format!("/v1/organizations/{acme}/invitations");
    app.created(
        &invitations,
        json!({"email": "Bob@Example.com", "roles": ["lead"]}),
    )
    .await;
    let globex = app
        .create(
            "/v1/organizations",
            json!({"name": "Globex", "external_id": "globex"}),
        )
        .await;
    app.member(&globex, json!({"user_id": "ann"})).await;
    app.named("No external id").await;

    let (code, yaml, errors) = export(&app, &[]).await;
    assert_eq!(code, Some(0), "{errors}");
    assert!(
        errors.contains("1 organizations have no external id"),
        "{errors}"
    );
    assert!(
        !yaml.contains("idle"),
        "inactive members are left out:\n{yaml}"
    );
    let exported = declarative::read(yaml.as_bytes(), declarative::Format::Yaml).unwrap();
    let acme_doc = (exported.organizations.iter())
        .find(|o| o.external_id.as_str() == "acme")
        .unwrap();
    assert_eq!(acme_doc.max_members.map(|m| m.get()), Some(40), "{yaml}");
    let own: Vec<&str> = (acme_doc.roles.items.iter())
        .map(|r| r.slug.as_str())
        .collect();
    assert_eq!(
        own,
        ["lead"],
        "its own roles, not the template's:
{yaml}"
    );
    let roles: Vec<&str> = (acme_doc.groups.items[0].roles.iter().flatten())
        .map(|r| r.as_str())
        .collect();
    assert_eq!(roles, ["lead"], "the group's roles are exported:\n{yaml}");
    let file = document(&dir, "exported.yaml", &yaml);
    let out = plan(&app, &file, &[]).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{yaml}\n{}{}",
        text(&out.stdout),
        text(&out.stderr)
    );

    // JSON says the same; one organization alone is that organization.
    let (_, json, _) = export(&app, &["--format", "json"]).await;
    let from_yaml = declarative::read(yaml.as_bytes(), declarative::Format::Yaml).unwrap();
    let from_json = declarative::read(json.as_bytes(), declarative::Format::Json).unwrap();
    assert_eq!(from_json, from_yaml);
    assert_eq!(from_yaml.organizations.len(), 2);
    let acme_only = &from_yaml.organizations[0];
    assert_eq!(acme_only.external_id.as_str(), "acme");
    assert_eq!(acme_only.members.items.len(), 2);
    assert_eq!(acme_only.groups.items[0].members.len(), 2);
    let (_, one, _) = export(&app, &["--organization", &acme]).await;
    let one = declarative::read(one.as_bytes(), declarative::Format::Yaml).unwrap();
    assert_eq!(one.organizations, std::slice::from_ref(acme_only));
    let (code, _, errors) = export(&app, &["--organization", "acme"]).await;
    assert_eq!(code, Some(1));
    assert!(errors.contains("--organization"), "{errors}");

    // Over HTTP: the same document; an organization key gets its own organization only.
    let res = app.fetch("/v1/export").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/yaml");
    assert_eq!(res.headers()["roster-left-out"], "1");
    let served = res.text().await.unwrap();
    let served = declarative::read(served.as_bytes(), declarative::Format::Yaml).unwrap();
    assert_eq!(served, from_yaml);
    let (status, as_json) = app.get("/v1/export?format=json").await;
    assert_eq!(status, 200);
    let as_json = serde_json::to_vec(&as_json).unwrap();
    assert_eq!(
        declarative::read(&as_json, declarative::Format::Json).unwrap(),
        from_yaml
    );
    let key = crate::support::make_key(&app.db.pool, Some(&acme), true).await;
    let theirs = app.client_with(Some(&key));
    let res = theirs.get(app.url("/v1/export")).send().await.unwrap();
    let own = declarative::read(&res.bytes().await.unwrap(), declarative::Format::Yaml).unwrap();
    assert_eq!(own.organizations, std::slice::from_ref(acme_only));
    let res = theirs
        .get(app.url(&format!("/v1/export?organization_id={globex}")))
        .send();
    crate::support::problem(res.await.unwrap(), 404).await;
    let bad = crate::support::problem(app.fetch("/v1/export?format=xml").await, 400).await;
    assert_eq!(crate::support::fields(&bad), ["format"]);
}

/// `roster apply <args…>` on the test's database: (exit code, standard output, standard error).
pub(crate) async fn apply(app: &TestApp, args: &[&str]) -> (Option<i32>, String, String) {
    run(app, "apply", args).await
}

pub(crate) const TWO: &str = r#"
source: hr-sync
organizations:
  - external_id: acme
    name: Acme
    roles: [{slug: lead, name: Lead, permissions: [projects:write]}]
    members:
      - {user_id: ann, roles: [lead, member], attributes: {team: red}}
      - {application_id: bot, roles: []}
    groups: [{name: Ops, members: [{user_id: ann}, {application_id: bot}]}]
    invitations: [{email: bob@example.com, roles: [lead]}]
  - external_id: globex
    name: Globex
    members: [{user_id: cy}]
"#;

/// Writes `yaml` to `name` in `dir` and applies it, expecting success: the file and what
/// `roster apply` printed.
pub(crate) async fn applied(
    app: &TestApp,
    dir: &Path,
    name: &str,
    yaml: &str,
) -> (PathBuf, String) {
    let file = document(dir, name, yaml);
    let (code, out, errors) = apply(app, &["-f", file.to_str().unwrap()]).await;
    assert_eq!(code, Some(0), "{out}{errors}");
    (file, out)
}

#[tokio::test]
async fn applying_a_document_makes_it_so_once_and_every_event_names_the_document() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let (file, out) = applied(&app, &dir, "two.yaml", TWO).await;
    assert!(out.contains("2 of 2 organizations applied"), "{out}");
    assert!(
        out.contains("invitation bob@example.com: accept token it_"),
        "{out}"
    );
    let created = "created: 2 organizations, 1 role, 3 members, 1 group, 2 group members, \
                   1 invitation; updated: nothing; removed: nothing";
    assert!(out.contains(created), "{out}");
    // It is so: the read side shows it, and planning again finds nothing.
    let head = app.head().await;
    let orgs = app.read("/v1/organizations?external_id=acme", head).await;
    let acme = orgs["data"][0]["id"].as_str().unwrap().to_owned();
    let members = app
        .read(
            &format!("/v1/organizations/{acme}/memberships?role=lead"),
            head,
        )
        .await;
    assert_eq!(members["data"][0]["user_id"], "ann");
    let out = plan(&app, &file, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
    // Applying again appends nothing.
    let before = app.event_count().await;
    let (code, out, _) = apply(&app, &["-f", file.to_str().unwrap()]).await;
    assert_eq!(code, Some(0));
    assert!(out.contains("0 events appended"), "{out}");
    assert_eq!(app.event_count().await, before);
    // Every event it made names the document, its source and the actor.
    let sha256 = declarative::sha256(TWO.as_bytes());
    let metadata: Vec<Value> = sqlx::query_scalar(
        "SELECT metadata FROM events WHERE organization_id = $1 ORDER BY position",
    )
    .bind(&acme)
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    assert!(metadata.len() >= 8, "{metadata:?}");
    for m in &metadata {
        assert_eq!(m["document_sha256"], sha256.as_str(), "{m}");
        assert_eq!(m["managed_by"], "hr-sync");
        assert_eq!(
            (m["actor_type"].as_str(), m["actor_id"].as_str()),
            (Some("system"), Some("apply"))
        );
    }
}

#[tokio::test]
async fn every_seed_document_applies_as_it_stands() {
    let app = TestApp::with_projector().await;
    for seed in [
        "seed-basic-member-assignment.json",
        "seed-advanced-member-configuration.json",
        "seed-custom-roles.json",
        "seed-adding-multiple-members.json",
        "seed-role-based-member-assignment.json",
        "seed-custom-member-attributes.json",
        "seed-attribute-based-grouping.json",
    ] {
        let file = fixture(seed);
        let (code, out, errors) = apply(
            &app,
            &["-f", file.to_str().unwrap(), "--create-missing-roles"],
        )
        .await;
        assert_eq!(code, Some(0), "{seed}: {out}{errors}");
        let out = plan(&app, &file, &[]).await;
        assert_eq!(out.status.code(), Some(0), "{seed}: {}", text(&out.stdout));
    }
}

#[tokio::test]
async fn a_saved_plan_is_refused_for_an_organization_changed_after_it_and_applied_for_the_others() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let base = document(&dir, "base.yaml", "organizations:\n  - {external_id: acme, name: Acme}\n  - {external_id: globex, name: Globex}\n");
    assert_eq!(
        apply(&app, &["-f", base.to_str().unwrap()]).await.0,
        Some(0)
    );
    let file = document(&dir, "two.yaml", TWO);
    let saved = dir.join("plan.json");
    let out = plan(&app, &file, &["--out", saved.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2));
    // Meanwhile, through the API: a new member of acme.
    let head = app.head().await;
    let orgs = app.read("/v1/organizations?external_id=acme", head).await;
    let acme = orgs["data"][0]["id"].as_str().unwrap().to_owned();
    let late = app.member(&acme, json!({"user_id": "late"})).await;
    let before = app.events_of(&acme).await.len();
    let (code, out, _) = apply(&app, &[saved.to_str().unwrap()]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!(
            "organization acme ({acme}): refused, nothing applied"
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "membership {late} changed after the plan's position"
        )),
        "{out}"
    );
    assert!(out.contains("1 of 2 organizations applied"), "{out}");
    assert_eq!(
        app.events_of(&acme).await.len(),
        before,
        "nothing of acme's part"
    );
    let globex = app
        .read("/v1/organizations?external_id=globex", app.head().await)
        .await;
    let globex = globex["data"][0]["id"].as_str().unwrap().to_owned();
    let members = app
        .read(
            &format!("/v1/organizations/{globex}/memberships"),
            app.head().await,
        )
        .await;
    assert_eq!(
        members["data"][0]["user_id"], "cy",
        "globex's part was applied"
    );

    // One bad value in a saved plan (a file from outside) refuses its whole organization.
    let fresh = dir.join("fresh.json");
    let out = plan(&app, &file, &["--out", fresh.to_str().unwrap()]).await;
    assert_eq!(out.status.code(), Some(2));
    let mut tampered: Value = serde_json::from_slice(&std::fs::read(&fresh).unwrap()).unwrap();
    let changes = tampered["organizations"][0]["changes"]
        .as_array_mut()
        .unwrap();
    let last = changes.len() - 1;
    changes[last]["fields"][0]["new"] = json!(["Not A Slug"]);
    std::fs::write(&fresh, serde_json::to_vec(&tampered).unwrap()).unwrap();
    let before = app.events_of(&acme).await.len();
    let (code, out, _) = apply(&app, &[fresh.to_str().unwrap()]).await;
    assert_eq!(code, Some(1), "{out}");
    assert!(
        out.contains(&format!("organizations[0].changes[{last}].fields[0].new")),
        "{out}"
    );
    assert_eq!(
        app.events_of(&acme).await.len(),
        before,
        "all of acme's changes or none"
    );
}

/// A large apply SIGKILLed mid-way: each organization it touched is whole (its unit committed) or
/// untouched; applying again finishes it; planning then finds nothing.
#[tokio::test]
async fn a_large_apply_killed_mid_way_leaves_each_organization_whole_or_untouched() {
    const ORGS: usize = 40;
    const MEMBERS: usize = 100;
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let mut yaml = String::from("source: big\norganizations:\n");
    for o in 0..ORGS {
        yaml.push_str(&format!(
            "  - external_id: org-{o}\n    name: Org {o}\n    members:\n"
        ));
        for m in 0..MEMBERS {
            yaml.push_str(&format!(
                "      - {{user_id: u{o}-{m}, attributes: {{n: {m}}}}}\n"
            ));
        }
    }
    let file = document(&dir, "big.yaml", &yaml);
    let mut cmd = roster(&["apply", "-f", file.to_str().unwrap()]);
    cmd.env("DATABASE_URL", &app.db.url)
        .stdout(std::process::Stdio::null());
    let mut child = tokio::process::Command::from(cmd).spawn().unwrap();
    let applied =
        "SELECT count(DISTINCT organization_id) FROM events WHERE metadata->>'managed_by' = 'big'";
    // Awaited, not slept: killed once two organizations are in.
    crate::support::eventually(
        std::time::Duration::from_secs(120),
        "two organizations applied",
        || async {
            let n: i64 = sqlx::query_scalar(applied)
                .fetch_one(&app.db.pool)
                .await
                .unwrap();
            (n >= 2).then_some(())
        },
    )
    .await;
    child.start_kill().unwrap();
    let status = child.wait().await.unwrap();
    assert!(!status.success(), "killed");
    let done: i64 = sqlx::query_scalar(applied)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert!(
        (done as usize) < ORGS,
        "the apply had finished before the kill"
    );
    let per_org: Vec<(String, i64, i64)> = sqlx::query_as(
        "SELECT organization_id,
                count(*) FILTER (WHERE event_type = 'organization.created'),
                count(*) FILTER (WHERE event_type = 'membership.created')
           FROM events WHERE metadata->>'managed_by' = 'big' GROUP BY 1",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    for (org, created, members) in &per_org {
        assert_eq!(
            (*created, *members),
            (1, MEMBERS as i64),
            "{org} is half applied"
        );
    }
    // Again: the rest, and only the rest.
    let (code, out, errors) = apply(&app, &["-f", file.to_str().unwrap()]).await;
    assert_eq!(code, Some(0), "{out}{errors}");
    assert!(
        out.contains(&format!("{ORGS} of {ORGS} organizations applied")),
        "{out}"
    );
    let all: i64 = sqlx::query_scalar(applied)
        .fetch_one(&app.db.pool)
        .await
        .unwrap();
    assert_eq!(all as usize, ORGS);
    let out = plan(&app, &file, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

/// The CLI shows and applies the organization template's part of a document before its
/// organizations, and counts it in the summary.
#[tokio::test]
async fn the_cli_plans_and_applies_the_template_s_roles_first() {
    let app = TestApp::with_projector().await;
    let dir = temp_dir(false);
    let yaml = "role_templates: [{slug: auditor, name: Auditor, permissions: [logs:read]}]\norganizations:\n  - {external_id: acme, name: Acme, members: [{user_id: ann, roles: [auditor]}]}\n";
    let file = document(&dir, "template.yaml", yaml);
    let out = plan(&app, &file, &[]).await;
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let shown = text(&out.stdout);
    let template = shown.find("organization template").expect(&shown);
    let auditor = shown.find("+ template role auditor").expect(&shown);
    let acme = shown.find("organization acme").expect(&shown);
    assert!(template < auditor && auditor < acme, "{shown}");

    let (_, out) = applied(&app, &dir, "template.yaml", yaml).await;
    assert!(out.contains("organization template: 1 events"), "{out}");
    assert!(
        out.contains("created: 1 template role, 1 organization, 1 member;"),
        "{out}"
    );
    let out = plan(&app, &file, &[]).await;
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}
