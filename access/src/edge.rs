//! The edge's access check, in front of every `/v1` route (whatever component serves it, and every
//! route added later): `Authorization: Bearer <key>` or 401; a read-only key may only read, and
//! plan a document (else 403); a key past its rate limit waits (429); the caller is put on the
//! request for the routes.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderValue, AUTHORIZATION, WWW_AUTHENTICATE};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, ResponseError};
use http_edge::Problem;

use crate::keys::{Keys, Refused};
use crate::limit::KeyLimits;

/// Longest `Authorization` header looked at; a key is 51 characters.
const MAX_HEADER: usize = 256;

/// Paths under this prefix need a key; health, metrics and the API description do not.
const PROTECTED: &str = "/v1";

fn unauthenticated(detail: &str) -> HttpResponse {
    let mut res = Problem::new(
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "Unauthenticated",
        detail,
    )
    .error_response();
    res.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer realm=\"roster\""),
    );
    res
}

/// The secret of a `Bearer` header, or why there is none (the header's value is never echoed).
fn bearer(req: &ServiceRequest) -> Result<&str, &'static str> {
    let value = req
        .headers()
        .get(AUTHORIZATION)
        .ok_or("send an API key: `Authorization: Bearer rk_live_…`")?;
    let invalid = "the Authorization header must be `Bearer` and an API key";
    if value.len() > MAX_HEADER {
        return Err(invalid);
    }
    let value = value.to_str().map_err(|_| invalid)?;
    let (scheme, secret) = value.split_once(' ').ok_or(invalid)?;
    if !scheme.eq_ignore_ascii_case("bearer") || secret.is_empty() {
        return Err(invalid);
    }
    Ok(secret)
}

fn protected(path: &str) -> bool {
    path == PROTECTED || path.starts_with("/v1/")
}

/// What a read-only key may do: read, and plan a declarative document (`POST /v1/apply` with
/// `dry_run=true`, which changes nothing; the route reads the flag the same way).
fn reads_only(req: &ServiceRequest) -> bool {
    #[derive(serde::Deserialize)]
    struct DryRun {
        #[serde(default)]
        dry_run: bool,
    }
    matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || (req.method() == Method::POST
            && req.path() == "/v1/apply"
            && serde_urlencoded::from_str::<DryRun>(req.query_string()).is_ok_and(|q| q.dry_run))
}

/// The middleware (`actix_web::middleware::from_fn`); reads `web::Data<Keys>` (and, when rate
/// limits are on, `web::Data<KeyLimits>`) from the app data.
pub async fn require_key(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !protected(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let Some(keys) = req.app_data::<actix_web::web::Data<Keys>>().cloned() else {
        tracing::error!("no key store configured: refusing every /v1 request");
        return Ok(req.into_response(unauthenticated("no API keys are configured")));
    };
    let secret = match bearer(&req) {
        Ok(s) => s.to_owned(),
        Err(detail) => return Ok(req.into_response(unauthenticated(detail))),
    };
    let caller = match keys.authenticate(&secret).await {
        Ok(caller) => caller,
        Err(Refused::Store(e)) => {
            let problem: Problem = e.into();
            return Ok(req.into_response(problem.error_response()));
        }
        Err(Refused::Revoked) => {
            return Ok(req.into_response(unauthenticated("the API key was revoked")))
        }
        Err(Refused::Expired) => {
            return Ok(req.into_response(unauthenticated("the API key has expired")))
        }
        Err(Refused::Malformed | Refused::Unknown) => {
            return Ok(req.into_response(unauthenticated("the API key is not valid")))
        }
    };
    if caller.read_only && !reads_only(&req) {
        let problem = Problem::new(
            StatusCode::FORBIDDEN,
            "read-only-key",
            "Read-only key",
            "this API key may only read",
        );
        return Ok(req.into_response(problem.error_response()));
    }
    let limited = match req.app_data::<actix_web::web::Data<KeyLimits>>() {
        Some(limits) => match limits.take(&caller.key_id) {
            Ok(headers) => Some(headers),
            Err(too_many) => return Ok(req.into_response(*too_many)),
        },
        None => None,
    };
    req.extensions_mut()
        .insert(http_edge::idempotency::Scope(caller.key_id.to_string()));
    req.extensions_mut().insert(caller);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(headers) = limited {
        headers.apply(res.headers_mut());
    }
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_api_needs_a_key() {
        for p in ["/v1", "/v1/", "/v1/organizations", "/v1/api-keys/x"] {
            assert!(protected(p), "{p}");
        }
        for p in [
            "/healthz",
            "/readyz",
            "/metrics",
            "/openapi.json",
            "/docs",
            "/v10",
            "/v1x",
        ] {
            assert!(!protected(p), "{p}");
        }
    }
}
