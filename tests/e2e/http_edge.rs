//! The HTTP edge: health, readiness, request ids, and problem+json for every kind of bad input,
//! with nothing written.

use std::time::Duration;

use crate::support::{expect, fields, id, problem, TestApp};
use embedded_postgres::{Binaries, Options, PostgresServer};
use serde_json::{json, Value};

#[tokio::test]
async fn health_and_readiness() {
    let app = TestApp::spawn().await;
    let res = app.fetch("/healthz").await;
    assert_eq!(res.status(), 200);
    let res = app.fetch("/readyz").await;
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        body["checks"],
        json!({"database": "ok", "migrations": "ok"})
    );
}

#[tokio::test]
async fn readyz_reports_pending_migrations() {
    let server = roster_testkit::postgres();
    let name = format!("bare_{}", ulid::Ulid::new().to_string().to_lowercase());
    embedded_postgres::ensure_database(&server.url("postgres"), &name)
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&server.url(&name)).await.unwrap();
    let app = TestApp::on(roster_testkit::TestDb {
        url: server.url(&name),
        pool,
        name,
    })
    .await;
    let body = problem(app.fetch("/readyz").await, 503).await;
    assert_eq!(fields(&body), ["migrations"]);
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let res = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "abc-123");
    let res = app.fetch("/healthz").await;
    assert!(res.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));

    // The id reaches the event metadata.
    let res = app
        .client
        .post(app.url("/v1/organizations"))
        .header("x-request-id", "trace-me")
        .json(&json!({"name": "Acme"}))
        .send()
        .await
        .unwrap();
    let id = id(&expect(res, 201).await);
    assert_eq!(app.events_of(&id).await[0].4["request_id"], "trace-me");
}

#[tokio::test]
async fn malformed_requests_get_problems_and_write_nothing() {
    let app = TestApp::spawn().await;
    let post = |body: &'static str, content_type: &'static str| {
        app.client
            .post(app.url("/v1/organizations"))
            .header("content-type", content_type)
            .body(body)
    };

    let body = problem(
        post("{\"name\": ", "application/json")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("not valid JSON"));
    problem(post("[1,2]", "application/json").send().await.unwrap(), 400).await;
    problem(post("", "application/json").send().await.unwrap(), 400).await;
    let body = problem(
        post("{\"name\": 5}", "application/json")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(fields(&body), ["name"]);
    let body = problem(post("{}", "application/json").send().await.unwrap(), 400).await;
    assert_eq!(fields(&body), ["name"]);
    let body = problem(
        post("{\"name\":\"a\",\"nmae\":1}", "application/json")
            .send()
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(fields(&body), ["nmae"]);
    problem(
        post("{\"name\": \"Acme\"}", "text/plain")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;
    problem(
        app.client
            .post(app.url("/v1/organizations"))
            .body("{\"name\": \"Acme\"}")
            .send()
            .await
            .unwrap(),
        415,
    )
    .await;

    let huge = format!(
        "{{\"name\": \"Acme\", \"description\": \"{}\"}}",
        "x".repeat(2 * 1024 * 1024)
    );
    let res = app
        .client
        .post(app.url("/v1/organizations"))
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .unwrap();
    problem(res, 413).await;

    let body = problem(app.fetch("/v1/nope").await, 404).await;
    assert!(body["detail"].as_str().unwrap().contains("/v1/nope"));
    problem(app.delete("/healthz").await, 405).await;
    problem(
        app.client
            .put(app.url("/v1/organizations"))
            .send()
            .await
            .unwrap(),
        405,
    )
    .await;

    assert_eq!(app.event_count().await, 0, "no bad request wrote anything");
}

/// A database that goes away gives 503s (never a panic or a 500), and the process recovers
/// when it comes back.
#[tokio::test]
async fn database_outage_gives_503_and_recovers() {
    let dir = std::env::temp_dir().join(format!("roster-outage-{}", ulid::Ulid::new()));
    let bins = Binaries::locate().unwrap();
    let mut options = Options::new(dir.join("data"));
    options.durable = false;
    let server = PostgresServer::start(&bins, &options).unwrap();
    options.port = Some(server.port());
    embedded_postgres::ensure_database(&server.url("postgres"), "outage")
        .await
        .unwrap();
    let pool = sqlx::PgPool::connect(&server.url("outage")).await.unwrap();
    store::migrate::run(&pool).await.unwrap();
    pool.close().await;
    let url = server.url("outage");
    let app = TestApp::on(roster_testkit::TestDb {
        url: url.clone(),
        pool: sqlx::postgres::PgPoolOptions::new()
            .connect_lazy(&url)
            .unwrap(),
        name: "outage".into(),
    })
    .await;
    assert_eq!(app.fetch("/readyz").await.status(), 200);

    tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    let res = app.fetch("/readyz").await;
    let body = problem(res, 503).await;
    assert_eq!(fields(&body), ["database"]);
    // The probe is open to anyone: a generic reason, not the driver's words (address, errno).
    assert_eq!(body["detail"], "the database is unreachable", "{body}");
    assert!(
        !body
            .to_string()
            .contains(&options.port.unwrap().to_string()),
        "{body}"
    );
    let res = app.post("/v1/organizations", json!({"name": "Acme"})).await;
    assert!(res.headers().contains_key("retry-after"));
    problem(res, 503).await;
    assert_eq!(app.fetch("/healthz").await.status(), 200);

    let opts = options.clone();
    let server = tokio::task::spawn_blocking(move || PostgresServer::start(&bins, &opts))
        .await
        .unwrap()
        .unwrap();
    let mut ready = false;
    for _ in 0..100 {
        if app.fetch("/readyz").await.status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(ready, "readyz recovered");
    let res = app.post("/v1/organizations", json!({"name": "Acme"})).await;
    assert_eq!(res.status(), 201);
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Sends raw bytes on a fresh connection (or after a good request on the same keep-alive
/// connection) and returns the status and the problem body of the answer.
async fn raw_exchange(base: &str, requests: &[Vec<u8>]) -> Vec<(u16, String, Value)> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = base.trim_start_matches("http://");
    let mut conn = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut answers = Vec::new();
    for request in requests {
        conn.write_all(request).await.unwrap();
        let mut buf = Vec::new();
        let mut chunk = [0u8; 4096];
        // Read one whole response: its head, then content-length bytes of body.
        let (head, length) = loop {
            let n = tokio::time::timeout(Duration::from_secs(10), conn.read(&mut chunk))
                .await
                .expect("an answer")
                .unwrap();
            assert!(
                n > 0,
                "closed without an answer: {:?}",
                String::from_utf8_lossy(&buf)
            );
            buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end + 4]).into_owned();
                let length: usize = head
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse().unwrap())
                    })
                    .unwrap_or(0);
                buf.drain(..end + 4);
                break (head, length);
            }
        };
        while buf.len() < length {
            let n = conn.read(&mut chunk).await.unwrap();
            assert!(n > 0);
            buf.extend_from_slice(&chunk[..n]);
        }
        let status: u16 = head[9..12].parse().unwrap();
        let body: Value = serde_json::from_slice(&buf[..length]).unwrap_or(Value::Null);
        answers.push((status, head, body));
    }
    answers
}

