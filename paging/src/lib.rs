//! How every list of the API pages, shared by the services that serve lists: the query
//! parameters (`limit`, `order`, `before`, `after`, `min_position`, filters), cursors signed
//! with a secret all roster processes share, and the `{data, list_metadata}` response.

pub mod cursor;
pub mod params;

use actix_web::HttpResponse;
use http_edge::Problem;
use serde::Serialize;
use sqlx::PgPool;
use store::page::{Page, PageRequest};
use tokio::sync::OnceCell;

pub use params::{Filter, Params, Spec, DEFAULT_LIMIT, MAX_LIMIT, MAX_POSITION, POSITION};

/// The cursor secret, shared through the database by every roster process (migration 0006).
pub async fn cursor_secret(pool: &PgPool) -> Result<Vec<u8>, store::StoreError> {
    let value: Option<Vec<u8>> = sqlx::query_scalar("SELECT value FROM secrets WHERE name = $1")
        .bind("cursor")
        .fetch_optional(pool)
        .await?;
    value.ok_or_else(|| store::StoreError::Corrupt("secret `cursor` is missing".to_owned()))
}

/// Issues and checks the cursors of one process (the secret is read once, lazily).
pub struct Cursors {
    pool: PgPool,
    secret: OnceCell<Vec<u8>>,
}

impl Cursors {
    pub fn new(pool: PgPool) -> Self {
        Self {
            pool,
            secret: OnceCell::new(),
        }
    }

    async fn secret(&self) -> Result<&[u8], Problem> {
        self.secret
            .get_or_try_init(|| cursor_secret(&self.pool))
            .await
            .map(Vec::as_slice)
            .map_err(Problem::from)
    }

    /// The page `params` ask for in the list named `scope`.
    pub async fn page(&self, params: &Params, scope: &str) -> Result<PageRequest, Problem> {
        params.page(self.secret().await?, scope)
    }

    /// The page as a list with cursors for `scope` (what the API answers, and what the console
    /// renders).
    pub async fn listed<T>(&self, page: Page<T>, scope: &str) -> Result<List<T>, Problem> {
        let secret = self.secret().await?;
        let cursor = |key: Option<String>| key.map(|k| cursor::encode(secret, scope, &k));
        Ok(List {
            data: page.rows,
            list_metadata: ListMetadata {
                before: cursor(page.before),
                after: cursor(page.after),
            },
        })
    }

    /// `{"data": [...], "list_metadata": {"before", "after"}}` with cursors for `scope`.
    pub async fn list<T: Serialize>(
        &self,
        page: Page<T>,
        scope: &str,
    ) -> Result<HttpResponse, Problem> {
        Ok(HttpResponse::Ok().json(self.listed(page, scope).await?))
    }
}

/// One page of a list.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "{T}List")]
pub struct List<T> {
    pub data: Vec<T>,
    pub list_metadata: ListMetadata,
}

/// Cursors of the pages either side (`null` at an end of the list).
#[derive(Serialize, schemars::JsonSchema)]
pub struct ListMetadata {
    /// Pass as `before` for the previous page.
    pub before: Option<String>,
    /// Pass as `after` for the next page.
    pub after: Option<String>,
}
