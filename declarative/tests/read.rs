//! Reading documents: the seed examples as they stand, YAML and JSON, synonyms, lists that are the
//! whole truth; every problem located at once; hostile documents refused early; the published
//! JSON Schema is the one the types make and agrees with the reader.

use declarative::{read, Format, Located, Mode, ReadError};

const SEEDS: [&str; 7] = [
    "basic-member-assignment",
    "advanced-member-configuration",
    "custom-roles",
    "adding-multiple-members",
    "role-based-member-assignment",
    "custom-member-attributes",
    "attribute-based-grouping",
];

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The problems of a document that must not read.
fn problems(text: &str, format: Format) -> Vec<Located> {
    match read(text.as_bytes(), format) {
        Err(ReadError::Invalid(problems)) => problems,
        other => panic!("not refused as invalid: {other:?}"),
    }
}

fn paths(problems: &[Located]) -> Vec<&str> {
    problems.iter().map(|p| p.path.as_str()).collect()
}

#[test]
fn every_seed_example_reads_as_it_stands_in_json_and_as_yaml() {
    for seed in SEEDS {
        let bytes = fixture(&format!("seed-{seed}.json"));
        assert_eq!(Format::of(Some("x.json"), &bytes), Format::Json);
        let document = read(&bytes, Format::Json).unwrap_or_else(|e| panic!("{seed}: {e}"));
        assert!(!document.organizations.is_empty(), "{seed}");
        // JSON is YAML too: the YAML reader takes the same text to the same document.
        assert_eq!(read(&bytes, Format::Yaml).unwrap(), document, "{seed}");
    }
    let basic = read(&fixture("seed-basic-member-assignment.json"), Format::Json).unwrap();
    let acme = &basic.organizations[0];
    assert_eq!(
        acme.external_id.as_str(),
        "acme-corp",
        "`alias` is the external id"
    );
    let jane = &acme.members.items[1];
    assert_eq!(
        jane.user_id.as_ref().unwrap().as_str(),
        "jane.smith",
        "`username` is the user"
    );
    let roles: Vec<&str> = jane.roles.iter().flatten().map(|r| r.as_str()).collect();
    assert_eq!(roles, ["member", "admin"]);
}

#[test]
fn a_yaml_document_with_every_kind_of_object_reads_and_writes_back() {
    let text = r#"
source: hr-sync
organizations:
  - external_id: acme
    name: Acme Corp
    description: Rockets
    metadata: {tier: gold}
    roles:
      - slug: project-lead
        name: Project lead
        permissions: [projects:write, projects:read]
    members:
      mode: replace
      items:
        - user_id: ann
          roles: [member, project-lead]
          attributes: {department: engineering, level: 3, remote: true}
        - application_id: ci-bot
          roles: []
    groups:
      - name: Engineering
        members: [{user_id: ann}, {application_id: ci-bot}]
    invitations:
      - email: bob@example.com
        roles: [member]
        expires_in_days: 14
"#;
    assert_eq!(Format::of(Some("org.yaml"), text.as_bytes()), Format::Yaml);
    let document = read(text.as_bytes(), Format::Yaml).unwrap();
    assert_eq!(document.source.as_ref().unwrap().as_str(), "hr-sync");
    let acme = &document.organizations[0];
    assert_eq!(acme.members.mode, Mode::Replace);
    assert_eq!(acme.roles.mode, Mode::Merge);
    assert_eq!(acme.members.items.len(), 2);
    let attributes = acme.members.items[0].attributes.as_ref().unwrap();
    assert_eq!(attributes.get("level"), Some(&serde_json::json!(3)));
    assert_eq!(attributes.get("remote"), Some(&serde_json::json!(true)));
    assert_eq!(acme.groups.items[0].members.len(), 2);
    assert_eq!(acme.invitations.items[0].expires_in_days, Some(14));

    // What is written reads back the same, in YAML and in JSON.
    let yaml = declarative::to_yaml(&document).unwrap();
    assert_eq!(
        read(yaml.as_bytes(), Format::Yaml).unwrap(),
        document,
        "{yaml}"
    );
    let json = serde_json::to_vec(&document).unwrap();
    assert_eq!(read(&json, Format::Json).unwrap(), document);
}

