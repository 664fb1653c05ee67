//! Security checks that need the real binary and its environment: the embedded Postgres lets
//! in only its owner (also a data directory an earlier version left open), and proxies from the
//! environment never carry a webhook past the address guard.

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::{json, Value};

use crate::support::eventually;
use crate::support::receiver::Receiver;
use crate::support::served::*;

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
    store::embedded::Binaries::locate()
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
    let out = roster(&["psql", "-X", "-A", "-t", "-c", sql])
        .env("ROSTER_DATA_DIR", data_dir)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "roster psql failed: {stderr}");
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
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
    let bindir = store::embedded::Binaries::locate().unwrap().bindir;
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
    let out = as_server("initdb")
        .arg("-D")
        .arg(data_dir)
        .args(["--username", "roster", "--auth", "trust", "--no-sync"])
        .args(["--encoding", "UTF8", "--no-locale"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
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
