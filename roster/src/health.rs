//! `/healthz`: the process is up. `/readyz`: it can serve (database reachable, schema current).
//! `/metrics`: Prometheus text exposition of how far each feed consumer (projector, webhook fan-out,
//! process manager) trails the event log, and of the webhook queue.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use problem::endpoints::{self as e, Endpoint};
use problem::Problem;
use serde_json::json;
use sqlx::PgPool;

/// The operational routes (no key: probes and scrapers call them).
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::get("/healthz", healthz),
        e::get("/readyz", readyz),
        e::get("/metrics", metrics),
    ]
}

pub fn configure(pool: PgPool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool));
        problem::endpoints::mount(cfg, endpoints());
    }
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "ok" }))
}

async fn readyz(pool: web::Data<PgPool>) -> Result<HttpResponse, Problem> {
    let database = sqlx::query_scalar::<_, i32>("SELECT 1")
        .fetch_one(pool.get_ref())
        .await;
    if let Err(e) = database {
        return Err(Problem::unavailable(format!("database unreachable: {e}"))
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
            Ok(HttpResponse::Ok().json(body))
        }
        Ok(false) => Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not-ready",
            "Not ready",
            "database migrations are not applied yet",
        )
        .with_field("migrations", "pending")),
        Err(e) => Err(Problem::unavailable(format!(
            "cannot read migration state: {e}"
        ))),
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

async fn metrics(pool: web::Data<PgPool>) -> Result<HttpResponse, Problem> {
    let unavailable =
        |e: store::StoreError| Problem::unavailable(format!("cannot read gauges: {e}"));
    let (head, positions) = lag(pool.get_ref()).await.map_err(unavailable)?;
    let [projected, fanned_out, carried_out] = positions[..] else {
        return Err(Problem::internal());
    };
    let queue = store::webhooks::stats(pool.get_ref())
        .await
        .map_err(unavailable)?;
    let gauges: [(&str, &str, i64); 10] = [
        (
            "roster_feed_head_position",
            "Position of the newest event consumers can read.",
            head,
        ),
        (
            "roster_projector_position",
            "Last position applied to the read models.",
            projected,
        ),
        (
            "roster_projector_lag_events",
            "Events the read models trail the feed by.",
            head - projected,
        ),
        (
            "roster_webhook_fanout_position",
            "Last position turned into webhook deliveries.",
            fanned_out,
        ),
        (
            "roster_webhook_fanout_lag_events",
            "Events not yet turned into webhook deliveries.",
            head - fanned_out,
        ),
        (
            "roster_workflows_position",
            "Last position the process manager has carried out (deletions, role removals).",
            carried_out,
        ),
        (
            "roster_workflows_lag_events",
            "Events the process manager has not yet carried out.",
            head - carried_out,
        ),
        (
            "roster_webhook_deliveries_pending",
            "Webhook deliveries waiting for an attempt.",
            queue.pending,
        ),
        (
            "roster_webhook_deliveries_failed",
            "Webhook deliveries that used up their retries.",
            queue.failed,
        ),
        (
            "roster_webhook_endpoints_disabled",
            "Webhook endpoints that are disabled.",
            queue.disabled_endpoints,
        ),
    ];
    let mut body = String::new();
    let mut gauge = |name: &str, help: &str, value: &dyn std::fmt::Display| {
        body.push_str(&format!(
            "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}\n"
        ));
    };
    for (name, help, value) in gauges {
        gauge(name, help, &value);
    }
    gauge(
        "roster_webhook_delivery_overdue_seconds",
        "Seconds the most overdue webhook delivery has been due without an attempt.",
        &format!("{:.3}", queue.overdue_seconds),
    );
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body))
}
