//! The typed clients in `clients/` (docs/clients.md): regenerated from this build's OpenAPI
//! document, they are what is committed (the document and the clients never drift); the
//! TypeScript one type-checks under `tsc --strict`; each runs its scenario against a live
//! `roster serve`; and each language's webhook receiver example verifies real deliveries with the
//! official `standardwebhooks` library (and refuses a forged one).

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::support::{eventually, listening_url_keeping, make_key};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const TYPESCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../clients/typescript");
/// How long a receiver may take to get an event the test caused.
const DELIVERY: Duration = Duration::from_secs(30);

/// Where `scripts/test.sh` put the client's virtualenv python (`scripts/ensure-clients.sh`).
const PYTHON_ENV: &str = "ROSTER_CLIENT_PYTHON";

/// `roster serve`, the whole system, on a fresh database, with an admin key; its log is kept for
/// a failure's message. Nothing else runs on that database: no worker inside the test process
/// (one frozen mid-transaction while the test waits would hold back the feed of every database
/// on the server).
struct Served {
    child: std::process::Child,
    url: String,
    key: String,
    log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Served {
    async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// With more settings (`(variable, value)`).
    async fn start_with(settings: &[(&str, &str)]) -> Self {
        let db = roster_testkit::fresh_db().await;
        let key = make_key(&db.pool, None, false).await;
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .envs(settings.iter().copied())
            .env("DATABASE_URL", &db.url)
            .env("ROSTER_SECRET_KEY", crate::support::SECRET_KEY)
            .env("ROSTER_LISTEN", "127.0.0.1:0")
            // The receivers listen on loopback, which webhooks may not reach by default.
            .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8")
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let url = listening_url_keeping(child.stderr.take().unwrap(), log.clone());
        Self {
            child,
            url,
            key,
            log,
        }
    }

    /// An HTTP client sending its admin key.
    fn client(&self) -> reqwest::Client {
        let mut headers = reqwest::header::HeaderMap::new();
        let bearer = format!("Bearer {}", self.key);
        headers.insert("authorization", bearer.parse().unwrap());
        reqwest::Client::builder()
            .default_headers(headers)
            .build()
            .unwrap()
    }

    /// Its last log lines.
    fn log(&self) -> String {
        let log = self.log.lock().unwrap();
        log[log.len().saturating_sub(60)..].join("\n")
    }

    /// Runs `command` (a client against it, given the URL and the key), its output, or a panic
    /// with both logs.
    async fn run(&self, mut command: Command) -> String {
        command.args([&self.url, &self.key]);
        let shown = format!("{command:?}");
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .unwrap()
            .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{shown} failed:\n{stdout}\n{}\nroster serve's log:\n{}",
            String::from_utf8_lossy(&output.stderr),
            self.log()
        );
        stdout
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if std::thread::panicking() {
            eprintln!("roster serve's log:\n{}", self.log());
        }
    }
}

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_committed_clients_are_what_the_document_generates() {
    run(Command::new("bash")
        .arg(format!("{ROOT}/scripts/generate-clients.sh"))
        .arg("--check")
        .env("ROSTER_BIN", env!("CARGO_BIN_EXE_roster")));
}

fn python() -> String {
    std::env::var(PYTHON_ENV).unwrap_or_else(|_| {
        panic!(
            "run the suite with scripts/test.sh, which makes the client's virtualenv \
             (scripts/ensure-clients.sh), or set {PYTHON_ENV}"
        )
    })
}

/// The TypeScript client compiled by `tsc --strict` (its tsconfig), into `dist/`: once, for
/// every test that runs it.
fn typescript() -> String {
    static BUILT: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BUILT.get_or_init(compile_typescript).clone()
}

fn compile_typescript() -> String {
    let tsc = format!("{TYPESCRIPT}/node_modules/.bin/tsc");
    assert!(
        std::path::Path::new(&tsc).exists(),
        "{tsc} is missing: run the suite with scripts/test.sh, which installs the TypeScript \
         client's packages (scripts/ensure-clients.sh)"
    );
    run(Command::new(tsc).args(["--strict", "-p", TYPESCRIPT]));
    format!("{TYPESCRIPT}/dist")
}

fn python_scenario() -> Command {
    let mut command = Command::new(python());
    command.arg(format!("{ROOT}/clients/python/tests/scenario.py"));
    command
}

fn typescript_scenario() -> Command {
    let mut command = Command::new("node");
    command.arg(format!("{}/tests/scenario.js", typescript()));
    command
}

#[tokio::test]
async fn the_python_client_runs_its_scenario_against_roster_serve() {
    let served = Served::start().await;
    let out = served.run(python_scenario()).await;
    assert!(
        out.contains("python client: 3 group members over 2 pages"),
        "{out}"
    );
}

