//! The command side over HTTP: each route parses its input into domain values, runs one command,
//! and answers with the object after the change and the position of the last event written.
//!
//! It never reads read models and never talks to other services; errors leave as problem+json.

pub use problem;
mod app;
mod request;
mod routes;
pub mod workflows;

use std::sync::Arc;

use actix_web::web;
use domain::group::Group;
use domain::invitation::Invitation;
use domain::membership::Membership;
use domain::organization::Organization;
use sqlx::PgPool;
use store::{Commands, EventRepository};

pub use problem::{FieldError, Problem};
pub use routes::invitations::sweep_expired as sweep_expired_invitations;

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
}

impl CommandState {
    pub fn new(repo: EventRepository) -> Arc<Self> {
        Arc::new(Self {
            pool: repo.pool().clone(),
            organizations: Commands::new(repo.clone(), (), Some(ORGANIZATION_SNAPSHOT_EVERY)),
            memberships: Commands::new(repo.clone(), (), None),
            // Groups grow with their members: snapshot them.
            groups: Commands::new(repo.clone(), (), Some(GROUP_SNAPSHOT_EVERY)),
            invitations: Commands::new(repo, (), None),
        })
    }
}

/// Mounts the command routes under `/v1`.
pub fn configure(state: Arc<CommandState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state))
            .configure(routes::organizations::configure)
            .configure(routes::roles::configure)
            .configure(routes::memberships::configure)
            .configure(routes::groups::configure)
            .configure(routes::invitations::configure);
    }
}

/// The response header that carries the position of the command's last event.
pub const POSITION_HEADER: &str = "roster-position";
