//! `Idempotency-Key` on POST, for every route of every component: a retry with the same key and
//! request gets the first response (with `Idempotent-Replayed: true`) and runs nothing; the same
//! key with another request is a 422; a retry while the first is still running is a 409. 5xx
//! responses are not saved, so a retry after an outage runs again. Saved responses expire after
//! a configurable time (24 h by default) and are purged in the background.
//!
//! An edge concern with its own state (the pool and the expiry), so it works the same whatever
//! components a process serves.

use crate::{FieldError, Problem};
use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use sha2::{Digest, Sha256};
mod persistence;
pub use persistence::purge;
use persistence::{self as idempotency, Begin, Saved};

/// What the middleware needs: registered as app data by `app::server`.
pub struct Idempotency {
    pub pool: sqlx::PgPool,
    /// How long a saved response is replayed; afterwards the key is free again.
    pub ttl: std::time::Duration,
}

/// The default of `--idempotency-ttl`.
/// Whose idempotency keys a request's key is one of (the authenticating edge sets it to the API
/// key's id): one caller never replays another's response.
#[derive(Debug, Clone)]
pub struct Scope(pub String);

pub const DEFAULT_TTL: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub const HEADER: &str = "idempotency-key";
const REPLAYED: &str = "idempotent-replayed";
/// Response fields that are secrets (an invitation's accept token, a new API key's secret, a
/// webhook endpoint's signing secrets): never saved, so a replay answers without them (call
/// `resend` for a new token, `GET …/secret` for the signing secret).
const SECRET_FIELDS: [&str; 2] = ["accept_token", "secret"];
/// The fields of a `webhook_endpoint_secret` answer (a rotation's) that are secrets.
const ENDPOINT_SECRET_FIELDS: [&str; 2] = ["key", "previous_key"];

fn without_secrets(body: &[u8]) -> Vec<u8> {
    let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(body) else {
        return body.to_vec();
    };
    let endpoint_secret =
        map.get("object").and_then(|o| o.as_str()) == Some("webhook_endpoint_secret");
    let secrets = SECRET_FIELDS
        .iter()
        .chain(ENDPOINT_SECRET_FIELDS.iter().filter(|_| endpoint_secret));
    let mut removed = false;
    for f in secrets {
        removed |= map.remove(*f).is_some();
    }
    if removed {
        serde_json::to_vec(&map).unwrap_or_default()
    } else {
        body.to_vec()
    }
}

/// Response headers that describe this delivery, not the result, and are not replayed.
const NOT_REPLAYED: [&str; 3] = ["date", "x-request-id", "content-length"];

fn key_of(req: &ServiceRequest) -> Result<Option<String>, Problem> {
    let Some(value) = req.headers().get(HEADER) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default();
    if key.is_empty() || key.len() > 255 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(Problem::validation(vec![FieldError {
            field: "Idempotency-Key".into(),
            message: "must be 1–255 visible ASCII characters".into(),
        }]));
    }
    Ok(Some(key.to_owned()))
}

fn fingerprint(req: &ServiceRequest, body: &[u8]) -> Vec<u8> {
    let mut h = Sha256::new();
    for part in [req.method().as_str(), req.path(), req.query_string()] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(body);
    h.finalize().to_vec()
}

fn replay(saved: Saved) -> HttpResponse {
    let mut res = HttpResponse::build(StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK));
    for (name, value) in &saved.headers {
        if let (Ok(n), Ok(v)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::from_str(value),
        ) {
            res.insert_header((n, v));
        }
    }
    res.insert_header((REPLAYED, "true"));
    res.body(saved.body)
}

fn payload_of(bytes: web::Bytes) -> Payload {
    let (_, mut payload) = actix_http::h1::Payload::create(true);
    payload.unread_data(bytes);
    Payload::from(payload)
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<Idempotency>>().cloned();
    let (Some(state), true) = (state, req.method() == Method::POST) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let key = match key_of(&req) {
        Ok(Some(key)) => key,
        Ok(None) => return Ok(next.call(req).await?.map_into_boxed_body()),
        Err(problem) => return Ok(req.into_response(problem.error_response())),
    };
    // Each API key has its own idempotency keys: one caller never replays another's response.
    let key = match req.extensions().get::<Scope>() {
        Some(scope) => format!("{}/{key}", scope.0),
        None => key,
    };
    let body = req.extract::<web::Bytes>().await?;
    let fingerprint = fingerprint(&req, &body);
    let pool = &state.pool;
    let begun = match idempotency::begin(pool, &key, &fingerprint, state.ttl).await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "idempotency store unavailable");
            let p = Problem::unavailable("the database is unavailable; retry shortly");
            return Ok(req.into_response(p.error_response()));
        }
    };
    match begun {
        Begin::Started => {}
        Begin::Replay(saved) => return Ok(req.into_response(replay(saved))),
        Begin::Mismatch => {
            let p = Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "Idempotency-Key reused",
                "this Idempotency-Key was used for a different request",
            )
            .with_field("Idempotency-Key", "already used for a different request");
            return Ok(req.into_response(p.error_response()));
        }
        Begin::InProgress => {
            let p = Problem::conflict(
                "a request with this Idempotency-Key is still in progress; retry later",
            )
            .with_field("Idempotency-Key", "in progress");
            return Ok(req.into_response(p.error_response()));
        }
    }

    req.set_payload(payload_of(body));
    let res = next.call(req).await?;
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let headers: Vec<(String, String)> = res
        .headers()
        .iter()
        .filter(|(n, _)| !NOT_REPLAYED.contains(&n.as_str()))
        .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
        .collect();
    let (head, res_body) = res.into_parts();
    let bytes = body::to_bytes(res_body)
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    let saved = if status.is_server_error() {
        idempotency::abandon(pool, &key).await
    } else {
        let saved = Saved {
            status: status.as_u16(),
            headers,
            body: without_secrets(&bytes),
        };
        idempotency::complete(pool, &key, &saved).await
    };
    if let Err(e) = saved {
        // The command's effect stands; only a retry's replay is at risk. Say so in the logs.
        tracing::error!(error = %e, key, "could not save the idempotent response");
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(bytes).map_into_boxed_body(),
    ))
}

/// Deletes saved responses older than `ttl`, every `every`, for as long as it runs. Any number of
/// processes may run it; each pass is one bounded statement.
pub async fn purge_expired(
    pool: sqlx::PgPool,
    ttl: std::time::Duration,
    every: std::time::Duration,
) {
    let mut tick = tokio::time::interval(every);
    let closed = pool.close_event();
    tokio::pin!(closed);
    loop {
        // Until the pool closes (a shutdown).
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut closed => return,
        }
        let mut purged = 0;
        loop {
            match idempotency::purge(&pool, ttl).await {
                Ok(n) => {
                    purged += n;
                    if n < idempotency::PURGE_BATCH {
                        break;
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %e, "cannot purge expired idempotency keys; will retry");
                    break;
                }
            }
        }
        if purged > 0 {
            tracing::info!(purged, "expired idempotency keys purged");
        }
    }
}