#[test]
fn every_problem_is_reported_at_once_with_its_path() {
    let text = r#"
organizations:
  - external_id: acme
    name: Acme
    members:
      - user_id: ann
        rolez: [admin]
      - user_id: ""
      - user_id: bob
        application_id: bot
    groups:
      - name: Ops
        members: [{user_id: ann}, {user: bob}]
  - alias: globex
    nmae: Globex
    invitations:
      - email: not-an-email
"#;
    let found = problems(text, Format::Yaml);
    assert_eq!(
        paths(&found),
        [
            "organizations[0].members[0].rolez",
            "organizations[0].members[1].user_id",
            "organizations[0].groups[0].members[1].user",
            "organizations[1].invitations[0].email",
            "organizations[1].nmae",
        ],
        "{found:?}"
    );
    assert!(
        found[0].reason.contains("unknown field"),
        "{}",
        found[0].reason
    );
    // Shape first: once it holds, the rules are checked, every one of them.
    let text = r#"
role_templates: [{slug: auditor, name: Auditor}, {slug: auditor, name: Auditor again}]
organizations:
  - external_id: acme
    name: Acme
    roles: [{slug: ops, name: Ops}, {slug: ops, name: Ops again}]
    members:
      - {user_id: ann}
      - {user_id: bob, application_id: bot}
      - {username: ann}
      - {application_id: ann}
    groups:
      - {name: Ops, members: [{user_id: ann}, {user_id: ann}]}
      - {name: OPS}
    invitations:
      - {email: Ann@Example.com}
      - {email: ann@example.COM, expires_in_days: 31}
  - {alias: acme, name: Acme again}
"#;
    let found = problems(text, Format::Yaml);
    assert_eq!(
        paths(&found),
        [
            "role_templates[1].slug",
            "organizations[0].roles[1].slug",
            "organizations[0].members[1].user_id",
            "organizations[0].members[2]",
            "organizations[0].groups[0].members[1]",
            "organizations[0].groups[1].name",
            "organizations[0].invitations[1].email",
            "organizations[0].invitations[1].expires_in_days",
            "organizations[1]",
        ],
        "{found:?}"
    );
    assert_eq!(found[3].reason, "the same as organizations[0].members[0]");
}

