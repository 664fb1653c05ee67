//! `/healthz`: the process is up. `/readyz`: it can serve (database reachable, schema current),
//! with how far each feed consumer trails the event log.

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::Problem;
use serde_json::json;
use sqlx::PgPool;

use crate::lag::{lag, CONSUMERS};

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
    ]
}

/// Mounts the probes, which read through `pool`.
pub fn configure(pool: PgPool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool));
        http_edge::endpoints::mount(cfg, endpoints());
    }
}

/// `{"status": …}` and, for readiness, the checks and each consumer's lag.
type Status = serde_json::Map<String, serde_json::Value>;

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
    match crate::database::is_prepared(pool.get_ref()).await {
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
            "database migrations (and the organization template they start with) are not applied yet",
        )
        .with_field("migrations", "pending")),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read the migration state");
            Err(Problem::unavailable("cannot read the migration state")
                .with_field("migrations", "unknown"))
        }
    }
}