/// What the HTTP layer refuses before any route sees it is problem+json too.
#[tokio::test]
async fn protocol_level_errors_are_problems_too() {
    let app = TestApp::spawn().await;
    let auth = format!("authorization: Bearer {}\r\n", app.admin_key);
    let get = |target: &[u8], extra: &[u8]| {
        let mut r = b"GET ".to_vec();
        r.extend_from_slice(target);
        r.extend_from_slice(b" HTTP/1.1\r\nhost: x\r\n");
        r.extend_from_slice(auth.as_bytes());
        r.extend_from_slice(extra);
        r.extend_from_slice(b"\r\n");
        r
    };
    let long_target = format!("/v1/organizations/{}", "a".repeat(70 * 1024));
    let long_query = format!("/v1/organizations?external_id={}", "q".repeat(200_000));
    let cases: Vec<(Vec<u8>, u16)> = vec![
        (get(long_target.as_bytes(), b""), 400),
        (get(long_query.as_bytes(), b""), 431),
        (get(b"/v1/organizations/\xc3\xa9", b""), 400),
        (get(b"/v1/organizations?external_id=\xff", b""), 400),
        (
            [
                b"POST /v1/organizations HTTP/1.1\r\nhost: x\r\n".as_slice(),
                auth.as_bytes(),
                b"idempotency-key: a\x01b\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}",
            ]
            .concat(),
            400,
        ),
        (b"NOT HTTP AT ALL\r\n\r\n".to_vec(), 400),
    ];
    for (request, status) in cases {
        let answers = raw_exchange(&app.base, std::slice::from_ref(&request)).await;
        let (got, head, body) = &answers[0];
        let shown = String::from_utf8_lossy(&request[..request.len().min(60)]).into_owned();
        assert_eq!(*got, status, "{shown}");
        assert!(
            head.to_ascii_lowercase()
                .contains("content-type: application/problem+json"),
            "{shown}: {head}"
        );
        assert_eq!(body["status"], status, "{shown}");
        assert!(!body["detail"].as_str().unwrap().is_empty());
    }
    // On a keep-alive connection, after a good request, too.
    let answers = raw_exchange(
        &app.base,
        &[
            get(b"/healthz", b""),
            get(b"/v1/organizations/\xc3\xa9", b""),
        ],
    )
    .await;
    assert_eq!(answers[0].0, 200);
    assert_eq!(answers[1].0, 400);
    assert_eq!(answers[1].2["status"], 400, "{}", answers[1].1);
    assert_eq!(app.event_count().await, 0);
}

/// A change asked for while the store is still being prepared (a process's first moments) waits
/// for it and then goes ahead; reads answer at once.
#[tokio::test]
async fn changes_wait_until_the_store_is_prepared() {
    let (prepared, watched) = tokio::sync::watch::channel(false);
    let parts = crate::support::AppParts {
        rate_limit: None,
        commands: true,
        queries: Some(std::time::Duration::from_secs(5)),
        webhooks: None,
        domains: None,
        prepared: Some(roster::starting::Prepared(watched)),
    };
    let app = std::sync::Arc::new(
        crate::support::TestApp::serving(roster_testkit::fresh_db().await, parts).await,
    );
    let (status, _) = app.get("/v1/organizations").await;
    assert_eq!(status, 200);
    let mut create = {
        let app = app.clone();
        tokio::spawn(async move {
            let body = serde_json::json!({"name": "Early"});
            app.post("/v1/organizations", body).await.status().as_u16()
        })
    };
    // Still waiting (what did not happen can only be watched for a while).
    let waited = tokio::time::timeout(std::time::Duration::from_millis(300), &mut create).await;
    assert!(waited.is_err(), "answered before the store was prepared");
    prepared.send_replace(true);
    assert_eq!(create.await.unwrap(), 201);
}
