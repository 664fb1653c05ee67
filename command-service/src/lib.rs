//! The command side: the application layer (`app`) that decides every change, and its HTTP routes
//! (`routes`), which only parse input into typed values, call `app`, and answer with the object
//! after the change and the position of its last event (errors as problem+json, mapped in one
//! place). The process manager (`workflows`) carries out what a change leaves to be done.
//!
//! It never talks to other services, and reads read models only to plan a declarative document
//! (`app::apply`): the plan's changes are then decided on the aggregates, and an organization
//! that changed after the plan's position is refused, so a read model never decides a change.

pub mod app;
pub mod bus;
pub mod dns;
pub mod input;
mod request;
mod routes;
pub mod workflows;

use std::sync::Arc;

use actix_web::web;
use bus::Commands;
use domain::group::Group;
use domain::invitation::Invitation;
use domain::membership::Membership;
use domain::organization::Organization;
use domain::role_template::RoleTemplate;
use sqlx::PgPool;
use store::EventRepository;

pub use app::invitations::sweep_expired as sweep_expired_invitations;
pub use app::role_templates::seeded as role_templates_seeded;

/// Brings a store to what commands need: its migrations, then the organization template a
/// deployment starts with (written once, by whichever process gets there first).
pub async fn prepare(pool: &PgPool) -> Result<(), store::StoreError> {
    store::migrate::run(pool).await?;
    let state = CommandState::new(EventRepository::new(pool.clone()));
    app::role_templates::seed_built_ins(&state).await
}
pub use http_edge::{FieldError, Problem};

/// Snapshot organizations every 100 events; they accumulate role and settings changes.
const ORGANIZATION_SNAPSHOT_EVERY: usize = 100;

const GROUP_SNAPSHOT_EVERY: usize = 100;

/// What the command routes share.
pub struct CommandState {
    pub pool: PgPool,
    pub organizations: Commands<Organization>,
    pub memberships: Commands<Membership>,
    pub groups: Commands<Group>,
    pub invitations: Commands<Invitation>,
    pub role_templates: Commands<RoleTemplate>,
    /// How domains are verified here (resolver, free-mail list, back-off).
    pub domains: app::domains::DomainSettings,
}

impl CommandState {
    /// With the system's resolver and the built-in free-mail list.
    pub fn new(repo: EventRepository) -> Arc<Self> {
        Self::with_domains(repo, app::domains::DomainSettings::system())
    }

    pub fn with_domains(repo: EventRepository, domains: app::domains::DomainSettings) -> Arc<Self> {
        Arc::new(Self {
            pool: repo.pool().clone(),
            organizations: Commands::new(repo.clone(), (), Some(ORGANIZATION_SNAPSHOT_EVERY)),
            memberships: Commands::new(repo.clone(), (), None),
            // Groups grow with their members: snapshot them.
            groups: Commands::new(repo.clone(), (), Some(GROUP_SNAPSHOT_EVERY)),
            invitations: Commands::new(repo.clone(), (), None),
            role_templates: Commands::new(repo, (), None),
            domains,
        })
    }
}

/// Every command route.
pub fn endpoints() -> Vec<http_edge::endpoints::Endpoint> {
    [
        routes::organizations::endpoints(),
        routes::roles::endpoints(),
        routes::role_templates::endpoints(),
        routes::domains::endpoints(),
        routes::memberships::endpoints(),
        routes::groups::endpoints(),
        routes::invitations::endpoints(),
        routes::apply::endpoints(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// Mounts the command routes under `/v1`.
pub fn configure(state: Arc<CommandState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state));
        http_edge::endpoints::mount(cfg, endpoints());
    }
}

/// The response header that carries the position of the command's last event.
pub const POSITION_HEADER: &str = "roster-position";
