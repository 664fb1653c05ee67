//! What every command handler needs from the request and hands back in the response.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse};
use domain::organization::OrganizationError;
use domain::values::ValueError;
use domain::Actor;
use serde::Serialize;
use serde::{Deserialize, Deserializer};
use store::{CommandError, RequestContext};

use crate::problem::{FieldError, Problem};

/// An organization id from the path (400 naming `org_id` when malformed or of another kind).
pub fn org_id(raw: &str) -> Result<domain::OrganizationId, Problem> {
    domain::OrganizationId::parse(raw).map_err(|e| Problem::field("org_id", e.to_string()))
}

/// The object a committed event carries (its `data`).
pub fn event_data<T: serde::de::DeserializeOwned>(event: &store::Committed) -> Result<T, Problem> {
    serde_json::from_value(event.payload["data"].clone()).map_err(|_| Problem::internal())
}

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

/// A store error outside of a command's own outcome (a look-up, a unit's commit).
pub fn store_problem(e: store::StoreError) -> Problem {
    infrastructure(
        store::commands::store_error::<std::convert::Infallible>(e),
        |never| match never {},
    )
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
        CommandError::RequirementFailed { key } => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "requirement-not-met",
            "Requirement not met",
            format!("the change requires `{key}`, which does not hold"),
        ),
        CommandError::Conflict => {
            Problem::conflict("the object was changed concurrently; retry the request")
        }
        CommandError::Unavailable(detail) => {
            tracing::warn!(%detail, "database unavailable");
            Problem::unavailable("the database is unavailable; retry shortly")
        }
        CommandError::Unstorable(detail) => Problem::malformed(detail),
        CommandError::Internal(detail) => {
            tracing::error!(%detail, "command failed");
            Problem::internal()
        }
    }
}

/// `null` clears a field; absence leaves it alone.
pub fn nullable<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A field a partial update may leave out but not set to `null` (it cannot be cleared).
pub fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<T>, D::Error> {
    match Option::<T>::deserialize(d)? {
        Some(v) => Ok(Some(v)),
        None => Err(serde::de::Error::custom(
            "must not be null (leave the field out to keep its value)",
        )),
    }
}

/// Collects every field's problem, not just the first.
#[derive(Default)]
pub struct Fields(Vec<FieldError>);

impl Fields {
    pub fn check<T>(&mut self, field: &str, r: Result<T, ValueError>) -> Option<T> {
        r.map_err(|e| {
            self.0.push(FieldError {
                field: field.to_owned(),
                message: e.0,
            })
        })
        .ok()
    }

    /// A nullable field of a partial update: absent → `None` (leave alone), `null` →
    /// `Some(None)` (clear), a value → `Some(Some(parsed))`.
    pub fn check_nullable<T>(
        &mut self,
        field: &str,
        input: Option<Option<String>>,
        parse: impl FnOnce(&str) -> Result<T, ValueError>,
    ) -> Option<Option<T>> {
        match input {
            Some(Some(v)) => self.check(field, parse(&v)).map(Some),
            Some(None) => Some(None),
            None => None,
        }
    }

    pub fn finish(self) -> Result<(), Problem> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Problem::validation(self.0))
        }
    }
}

pub fn rejected(org_id: &str) -> impl FnOnce(OrganizationError) -> Problem + '_ {
    move |e| match e {
        OrganizationError::NotFound => {
            Problem::not_found(format!("organization {org_id} does not exist"))
        }
        OrganizationError::AlreadyExists => {
            Problem::conflict(format!("organization {org_id} already exists"))
        }
        OrganizationError::RoleExists(slug) => {
            Problem::conflict(format!("role `{slug}` already exists in {org_id}"))
                .with_field("slug", "already exists")
        }
        OrganizationError::RoleNotFound(slug) => {
            Problem::not_found(format!("role `{slug}` does not exist in {org_id}"))
        }
        OrganizationError::BuiltInRole(slug) => Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "built-in-role",
            "Built-in role",
            format!("role `{slug}` is built in and cannot be deleted"),
        )
        .with_field("slug", "built in"),
    }
}
