//! Webhook endpoint management over HTTP: create, list, read, update, delete, secrets, rotation,
//! enable/disable, and every kind of bad input.

use crate::support::{expect, fields, problem, TestApp};
use serde_json::{json, Value};

#[tokio::test]
async fn endpoints_are_created_listed_updated_and_deleted() {
    let app = TestApp::spawn().await;
    let a = app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": "http://127.0.0.1:9/a", "description": "CRM sync",
               "event_types": ["group.*", "membership.created", "group.*"],
               "rate_limit_per_s": 50}),
        )
        .await;
    assert_eq!(a["object"], "webhook_endpoint");
    assert!(a["id"].as_str().unwrap().starts_with("we_"));
    assert_eq!(a["event_types"], json!(["group.*", "membership.created"]));
    assert_eq!(a["enabled"], true);
    assert!(a.get("secret").is_none(), "secrets only via /secret");
    let id = a["id"].as_str().unwrap();

    let secret = app
        .get(&format!("/v1/webhook-endpoints/{id}/secret"))
        .await
        .1;
    let key = secret["key"].as_str().unwrap();
    assert!(key.starts_with("whsec_"));
    assert_eq!(secret["previous_key"], Value::Null);

    let own = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let b = app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": "http://127.0.0.1:9/b", "secret": own}),
        )
        .await;
    let b_id = b["id"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("/v1/webhook-endpoints/{b_id}/secret"))
            .await
            .1["key"],
        own
    );

    let page = app.get("/v1/webhook-endpoints?limit=1&order=asc").await.1;
    assert_eq!(page["data"][0]["id"], a["id"]);
    let after = page["list_metadata"]["after"].as_str().unwrap();
    let next = app
        .get(&format!(
            "/v1/webhook-endpoints?limit=1&order=asc&after={after}"
        ))
        .await
        .1;
    assert_eq!(next["data"][0]["id"], b["id"]);
    assert_eq!(next["list_metadata"]["after"], Value::Null);

    let res = app
        .patch(
            &format!("/v1/webhook-endpoints/{id}"),
            json!({"description": null, "event_types": [], "organization_id": "org_01JD0000000000000000000000"}),
        )
        .await;
    let patched = expect(res, 200).await;
    assert_eq!(patched["description"], Value::Null);
    assert_eq!(patched["event_types"], json!([]));
    assert_eq!(patched["organization_id"], "org_01JD0000000000000000000000");
    assert_eq!(patched["rate_limit_per_s"], 50, "untouched fields stay");

    let disabled: Value = app
        .post(&format!("/v1/webhook-endpoints/{id}/disable"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(disabled["enabled"], false);
    let enabled: Value = app
        .post(&format!("/v1/webhook-endpoints/{id}/enable"), json!({}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(enabled["enabled"], true);
    assert_eq!(enabled["disabled_reason"], Value::Null);

    let res = app.delete(&format!("/v1/webhook-endpoints/{id}")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(app.get(&format!("/v1/webhook-endpoints/{id}")).await.0, 404);
    assert_eq!(
        app.get(&format!("/v1/webhook-endpoints/{id}/secret"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn rotation_keeps_the_old_secret_for_the_grace_period() {
    let app = TestApp::spawn().await;
    let e = app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": "http://127.0.0.1:9/a"}),
        )
        .await;
    let id = e["id"].as_str().unwrap();
    let old = app
        .get(&format!("/v1/webhook-endpoints/{id}/secret"))
        .await
        .1["key"]
        .clone();
    let res = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
            json!({}),
        )
        .await;
    let rotated = expect(res, 200).await;
    assert_ne!(rotated["key"], old);
    assert_eq!(rotated["previous_key"], old);
    let expires =
        chrono::DateTime::parse_from_rfc3339(rotated["previous_expires_at"].as_str().unwrap())
            .unwrap();
    let hours =
        (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!((23.9..=24.0).contains(&hours), "{hours}");

    let chosen = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let again: Value = app
        .post(
            &format!("/v1/webhook-endpoints/{id}/rotate-secret"),
            json!({"key": chosen}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(again["key"], chosen);
    assert_eq!(again["previous_key"], rotated["key"]);
}

/// rotate-secret takes an optional body: none at all rotates, but a body that cannot be read as a
/// JSON object is refused like on every other route, and the secret stays.
#[tokio::test]
async fn rotation_refuses_a_garbled_body_and_keeps_the_secret() {
    let app = TestApp::spawn().await;
    let e = app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": "http://127.0.0.1:9/a"}),
        )
        .await;
    let id = e["id"].as_str().unwrap();
    let path = format!("/v1/webhook-endpoints/{id}/rotate-secret");
    let secret = || async {
        app.get(&format!("/v1/webhook-endpoints/{id}/secret"))
            .await
            .1["key"]
            .clone()
    };
    let old = secret().await;
    let json = "application/json";
    let huge = format!("{{\"key\": \"{}\"}}", "x".repeat(2 * 1024 * 1024));
    let cases: Vec<(&str, Vec<u8>, u16)> = vec![
        (json, b"{\"key\": ".to_vec(), 400),
        (json, b"{} trailing".to_vec(), 400),
        (json, b"{\"key\": \"\xff\"}".to_vec(), 400),
        (json, b"\xef\xbb\xbf{}".to_vec(), 400),
        (json, b"\xff\xfe{\x00}\x00".to_vec(), 400),
        (json, b"[]".to_vec(), 400),
        ("text/plain", b"{}".to_vec(), 415),
        ("application/x-www-form-urlencoded", b"key=x".to_vec(), 415),
        (json, huge.into_bytes(), 413),
    ];
    for (content_type, body, status) in cases {
        let res = app
            .client
            .post(app.url(&path))
            .header("content-type", content_type)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        problem(res, status).await;
        assert_eq!(
            secret().await,
            old,
            "{content_type} {:?} left the secret alone",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        );
    }
    let res = app.post_empty(&path).await;
    assert_eq!(res.status(), 200, "no body at all rotates");
    assert_ne!(secret().await, old);
}

#[tokio::test]
async fn bad_endpoint_input_names_the_field_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let cases: Vec<(Value, u16, Vec<&str>)> = vec![
        (json!({}), 400, vec!["url"]),
        (json!({"url": "not a url"}), 400, vec!["url"]),
        (json!({"url": "ftp://example.com/x"}), 400, vec!["url"]),
        (json!({"url": 5}), 400, vec!["url"]),
        (json!({"url": "http://10.0.0.1/x"}), 422, vec!["url"]),
        (
            json!({"url": "http://169.254.169.254/latest/meta-data"}),
            422,
            vec!["url"],
        ),
        (json!({"url": "http://[::1]:8080/x"}), 422, vec!["url"]),
        (
            json!({"url": "http://[::ffff:10.0.0.1]/x"}),
            422,
            vec!["url"],
        ),
        (json!({"url": "http://0.0.0.0/x"}), 422, vec!["url"]),
        (
            json!({"url": "http://127.0.0.1:9/x", "event_types": ["group.exploded"]}),
            400,
            vec!["event_types[0]"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "event_types": ["group.*", "users.*"]}),
            400,
            vec!["event_types[1]"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "event_types": "group.*"}),
            400,
            vec!["event_types"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "secret": "hunter2"}),
            400,
            vec!["secret"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "secret": "whsec_c2hvcnQ="}),
            400,
            vec!["secret"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "organization_id": "acme"}),
            400,
            vec!["organization_id"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "rate_limit_per_s": 0}),
            400,
            vec!["rate_limit_per_s"],
        ),
        (
            json!({"url": "http://127.0.0.1:9/x", "colour": "red"}),
            400,
            vec!["colour"],
        ),
        (
            json!({"event_types": ["nope"], "secret": "x"}),
            400,
            vec!["url", "event_types[0]", "secret"],
        ),
    ];
    for (body, status, expected) in cases {
        let p = problem(
            app.post("/v1/webhook-endpoints", body.clone()).await,
            status,
        )
        .await;
        let mut got = fields(&p);
        got.sort();
        let mut expected: Vec<String> = expected.iter().map(|s| s.to_string()).collect();
        expected.sort();
        assert_eq!(got, expected, "{body}: {p}");
    }
    let list = app.get("/v1/webhook-endpoints").await.1;
    assert_eq!(list["data"], json!([]), "nothing was written");

    let e = app
        .created(
            "/v1/webhook-endpoints",
            json!({"url": "http://127.0.0.1:9/a"}),
        )
        .await;
    let id = e["id"].as_str().unwrap();
    let path = format!("/v1/webhook-endpoints/{id}");
    for (body, status, field) in [
        (json!({"url": "http://192.168.0.1/"}), 422, "url"),
        (
            json!({"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}),
            400,
            "secret",
        ),
        (
            json!({"event_types": ["invitation.*", "bogus"]}),
            400,
            "event_types[1]",
        ),
    ] {
        let p = problem(app.patch(&path, body).await, status).await;
        assert_eq!(fields(&p), [field]);
    }
    assert_eq!(app.get(&path).await.1["url"], "http://127.0.0.1:9/a");
    let sent = json!({"key": "whsec_bad"});
    let p = problem(app.post(&format!("{path}/rotate-secret"), sent).await, 400).await;
    assert_eq!(fields(&p), ["key"]);

    for (path, status, field) in [
        ("/v1/webhook-endpoints/nope", 400, Some("id")),
        (
            "/v1/webhook-endpoints/we_01JD0000000000000000000000",
            404,
            None,
        ),
        ("/v1/deliveries/dlv_01JD0000000000000000000000", 404, None),
        ("/v1/webhook-endpoints?limit=0", 400, Some("limit")),
        (
            &*format!("{path}/deliveries?status=lost"),
            400,
            Some("status"),
        ),
    ] {
        let p = problem(app.fetch(path).await, status).await;
        if let Some(field) = field {
            assert_eq!(fields(&p), [field], "{path}");
        }
    }
    for (route, body, field) in [
        ("recover", json!({}), "since"),
        ("recover", json!({"since": "yesterday"}), "since"),
        ("replay", json!({}), "from_position"),
        ("replay", json!({"from_position": 0}), "from_position"),
        (
            "replay",
            json!({"from_position": 5, "to_position": 2}),
            "to_position",
        ),
        ("replay", json!({"from_position": 1, "extra": 1}), "extra"),
    ] {
        let p = problem(
            app.post(&format!("{path}/{route}"), body.clone()).await,
            400,
        )
        .await;
        assert_eq!(fields(&p), [field], "{route} {body}");
    }
}
