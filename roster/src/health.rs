//! `/healthz`: the process is up. `/readyz`: it can serve (database reachable, schema current).

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use problem::method_not_allowed;
use problem::Problem;
use serde_json::json;
use sqlx::PgPool;

pub fn configure(pool: PgPool) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(pool))
            .service(
                web::resource("/healthz")
                    .get(healthz)
                    .default_service(web::to(method_not_allowed)),
            )
            .service(
                web::resource("/readyz")
                    .get(readyz)
                    .default_service(web::to(method_not_allowed)),
            );
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
            // How far the read models trail the event log (informative; not a readiness gate).
            let head = store::Feed::new(pool.get_ref().clone())
                .head()
                .await
                .unwrap_or_default();
            let projected = store::checkpoints::load(pool.get_ref(), projector::CONSUMER)
                .await
                .unwrap_or_default();
            Ok(HttpResponse::Ok().json(json!({
                "status": "ready",
                "checks": { "database": "ok", "migrations": "ok" },
                "projector": { "head": head, "position": projected, "lag": head - projected }
            })))
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
