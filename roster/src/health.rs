//! `/healthz`: the process is up. `/readyz`: it can serve (database reachable, schema current).
//! `/metrics`: Prometheus text exposition of how far each feed consumer (projector, webhook fan-out,
//! process manager) trails the event log, and of the webhook queue.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::Problem;
use serde_json::json;
use sqlx::PgPool;

/// The operational routes (no key: probes and scrapers call them).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::get("/healthz", healthz)
            .summary("Liveness: the process is up")
            .answers::<Status>(200, "Up"),
        e::get("/readyz", readyz)
            .summary("Readiness: the database is reachable and the schema current")
            .describe("Also shows how far each feed consumer trails the event log.")
            .answers::<Status>(200, "Ready")
            .errors(&[503]),
        e::get("/metrics", metrics)
            .summary("Prometheus metrics (OpenMetrics text)")
            .describe(
                "Takes `Authorization: Bearer <token>` when roster runs with `--metrics-token`.",
            )
            .answers_other(200, "The metrics", Some(OPENMETRICS))
            .errors(&[401]),
    ]
}

pub fn configure(pool: PgPool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool));
        http_edge::endpoints::mount(cfg, endpoints());
    }
}

/// `{"status": …}` and, for readiness, the checks and each consumer's lag.
type Status = serde_json::Map<String, serde_json::Value>;

/// What `/metrics` answers.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(
    pool: web::Data<PgPool>,
    relay: Option<web::Data<kafka_relay::RelayHealth>>,
) -> Result<HttpResponse, Problem> {
    let database = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool.get_ref())
        .await;
    // Anyone may ask: the answer names what is wrong, the details (hosts, users, the server's
    // own words) go to the log only.
    if let Err(e) = database {
        tracing::warn!(error = %e, "readiness: the database is unreachable");
        return Err(Problem::unavailable("the database is unreachable")
            .with_field("database", "unreachable"));
    }
    match store::migrate::is_current(pool.get_ref()).await {
        Ok(true) => {
            // How far each consumer trails the event log (informative; not a readiness gate).
            let (head, positions) = lag(pool.get_ref()).await.unwrap_or_default();
            let mut body = json!({
                "status": "ready",
                "checks": { "database": "ok", "migrations": "ok" },
            });
            for ((name, _), position) in CONSUMERS.iter().zip(positions) {
                body[*name] = json!({ "head": head, "position": position, "lag": head - position });
            }
            // The Kafka relay, when it runs here: degraded while the broker fails it (the
            // process stays ready: nothing else needs the broker).
            if let Some(relay) = relay {
                let position = store::checkpoints::load(pool.get_ref(), kafka_relay::CONSUMER)
                    .await
                    .unwrap_or_default();
                let mut status = json!({ "status": "ok", "head": head, "position": position,
                                         "lag": head - position });
                if let Some((error, since)) = relay.failing() {
                    status["status"] = "degraded".into();
                    status["error"] = error.into();
                    status["failing_since"] = json!(since);
                }
                body["kafka_relay"] = status;
            }
            Ok(HttpResponse::Ok().json(body))
        }
        Ok(false) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            "database migrations are not applied yet",
        )
        .with_field("migrations", "pending")),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the migration state");
            Err(Problem::unavailable("cannot read the migration state")
                .with_field("migrations", "unknown"))
        }
    }
}

/// The feed consumers shown in `/readyz` (by key) and `/metrics`, with their checkpoint names.
const CONSUMERS: [(&str, &str); 3] = [
    ("projector", projector::CONSUMER),
    ("webhook_fanout", webhook_dispatcher::fanout::CONSUMER),
    ("workflows", command_service::workflows::CONSUMER),
];

/// The feed's head and each consumer's checkpoint, in the order of `CONSUMERS`.
async fn lag(pool: &PgPool) -> Result<(i64, Vec<i64>), store::StoreError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    let mut positions = Vec::with_capacity(CONSUMERS.len());
    for (_, consumer) in CONSUMERS {
        positions.push(store::checkpoints::load(pool, consumer).await?);
    }
    Ok((head, positions))
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
