//! The real `roster` binary: CLI, the embedded Postgres (first run, reuse, clean stop, no orphan
//! after a crash, as root and as an unprivileged user), DATABASE_URL, and `migrate`.

use std::process::{Command, Output};
use std::time::Duration;

use crate::support::eventually;
use crate::support::served::*;

#[test]
fn help_and_version() {
    let out: Output = roster(&["--help"]).output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).unwrap();
    for word in ["serve", "migrate", "version", "DATABASE_URL"] {
        assert!(help.contains(word), "help mentions {word}:\n{help}");
    }
    let serve_help =
        String::from_utf8(roster(&["serve", "--help"]).output().unwrap().stdout).unwrap();
    for word in [
        "--listen",
        "ROSTER_LISTEN",
        "--only",
        "--data-dir",
        "127.0.0.1:8080",
    ] {
        assert!(
            serve_help.contains(word),
            "serve help mentions {word}:\n{serve_help}"
        );
    }
    let out = roster(&["version"]).output().unwrap();
    assert_eq!(
        String::from_utf8(out.stdout).unwrap().trim(),
        format!("roster {}", env!("CARGO_PKG_VERSION"))
    );
    let out = roster(&["serve", "--only", "nonsense"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "clap rejects unknown components"
    );
}

#[test]
fn missing_postgres_binaries_are_reported_in_one_line() {
    let dir = temp_dir(false);
    let out = roster(&["serve"])
        .env("ROSTER_PG_BINDIR", dir.join("nowhere"))
        .env("ROSTER_DATA_DIR", dir.join("pg"))
        .env("ROSTER_LISTEN", ANY_PORT)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let line = stderr
        .lines()
        .find(|l| l.starts_with("roster: "))
        .expect("a roster: line");
    assert!(line.contains("apt-get install"), "{line}");
    let _ = std::fs::remove_dir_all(dir);
}

