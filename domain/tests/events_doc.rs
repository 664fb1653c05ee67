//! `docs/events.md` is generated from the event catalogue; this keeps the file current.

use std::path::PathBuf;

#[test]
fn docs_events_md_matches_the_catalogue() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../docs/events.md");
    let expected = domain::catalogue::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &expected).unwrap();
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "docs/events.md is out of date: run `UPDATE_DOCS=1 cargo test -p domain --test events_doc`"
    );
}

#[test]
fn every_event_type_is_documented_once_and_keeps_secrets_out() {
    let docs = domain::catalogue::events();
    let types: Vec<&str> = docs.iter().map(|d| d.event_type).collect();
    let mut unique = types.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), types.len());
    assert_eq!(types.len(), 34);
    for d in &docs {
        assert_eq!(d.example["type"], d.event_type);
        assert!(
            d.schema["properties"].is_object(),
            "{} has an object schema",
            d.event_type
        );
        // Every required field of the schema is present in the example's data.
        for field in d.schema["required"].as_array().into_iter().flatten() {
            let field = field.as_str().unwrap();
            assert!(
                d.example["data"].get(field).is_some(),
                "{}: example lacks {field}",
                d.event_type
            );
        }
        assert!(d.example["data"].get("accept_token_sha256").is_none());
        assert!(d.example["data"].get("secret").is_none());
        assert!(d.example["data"].get("secret_sha256").is_none());
    }
}
