//! Memberships: `POST /v1/organizations/{org_id}/memberships` (and `/bulk`),
//! `PATCH|DELETE /v1/memberships/{id}`, `POST /v1/memberships/{id}/deactivate|reactivate`.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::membership::Subject;
use domain::values::{Attributes, RoleSlug, SubjectId, ValueError};
use domain::{MembershipId, OrganizationId};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::app::memberships::{self as app, Joined, Leave, NewMembership};
use crate::problem::endpoints::{self as e, Endpoint};
use crate::problem::{present, Body, Fields, Problem};
use crate::request::{context, path_id, respond, roles, shown, with_position};
use crate::CommandState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/memberships", create),
        e::post("/v1/organizations/{org_id}/memberships/bulk", bulk),
        e::patch("/v1/memberships/{id}", update),
        e::delete("/v1/memberships/{id}", delete),
        e::post("/v1/memberships/{id}/deactivate", deactivate),
        e::post("/v1/memberships/{id}/reactivate", reactivate),
    ]
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    user_id: Option<String>,
    application_id: Option<String>,
    roles: Option<Vec<String>>,
    attributes: Option<serde_json::Map<String, Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    items: Vec<Value>,
}

/// At most this many items per bulk request.
const BULK_MAX: usize = 1000;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "present")]
    roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "present")]
    attributes: Option<serde_json::Map<String, Value>>,
}

const OBJECT: &str = "organization_membership";

/// The subject (exactly one of `user_id`, `application_id`), roles (default `member`) and
/// attributes of a new membership.
fn new_membership(input: CreateBody) -> Result<NewMembership, Problem> {
    let mut fields = Fields::default();
    let subject = match (input.user_id, input.application_id) {
        (Some(u), None) => fields
            .check("user_id", SubjectId::parse(&u))
            .map(Subject::User),
        (None, Some(a)) => fields
            .check("application_id", SubjectId::parse(&a))
            .map(Subject::Application),
        _ => fields.check::<Subject, _>(
            "user_id",
            Err(ValueError(
                "give exactly one of user_id or application_id".into(),
            )),
        ),
    };
    let roles = match input.roles {
        Some(list) => fields.check("roles", roles(list)),
        None => Some(BTreeSet::from([RoleSlug::member()])),
    };
    let attributes = match input.attributes {
        Some(a) => fields.check("attributes", Attributes::parse(a)),
        None => Some(Attributes::default()),
    };
    let ((subject, roles), attributes) = fields.done(subject.zip(roles).zip(attributes))?;
    Ok(NewMembership {
        subject,
        roles,
        attributes,
    })
}

fn joined(j: &Joined) -> StatusCode {
    if j.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    }
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let org: OrganizationId = path_id("org_id", &path)?;
    let input = new_membership(input)?;
    let j = app::join(&state, &context(&req)?, &org, input).await?;
    respond(joined(&j), OBJECT, &j.membership)
}

/// Imports up to 1,000 memberships; each item succeeds or fails on its own, and the answer lists
/// every item's result in request order: `{index, status, membership | error}`.
async fn bulk(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<BulkBody>,
) -> Result<HttpResponse, Problem> {
    let org: OrganizationId = path_id("org_id", &path)?;
    if input.items.is_empty() || input.items.len() > BULK_MAX {
        return Err(Problem::field("items", format!("give 1–{BULK_MAX} items")));
    }
    let parsed: Vec<Result<NewMembership, Problem>> = input
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            crate::problem::body::from_value(item, &format!("items[{index}]"))
                .and_then(new_membership)
        })
        .collect();
    let valid = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut imported = app::import(&state, &context(&req)?, &org, valid)
        .await?
        .into_iter();
    let mut results = Vec::with_capacity(parsed.len());
    let (mut succeeded, mut position) = (0, 0);
    for (index, item) in parsed.into_iter().enumerate() {
        let outcome = match item {
            Ok(_) => imported.next().map(|r| r.map_err(Problem::from)),
            Err(problem) => Some(Err(problem)),
        };
        results.push(match outcome {
            Some(Ok(j)) => {
                succeeded += 1;
                position = position.max(j.membership.position);
                json!({
                    "index": index,
                    "status": joined(&j).as_u16(),
                    "membership": shown(OBJECT, &j.membership)?,
                    "position": j.membership.position,
                })
            }
            Some(Err(problem)) => {
                json!({"index": index, "status": problem.status, "error": problem})
            }
            None => return Err(Problem::internal()),
        });
    }
    Ok(with_position(StatusCode::OK, position).json(json!({
        "object": "bulk_result",
        "succeeded": succeeded,
        "failed": results.len() - succeeded,
        "data": results,
        "position": position,
    })))
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let id: MembershipId = path_id("id", &path)?;
    let mut fields = Fields::default();
    let roles = input.roles.and_then(|r| fields.check("roles", roles(r)));
    let attributes = input
        .attributes
        .and_then(|a| fields.check("attributes", Attributes::parse(a)));
    fields.finish()?;
    let written = app::update(&state, &context(&req)?, &id, roles, attributes).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// Deactivates or deletes the membership and takes it out of its groups, atomically.
async fn leave(
    state: &CommandState,
    req: &HttpRequest,
    raw: &str,
    how: Leave,
) -> Result<HttpResponse, Problem> {
    let id: MembershipId = path_id("id", raw)?;
    let written = app::leave(state, &context(req)?, &id, how).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn deactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, &path, Leave::Deactivate).await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, &path, Leave::Delete).await
}

async fn reactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id: MembershipId = path_id("id", &path)?;
    let written = app::reactivate(&state, &context(&req)?, &id).await?;
    respond(StatusCode::OK, OBJECT, &written)
}
