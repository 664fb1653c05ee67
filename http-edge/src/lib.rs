//! The HTTP edge every service's routes stand behind: RFC 9457 problem details (the one error
//! shape of the API), body and path parsing, route declarations and the OpenAPI document built
//! from them, request ids, protocol errors answered as problems, and Idempotency-Key replays
//! (with their table, `idempotency_keys`).
//!
//! Never: decides who may call what (that is `access`), or knows a service's rules.

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

pub mod allow;
pub mod body;
pub mod endpoints;
mod fields;
pub mod idempotency;
pub mod openapi;
pub mod path;
pub mod protocol_errors;
pub mod request_id;
pub mod schema;
mod store_errors;
pub use body::{Body, OptionalBody, Raw};
pub use fields::{nullable, present, Fields};

#[derive(Debug, Clone, Serialize, PartialEq, Eq, schemars::JsonSchema)]
pub struct FieldError {
    /// JSON pointer-ish path of the offending field, e.g. `name` or `metadata.tier`.
    pub field: String,
    pub message: String,
}

/// An error: `application/problem+json` (RFC 9457), with `errors` naming each bad field.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Problem {
    /// `https://roster.dev/problems/<slug>`: what went wrong, for programs.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl Problem {
    /// `slug` becomes the problem type URI, e.g. `validation-error`.
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://roster.dev/problems/{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    pub fn validation(errors: Vec<FieldError>) -> Self {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let mut p = Self::new(
            StatusCode::BAD_REQUEST,
            "validation-error",
            "Invalid request",
            format!("invalid field(s): {}", fields.join(", ")),
        );
        p.errors = errors;
        p
    }

    /// A 400 naming one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError {
            field: field.to_owned(),
            message: message.into(),
        }])
    }

    /// A 422: the input is well-formed but breaks a rule; `field` is the input that did.
    pub fn unprocessable(slug: &str, title: &str, field: &str, detail: String) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            slug,
            title,
            detail.clone(),
        )
        .with_field(field, detail)
    }

    pub fn malformed(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "malformed-request",
            "Malformed request",
            detail,
        )
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, "conflict", "Conflict", detail)
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        let mut p = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "service-unavailable",
            "Service unavailable",
            detail,
        );
        p.retry_after = Some(1);
        p
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal error",
            "an unexpected error occurred; it has been logged",
        )
    }

    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.errors.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
        self
    }
}

/// A resource whose other methods answer 405 as a problem: what every route is mounted on.
pub fn resource(path: &str) -> actix_web::Resource {
    actix_web::web::resource(path).default_service(actix_web::web::to(method_not_allowed))
}

/// Default service of every resource: the path exists, the method does not.
pub async fn method_not_allowed(req: actix_web::HttpRequest) -> Result<HttpResponse, Problem> {
    Err(Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        format!("{} is not allowed on {}", req.method(), req.path()),
    ))
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        ));
        if let Some(secs) = self.retry_after {
            res.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        res.body(serde_json::to_string(self).unwrap_or_default())
    }
}

/// Maps actix's path and query extraction failures to problems, so malformed input never gets a
/// plain-text or empty error (bodies go through [`Body`]).
pub mod extract {
    use actix_web::error::{PathError, QueryPayloadError};
    use actix_web::web;

    use super::Problem;

    /// Request bodies above this are refused with 413.
    pub const BODY_LIMIT: usize = 1024 * 1024;

    pub fn path_config() -> web::PathConfig {
        web::PathConfig::default().error_handler(|err: PathError, _| {
            Problem::malformed(format!("invalid path parameter: {err}")).into()
        })
    }

    pub fn query_config() -> web::QueryConfig {
        web::QueryConfig::default().error_handler(|err: QueryPayloadError, _| {
            Problem::malformed(format!("invalid query string: {err}")).into()
        })
    }
}
