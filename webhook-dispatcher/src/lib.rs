//! Webhooks: endpoint management over HTTP, and the dispatcher — a fan-out that turns every event
//! into durable delivery rows, and a deliverer that signs (Standard Webhooks) and POSTs them with
//! retries, isolating endpoints from each other, and logs every attempt.
//!
//! Like every service it talks to Postgres through `store` and to nothing else of roster's.

pub mod config;
mod drain;
pub mod fanout;
mod filter;
pub mod queue;
pub mod replay;
mod routes;

/// Endpoint and delivery management as typed functions: what the routes answer as JSON, and the
/// console renders.
pub mod manage {
    pub use crate::routes::deliveries::{
        deliveries_page, outcomes, recover_since, replay_range, retry_delivery, with_attempts,
        RecoverBody, ReplayBody, WithAttempts, OF_ENDPOINT as DELIVERIES,
    };
    pub use crate::routes::endpoints::{
        create_endpoint, delete_endpoint, endpoints_page, load as endpoint, rotate, secret_of,
        set_enabled, update_endpoint, CreateBody as EndpointCreate, SecretView,
        UpdateBody as EndpointUpdate, LIST as ENDPOINTS,
    };
}
pub mod schedule;
pub mod sealing;
mod sender;
pub mod signing;
pub mod ssrf;
mod supervisor;

use std::sync::Arc;

use actix_web::web;
use paging::Cursors;
use sqlx::PgPool;

pub use config::DispatcherConfig;

/// The event the dispatcher logs when it disables an endpoint by itself.
pub use domain::webhook_endpoint::ENDPOINT_DISABLED;

pub const USER_AGENT: &str = concat!("roster-webhooks/", env!("CARGO_PKG_VERSION"));

/// The fan-out and the deliverer, running in the background. Dropped without `stop`, it runs on
/// until the runtime ends, and a dead process's drain leases are left to run out.
pub struct Dispatcher {
    task: tokio::task::JoinHandle<()>,
    /// The fan-out, on a pool of its own: closing that pool stops it between batches.
    fanout: tokio::task::JoinHandle<()>,
    fanout_pool: PgPool,
    deliverer: Arc<supervisor::Deliverer>,
}

/// Connections of the fan-out's own pool.
const FANOUT_CONNECTIONS: u32 = 4;
/// How long `stop` waits for the fan-out to finish its batch.
const STOP_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

impl Dispatcher {
    pub fn start(pool: PgPool, config: Arc<DispatcherConfig>) -> Result<Self, reqwest::Error> {
        let deliverer = supervisor::Deliverer::new(pool.clone(), config)?;
        let fanout_pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(FANOUT_CONNECTIONS)
            .acquire_timeout(pool.options().get_acquire_timeout())
            .connect_lazy_with((*pool.connect_options()).clone());
        let fanout = tokio::spawn(fanout::run(fanout_pool.clone(), deliverer.clone()));
        let task = tokio::spawn({
            let deliverer = deliverer.clone();
            async move {
                tokio::join!(deliverer.run(), replay::worker(pool));
            }
        });
        Ok(Self {
            task,
            fanout,
            fanout_pool,
            deliverer,
        })
    }

    /// Stops sending and gives this dispatcher's endpoints back at once, so that another
    /// dispatcher takes them over without waiting for the leases to run out (a rolling restart
    /// does not pause deliveries). Attempts cut short are sent again, with the same `webhook-id`.
    /// The fan-out finishes the batch under way first (no query is cut off).
    pub async fn stop(mut self) {
        let stopped = tokio::time::timeout(STOP_WAIT, async {
            self.fanout_pool.close().await;
            let _ = (&mut self.fanout).await;
        })
        .await;
        if stopped.is_err() {
            self.fanout.abort();
        }
        self.task.abort();
        let _ = self.task.await;
        if let Err(e) = self.deliverer.stop().await {
            tracing::warn!(error = %e, "cannot release the webhook drain leases; they run out by themselves");
        }
    }
}

/// What the endpoint routes share.
pub struct WebhookState {
    pool: PgPool,
    config: Arc<DispatcherConfig>,
    cursors: Cursors,
}

impl WebhookState {
    pub fn new(pool: PgPool, config: Arc<DispatcherConfig>) -> Arc<Self> {
        Arc::new(Self {
            cursors: Cursors::new(pool.clone()),
            pool,
            config,
        })
    }
}

/// Mounts `/v1/webhook-endpoints…` and `/v1/deliveries…`.
/// Every webhook route.
pub fn endpoints() -> Vec<http_edge::endpoints::Endpoint> {
    routes::endpoints()
}

pub fn configure(state: Arc<WebhookState>) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::from(state));
        http_edge::endpoints::mount(cfg, routes::endpoints());
    }
}
