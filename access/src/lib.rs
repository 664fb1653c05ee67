//! Access to the API: API keys (their secrets, stored only as hashes; their management over HTTP
//! and for the CLI), the edge check in front of every `/v1` route, and the `Caller` — the key a
//! request was made with and what it reaches — that every service takes from the request.
//!
//! It never logs a secret, never stores one, and never answers differently for "no such
//! organization" and "not yours": that decision is the services', through `Caller::reaches`.

mod caller;
pub mod edge;
pub mod keys;
pub mod limit;
pub mod manage;
pub mod persistence;
mod routes;
pub mod secret;

use std::sync::Arc;

use actix_web::web;

pub use caller::{request_context, Caller};
pub use keys::Keys;
pub use routes::{
    create_key, keys_page, revoke_key, CreateBody as KeyCreate, KeyRoutes, LIST as KEYS,
};

/// The key management routes.
pub fn endpoints() -> Vec<http_edge::endpoints::Endpoint> {
    routes::endpoints()
}

/// Mounts the key management routes (`/v1/api-keys`).
pub fn configure(state: Arc<KeyRoutes>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state));
        http_edge::endpoints::mount(cfg, routes::endpoints());
    }
}
