//! Shared by the end-to-end tests: the real app on a random port against a fresh database.
#![allow(dead_code)]

pub mod browser;
pub mod dns;
pub mod receiver;
pub mod served;

use std::net::TcpListener;
use std::time::Duration;

use roster::app::{self, AppConfig};
use roster_testkit::TestDb;
use serde_json::{json, Value};

/// Which components an app serves (`roster serve --only …`).
pub struct AppParts {
    /// Requests per key; `None` (the tests' default): unlimited.
    pub rate_limit: Option<access::limit::Rate>,
    pub commands: bool,
    pub queries: Option<Duration>,
    pub webhooks: Option<std::sync::Arc<webhook_dispatcher::DispatcherConfig>>,
    /// How domains are verified (`None`: [`TestApp::dns`] and the built-in free-mail list; never
    /// the system's resolver, so no test asks the internet).
    pub domains: Option<command_service::app::domains::DomainSettings>,
    /// Changes wait until it says the store is prepared (`None`: it is).
    pub prepared: Option<roster::starting::Prepared>,
}

pub struct TestApp {
    pub base: String,
    pub db: TestDb,
    /// The DNS server on loopback the app's domain checks ask (by default).
    pub dns: dns::DnsServer,
    /// Sends the admin key with every request.
    pub client: reqwest::Client,
    pub admin_key: String,
    /// The log's head once the store was prepared: what came before (the organization
    /// template's built-ins) is the store's, not the test's.
    pub prepared: i64,
}

/// Makes an API key straight in the database (what `roster keys create` does): its secret.
pub async fn make_key(pool: &sqlx::PgPool, organization: Option<&str>, read_only: bool) -> String {
    let new = access::manage::NewKey {
        name: "test".into(),
        organization_id: organization.map(|o| o.parse().unwrap()),
        read_only,
        expires_at: None,
    };
    access::manage::create(pool, new, &domain::RequestContext::system("test"))
        .await
        .unwrap()
        .1
}

/// The key that seals webhook signing secrets in every test (in process and in `roster serve`
/// children, as `ROSTER_SECRET_KEY`), so that processes sharing a database open each other's.
pub const SECRET_KEY: &str = "AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=";

/// Delivery settings for tests: loopback receivers allowed, millisecond retries, short timeout.
pub fn webhooks() -> webhook_dispatcher::DispatcherConfig {
    webhook_dispatcher::DispatcherConfig {
        timeout: Duration::from_millis(1500),
        schedule: webhook_dispatcher::schedule::Schedule {
            delays: [0, 50, 100, 150].map(Duration::from_millis).to_vec(),
            retry_after_cap: Duration::from_secs(2),
        },
        addresses: std::sync::Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().unwrap()],
        }),
        poll_interval: Duration::from_millis(200),
        keyring: std::sync::Arc::new(
            webhook_dispatcher::sealing::Keyring::given(SECRET_KEY).unwrap(),
        ),
        ..Default::default()
    }
}

impl TestApp {
    /// POSTs `body` to `path` and returns the created object (asserting 201).
    pub async fn created(&self, path: &str, body: Value) -> Value {
        expect(self.post(path, body).await, 201).await
    }

    /// POSTs `body` to `path` (asserting 201); the new object's id.
    pub async fn create(&self, path: &str, body: Value) -> String {
        id(&self.created(path, body).await)
    }

    /// A new organization named Acme; its id.
    pub async fn organization(&self) -> String {
        self.named("Acme").await
    }

    /// A new organization named `name`; its id.
    pub async fn named(&self, name: &str) -> String {
        self.create("/v1/organizations", json!({ "name": name }))
            .await
    }

    /// A new membership of `org` (`body` as the API takes it); its id.
    pub async fn member(&self, org: &str, body: Value) -> String {
        self.create(&format!("/v1/organizations/{org}/memberships"), body)
            .await
    }

    /// A new group of `org` named `name`; its id.
    pub async fn group(&self, org: &str, name: &str) -> String {
        self.create(
            &format!("/v1/organizations/{org}/groups"),
            json!({ "name": name }),
        )
        .await
    }

