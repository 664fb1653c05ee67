//! Gives every request an id (the caller's `x-request-id` if sane, else a new one), puts it on
//! the request for handlers and event metadata, on the response, and on the request's log span;
//! logs each request's end, and a warning for one slower than the configured threshold.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

pub const HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Requests taking at least this long are logged as a warning, with their route template.
#[derive(Debug, Clone, Copy)]
pub struct SlowRequest(pub std::time::Duration);

fn acceptable(v: &HeaderValue) -> bool {
    let b = v.as_bytes();
    !b.is_empty() && b.len() <= 128 && b.iter().all(|c| c.is_ascii_graphic())
}

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = match req.headers().get(&HEADER) {
        Some(v) if acceptable(v) => v.clone(),
        _ => HeaderValue::from_str(&format!("req_{}", ulid::Ulid::new()))
            .unwrap_or(HeaderValue::from_static("req_unknown")),
    };
    req.headers_mut().insert(HEADER, id.clone());
    let span = tracing::info_span!(
        "request",
        request_id = %id.to_str().unwrap_or_default(),
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    async move {
        tracing::debug!("request started");
        let mut res = next.call(req).await?;
        res.headers_mut().insert(HEADER, id);
        let status = res.status().as_u16();
        let elapsed = started.elapsed();
        let ms = elapsed.as_secs_f64() * 1000.0;
        let route = res.request().match_pattern();
        meters::meters().request(
            route.as_deref().unwrap_or("(no route)"),
            res.request().method().as_str(),
            status,
            elapsed,
        );
        let slow = res
            .request()
            .app_data::<actix_web::web::Data<SlowRequest>>()
            .is_some_and(|s| elapsed >= s.0);
        if slow {
            let route = res.request().match_pattern().unwrap_or_default();
            tracing::warn!(status, ms, route, "slow request");
        } else if status >= 500 {
            tracing::warn!(status, ms, "request finished");
        } else {
            tracing::info!(status, ms, "request finished");
        }
        Ok(res)
    }
    .instrument(span)
    .await
}