#[test]
fn a_key_given_twice_is_refused_in_both_formats() {
    let yaml = "organizations:\n  - external_id: a\n    name: A\n    name: B\n";
    assert!(matches!(
        read(yaml.as_bytes(), Format::Yaml),
        Err(ReadError::Syntax { .. })
    ));
    let json = r#"{"organizations": [{"external_id": "a", "name": "A", "name": "B"}]}"#;
    match read(json.as_bytes(), Format::Json) {
        Err(ReadError::Syntax { reason, .. }) => {
            assert!(reason.starts_with("organizations[0].name"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn hostile_documents_are_refused_early_with_one_clear_error() {
    // A billion laughs: nine levels of ten aliases each would expand to 10⁹ nodes.
    let mut bomb = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    for (level, previous) in ["b", "c", "d", "e", "f", "g", "h", "i"]
        .iter()
        .zip(["a", "b", "c", "d", "e", "f", "g", "h"])
    {
        let refs = vec![format!("*{previous}"); 9].join(",");
        bomb.push_str(&format!("{level}: &{level} [{refs}]\n"));
    }
    match read(bomb.as_bytes(), Format::Yaml) {
        Err(ReadError::Syntax { format, reason }) => {
            assert_eq!(format, "YAML");
            // Refused by the reader's own budget (a tenth of the parser's default).
            assert!(reason.contains("budget breached"), "{reason}");
            assert!(reason.contains("100001"), "{reason}");
        }
        other => panic!("the bomb was not refused: {other:?}"),
    }
    // Too large, before any parsing.
    let large = vec![b' '; declarative::read::MAX_BYTES + 1];
    assert!(matches!(
        read(&large, Format::Yaml),
        Err(ReadError::TooLarge { .. })
    ));
    // Too deep, in both formats.
    let deep_json = format!("{}{}", "[".repeat(100), "]".repeat(100));
    assert!(matches!(
        read(deep_json.as_bytes(), Format::Json),
        Err(ReadError::Syntax { .. })
    ));
    let deep_yaml = format!("a: {}{}", "[".repeat(100), "]".repeat(100));
    assert!(matches!(
        read(deep_yaml.as_bytes(), Format::Yaml),
        Err(ReadError::Syntax { .. })
    ));
    // Not text, not a mapping, garbage.
    assert!(matches!(
        read(b"\xff\xfe", Format::Yaml),
        Err(ReadError::Syntax { .. })
    ));
    assert!(matches!(
        read(b"organizations: [", Format::Yaml),
        Err(ReadError::Syntax { .. })
    ));
    assert_eq!(paths(&problems("- a\n- b\n", Format::Yaml)), [""]);
    // YAML's other types stay out: `no` is a string here, not a boolean; custom tags are refused.
    let norway = read(
        b"organizations:\n  - {external_id: no, name: NO}\n",
        Format::Yaml,
    )
    .unwrap();
    assert_eq!(norway.organizations[0].external_id.as_str(), "no");
    let tagged = "organizations:\n  - external_id: !python/object x\n    name: A\n";
    assert!(read(tagged.as_bytes(), Format::Yaml).is_err());
}

#[test]
fn the_published_schema_is_the_types_and_agrees_with_the_reader() {
    let generated = declarative::schema();
    let path = format!("{}/../docs/apply.schema.json", env!("CARGO_MANIFEST_DIR"));
    let published: serde_json::Value = serde_json::from_slice(
        &std::fs::read(&path).expect("docs/apply.schema.json (regenerate: ROSTER_WRITE_SCHEMA=1)"),
    )
    .unwrap();
    if std::env::var_os("ROSTER_WRITE_SCHEMA").is_some() {
        let text = serde_json::to_string_pretty(&generated).unwrap() + "\n";
        std::fs::write(&path, text).unwrap();
    } else {
        assert_eq!(
            published, generated,
            "docs/apply.schema.json is stale: ROSTER_WRITE_SCHEMA=1 cargo test -p declarative"
        );
    }
    let validator = jsonschema::validator_for(&generated).unwrap();
    for seed in SEEDS {
        let value: serde_json::Value =
            serde_json::from_slice(&fixture(&format!("seed-{seed}.json"))).unwrap();
        assert!(validator.is_valid(&value), "{seed}");
    }
    // What the reader refuses for its shape, the schema refuses too.
    for refused in [
        r#"{"organizations": [{"external_id": "a"}]}"#,
        r#"{"organizations": [{"external_id": "a", "name": "A", "colour": "red"}]}"#,
        r#"{"organizations": [{"external_id": "a", "name": "A", "members": [{"user_id": "u", "rolez": []}]}]}"#,
        r#"{"organizations": [{"external_id": "a", "name": "A", "members": {"mode": "all", "items": []}}]}"#,
        r#"{"organizations": [{"external_id": "a", "name": "A", "roles": [{"slug": "Not A Slug", "name": "x"}]}]}"#,
        r#"{"source": "Has Spaces"}"#,
    ] {
        let value: serde_json::Value = serde_json::from_str(refused).unwrap();
        assert!(!validator.is_valid(&value), "the schema takes {refused}");
        assert!(
            read(refused.as_bytes(), Format::Json).is_err(),
            "the reader takes {refused}"
        );
    }
}

#[test]
fn the_example_in_the_docs_reads() {
    let path = format!("{}/../docs/apply.md", env!("CARGO_MANIFEST_DIR"));
    let docs = std::fs::read_to_string(path).unwrap();
    let example = docs
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a YAML example in docs/apply.md");
    let document = read(example.as_bytes(), Format::Yaml).unwrap();
    let acme = &document.organizations[0];
    assert_eq!(acme.members.items.len(), 2);
    assert_eq!(acme.groups.items[0].members.len(), 2);
}
