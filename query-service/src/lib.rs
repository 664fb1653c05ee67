//! The read side over HTTP: keyset-paginated lists, single objects and token claims, served from
//! the projector's read models; organizations as a declarative document (`document`, for
//! `roster export`); and the event log itself for audits — the Events API, exports,
//! each object's history and its state at a past moment (rebuilt from its events), replay jobs.
//!
//! Every read takes `min_position` (the `position` a command returned) and waits, bounded, until
//! the projector has applied it: read-your-writes across processes and replicas. It never writes
//! and never talks to other services; errors leave as problem+json.

mod consistency;
pub mod document;
pub mod export;
mod filters;
pub(crate) mod routes;

use std::sync::Arc;
use std::time::Duration;

use access::Caller;
use actix_web::{web, HttpResponse};
use http_edge::Problem;
use paging::{Cursors, List, Params};
use serde::Serialize;
use sqlx::PgPool;
use store::page::{Page, PageRequest};
use store::StoreError;

/// How long a read waits for `min_position` by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// What the query routes share.
pub struct QueryState {
    pool: PgPool,
    /// The checkpoint `min_position` waits for (the projector's consumer name).
    consumer: &'static str,
    wait: Duration,
    /// That checkpoint, followed live; started by the first request that waits.
    applied: std::sync::OnceLock<tokio::sync::watch::Receiver<i64>>,
    cursors: Cursors,
}

impl QueryState {
    pub fn new(pool: PgPool, consumer: &'static str, wait: Duration) -> Arc<Self> {
        Arc::new(Self {
            consumer,
            wait,
            applied: std::sync::OnceLock::new(),
            cursors: Cursors::new(pool.clone()),
            pool,
        })
    }
}

impl QueryState {
    /// Waits for `min_position`, then decodes the page asked for in the list named `scope`.
    async fn page(&self, params: &Params, scope: &str) -> Result<PageRequest, Problem> {
        self.caught_up(params.min_position).await?;
        self.cursors.page(params, scope).await
    }

    /// A fetched page as the list response.
    async fn list<T: Serialize>(
        &self,
        rows: Result<Page<T>, StoreError>,
        scope: &str,
    ) -> Result<HttpResponse, Problem> {
        self.cursors.list(rows?, scope).await
    }

    /// A fetched page as a list with cursors.
    async fn listed<T>(
        &self,
        rows: Result<Page<T>, StoreError>,
        scope: &str,
    ) -> Result<List<T>, Problem> {
        self.cursors.listed(rows?, scope).await
    }
}

/// The reads as typed values — what the routes answer as JSON and the console renders. Each
/// takes the caller and its route's query parameters, parsed by the route's `Spec`.
pub mod reads {
    pub use crate::routes::domains::{domains_page, OF_ORGANIZATION as DOMAINS};
    pub use crate::routes::events::{events_page, LIST as EVENTS};
    pub use crate::routes::groups::{
        group, groups_page, members_as_of, members_page, MEMBERS as GROUP_MEMBERS,
        OF_ORGANIZATION as GROUPS,
    };
    pub use crate::routes::history::{as_of, as_of_typed, history_page, Past, AT, HISTORY};
    pub use crate::routes::invitations::{invitations_page, OF_ORGANIZATION as INVITATIONS};
    pub use crate::routes::memberships::{
        groups_of_memberships, membership, memberships_page, OF_ORGANIZATION as MEMBERSHIPS,
    };
    pub use crate::routes::organizations::{
        claims_of, organization, organization_uncounted, organizations_page, roles_page, CLAIMS,
        LIST as ORGANIZATIONS, ROLES,
    };
    pub use crate::routes::replays::replay;
    pub use crate::routes::role_templates::{role_templates_page, LIST as ROLE_TEMPLATES};
}

/// An object of one organization.
trait Owned {
    fn organization_id(&self) -> &str;
}

impl Owned for read_models::organizations::OrganizationRow {
    fn organization_id(&self) -> &str {
        &self.id
    }
}

impl Owned for read_models::memberships::MembershipRow {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }
}

impl Owned for read_models::groups::GroupRow {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }
}

impl Owned for read_models::invitations::InvitationRow {
    fn organization_id(&self) -> &str {
        &self.organization_id
    }
}

fn not_found(what: &str, id: &str) -> Problem {
    Problem::not_found(format!("there is no {what} {id}"))
}

/// The object if the caller reaches its organization, or 404 naming what was looked for — the
/// same answer whether it does not exist or is another organization's.
fn exists<T: Owned>(
    caller: &Caller,
    row: Result<Option<T>, StoreError>,
    what: &str,
    id: &str,
) -> Result<T, Problem> {
    row?.filter(|r| caller.reaches_text(Some(r.organization_id())))
        .ok_or_else(|| not_found(what, id))
}

/// A single object the caller reaches, or 404 naming what was looked for.
fn found<T: Owned + Serialize>(
    caller: &Caller,
    row: Option<T>,
    what: &str,
    id: &str,
) -> Result<HttpResponse, Problem> {
    exists(caller, Ok(row), what, id).map(|row| HttpResponse::Ok().json(row))
}

/// Mounts the read routes under `/v1`. They answer GET only and step aside for other methods,
/// so the command routes can share their paths; mount them first.
pub fn configure(state: Arc<QueryState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state));
        routes::configure(cfg);
    }
}

/// Every read route, as declared (mounted by `configure`).
pub fn endpoints() -> Vec<http_edge::endpoints::Endpoint> {
    routes::endpoints()
}

/// 405 for the read-only paths (mount last, after every other service's routes).
pub fn method_fallbacks(cfg: &mut web::ServiceConfig) {
    routes::method_fallbacks(cfg);
}
