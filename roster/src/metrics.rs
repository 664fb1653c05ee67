//! `/metrics`: Prometheus text exposition of how far each feed consumer (projector, webhook
//! fan-out, process manager, Kafka relay) trails the event log, of the webhook queue and of the
//! HTTP workers' connection pools; behind `--metrics-token` when one is set.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::Problem;
use sqlx::PgPool;

use crate::lag::{lag, CONSUMERS};

/// What `/metrics` answers.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// The scrape route (no API key: scrapers call it; the metrics token guards it when set).
pub fn endpoints() -> Vec<Endpoint> {
    vec![e::get("/metrics", metrics)
        .summary("Prometheus metrics (OpenMetrics text)")
        .describe("Takes `Authorization: Bearer <token>` when roster runs with `--metrics-token`.")
        .answers_other(200, "The metrics", Some(OPENMETRICS))
        .errors(&[401])]
}

/// Mounts `/metrics`, which reads through `pool`.
pub fn configure(pool: PgPool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool));
        http_edge::endpoints::mount(cfg, endpoints());
    }
}

/// The connection pools of one server's HTTP workers (each worker has its own), which `/metrics`
/// reports together; they live as long as the server.
#[derive(Clone, Default)]
pub struct Pools(std::sync::Arc<std::sync::Mutex<Vec<PgPool>>>);

impl Pools {
    pub fn watch(&self, pool: &PgPool) {
        if let Ok(mut pools) = self.0.lock() {
            pools.push(pool.clone());
        }
    }
}

/// What a scrape must present, when `--metrics-token` is set.
#[derive(Clone)]
pub struct MetricsToken(pub String);

async fn metrics(
    pool: web::Data<PgPool>,
    pools: Option<web::Data<Pools>>,
    token: Option<web::Data<MetricsToken>>,
    relay: Option<web::Data<kafka_relay::RelayHealth>>,
    req: actix_web::HttpRequest,
) -> Result<HttpResponse, Problem> {
    if let Some(token) = token {
        let presented = req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        let expected = token.0.as_bytes();
        if !bool::from(subtle::ConstantTimeEq::ct_eq(
            presented.as_bytes(),
            expected,
        )) {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "Unauthenticated",
                "send the metrics token: `Authorization: Bearer <token>`",
            ));
        }
    }
    let unavailable =
        |e: store::StoreError| Problem::unavailable(format!("cannot read gauges: {e}"));
    let mut m = meters::Scrape::default();
    if let Some(relay) = relay {
        let in_flight = meters::Gauge::default();
        in_flight.set(relay.in_flight());
        m.kafka_in_flight = Some(in_flight);
    }
    let (head, positions) = lag(pool.get_ref()).await.map_err(unavailable)?;
    m.feed_head.set(head);
    for ((name, _), position) in CONSUMERS.iter().zip(positions) {
        let consumer = meters::Consumer { consumer: name };
        m.consumer_position.get_or_create(&consumer).set(position);
        m.consumer_lag.get_or_create(&consumer).set(head - position);
    }
    // The Kafka relay runs only where brokers are configured: shown once it has a checkpoint.
    if let Some(position) = store::checkpoints::find(pool.get_ref(), kafka_relay::CONSUMER)
        .await
        .map_err(unavailable)?
    {
        let consumer = meters::Consumer {
            consumer: "kafka_relay",
        };
        m.consumer_position.get_or_create(&consumer).set(position);
        m.consumer_lag.get_or_create(&consumer).set(head - position);
    }
    let queue = webhook_dispatcher::queue::stats(pool.get_ref())
        .await
        .map_err(unavailable)?;
    for (state, n) in [
        ("pending", queue.pending),
        ("failed", queue.failed),
        ("disabled", queue.disabled_endpoints),
    ] {
        m.webhook_queue
            .get_or_create(&meters::Queue { state })
            .set(n);
    }
    m.webhook_overdue_seconds.set(queue.overdue_seconds);
    let (mut open, mut idle) = (0, 0);
    if let Some(Ok(pools)) = pools.as_ref().map(|p| p.0.lock()) {
        for pool in pools.iter().filter(|p| !p.is_closed()) {
            open += i64::from(pool.size());
            idle += pool.num_idle() as i64;
        }
    }
    for (state, n) in [("open", open), ("idle", idle)] {
        m.pool_connections
            .get_or_create(&meters::Pool {
                pool: "http",
                state,
            })
            .set(n);
    }
    Ok(HttpResponse::Ok()
        .content_type(OPENMETRICS)
        .body(meters::meters().render(&m)))
}
