//! Security checks, most with the real binary and its environment: the embedded Postgres lets
//! in only its owner (also a data directory an earlier version left open); webhook signing
//! secrets are sealed at rest (a dump holds none, a wrong key is a start-up error, the key
//! rotates while roster runs); proxies from the environment never carry a webhook past the
//! address guard.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::receiver::Receiver;
use crate::support::served::*;
use crate::support::{eventually, webhooks, TestApp};

#[tokio::test]
async fn proxy_variables_in_the_environment_are_not_used_for_webhooks() {
    let db = roster_testkit::fresh_db().await;
    let key = crate::support::make_key(&db.pool, None, false).await;
    // A "proxy" that would see every request sent through it, and the real receiver.
    let proxy = Receiver::start().await;
    let receiver = Receiver::start().await;
    let proxy_url = proxy.url.trim_end_matches("/hook").to_owned();
    let mut cmd = serve_with_url(&db.url, &[]);
    for var in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        cmd.env(var, &proxy_url);
    }
    cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    let mut served = Served::start(cmd);
    served.ready().await;
    let client = reqwest::Client::new();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{}{path}", served.base))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let res = post(
        "/v1/webhook-endpoints",
        json!({"url": receiver.url, "event_types": ["organization.created"]}),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), 201);
    let res = post("/v1/organizations", json!({"name": "Acme"}))
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let got = receiver
        .until_count(1, std::time::Duration::from_secs(60))
        .await;
    assert_eq!(got[0].json()["type"], "organization.created");
    assert_eq!(proxy.count(), 0, "nothing went through the proxy");
    served.signal(libc::SIGTERM);
    assert!(served.wait());
}

/// The port of the server running on `data_dir` (its `postmaster.pid`).
fn port_of(data_dir: &Path) -> u16 {
    let pid_file = std::fs::read_to_string(data_dir.join("postmaster.pid")).unwrap();
    pid_file.lines().nth(3).unwrap().trim().parse().unwrap()
}

fn psql_program() -> PathBuf {
    embedded_postgres::Binaries::locate()
        .unwrap()
        .bindir
        .join("psql")
}

/// psql on the server at `port` as the superuser, with no password at hand: as `nobody` when
/// we are root (another local user), else as ourselves. Whether it got in, and what it said.
fn psql_without_password(host: &str, port: u16) -> (bool, String) {
    let mut cmd = if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "nobody", "--"]).arg(psql_program());
        cmd
    } else {
        Command::new(psql_program())
    };
    let out = cmd
        .args([
            "-h",
            host,
            "-p",
            &port.to_string(),
            "-U",
            "roster",
            "-d",
            "roster",
        ])
        .args(["-w", "-X", "-c", "SELECT 1"])
        .env_remove("PGPASSWORD")
        .env("PGPASSFILE", "/dev/null")
        .current_dir("/")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// What `roster psql -c <sql>` prints, on the embedded database in `data_dir`.
fn roster_psql(data_dir: &Path, sql: &str) -> String {
    succeeded(roster(&["psql", "-X", "-A", "-t", "-c", sql]).env("ROSTER_DATA_DIR", data_dir))
        .trim()
        .to_owned()
}

/// The checks every embedded server must pass: no `trust`, a password file only its owner
/// reads, no socket, and no way in without the password; the owner gets in with `roster psql`.
fn assert_private(data_dir: &Path) {
    let port = port_of(data_dir);
    let hba = std::fs::read_to_string(data_dir.join("pg_hba.conf")).unwrap();
    let rules: Vec<&str> = hba
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .collect();
    assert!(!rules.is_empty(), "{hba}");
    assert!(
        rules.iter().all(|l| l.ends_with("scram-sha-256")),
        "every rule asks for the password:\n{hba}"
    );
    let log = std::fs::metadata(data_dir.with_extension("log")).unwrap();
    assert_eq!(log.permissions().mode() & 0o777, 0o600, "the server's log");
    let password_file = data_dir.with_extension("password");
    let meta = std::fs::metadata(&password_file).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.uid(), unsafe { libc::geteuid() });
    let (got_in, said) = psql_without_password("127.0.0.1", port);
    assert!(!got_in, "connected without the password");
    assert!(said.contains("password"), "{said}");
    for dir in [
        Path::new("/tmp"),
        Path::new("/var/run/postgresql"),
        data_dir,
    ] {
        let socket = dir.join(format!(".s.PGSQL.{port}"));
        assert!(!socket.exists(), "{} exists", socket.display());
    }
    if is_root() {
        let out = Command::new("runuser")
            .args(["-u", "nobody", "--", "cat"])
            .arg(&password_file)
            .output()
            .unwrap();
        assert!(!out.status.success(), "nobody read the password file");
    }
    assert_eq!(roster_psql(data_dir, "SELECT current_user"), "roster");
}