/// First run initialises and serves; SIGTERM stops roster and its Postgres cleanly; the second
/// run reuses the data (the external id taken in run one is still taken).
async fn embedded_lifecycle(as_postgres_user: bool) {
    let dir = temp_dir(as_postgres_user);
    let data_dir = dir.join("pg");
    let reachable_binary = dir.join("roster");
    if as_postgres_user {
        std::fs::copy(BIN, &reachable_binary).unwrap();
    }
    let command = || {
        let mut cmd = roster(&["serve"]);
        if as_postgres_user {
            // Run roster itself unprivileged (no wrapper process, so signals reach it directly),
            // from a copy of the binary it can reach (the build may sit in root's 0700 home).
            cmd = Command::new(&reachable_binary);
            cmd.arg("serve").env("RUST_LOG", "info");
            let (uid, gid) = postgres_user();
            cmd.env("HOME", &dir); // its own home, as a real user has
            std::os::unix::process::CommandExt::uid(&mut cmd, uid);
            std::os::unix::process::CommandExt::gid(&mut cmd, gid);
        }
        cmd.env_remove("DATABASE_URL")
            .env("ROSTER_DATA_DIR", &data_dir)
            .current_dir(&dir);
        cmd
    };

    let mut first = Served::start(command());
    first.ready().await;
    // A first start makes an admin key and shows it once, with a request to try.
    let key = first.printed_key();
    let curl = first.await_out("curl ", Duration::from_secs(10));
    assert!(
        curl.contains(&format!(
            "curl -H 'Authorization: Bearer {key}' {}/v1/organizations",
            first.base
        )),
        "{curl}"
    );
    assert!(!first.drain_log().contains(&key), "the key is never logged");
    assert_eq!(first.create("kept").await, 201);
    // A first start is quiet: the components wait for the schema instead of warning that its
    // tables do not exist yet. (The readiness probes' 503s before that are this test's own.)
    let log = first.drain_log();
    let noisy: Vec<&str> = log
        .lines()
        .filter(|l| (l.contains("WARN") || l.contains("ERROR")) && !l.contains("/readyz"))
        .collect();
    assert!(noisy.is_empty(), "{}", noisy.join("\n"));
    let pg = postmaster_pid(&data_dir).expect("postmaster.pid while serving");
    assert!(alive(pg));
    first.signal(libc::SIGTERM);
    assert!(first.wait(), "roster exits 0 on SIGTERM");
    assert!(wait_gone(pg), "embedded Postgres stopped with roster");
    assert!(
        !data_dir.join("postmaster.pid").exists(),
        "Postgres shut down cleanly"
    );

    let mut second = Served::start(command());
    second.ready().await;
    second.key = Some(key.clone());
    assert_eq!(
        second.create("kept").await,
        409,
        "data of the first run (its key too) is reused"
    );
    assert_eq!(second.create("new").await, 201);
    second.signal(libc::SIGINT);
    let (stopped, printed) = second.finish();
    assert!(stopped, "roster exits 0 on Ctrl-C");
    assert!(
        !printed.contains("rk_live_"),
        "a later start prints no key: {printed}"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn embedded_postgres_as_the_invoking_user() {
    // As root this is the privilege-dropping path (Postgres runs as `postgres`); as a normal
    // user it is the laptop path.
    embedded_lifecycle(false).await;
}

#[tokio::test]
async fn embedded_postgres_as_an_unprivileged_user() {
    if !is_root() {
        return skipped(
            "embedded_postgres_as_an_unprivileged_user",
            "running roster as another user needs root (not root: the laptop path above covers it)",
        );
    }
    embedded_lifecycle(true).await;
}

/// As root from a clone in a 0700 directory (root's home): the `postgres` user cannot reach
/// `./.roster/pg`, so the default moves to a directory under /var/lib/roster/ named after it,
/// said in the log and reused by the next run. A `--data-dir` given explicitly is used as given.
#[tokio::test]
async fn as_root_in_a_private_directory_the_default_data_dir_moves_where_postgres_can_reach() {
    if !is_root() {
        return skipped(
            "as_root_in_a_private_directory_…",
            "only root has a postgres user that cannot reach its directories",
        );
    }
    let home = temp_dir(false);
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let command = || {
        let mut cmd = roster(&["serve"]);
        cmd.env_remove("ROSTER_DATA_DIR").current_dir(&home);
        cmd
    };
    let relocated = embedded_postgres::location::relocated_home(&home.join(".roster/pg"));
    let _ = std::fs::remove_dir_all(&relocated);

    let mut first = Served::start(command());
    first.ready().await;
    let log = first.drain_log();
    assert!(
        log.contains(&relocated.join("pg").display().to_string()),
        "the log says where the data went:\n{log}"
    );
    let key = first.printed_key();
    assert_eq!(first.create("kept").await, 201);
    first.signal(libc::SIGTERM);
    assert!(first.wait());
    let (uid, _) = postgres_user();
    assert_eq!(
        std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&relocated).unwrap()),
        uid
    );

    let mut second = Served::start(command());
    second.ready().await;
    second.key = Some(key);
    assert_eq!(
        second.create("kept").await,
        409,
        "the next run finds the data again"
    );
    second.signal(libc::SIGTERM);
    assert!(second.wait());

    let out = roster(&["serve"])
        .env("ROSTER_DATA_DIR", home.join("explicit"))
        .env("ROSTER_LISTEN", ANY_PORT)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot enter"), "{stderr}");
    let _ = std::fs::remove_dir_all(&relocated);
    let _ = std::fs::remove_dir_all(home);
}

/// A roster killed with SIGKILL leaves its Postgres shutting down for a moment; a new roster
/// started at once waits for it (and says so) instead of failing on `postmaster.pid`.
#[tokio::test]
async fn a_roster_restarted_at_once_after_sigkill_waits_for_the_old_postgres() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let command = || serve_on(&data_dir);
    let mut first = Served::start(command());
    first.ready().await;
    let key = first.printed_key();
    assert_eq!(first.create("before").await, 201);
    let pg = postmaster_pid(&data_dir).unwrap();
    // Hold the old Postgres where a killed roster leaves it for a moment: still running, its
    // parent gone. (Its parent-death signal stays pending while it is stopped.)
    // SAFETY: signalling the Postgres this test started.
    unsafe { libc::kill(pg, libc::SIGSTOP) };
    eventually(Duration::from_secs(10), "Postgres stopped", || async {
        (process_state(pg) == Some('T')).then_some(())
    })
    .await;
    first.signal(libc::SIGKILL);
    assert!(!first.wait());
    let mut second = Served::start(command());
    second.await_log(
        &["waiting", "previous embedded Postgres"],
        Duration::from_secs(10),
    );
    // SAFETY: as above; the old Postgres now handles its pending signal and stops.
    unsafe { libc::kill(pg, libc::SIGCONT) };
    second.ready().await;
    second.key = Some(key);
    assert_ne!(
        postmaster_pid(&data_dir),
        Some(pg),
        "the old Postgres is gone"
    );
    assert_eq!(second.create("before").await, 409);
    second.signal(libc::SIGTERM);
    assert!(second.wait());
    let _ = std::fs::remove_dir_all(dir);
}

