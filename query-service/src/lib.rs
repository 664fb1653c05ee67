//! The read side over HTTP: keyset-paginated lists, single objects and token claims, served from
//! the projector's read models.
//!
//! Every read takes `min_position` (the `position` a command returned) and waits, bounded, until
//! the projector has applied it: read-your-writes across processes and replicas. It never writes
//! and never talks to other services; errors leave as problem+json.

mod consistency;
pub mod cursor;
mod ids;
mod params;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use actix_web::{web, HttpResponse};
use problem::Problem;
use serde::Serialize;
use sqlx::PgPool;
use store::queries::{Page, PageRequest};
use store::StoreError;
use tokio::sync::OnceCell;

pub use params::{DEFAULT_LIMIT, MAX_LIMIT};

/// How long a read waits for `min_position` by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// What the query routes share.
pub struct QueryState {
    pool: PgPool,
    /// The checkpoint `min_position` waits for (the projector's consumer name).
    consumer: &'static str,
    wait: Duration,
    cursor_secret: OnceCell<Vec<u8>>,
}

impl QueryState {
    pub fn new(pool: PgPool, consumer: &'static str, wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            pool,
            consumer,
            wait,
            cursor_secret: OnceCell::new(),
        })
    }

    async fn secret(&self) -> Result<&[u8], Problem> {
        self.cursor_secret
            .get_or_try_init(|| store::queries::secret(&self.pool, "cursor"))
            .await
            .map(Vec::as_slice)
            .map_err(failed)
    }

    /// The page `params` ask for in the list named `scope`.
    async fn page(&self, params: &params::Params, scope: &str) -> Result<PageRequest, Problem> {
        params.page(self.secret().await?, scope)
    }

    /// `{"data": [...], "list_metadata": {"before", "after"}}` with cursors for `scope`.
    async fn list<T: Serialize>(
        &self,
        page: Page<T>,
        scope: &str,
    ) -> Result<HttpResponse, Problem> {
        let secret = self.secret().await?;
        let cursor = |key: Option<String>| key.map(|k| cursor::encode(secret, scope, &k));
        Ok(HttpResponse::Ok().json(serde_json::json!({
            "data": page.rows,
            "list_metadata": { "before": cursor(page.before), "after": cursor(page.after) },
        })))
    }
}

/// A single object, or 404 naming what was looked for.
fn found<T: Serialize>(row: Option<T>, what: &str, id: &str) -> Result<HttpResponse, Problem> {
    match row {
        Some(row) => Ok(HttpResponse::Ok().json(row)),
        None => Err(Problem::not_found(format!("there is no {what} {id}"))),
    }
}

/// A storage failure as the client sees it: retry later, or an internal error (logged).
fn failed(e: StoreError) -> Problem {
    match e {
        StoreError::Unavailable(e) => {
            tracing::warn!(error = %e, "database unavailable");
            Problem::unavailable("the database is unavailable; retry shortly")
        }
        other => {
            tracing::error!(error = %other, "query failed");
            Problem::internal()
        }
    }
}

/// Mounts the read routes under `/v1`. They answer GET only and step aside for other methods,
/// so the command routes can share their paths; mount them first.
pub fn configure(state: Arc<QueryState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state));
        routes::configure(cfg);
    }
}

/// 405 for the read-only paths (mount last, after every other service's routes).
pub fn method_fallbacks(cfg: &mut web::ServiceConfig) {
    routes::method_fallbacks(cfg);
}