#[tokio::test]
async fn the_embedded_postgres_lets_in_only_its_owner() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut served = Served::start(serve_on(&data_dir));
    served.ready().await;
    served.printed_key();
    assert_eq!(served.create("private").await, 201);
    assert_private(&data_dir);
    let log = served.drain_log();
    let password = std::fs::read_to_string(data_dir.with_extension("password")).unwrap();
    assert!(
        !log.contains(password.trim()),
        "the password is never logged"
    );
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let _ = std::fs::remove_dir_all(dir);
}

/// A data directory as earlier versions made it (`initdb --auth trust`, no password), with a
/// table of its own: the next start makes it private, and everything in it is still there.
#[tokio::test]
async fn a_data_directory_open_to_trust_is_made_private_on_its_next_start() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    earlier_versions_cluster(&data_dir).await;
    let hba = std::fs::read_to_string(data_dir.join("pg_hba.conf")).unwrap();
    assert!(hba.lines().any(|l| l.ends_with("trust")), "{hba}");

    let mut served = Served::start(serve_on(&data_dir));
    served.ready().await;
    served.printed_key();
    assert_eq!(served.create("upgraded").await, 201);
    assert_private(&data_dir);
    assert_eq!(roster_psql(&data_dir, "SELECT x FROM kept"), "42");
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let _ = std::fs::remove_dir_all(dir);
}

/// `initdb --auth trust` and a first start as roster did before, leaving a `roster` database
/// with a table `kept` (one row, 42); stopped cleanly.
async fn earlier_versions_cluster(data_dir: &Path) {
    let bindir = embedded_postgres::Binaries::locate().unwrap().bindir;
    std::fs::create_dir_all(data_dir).unwrap();
    std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let as_server = |program: &str| {
        let mut cmd = Command::new(bindir.join(program));
        if is_root() {
            let (uid, gid) = postgres_user();
            std::os::unix::fs::chown(data_dir, Some(uid), Some(gid)).unwrap();
            cmd.uid(uid).gid(gid);
        }
        cmd.current_dir("/");
        cmd
    };
    succeeded(
        as_server("initdb")
            .arg("-D")
            .arg(data_dir)
            .args(["--username", "roster", "--auth", "trust", "--no-sync"])
            .args(["--encoding", "UTF8", "--no-locale"]),
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = as_server("postgres")
        .arg("-D")
        .arg(data_dir)
        .args(["-p", &port.to_string(), "-c", "listen_addresses=127.0.0.1"])
        .args(["-c", "unix_socket_directories="])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let trusted = |db: &str| format!("postgres://roster@127.0.0.1:{port}/{db}");
    let admin = eventually(
        Duration::from_secs(60),
        "the old server accepts",
        || async { sqlx::PgPool::connect(&trusted("postgres")).await.ok() },
    )
    .await;
    sqlx::query("CREATE DATABASE roster")
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let db = sqlx::PgPool::connect(&trusted("roster")).await.unwrap();
    sqlx::query("CREATE TABLE kept AS SELECT 42 AS x")
        .execute(&db)
        .await
        .unwrap();
    db.close().await;
    // SAFETY: signalling our own child.
    unsafe { libc::kill(server.id() as i32, libc::SIGINT) };
    assert!(server.wait().unwrap().success());
}

/// Every form a `whsec_` secret could take in a dump: itself, its base64 part, its key bytes in
/// hex, in URL-safe base64.
fn forms_of(secret: &str) -> Vec<String> {
    use base64::Engine;
    let b64 = secret.strip_prefix("whsec_").unwrap();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(b64)
        .unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        secret.to_owned(),
        b64.to_owned(),
        hex,
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes),
    ]
}