/// `roster rebuild --verify` beside a running `roster serve` on the embedded default uses that
/// server (found through its postmaster.pid) instead of failing to start a second one.
#[tokio::test]
async fn rebuild_beside_a_running_serve_uses_its_postgres() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut served = Served::start(serve_on(&data_dir));
    served.ready().await;
    let key = served.printed_key();
    assert_eq!(served.create("one").await, 201);
    let client = reqwest::Client::new();
    // Let the projector catch up with that write before comparing (verify reads both at one
    // position either way).
    let res = client
        .get(format!(
            "{}/v1/organizations?external_id=one&min_position=3",
            served.base
        ))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let out = roster(&["rebuild", "--verify"])
        .env("ROSTER_DATA_DIR", &data_dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("match"), "{stdout}");
    assert_eq!(served.create("two").await, 201, "serve is unaffected");
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn a_killed_roster_leaves_no_postgres_behind() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut served = Served::start(serve_on(&data_dir));
    served.ready().await;
    let pg = postmaster_pid(&data_dir).unwrap();
    served.signal(libc::SIGKILL);
    assert!(!served.wait());
    assert!(wait_gone(pg), "Postgres got the parent-death signal");
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn serve_and_migrate_with_database_url() {
    let server = roster_testkit::postgres();
    let name = format!("cli_{}", ulid::Ulid::new().to_string().to_lowercase());
    embedded_postgres::ensure_database(&server.url("postgres"), &name)
        .await
        .unwrap();
    let url = server.url(&name);

    let out = roster(&["migrate"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    assert!(store::migrate::is_current(&pool).await.unwrap());

    // With DATABASE_URL no key is made by itself: `roster keys create --admin` makes the first.
    let out = roster(&["keys", "create", "--admin", "--name", "ops"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let key = stdout
        .lines()
        .find_map(|l| l.strip_prefix("secret (shown this once): "))
        .unwrap_or_else(|| panic!("no secret printed: {stdout}"))
        .to_owned();
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains(&key),
        "the secret is never logged"
    );

    let mut cmd = roster(&["serve", "--only", "command", "--key-cache-ttl", "1h"]);
    cmd.env("DATABASE_URL", &url);
    let mut served = Served::start(cmd);
    served.ready().await;
    assert_eq!(served.create("via-url").await, 401, "a key is required");
    served.key = Some(key);
    assert_eq!(served.create("via-url").await, 201);
    let printed = served.drain_out();
    assert!(
        !printed.contains("rk_live_"),
        "no key is printed with DATABASE_URL: {printed}"
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT count(*) FROM events WHERE aggregate_type = 'organization'")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(stored, 1);

    // Listed (never the secret), then revoked: refused at once.
    let out = roster(&["keys", "list"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    let listed = String::from_utf8_lossy(&out.stdout).into_owned();
    let id = listed.split_whitespace().next().unwrap().to_owned();
    assert!(
        id.starts_with("key_") && listed.contains("admin"),
        "{listed}"
    );
    assert!(!listed.contains(served.key.as_deref().unwrap()), "{listed}");
    let out = roster(&["keys", "revoke", &id])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The serving process keeps keys an hour (--key-cache-ttl 1h): refused within the bound
    // means it heard of the revocation by notification.
    crate::support::eventually(
        Duration::from_secs(60),
        "the revoked key is refused",
        || async { (served.create("after-revoke").await == 401).then_some(()) },
    )
    .await;
    served.signal(libc::SIGTERM);
    assert!(served.wait());
}

/// SIGTERM while a request is in flight: the server stops accepting, the request still completes.
#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests() {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    let db = roster_testkit::fresh_db().await;

    let mut cmd = roster(&["serve"]);
    cmd.env("DATABASE_URL", &db.url)
        .env("ROSTER_SECRET_KEY", crate::support::SECRET_KEY)
        .env("RUST_LOG", "info,http_edge=debug");
    let mut served = Served::start(cmd);
    served.ready().await;
    let key = crate::support::make_key(&db.pool, None, false).await;
    let addr = served.base.trim_start_matches("http://").to_owned();

    let body = br#"{"name": "Slow Inc", "external_id": "slow"}"#;
    let mut conn = TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let read_head = |conn: &mut TcpStream| {
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            let n = conn.read(&mut byte).unwrap();
            assert!(n > 0, "connection closed without a response");
            head.push(byte[0]);
        }
        String::from_utf8(head).unwrap()
    };
    // A first request on the same keep-alive connection proves the server accepted it.
    write!(conn, "GET /healthz HTTP/1.1\r\nhost: {addr}\r\n\r\n").unwrap();
    let head = read_head(&mut conn);
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    conn.read_exact(&mut vec![0u8; length]).unwrap();

    write!(
        conn,
        "POST /v1/organizations HTTP/1.1\r\nhost: {addr}\r\nauthorization: Bearer {key}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    )
    .unwrap();
    conn.write_all(&body[..10]).unwrap();
    conn.flush().unwrap();
    // The request is in flight once roster has started handling it (its body still incomplete).
    served.await_log(&["request started", "POST"], Duration::from_secs(10));

    served.signal(libc::SIGTERM);
    // Wait until the server has stopped accepting new connections: shutdown has begun.
    eventually(
        Duration::from_secs(10),
        "no new connection accepted after SIGTERM",
        || async { TcpStream::connect(&addr).is_err().then_some(()) },
    )
    .await;
    if let Err(e) = conn.write_all(&body[10..]) {
        panic!("write failed: {e}; roster said:\n{}", served.drain_log());
    }
    let response = read_head(&mut conn);
    let mut rest = vec![0u8; 400];
    let n = conn.read(&mut rest).unwrap_or(0);
    let response = format!("{response}{}", String::from_utf8_lossy(&rest[..n]));
    assert!(
        response.starts_with("HTTP/1.1 201"),
        "{response}\n{}",
        served.drain_log()
    );
    assert!(served.wait(), "roster exits 0 after draining");
    // The request's event: not the key's, nor the organization template the start wrote.
    let stored: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM events WHERE aggregate_type NOT IN ('api_key', 'role_template')",
    )
    .fetch_one(&db.pool)
    .await
    .unwrap();
    assert_eq!(stored, 1);
}

/// A request slower than `--slow-request` is logged as a warning naming its route template; with
/// `--metrics-token`, `/metrics` answers only a scrape that sends the token.
#[tokio::test]
async fn slow_requests_are_logged_and_metrics_can_take_a_token() {
    let db = roster_testkit::fresh_db().await;
    let mut cmd = roster(&["serve", "--only", "query", "--slow-request", "1ms"]);
    cmd.env("ROSTER_METRICS_TOKEN", "scrape-me");
    cmd.env("DATABASE_URL", &db.url);
    let mut served = Served::start(cmd);
    served.ready().await;
    served.key = Some(crate::support::make_key(&db.pool, None, false).await);
    let res = reqwest::Client::new()
        .get(format!(
            "{}/v1/organizations/org_01JD0000000000000000000000",
            served.base
        ))
        .bearer_auth(served.key.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let line = served.await_log(
        &["slow request", "/v1/organizations/{org_id}"],
        Duration::from_secs(10),
    );
    assert!(line.contains("WARN") && line.contains("404"), "{line}");
    let metrics = format!("{}/metrics", served.base);
    let client = reqwest::Client::new();
    assert_eq!(client.get(&metrics).send().await.unwrap().status(), 401);
    let res = client
        .get(&metrics)
        .bearer_auth("scrape-me")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("roster_http_requests_total"));
    assert!(
        !served.drain_log().contains("scrape-me"),
        "the token is never logged"
    );
    served.signal(libc::SIGTERM);
    assert!(served.wait());
}
