//! Which Postgres roster uses: the one in DATABASE_URL, or its own embedded one.

use std::sync::Arc;

use sqlx::PgPool;
use store::embedded::{self, Binaries, EmbeddedError, Options, PostgresServer};
use store::{PoolConfig, PoolOptions};

use crate::cli::DatabaseArgs;

/// The database roster keeps its data in, inside the embedded cluster.
const EMBEDDED_DATABASE: &str = "roster";

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

pub struct Database {
    /// For pools of the HTTP workers (one each, see `PoolConfig`).
    pub config: PoolConfig,
    /// The main runtime's pool: migrations and background components.
    pub pool: PgPool,
    /// The URL for logs, password redacted.
    pub display_url: String,
    embedded: Option<Arc<PostgresServer>>,
}

impl Database {
    pub async fn open(args: &DatabaseArgs) -> Result<Self, DatabaseError> {
        let options = PoolOptions::default();
        if let Some(url) = &args.database_url {
            let config = PoolConfig::parse(url, options).map_err(DatabaseError::Url)?;
            return Ok(Self {
                pool: config.pool(),
                config,
                display_url: store::pool::redact(url),
                embedded: None,
            });
        }
        let data_dir = args.data_dir.clone();
        let server = tokio::task::spawn_blocking(move || {
            let bins = Binaries::locate()?;
            tracing::info!(bindir = %bins.bindir.display(), data_dir = %data_dir.display(), "starting embedded Postgres");
            PostgresServer::start(&bins, &Options::new(data_dir))
        })
        .await
        .map_err(|e| DatabaseError::Task(e.to_string()))??;
        let server = Arc::new(server);
        embedded::ensure_database(&server.url("postgres"), EMBEDDED_DATABASE)
            .await
            .map_err(DatabaseError::Prepare)?;
        let url = server.url(EMBEDDED_DATABASE);
        tracing::info!(port = server.port(), log = %server.log_path().display(), "embedded Postgres ready");
        let config = PoolConfig::parse(&url, options).map_err(DatabaseError::Url)?;
        Ok(Self {
            pool: config.pool(),
            config,
            display_url: url,
            embedded: Some(server),
        })
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