    pub async fn spawn() -> Self {
        let db = roster_testkit::fresh_db().await;
        Self::on(db).await
    }

    /// The app against an existing database (pool options as `roster serve` uses them).
    pub async fn on(db: TestDb) -> Self {
        Self::build(db, Duration::from_secs(5)).await
    }

    /// The app plus a projector task, so that reads see what commands wrote.
    pub async fn with_projector() -> Self {
        let app = Self::spawn().await;
        tokio::spawn(projector::Projector::new(app.db.pool.clone()).run());
        app
    }

    /// The app plus a webhook dispatcher task, both with `config`.
    pub async fn with_dispatcher(config: webhook_dispatcher::DispatcherConfig) -> Self {
        let db = roster_testkit::fresh_db().await;
        let config = std::sync::Arc::new(config);
        let app = Self::build_with(db, Duration::from_secs(5), config.clone()).await;
        webhook_dispatcher::Dispatcher::start(app.db.pool.clone(), config).unwrap();
        app
    }

    /// The app whose reads wait at most `read_wait` for `min_position`.
    pub async fn build(db: TestDb, read_wait: Duration) -> Self {
        Self::build_with(db, read_wait, std::sync::Arc::new(webhooks())).await
    }

    async fn build_with(
        db: TestDb,
        read_wait: Duration,
        webhooks: std::sync::Arc<webhook_dispatcher::DispatcherConfig>,
    ) -> Self {
        Self::serving(
            db,
            AppParts {
                rate_limit: None,
                commands: true,
                queries: Some(read_wait),
                webhooks: Some(webhooks),
                domains: None,
                prepared: None,
            },
        )
        .await
    }