#[tokio::test]
async fn the_typescript_client_type_checks_and_runs_its_scenario_against_roster_serve() {
    let scenario = typescript_scenario();
    let served = Served::start().await;
    let out = served.run(scenario).await;
    assert!(
        out.contains("typescript client: 3 group members over 2 pages"),
        "{out}"
    );
}

/// Both clients against a server allowing each key 2 requests a second: the scenarios' bursts get
/// 429s with `Retry-After`, which the clients wait out (GETs, and POSTs with their
/// Idempotency-Key), and the scenarios complete all the same.
#[tokio::test]
async fn the_clients_wait_out_a_rate_limit() {
    let typescript = typescript_scenario();
    let limited = [("ROSTER_RATE_LIMIT", "2"), ("ROSTER_RATE_LIMIT_BURST", "2")];
    let served = Served::start_with(&limited).await;
    let out = served.run(python_scenario()).await;
    assert!(out.contains("python client: 3 group members"), "{out}");
    let out = served.run(typescript).await;
    assert!(out.contains("typescript client: 3 group members"), "{out}");
    // The server did refuse some of their requests (its request counter, by status).
    let client = served.client();
    let metrics = eventually(DELIVERY, "the metrics, past the rate limit", || async {
        let res = client
            .get(format!("{}/metrics", served.url))
            .send()
            .await
            .ok()?;
        (res.status() == 200).then_some(())?;
        res.text().await.ok()
    })
    .await;
    let refused: f64 = (metrics.lines())
        .filter(|l| l.starts_with("roster_http_requests_total") && l.contains("status=\"429\""))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum();
    assert!(refused > 0.0, "no request was refused:\n{metrics}");
}

/// A receiver example, running: where it listens, and its output lines.
struct Receiver {
    child: std::process::Child,
    url: String,
    lines: mpsc::Receiver<String>,
}

impl Receiver {
    fn start(command: &mut Command, secret: &str) -> Self {
        let mut child = command
            .env("ROSTER_WEBHOOK_SECRET", secret)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
        let (tx, lines) = mpsc::channel();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let _ = tx.send(line);
            }
        });
        let first = lines
            .recv_timeout(DELIVERY)
            .expect("the receiver says where it listens");
        let url = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("not where it listens: {first}"))
            .to_owned();
        Self { child, url, lines }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// roster signs a real delivery to the receiver, which verifies it with `standardwebhooks` and
/// prints it; a request with a forged signature, or none, is refused with a 400.
async fn receives_verified_deliveries(mut receiver: Command) {
    let served = Served::start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let receiver = Receiver::start(&mut receiver, secret);
    let client = served.client();
    let post = |path: &str, body: serde_json::Value| {
        client
            .post(format!("{}{path}", served.url))
            .json(&body)
            .send()
    };
    let endpoint = post(
        "/v1/webhook-endpoints",
        serde_json::json!({"url": receiver.url, "secret": secret, "event_types": ["organization.*"]}),
    )
    .await
    .unwrap();
    assert_eq!(endpoint.status(), 201, "{}", endpoint.text().await.unwrap());
    let created: serde_json::Value = post("/v1/organizations", serde_json::json!({"name": "Acme"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let line = receiver
        .lines
        .recv_timeout(DELIVERY)
        .expect("the receiver verified a delivery");
    let event: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(event["type"], "organization.created", "{line}");
    let recorded: serde_json::Value = client
        .get(format!(
            "{}/v1/events?aggregate_id={}&order=asc&limit=1",
            served.url,
            created["id"].as_str().unwrap()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(event["id"], recorded["data"][0]["id"], "{line}");

    // Forged: the right headers with a signature made with another secret; and no headers.
    let forged = reqwest::Client::new()
        .post(&receiver.url)
        .header("webhook-id", "msg_forged")
        .header(
            "webhook-timestamp",
            chrono::Utc::now().timestamp().to_string(),
        )
        .header(
            "webhook-signature",
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        )
        .body(line.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    let unsigned = reqwest::Client::new()
        .post(&receiver.url)
        .body(line)
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 400);
    // What it prints next is the next real delivery: nothing was printed for the refused ones.
    let renamed = client
        .patch(format!(
            "{}/v1/organizations/{}",
            served.url,
            created["id"].as_str().unwrap()
        ))
        .json(&serde_json::json!({"name": "Acme 2"}))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.status(), 200);
    let next = receiver
        .lines
        .recv_timeout(DELIVERY)
        .expect("the receiver verified the next delivery");
    assert!(next.contains("organization.updated"), "{next}");
}

#[tokio::test]
async fn the_python_receiver_verifies_real_deliveries() {
    let mut command = Command::new(python());
    command.args([&format!("{ROOT}/clients/python/examples/receiver.py"), "0"]);
    receives_verified_deliveries(command).await;
}

#[tokio::test]
async fn the_typescript_receiver_verifies_real_deliveries() {
    let mut command = Command::new("node");
    command.args([&format!("{}/examples/receiver.js", typescript()), "0"]);
    receives_verified_deliveries(command).await;
}
