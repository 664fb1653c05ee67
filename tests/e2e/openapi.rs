//! The OpenAPI document and the docs page: the document lists exactly the routes the router
//! serves, every reference in it resolves, and `/docs` works with nothing fetched from outside.
//! (The fuzzer run of `scripts/test.sh` checks live answers against the document.)

use std::collections::BTreeSet;

use serde_json::{json, Value};

use crate::support::{expect, TestApp};

/// `(METHOD, path)` of every operation in `document`.
fn operations(document: &Value) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys() {
            found.insert((method.to_uppercase(), path.clone()));
        }
    }
    found
}

/// Every `$ref` anywhere in `value`.
fn references(value: &Value, into: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                match (key.as_str(), v) {
                    ("$ref", Value::String(r)) => into.push(r.clone()),
                    _ => references(v, into),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, into)),
        _ => {}
    }
}

/// A path with each `{param}` filled with a well-formed value for it.
fn filled(path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    let mut out = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        if !segment.starts_with('{') {
            out.push(segment.to_string());
            continue;
        }
        let collection = segments[i - 1];
        let value = match (collection, *segment) {
            (_, "{org_id}") | ("organizations", _) => domain::OrganizationId::new().to_string(),
            (_, "{membership_id}") | ("memberships", _) => domain::MembershipId::new().to_string(),
            ("groups", _) => domain::GroupId::new().to_string(),
            ("invitations", _) => domain::InvitationId::new().to_string(),
            ("webhook-endpoints", _) => domain::WebhookEndpointId::new().to_string(),
            ("deliveries", _) => domain::DeliveryId::new().to_string(),
            ("api-keys", _) => domain::ApiKeyId::new().to_string(),
            (_, "{slug}") => "editor".to_owned(),
            _ => "user-1".to_owned(),
        };
        out.push(value);
    }
    out.join("/")
}

#[tokio::test]
async fn the_document_lists_exactly_the_routes_the_router_serves() {
    let app = TestApp::spawn().await;
    // The document is public, like the health routes: no key.
    let res = app
        .client_with(None)
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap();
    let document = expect(res, 200).await;
    assert_eq!(document["openapi"], "3.1.0");

    let documented = operations(&document);
    let served: BTreeSet<(String, String)> = roster::app::route_table()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_owned(), p.to_owned()))
        .collect();
    let undocumented: Vec<_> = served.difference(&documented).collect();
    let unserved: Vec<_> = documented.difference(&served).collect();
    assert!(
        undocumented.is_empty(),
        "served, not documented: {undocumented:?}"
    );
    assert!(unserved.is_empty(), "documented, not served: {unserved:?}");
    assert!(documented.len() >= 55, "{} operations", documented.len());

    // And the router really answers each documented operation: never "no route" (404 with the
    // router's own detail) nor "method not allowed".
    for (method, path) in &documented {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let res = app
            .client
            .request(method.clone(), app.url(&filled(path)))
            .send()
            .await
            .unwrap();
        let status = res.status().as_u16();
        let body = res.text().await.unwrap_or_default();
        assert_ne!(status, 405, "{method} {path}: {body}");
        assert!(
            !body.contains("no route for"),
            "{method} {path} is documented but not routed: {body}"
        );
    }
}

#[tokio::test]
async fn every_operation_is_typed_secured_and_resolvable() {
    let built = http_edge::openapi::build(&roster::app::all_endpoints());
    assert!(
        built.conflicts.is_empty(),
        "schemas that differ between request and response: {:?}",
        built.conflicts
    );
    let document = built.document;
    let schemas = document["components"]["schemas"].as_object().unwrap();
    let mut refs = Vec::new();
    references(&document, &mut refs);
    assert!(refs.len() > 100, "{} references", refs.len());
    for r in &refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .unwrap_or_else(|| panic!("a reference outside the components: {r}"));
        assert!(schemas.contains_key(name), "{r} does not resolve");
    }
    assert_eq!(
        document["components"]["securitySchemes"]["api_key"]["scheme"],
        "bearer"
    );
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let label = format!("{method} {path}");
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{label}"
            );
            assert!(op["operationId"].is_string(), "{label}");
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses
                    .keys()
                    .any(|s| s.starts_with('2') || s.starts_with('3')),
                "{label}: no success answer"
            );
            // Path parameters are typed by what they name (ids with their prefix pattern).
            for param in op["parameters"].as_array().into_iter().flatten() {
                if param["in"] == "path" {
                    assert!(param["schema"]["$ref"].is_string(), "{label}: {param}");
                }
            }
            if path.starts_with("/v1/") {
                assert_eq!(
                    op["security"][0]["api_key"],
                    serde_json::json!([]),
                    "{label}"
                );
                for status in ["400", "401", "429"] {
                    let problem = &responses[status]["content"]["application/problem+json"];
                    assert_eq!(
                        problem["schema"]["$ref"], "#/components/schemas/Problem",
                        "{label}: {status}"
                    );
                }
                if method != "get" {
                    assert!(responses.contains_key("403"), "{label}: read-only keys");
                }
                if path.contains('{') {
                    assert!(responses.contains_key("404"), "{label}");
                }
            } else {
                assert!(op.get("security").is_none(), "{label} needs no key");
            }
            if op.get("requestBody").is_some() {
                for status in ["413", "415"] {
                    assert!(responses.contains_key(status), "{label}: {status}");
                }
            }
        }
    }
}

