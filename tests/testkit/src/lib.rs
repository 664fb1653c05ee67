//! The test harness every crate's tests share.
//!
//! One throwaway Postgres per test binary, started from the local server binaries on a free
//! loopback port in a temp dir, stopped and deleted when the binary exits; a fresh, migrated
//! database per test, so tests run in parallel without seeing each other. And a real
//! Kafka-protocol broker for the relay's tests (`kafka`).

pub mod kafka;

use std::path::PathBuf;
use std::sync::OnceLock;

use embedded_postgres::{Binaries, Options, PostgresServer};
use sqlx::PgPool;

struct Shared {
    server: PostgresServer,
    root: PathBuf,
}

static SHARED: OnceLock<Shared> = OnceLock::new();

const ROOT_PREFIX: &str = "roster-test-pg-";

/// Removes the dirs of earlier test processes that died without cleaning up.
fn sweep_stale() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(ROOT_PREFIX)
            .and_then(|r| r.split('-').next())
        else {
            continue;
        };
        if !PathBuf::from(format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

extern "C" fn stop_at_exit() {
    if let Some(shared) = SHARED.get() {
        shared.server.stop();
        let _ = std::fs::remove_dir_all(&shared.root);
    }
}

/// The test binary's Postgres, started on first use.
pub fn postgres() -> &'static PostgresServer {
    &SHARED
        .get_or_init(|| {
            sweep_stale();
            let root = std::env::temp_dir().join(format!(
                "{ROOT_PREFIX}{}-{}",
                std::process::id(),
                ulid::Ulid::new()
            ));
            std::fs::create_dir_all(&root).expect("create test Postgres root");
            let bins = Binaries::locate().expect("PostgreSQL server binaries");
            let mut options = Options::new(root.join("data"));
            options.durable = false;
            options.max_connections = 300;
            let server = PostgresServer::start(&bins, &options).expect("start test Postgres");
            // SAFETY: registering a plain extern "C" fn; it runs once at process exit.
            unsafe { libc::atexit(stop_at_exit) };
            Shared { server, root }
        })
        .server
}

/// A fresh, migrated database on the test binary's Postgres.
pub struct TestDb {
    pub url: String,
    pub pool: PgPool,
    pub name: String,
}

pub async fn fresh_db() -> TestDb {
    let db = empty_db().await;
    store::migrate::run(&db.pool)
        .await
        .expect("migrate test database");
    db
}

/// A fresh database migrated only up to migration `version`: a store as an older binary left it,
/// for tests of what the later migrations do to it.
pub async fn fresh_db_up_to(version: i64) -> TestDb {
    let db = empty_db().await;
    let all = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations");
    let older = std::env::temp_dir().join(format!("roster-migrations-{}", db.name));
    std::fs::create_dir_all(&older).expect("a directory for the older migrations");
    for m in store::migrate::MIGRATOR
        .iter()
        .filter(|m| m.version <= version)
    {
        let file = format!("{:04}_{}.sql", m.version, m.description.replace(' ', "_"));
        std::fs::copy(all.join(&file), older.join(&file)).expect("copy a migration");
    }
    let migrator = sqlx::migrate::Migrator::new(older.as_path())
        .await
        .expect("the older migrations");
    let _ = std::fs::remove_dir_all(&older);
    migrator
        .run(&db.pool)
        .await
        .expect("migrate test database to an older version");
    db
}

async fn empty_db() -> TestDb {
    let server = postgres();
    let name = format!("t_{}", ulid::Ulid::new().to_string().to_lowercase());
    embedded_postgres::ensure_database(&server.url("postgres"), &name)
        .await
        .expect("create test database");
    let url = server.url(&name);
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(20)
        .connect(&url)
        .await
        .expect("connect to test database");
    TestDb { url, pool, name }
}

/// Checks `check` again and again (every 10 ms) until it gives `Some`, and returns that; panics
/// naming `what` when `within` has passed. A bound on a condition, never a pause: it returns as
/// soon as the condition holds, so `within` can be generous.
pub async fn eventually<T, F, Fut>(
    within: std::time::Duration,
    what: impl std::fmt::Display,
    mut check: F,
) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + within;
    loop {
        if let Some(found) = check().await {
            return found;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: not so within {within:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// Runs `work` on a runtime of its own, on a thread of its own, and stops that runtime as soon as
/// `work` returns: whatever it spawned is dropped with it, run or not — as with an actix worker
/// stopped or restarted.
pub fn on_a_runtime_that_stops(work: impl std::future::Future<Output = ()> + Send + 'static) {
    std::thread::spawn(move || {
        let worker = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        worker.block_on(work);
        drop(worker);
    })
    .join()
    .expect("the runtime's thread");
}
