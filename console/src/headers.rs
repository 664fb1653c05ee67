//! Every console answer's security headers, and the same-origin rule for every change.
//!
//! The policy allows the console's own scripts and styles only (no inline script or style, no
//! other origin), no framing, no MIME sniffing and no referrer to other sites (cursors and ids
//! stay in the console). Pages are not cached. A POST whose `Origin` is another origin is refused before any
//! handler runs (the sign-in form has no session token yet; this covers it too).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::ResponseError;

use crate::page::ConsoleError;

pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// Whether a POST comes from the console's own pages: browsers say where a request comes from
/// (`Sec-Fetch-Site`, and `Origin` on every POST); a client that says neither is not a page of
/// another site (and still needs the session's CSRF token).
fn same_origin(req: &ServiceRequest) -> bool {
    let site = req.headers().get("sec-fetch-site");
    if site.is_some_and(|s| s.as_bytes() != b"same-origin") {
        return false;
    }
    let Some(origin) = req.headers().get(header::ORIGIN) else {
        return true;
    };
    let info = req.connection_info();
    origin
        .to_str()
        .is_ok_and(|o| o == format!("{}://{}", info.scheme(), info.host()))
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let mut res = if req.method() == Method::POST && !same_origin(&req) {
        let refused = ConsoleError::Forbidden("The form was sent from another site.");
        req.into_response(refused.error_response())
    } else {
        next.call(req).await?.map_into_boxed_body()
    };
    let asset = res.request().path().starts_with("/console/assets/");
    let h = res.headers_mut();
    for (name, value) in [
        ("content-security-policy", CONTENT_SECURITY_POLICY),
        ("x-content-type-options", "nosniff"),
        // Same-origin requests carry their origin (checked above); others learn nothing.
        ("referrer-policy", "same-origin"),
        ("x-frame-options", "DENY"),
        ("cross-origin-opener-policy", "same-origin"),
        ("cross-origin-resource-policy", "same-origin"),
    ] {
        h.insert(
            header::HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    if !asset {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(res)
}