#[tokio::test]
async fn the_docs_page_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = client.get(app.url("/docs")).send().await.unwrap();
    assert_eq!(res.status(), 308);
    assert_eq!(res.headers()["location"], "/docs/");
    let page = client
        .get(app.url("/docs/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("swagger-ui"), "{page}");
    // Every script and stylesheet it loads is one of ours, and answers.
    let assets: Vec<&str> = page
        .split(['"', '\''])
        .filter(|s| s.ends_with(".js") || s.ends_with(".css"))
        .collect();
    assert!(assets.len() >= 4, "{assets:?}");
    for asset in assets {
        assert!(!asset.contains("://"), "{asset} is fetched from elsewhere");
        let url = app.url(&format!("/docs/{}", asset.trim_start_matches("./")));
        let res = client.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert!(res.bytes().await.unwrap().len() > 100, "{url}");
    }
    let init = client
        .get(app.url("/docs/swagger-initializer.js"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(init.contains("\"/openapi.json\""), "{init}");
    // No validator badge: the page asks nothing of validator.swagger.io.
    assert!(init.contains("\"validatorUrl\": \"none\""), "{init}");
}

#[test]
fn every_event_type_s_example_is_an_event_of_the_document_and_data_is_typed_by_type() {
    let document = http_edge::openapi::build(&roster::app::all_endpoints()).document;
    let schemas = document["components"]["schemas"].as_object().unwrap();
    // No two schemas took one name (a second would be suffixed `2`): typed clients name
    // their classes after them.
    let suffixed: Vec<&String> = (schemas.keys())
        .filter(|n| n.ends_with('2') && schemas.contains_key(n.trim_end_matches('2')))
        .collect();
    assert!(suffixed.is_empty(), "{suffixed:?}");
    let mut root = document.clone();
    root["$ref"] = json!("#/components/schemas/Event");
    let event = jsonschema::validator_for(&root).unwrap();
    let examples: Vec<serde_json::Value> = (domain::catalogue::events().into_iter())
        .map(|d| d.example)
        .collect();
    assert!(examples.len() >= 20);
    for example in &examples {
        let errors: Vec<String> = event.iter_errors(example).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{}: {errors:?}", example["type"]);
    }
    // `data` follows `type`: a membership's data under an organization event type is refused.
    let membership = examples
        .iter()
        .find(|e| e["type"] == "membership.created")
        .unwrap();
    let mut wrong = membership.clone();
    wrong["type"] = json!("organization.created");
    assert!(!event.is_valid(&wrong), "data is typed by the event type");
    let mut unknown = membership.clone();
    unknown["type"] = json!("membership.exploded");
    assert!(!event.is_valid(&unknown));
}

#[test]
fn bodies_state_the_rules_the_handlers_check_so_generators_and_fuzzers_know_them() {
    let document = http_edge::openapi::build(&roster::app::all_endpoints()).document;
    let valid = |schema: &str, body: serde_json::Value| {
        let mut root = document.clone();
        root["$ref"] = json!(format!("#/components/schemas/{schema}"));
        jsonschema::validator_for(&root).unwrap().is_valid(&body)
    };
    // Exactly one subject, never null.
    assert!(valid("MembershipCreate", json!({"user_id": "ann"})));
    assert!(!valid(
        "MembershipCreate",
        json!({"user_id": "ann", "application_id": "bot"})
    ));
    assert!(!valid("MembershipCreate", json!({})));
    assert!(!valid(
        "MembershipCreate",
        json!({"user_id": null, "application_id": "bot"})
    ));
    // Names: blanks around are trimmed; control characters, blank names and 101 characters as
    // sent are refused.
    assert!(valid("OrganizationCreate", json!({"name": " Acme\n"})));
    for name in [
        "Ac\u{0}me",
        "Ac\nme",
        " \t ",
        &format!(" {} ", "x".repeat(99)),
    ] {
        assert!(
            !valid("OrganizationCreate", json!({ "name": name })),
            "{name:?}"
        );
    }
    // Bulk role change: one list of 1–1,000 members, and `set` or `add`/`remove`.
    assert!(valid(
        "MembershipRolesChange",
        json!({"user_ids": ["a"], "add": ["x"]})
    ));
    assert!(valid(
        "MembershipRolesChange",
        json!({"membership_ids": ["om_01JD8Z5V7Q4S2M9K3X6T1B0C8N"], "set": []})
    ));
    assert!(!valid(
        "MembershipRolesChange",
        json!({"user_ids": [], "add": ["x"]})
    ));
    assert!(!valid(
        "MembershipRolesChange",
        json!({"user_ids": ["a"], "application_ids": ["b"], "add": ["x"]})
    ));
    assert!(!valid(
        "MembershipRolesChange",
        json!({"user_ids": ["a"], "set": ["x"], "add": ["y"]})
    ));
    assert!(!valid("MembershipRolesChange", json!({"user_ids": ["a"]})));
    // A partial update may leave a field out, never send it null.
    assert!(valid("OrganizationUpdate", json!({})));
    assert!(!valid("OrganizationUpdate", json!({"name": null})));
    // Bulk import: 1–1,000 items.
    assert!(!valid("MembershipBulk", json!({"items": []})));
}
