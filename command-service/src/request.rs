//! What every command handler needs from the request and hands back in the response.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use domain::Actor;
use serde::Serialize;
use store::{CommandError, RequestContext};

use crate::problem::Problem;

/// The request id set by the edge middleware (or by the caller).
pub fn context(req: &HttpRequest) -> RequestContext {
    let request_id = req
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    RequestContext {
        actor: Actor::anonymous(),
        request_id,
    }
}

/// The object after the change, with the position of the command's last event in the body and
/// in the `Roster-Position` header.
pub fn respond<T: Serialize>(
    status: StatusCode,
    object: &T,
    position: i64,
) -> Result<HttpResponse, Problem> {
    let mut body = serde_json::to_value(object).map_err(|_| Problem::internal())?;
    if let Some(map) = body.as_object_mut() {
        map.insert("position".into(), position.into());
    }
    Ok(HttpResponse::build(status)
        .insert_header((crate::POSITION_HEADER, position.to_string()))
        .json(body))
}

/// Errors that are not the aggregate's own decision, the same for every command.
pub fn infrastructure<E: std::error::Error>(
    e: CommandError<E>,
    rejected: impl FnOnce(E) -> Problem,
) -> Problem {
    match e {
        CommandError::Rejected(e) => rejected(e),
        CommandError::ClaimTaken { key, owner_id, .. } => {
            Problem::conflict(format!("`{key}` is already used by {owner_id}"))
        }
        CommandError::Conflict => {
            Problem::conflict("the object was changed concurrently; retry the request")
        }
        CommandError::Unavailable(detail) => {
            tracing::warn!(%detail, "database unavailable");
            Problem::unavailable("the database is unavailable; retry shortly")
        }
        CommandError::Internal(detail) => {
            tracing::error!(%detail, "command failed");
            Problem::internal()
        }
    }
}