    /// The app serving only `parts`, as `roster serve --only …` does.
    pub async fn serving(db: TestDb, parts: AppParts) -> Self {
        let database = store::PoolConfig::parse(
            &db.url,
            store::PoolOptions {
                max_connections: 30,
                acquire_timeout: Duration::from_secs(2),
            },
        )
        .unwrap();
        let dns = dns::DnsServer::start().await;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = app::server(
            AppConfig {
                database,
                with_commands: parts.commands,
                domains: parts.domains.unwrap_or_else(|| domain_settings(&dns)),
                queries: parts.queries,
                webhooks: parts.webhooks,
                idempotency_ttl: http_edge::idempotency::DEFAULT_TTL,
                key_cache_ttl: access::keys::DEFAULT_TTL,
                rate_limit: parts.rate_limit,
                slow_request: Duration::from_secs(1),
                metrics_token: None,
                kafka: None,
                console: app::default_console(),
                prepared: parts.prepared,
            },
            listener,
            Duration::from_secs(5),
        )
        .unwrap();
        tokio::spawn(server.run());
        if parts.commands {
            // As `roster serve` runs it beside the commands: deletions are carried out.
            let state =
                command_service::CommandState::new(store::EventRepository::new(db.pool.clone()));
            let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
            tokio::spawn(command_service::workflows::Workflows::new(state).run(role));
        }
        // On a database without the schema (a readiness test) there is no key to make.
        let (admin_key, prepared) = if store::migrate::is_current(&db.pool).await.unwrap_or(false) {
            // As `roster serve` prepares a database: the template it starts with.
            roster::database::prepare(&db.pool).await.unwrap();
            let prepared: i64 = sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events")
                .fetch_one(&db.pool)
                .await
                .unwrap();
            (make_key(&db.pool, None, false).await, prepared)
        } else {
            (String::new(), 0)
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(
            reqwest::header::AUTHORIZATION,
            format!("Bearer {admin_key}").parse().unwrap(),
        );
        Self {
            base,
            db,
            dns,
            client: reqwest::Client::builder()
                .default_headers(headers)
                .build()
                .unwrap(),
            admin_key,
            prepared,
        }
    }

    /// A client that sends `key` (or none) instead of the admin key.
    pub fn client_with(&self, key: Option<&str>) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        if let Some(key) = key {
            headers.insert(
                reqwest::header::AUTHORIZATION,
                format!("Bearer {key}").parse().unwrap(),
            );
        }
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// GETs `path`: the answer as it came.
    pub async fn fetch(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// GETs `path` and returns (status, JSON body).
    pub async fn get(&self, path: &str) -> (u16, Value) {
        let res = self.fetch(path).await;
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    /// Creates a membership for each user id (bulk, 1,000 per request), expecting every item to
    /// succeed; returns the last position written.
    pub async fn bulk_memberships(
        &self,
        org: &str,
        users: impl IntoIterator<Item = String>,
    ) -> i64 {
        let items: Vec<Value> = users
            .into_iter()
            .map(|u| serde_json::json!({ "user_id": u }))
            .collect();
        let mut position = 0;
        for chunk in items.chunks(1000) {
            let res = self
                .post(
                    &format!("/v1/organizations/{org}/memberships/bulk"),
                    serde_json::json!({ "items": chunk }),
                )
                .await;
            assert_eq!(res.status(), 200);
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["failed"], 0, "{body}");
            position = position.max(body["position"].as_i64().unwrap());
        }
        position
    }

    /// The Prometheus text of `/metrics`.
    pub async fn metrics(&self) -> String {
        let res = self.client.get(self.url("/metrics")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        res.text().await.unwrap()
    }

    /// GETs `path` after the projector has applied `position` (read-your-writes), expecting 200.
    pub async fn read(&self, path: &str, position: i64) -> Value {
        let sep = if path.contains('?') { '&' } else { '?' };
        let (status, body) = self
            .get(&format!("{path}{sep}min_position={position}"))
            .await;
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }

    /// Every row of a list, walking `after` cursors page by page; also checks each page's size.
    pub async fn walk(&self, path: &str, limit: usize, position: i64) -> Vec<Value> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut rows = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let cursor = after.map(|c| format!("&after={c}")).unwrap_or_default();
            let page = self
                .read(&format!("{path}{sep}limit={limit}{cursor}"), position)
                .await;
            let data = page["data"].as_array().unwrap().clone();
            assert!(data.len() <= limit);
            rows.extend(data);
            match page["list_metadata"]["after"].as_str() {
                Some(c) => after = Some(c.to_owned()),
                None => return rows,
            }
        }
    }

    /// POSTs to `path` without a body (an action such as `…/deactivate`).
    pub async fn post_empty(&self, path: &str) -> reqwest::Response {
        self.client.post(self.url(path)).send().await.unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.client.delete(self.url(path)).send().await.unwrap()
    }

    pub async fn patch(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .patch(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: Value) -> reqwest::Response {
        self.client
            .put(self.url(path))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Waits until the process manager has carried out everything up to `position` (an intent's
    /// position, e.g. the answer of a deletion).
    pub async fn workflows_done(&self, position: i64) {
        let mut done = store::checkpoints::watch(
            self.db.pool.clone(),
            command_service::workflows::CONSUMER,
            Duration::from_millis(50),
        );
        tokio::time::timeout(Duration::from_secs(60), done.wait_for(|p| *p >= position))
            .await
            .expect("the process manager never got there")
            .unwrap();
    }

    /// DELETEs `path`, expects 202 (accepted, carried out by the process manager) and waits until
    /// it is done; the answer's body.
    pub async fn delete_and_wait(&self, path: &str) -> Value {
        let res = self.delete(path).await;
        assert_eq!(res.status(), 202, "{path}");
        let body: Value = res.json().await.unwrap();
        self.workflows_done(body["position"].as_i64().unwrap())
            .await;
        body
    }

    /// The position of the newest event.
    pub async fn head(&self) -> i64 {
        sqlx::query_scalar("SELECT coalesce(max(position), 0) FROM events")
            .fetch_one(&self.db.pool)
            .await
            .unwrap()
    }

    pub async fn event_count(&self) -> i64 {
        // The test's own events: not the fixture's admin key (`api_key.created`), nor the
        // template the store was prepared with.
        sqlx::query_scalar(
            "SELECT count(*) FROM events WHERE aggregate_type <> 'api_key' AND position > $1",
        )
        .bind(self.prepared)
        .fetch_one(&self.db.pool)
        .await
        .unwrap()
    }

    /// Stored events of one aggregate, oldest first: (type, sequence, position, payload, metadata).
    pub async fn events_of(&self, aggregate_id: &str) -> Vec<(String, i64, i64, Value, Value)> {
        sqlx::query_as(
            "SELECT event_type, sequence, position, payload, metadata FROM events
              WHERE aggregate_id = $1 ORDER BY sequence",
        )
        .bind(aggregate_id)
        .fetch_all(&self.db.pool)
        .await
        .unwrap()
    }
}

pub use roster_testkit::eventually;

/// Domain checks asking `dns` only, with the built-in free-mail list and the default back-off.
pub fn domain_settings(dns: &dns::DnsServer) -> command_service::app::domains::DomainSettings {
    command_service::app::domains::DomainSettings {
        dns: command_service::dns::Dns::servers(&[dns.addr]),
        ..command_service::app::domains::DomainSettings::system()
    }
}

/// Asserts the answer's status and returns its JSON body (shown when the status is not it).
pub async fn expect(res: reqwest::Response, status: u16) -> Value {
    let actual = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(actual, status, "{body}");
    body
}

/// The `id` of an object.
pub fn id(object: &Value) -> String {
    object["id"].as_str().unwrap().to_owned()
}

/// The ids of a page's `data`.
pub fn ids(page: &Value) -> Vec<String> {
    page["data"].as_array().unwrap().iter().map(id).collect()
}

/// Asserts a problem+json response with `status`, returning its body.
pub async fn problem(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "unexpected status");
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], status);
    assert!(body["type"].as_str().unwrap().starts_with("https://"));
    assert!(!body["title"].as_str().unwrap().is_empty());
    assert!(!body["detail"].as_str().unwrap().is_empty());
    body
}

/// The fields named in a problem's `errors[]`.
pub fn fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// The URL a `roster serve` logs that it listens on (its log is read on, so it never blocks).
pub fn listening_url(stderr: std::process::ChildStderr) -> String {
    listening_url_keeping(stderr, Default::default())
}

/// [`listening_url`], keeping every line of the log in `kept` (for a failure's message).
pub fn listening_url_keeping(
    stderr: std::process::ChildStderr,
    kept: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let (true, Some(at)) = (line.contains("listening"), line.find("http://")) {
                let url: String = line[at..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || ".:/".contains(*c))
                    .collect();
                let _ = tx.send(url);
            }
            if let Ok(mut kept) = kept.lock() {
                kept.push(line);
            }
        }
    });
    rx.recv_timeout(Duration::from_secs(60))
        .expect("roster serve never said where it listens")
}

