//! The admin console at `/console`: server-rendered pages to run organizations, members, groups,
//! roles, invitations, keys and webhooks from a browser, to read the event log and see any object
//! as it was at a past event — signed in with an API key exchanged for a server-side session.
//!
//! Owns: its sessions (`console_sessions`), its pages and forms, its CSRF tokens, its security
//! headers and its assets (embedded in the binary; nothing is fetched at run time).
//!
//! Never: decides a change or reads a table itself. Every action goes through the command
//! side's application layer (the same bodies, the same events, the same actor as the API), every
//! page through the query side's reads (the same scope checks, cursors and `min_position`); an
//! organization key reaches only its organization and a read-only key changes nothing, as on the
//! API. Never logs a key or a session secret.

mod assets;
mod domains;
mod form;
mod groups;
mod headers;
mod history;
mod invitations;
mod keys;
mod members;
mod organizations;
mod page;
mod role_templates;
mod roles;
pub mod session;
mod sign_in;
mod status;
mod visitor;
mod webhooks;

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use actix_web::web;
use command_service::CommandState;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use query_service::QueryState;
use sqlx::PgPool;

pub use session::Lifetimes;

/// Where the console is served.
pub const PREFIX: &str = "/console";

/// What the console's pages share.
pub struct ConsoleState {
    pool: PgPool,
    commands: Arc<CommandState>,
    queries: Arc<QueryState>,
    keys: Arc<access::Keys>,
    /// Key management, as the API's routes do it.
    keys_admin: access::KeyRoutes,
    lifetimes: Lifetimes,
    /// Sign-in attempts per client address.
    sign_ins: DefaultKeyedRateLimiter<IpAddr>,
    /// The webhook dispatcher's management, where this process serves webhooks.
    webhooks: Option<Arc<webhook_dispatcher::WebhookState>>,
    /// The feed consumers the status page shows: (name, checkpoint).
    consumers: Vec<(&'static str, &'static str)>,
}

/// How the console is set up.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    pub lifetimes: Lifetimes,
    /// Sign-in attempts per minute from one address (bursts of as many).
    pub sign_ins_per_minute: NonZeroU32,
    /// The feed consumers the status page shows: (name, checkpoint).
    pub consumers: Vec<(&'static str, &'static str)>,
}

impl ConsoleState {
    pub fn new(
        pool: PgPool,
        (commands, queries): (Arc<CommandState>, Arc<QueryState>),
        webhooks: Option<Arc<webhook_dispatcher::WebhookState>>,
        keys: Arc<access::Keys>,
        config: ConsoleConfig,
    ) -> Arc<Self> {
        Arc::new(Self {
            keys_admin: access::KeyRoutes::new(pool.clone()),
            pool,
            commands,
            queries,
            keys,
            lifetimes: config.lifetimes,
            sign_ins: RateLimiter::keyed(Quota::per_minute(config.sign_ins_per_minute)),
            webhooks,
            consumers: config.consumers,
        })
    }
}

/// Mounts the console under [`PREFIX`], behind its security headers.
pub fn configure(state: Arc<ConsoleState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.service(
            web::scope(PREFIX)
                .app_data(web::Data::from(state))
                .wrap(actix_web::middleware::from_fn(headers::middleware))
                .route("", web::get().to(page::home))
                .route("/", web::get().to(page::home))
                .route("/assets/{name}", web::get().to(assets::serve))
                .configure(sign_in::routes)
                .configure(organizations::routes)
                .configure(members::routes)
                .configure(groups::routes)
                .configure(roles::routes)
                .configure(role_templates::routes)
                .configure(invitations::routes)
                .configure(domains::routes)
                .configure(keys::routes)
                .configure(history::routes)
                .configure(webhooks::routes)
                .configure(status::routes)
                .default_service(web::to(page::not_found)),
        );
    }
}
