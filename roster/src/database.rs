//! Which Postgres roster uses: the one in DATABASE_URL, or its own embedded one.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use embedded_postgres::supervise::Supervised;
use embedded_postgres::{self as embedded, location, Binaries, EmbeddedError, Options};
use sqlx::PgPool;
use store::{PoolConfig, PoolOptions};

use crate::cli::DatabaseArgs;

pub use command_service::prepare;

/// Whether [`prepare`] has run to the end: commands need the template's built-in roles.
pub async fn is_prepared(pool: &PgPool) -> Result<bool, store::StoreError> {
    Ok(store::migrate::is_current(pool).await?
        && command_service::role_templates_seeded(pool).await?)
}

/// The database roster keeps its data in, inside the embedded cluster.
const EMBEDDED_DATABASE: &str = "roster";

/// How long `serve` waits for the Postgres of a roster killed a moment ago to stop.
const PREVIOUS_SERVER_WAIT: Duration = Duration::from_secs(20);

enum Embedded {
    /// A server another roster process runs on the data directory: its database URL.
    Attached(String),
    /// Started here, and restarted here if it stops by itself.
    Started(Arc<Supervised>),
}

/// Finds the data directory and the server on it. Blocking.
fn embedded_server(
    requested: Option<PathBuf>,
    use_running: bool,
) -> Result<(Embedded, PathBuf), EmbeddedError> {
    let explicit = requested.is_some();
    let requested = requested.unwrap_or_else(|| PathBuf::from(DatabaseArgs::DEFAULT_DATA_DIR));
    let (data_dir, moved) = location::resolve(&requested, explicit)?;
    if let Some(why) = moved {
        tracing::info!(data_dir = %data_dir.display(), "{why}");
    }
    if let Some(running) = location::running(&data_dir).filter(|r| use_running && r.ready) {
        tracing::info!(pid = running.pid, port = running.port, data_dir = %data_dir.display(), "using the embedded Postgres a running roster serves");
        let password = embedded::private::read_password(&data_dir)?;
        let url = embedded::url(running.port, &password, EMBEDDED_DATABASE);
        return Ok((Embedded::Attached(url), data_dir));
    }
    location::wait_until_stopped(&data_dir, PREVIOUS_SERVER_WAIT, |previous| {
        tracing::info!(
            pid = previous.pid,
            data_dir = %data_dir.display(),
            "waiting (at most {}s) for the previous embedded Postgres to stop",
            PREVIOUS_SERVER_WAIT.as_secs()
        );
    })?;
    let bins = Binaries::locate()?;
    tracing::info!(bindir = %bins.bindir.display(), data_dir = %data_dir.display(), "starting embedded Postgres");
    let server = Supervised::start(&bins, &Options::new(&data_dir))?;
    Ok((Embedded::Started(server), data_dir))
}

#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    #[error(transparent)]
    Embedded(#[from] EmbeddedError),
    #[error("invalid DATABASE_URL: {0}")]
    Url(#[source] sqlx::Error),
    #[error("the embedded Postgres started but its database could not be prepared: {0}")]
    Prepare(#[source] sqlx::Error),
    #[error("the embedded Postgres task failed: {0}")]
    Task(String),
}

/// Why a subcommand that works on the database (`keys`, `secrets`) failed: the database could not
/// be opened, the store failed, or the input was refused.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Invalid(String),
}

pub struct Database {
    /// For pools of the HTTP workers (one each, see `PoolConfig`).
    pub config: PoolConfig,
    /// The main runtime's pool: migrations and background components.
    pub pool: PgPool,
    /// The URL, password and all: logged only through `display_url`.
    url: String,
    /// The embedded server's data directory (None with DATABASE_URL).
    data_dir: Option<PathBuf>,
    embedded: Option<Arc<Supervised>>,
}

impl Database {
    /// The database of `args`. Without DATABASE_URL, the embedded server: a command-line tool
    /// (`use_running`) uses the one a running `roster serve` has on the same data directory;
    /// `serve` starts its own, first waiting (bounded) for a previous one to finish stopping.
    pub async fn open(args: &DatabaseArgs, use_running: bool) -> Result<Self, DatabaseError> {
        let options = PoolOptions::default();
        if let Some(url) = &args.database_url {
            let config = PoolConfig::parse(url, options).map_err(DatabaseError::Url)?;
            return Ok(Self {
                pool: config.pool(),
                config,
                url: url.clone(),
                data_dir: None,
                embedded: None,
            });
        }
        let requested = args.data_dir.clone();
        let (started, data_dir) =
            tokio::task::spawn_blocking(move || embedded_server(requested, use_running))
                .await
                .map_err(|e| DatabaseError::Task(e.to_string()))??;
        let (url, embedded) = match started {
            Embedded::Attached(url) => (url, None),
            Embedded::Started(supervised) => {
                let server = supervised.server();
                if let Err(e) =
                    embedded::ensure_database(&server.url("postgres"), EMBEDDED_DATABASE).await
                {
                    // Stopped off the async runtime (its drop would block a worker thread).
                    let _ = tokio::task::spawn_blocking(move || supervised.stop()).await;
                    return Err(DatabaseError::Prepare(e));
                }
                tracing::info!(port = server.port(), log = %server.log_path().display(), "embedded Postgres ready");
                (server.url(EMBEDDED_DATABASE), Some(supervised))
            }
        };
        let config = PoolConfig::parse(&url, options).map_err(DatabaseError::Url)?;
        Ok(Self {
            pool: config.pool(),
            config,
            url,
            data_dir: Some(data_dir),
            embedded,
        })
    }

    /// The URL for logs, password redacted.
    pub fn display_url(&self) -> String {
        store::pool::redact(&self.url)
    }

    /// The connection URL, with its password: never log it.
    pub fn secret_url(&self) -> &str {
        &self.url
    }

    /// The embedded server's data directory; None with DATABASE_URL.
    pub fn data_dir(&self) -> Option<&std::path::Path> {
        self.data_dir.as_deref()
    }

    pub fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// Closes the pool, then stops the embedded server (if any) cleanly.
    pub async fn close(self) {
        self.pool.close().await;
        if let Some(server) = self.embedded {
            tracing::info!("stopping embedded Postgres");
            let _ = tokio::task::spawn_blocking(move || server.stop()).await;
        }
    }
}

/// Runs a command-line tool's `work` on the migrated database of `args` (without DATABASE_URL,
/// the embedded one a running `roster serve` has, if any), and closes it after.
pub async fn tool<T, E, F, Fut>(args: &DatabaseArgs, work: F) -> Result<T, E>
where
    E: From<DatabaseError> + From<store::StoreError>,
    F: FnOnce(PgPool) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let db = Database::open(args, true).await?;
    let result = match prepare(&db.pool).await {
        Ok(()) => work(db.pool.clone()).await,
        Err(e) => Err(e.into()),
    };
    db.close().await;
    result
}