/// Joins racing a change of the roles they are given: `n` memberships of `org` (users
/// `<prefix><i>`) with `roles`, asked at once. Await them with [`given`].
pub fn joins_at_once(
    app: &std::sync::Arc<TestApp>,
    org: &str,
    prefix: &str,
    roles: Value,
    n: usize,
) -> Vec<tokio::task::JoinHandle<u16>> {
    (0..n)
        .map(|i| {
            let (app, path) = (app.clone(), format!("/v1/organizations/{org}/memberships"));
            let body = json!({"user_id": format!("{prefix}{i}"), "roles": roles});
            tokio::spawn(async move { app.post(&path, body).await.status().as_u16() })
        })
        .collect()
}

/// How many of the joins were given their roles (201); the others must have been refused (422).
pub async fn given(joins: Vec<tokio::task::JoinHandle<u16>>) -> usize {
    let mut given = 0;
    for j in joins {
        match j.await.unwrap() {
            201 => given += 1,
            422 => {}
            other => panic!("join: {other}"),
        }
    }
    given
}

/// How many memberships hold role `slug` in organization `org` (`%`: any), as the claims say.
pub async fn holders(pool: &sqlx::PgPool, org: &str, slug: &str) -> i64 {
    sqlx::query_scalar(
        "SELECT count(*) FROM claims WHERE key LIKE 'organization/' || $1 || '/role\\_member/' || $2 || '/%'",
    )
    .bind(org)
    .bind(slug)
    .fetch_one(pool)
    .await
    .unwrap()
}