fn pg_dump(url: &str) -> String {
    let bindir = embedded_postgres::Binaries::locate().unwrap().bindir;
    succeeded(Command::new(bindir.join("pg_dump")).args(["--no-owner", "--dbname", url]))
}

/// The secrets as `GET …/secret` shows them: (key, previous key).
async fn shown_secrets(app: &TestApp, endpoint: &str) -> (String, Option<String>) {
    let (status, body) = app
        .get(&format!("/v1/webhook-endpoints/{endpoint}/secret"))
        .await;
    assert_eq!(status, 200, "{body}");
    (
        body["key"].as_str().unwrap().to_owned(),
        body["previous_key"].as_str().map(str::to_owned),
    )
}

#[tokio::test]
async fn a_dump_of_the_database_holds_no_webhook_secret_in_any_form() {
    let app = TestApp::with_dispatcher(webhooks()).await;
    let receiver = Receiver::start().await;
    // Made with an Idempotency-Key, so the saved answers are in the dump too.
    let created: Value = app
        .client
        .post(app.url("/v1/webhook-endpoints"))
        .header("idempotency-key", "create-1")
        .json(&json!({"url": receiver.url, "event_types": ["organization.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = created["id"].as_str().unwrap().to_owned();
    let (first, _) = shown_secrets(&app, &id).await;
    let rotated = app
        .client
        .post(app.url(&format!("/v1/webhook-endpoints/{id}/rotate-secret")))
        .header("idempotency-key", "rotate-1")
        .send()
        .await
        .unwrap();
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.unwrap();
    let second = rotated["key"].as_str().unwrap().to_owned();
    assert_eq!(
        shown_secrets(&app, &id).await,
        (second.clone(), Some(first.clone()))
    );
    // Deliveries are signed with both while the old one's grace lasts.
    app.post("/v1/organizations", json!({"name": "Acme"})).await;
    let got = receiver.until_count(1, Duration::from_secs(120)).await;
    assert!(got[0].verifies(&first) && got[0].verifies(&second));

    let dump = pg_dump(&app.db.url);
    assert!(
        dump.contains("sealed:v1:"),
        "the secrets are in the dump, sealed"
    );
    for secret in [&first, &second] {
        for form in forms_of(secret) {
            assert!(!dump.contains(&form), "the dump holds {form}");
        }
    }
}

/// A store that holds a secret from before sealing, and one sealed under the test key: a
/// process with another key refuses to start, naming the key; one with no key at all refuses
/// too (DATABASE_URL, no default); the right key seals the old secret, and it still signs.
#[tokio::test]
async fn the_wrong_key_or_none_is_a_start_up_error_and_old_secrets_are_sealed() {
    let app = TestApp::spawn().await;
    let receiver = Receiver::start().await;
    let res = app
        .post(
            "/v1/webhook-endpoints",
            json!({"url": receiver.url, "event_types": ["organization.created"]}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // An endpoint as an earlier version stored it: its secret in the clear.
    let plain = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let old_id = "we_01JD0000000000000000000000";
    sqlx::query(
        "INSERT INTO webhook_endpoints (id, url, event_types, secret, since_position,
                                        created_at, updated_at)
         VALUES ($1, $2, '{organization.created}', $3, 0, now(), now())",
    )
    .bind(old_id)
    .bind(&receiver.url)
    .bind(plain)
    .execute(&app.db.pool)
    .await
    .unwrap();

    let other_key = webhook_dispatcher::sealing::SecretKey::generate().encoded();
    let mut wrong = serve_with_url(&app.db.url, &["--only", "webhooks"]);
    wrong.env("ROSTER_SECRET_KEY", &other_key);
    let out = wrong.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("roster: "))
        .unwrap_or_else(|| panic!("{stderr}"));
    let test_key =
        webhook_dispatcher::sealing::SecretKey::parse(crate::support::SECRET_KEY).unwrap();
    assert!(line.contains(test_key.id()), "{line}");
    assert!(!stderr.contains(&other_key) && !stderr.contains(crate::support::SECRET_KEY));

    let mut none = serve_with_url(&app.db.url, &["--only", "webhooks"]);
    none.env_remove("ROSTER_SECRET_KEY");
    let out = none.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .lines()
            .any(|l| l.starts_with("roster: ") && l.contains("ROSTER_SECRET_KEY")),
        "{stderr}"
    );

    let stored = |id: &'static str| {
        let pool = app.db.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("SELECT secret FROM webhook_endpoints WHERE id = $1")
                .bind(id)
                .fetch_one(&pool)
                .await
                .unwrap()
        }
    };
    assert_eq!(
        stored(old_id).await,
        plain,
        "refused starts changed nothing"
    );
    let mut served = Served::start(serve_with_url(&app.db.url, &["--only", "webhooks"]));
    served.ready().await;
    eventually(
        Duration::from_secs(60),
        "the old secret is sealed",
        || async { stored(old_id).await.starts_with("sealed:v1:").then_some(()) },
    )
    .await;
    app.post("/v1/organizations", json!({"name": "Acme"})).await;
    let got = receiver.until_count(2, Duration::from_secs(120)).await;
    let to_old: Vec<_> = got.iter().filter(|r| r.verifies(plain)).collect();
    assert_eq!(
        to_old.len(),
        1,
        "the old endpoint's delivery is signed with its secret"
    );
    served.signal(libc::SIGTERM);
    assert!(served.wait());
}

/// `roster secrets rotate-key` beside a running `roster serve` (embedded): a new key first in
/// the key file, every secret sealed under it, and the server goes on signing with the same
/// secrets (it reads the file again) and seals new ones under the new key.
#[tokio::test]
async fn the_secret_key_rotates_while_roster_runs() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut cmd = serve_on(&data_dir);
    cmd.env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8");
    let mut served = Served::start(cmd);
    served.ready().await;
    let key = served.printed_key();
    let client = reqwest::Client::new();
    let base = served.base.clone();
    let post = |path: &str, body: Value| {
        client
            .post(format!("{base}{path}"))
            .bearer_auth(&key)
            .json(&body)
            .send()
    };
    let receiver = Receiver::start().await;
    let endpoint: Value = post(
        "/v1/webhook-endpoints",
        json!({"url": receiver.url, "event_types": ["organization.created"]}),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let id = endpoint["id"].as_str().unwrap().to_owned();
    let secret_of = |id: String| {
        let (client, base, key) = (client.clone(), base.clone(), key.clone());
        async move {
            let body: Value = client
                .get(format!("{base}/v1/webhook-endpoints/{id}/secret"))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            body["key"].as_str().unwrap().to_owned()
        }
    };
    let secret = secret_of(id.clone()).await;
    post("/v1/organizations", json!({"name": "Before"}))
        .await
        .unwrap();
    receiver.until_count(1, Duration::from_secs(60)).await;
    let key_file = data_dir.with_extension("secret-key");
    let keys_before = std::fs::read_to_string(&key_file).unwrap();

    succeeded(roster(&["secrets", "rotate-key"]).env("ROSTER_DATA_DIR", &data_dir));
    let keys_after = std::fs::read_to_string(&key_file).unwrap();
    let lines = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect()
    };
    let (before, after) = (lines(&keys_before), lines(&keys_after));
    assert_eq!(after.len(), 2);
    assert_eq!(after[1], before[0], "the previous key is kept, second");
    let new_id = webhook_dispatcher::sealing::SecretKey::parse(&after[0]).unwrap();
    let stored = roster_psql(
        &data_dir,
        "SELECT string_agg(secret, ' ') FROM webhook_endpoints",
    );
    assert!(
        stored.starts_with(&format!("sealed:v1:{}:", new_id.id())),
        "{stored}"
    );

    // The running server opens the secret sealed under the key it had not read yet.
    post("/v1/organizations", json!({"name": "After"}))
        .await
        .unwrap();
    let got = receiver.until_count(2, Duration::from_secs(60)).await;
    assert!(got.iter().all(|r| r.verifies(&secret)));
    assert_eq!(secret_of(id).await, secret);
    // And seals new secrets under the new key.
    post(
        "/v1/webhook-endpoints",
        json!({"url": receiver.url, "event_types": ["organization.created"]}),
    )
    .await
    .unwrap();
    let sealed_under: Vec<String> = roster_psql(
        &data_dir,
        "SELECT split_part(secret, ':', 3) FROM webhook_endpoints ORDER BY id",
    )
    .lines()
    .map(str::to_owned)
    .collect();
    assert_eq!(sealed_under, [new_id.id(), new_id.id()]);
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let _ = std::fs::remove_dir_all(dir);
}
