//! Memberships: `POST /v1/organizations/{org_id}/memberships`, `PATCH|DELETE /v1/memberships/{id}`,
//! `POST /v1/memberships/{id}/deactivate|reactivate`.

use std::collections::BTreeSet;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::membership::{
    Membership, MembershipCommand, MembershipData, MembershipError, MembershipStatus, Subject,
};
use domain::organization::Organization;
use domain::values::{Attributes, RoleSlug, SubjectId, ValueError};
use domain::{claims, MembershipId, OrganizationId};
use serde::{Deserialize, Serialize};

use crate::app::{self, memberships::Leave};
use crate::problem::Body;
use crate::problem::{method_not_allowed, Problem};
use crate::request::{context, event_data, infrastructure, org_id, rejected, respond, Fields};
use crate::CommandState;
use store::RequestContext;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/organizations/{org_id}/memberships")
            .post(create)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/organizations/{org_id}/memberships/bulk")
            .post(bulk)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/memberships/{id}")
            .patch(update)
            .delete(delete)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/memberships/{id}/deactivate")
            .post(deactivate)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/memberships/{id}/reactivate")
            .post(reactivate)
            .default_service(web::to(method_not_allowed)),
    );
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    user_id: Option<String>,
    application_id: Option<String>,
    roles: Option<Vec<String>>,
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BulkBody {
    items: Vec<serde_json::Value>,
}

/// At most this many items per bulk request.
const BULK_MAX: usize = 1000;
/// Items processed at once; results keep the request's order.
const BULK_CONCURRENCY: usize = 8;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "crate::request::present")]
    roles: Option<Vec<String>>,
    #[serde(default, deserialize_with = "crate::request::present")]
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
}

#[derive(Serialize)]
struct MembershipBody<'a> {
    object: &'static str,
    #[serde(flatten)]
    membership: &'a MembershipData,
}

fn parse_roles(list: Vec<String>) -> Result<BTreeSet<RoleSlug>, ValueError> {
    list.iter().map(|r| RoleSlug::parse(r)).collect()
}

pub(crate) fn membership_rejected(id: &str) -> impl FnOnce(MembershipError) -> Problem + '_ {
    move |e| match e {
        MembershipError::NotFound => Problem::not_found(format!("membership {id} does not exist")),
        MembershipError::AlreadyExists => {
            Problem::conflict(format!("membership {id} already exists"))
        }
    }
}

/// The organization's catalogue must know every role (422 naming `roles` otherwise).
pub(crate) async fn check_roles(
    state: &CommandState,
    org: &str,
    roles: &BTreeSet<RoleSlug>,
) -> Result<(), Problem> {
    let organization: Organization = state
        .organizations
        .load(org)
        .await
        .map_err(|e| infrastructure(e, rejected(org)))?;
    if organization.current().is_none() {
        return Err(Problem::not_found(format!(
            "organization {org} does not exist"
        )));
    }
    if let Some(unknown) = roles.iter().find(|r| !organization.roles.contains_key(*r)) {
        return Err(Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "unknown-role",
            "Unknown role",
            format!("organization {org} has no role `{}`", unknown.as_str()),
        )
        .with_field("roles", format!("unknown role `{}`", unknown.as_str())));
    }
    Ok(())
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let org = org_id(&path.into_inner())?;
    let (status, data, position) = create_one(&state, &context(&req), org, input).await?;
    let body = MembershipBody {
        object: "organization_membership",
        membership: &data,
    };
    respond(status, &body, position)
}

/// Imports up to 1,000 memberships; each item succeeds or fails on its own, and the answer lists
/// every item's result in request order: `{index, status, membership | error}`.
async fn bulk(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<BulkBody>,
) -> Result<HttpResponse, Problem> {
    use futures::StreamExt;

    let org = org_id(&path.into_inner())?;
    if input.items.is_empty() || input.items.len() > BULK_MAX {
        return Err(Problem::field("items", format!("give 1–{BULK_MAX} items")));
    }
    let ctx = context(&req);
    let results: Vec<serde_json::Value> = futures::stream::iter(input.items.into_iter().enumerate())
        .map(|(index, item)| {
            let (state, ctx) = (&state, &ctx);
            async move {
                let outcome = match crate::problem::body::from_value::<CreateBody>(item, &format!("items[{index}]")) {
                    Ok(body) => create_one(state, ctx, org, body).await,
                    Err(problem) => Err(problem),
                };
                match outcome {
                    Ok((status, data, position)) => serde_json::json!({
                        "index": index,
                        "status": status.as_u16(),
                        "membership": MembershipBody { object: "organization_membership", membership: &data },
                        "position": position,
                    }),
                    Err(problem) => serde_json::json!({
                        "index": index,
                        "status": problem.status,
                        "error": problem,
                    }),
                }
            }
        })
        .buffered(BULK_CONCURRENCY)
        .collect()
        .await;
    let succeeded = results
        .iter()
        .filter(|r| r.get("membership").is_some())
        .count();
    let position = results
        .iter()
        .filter_map(|r| r["position"].as_i64())
        .max()
        .unwrap_or(0);
    Ok(HttpResponse::Ok()
        .insert_header((crate::POSITION_HEADER, position.to_string()))
        .json(serde_json::json!({
            "object": "bulk_result",
            "succeeded": succeeded,
            "failed": results.len() - succeeded,
            "data": results,
            "position": position,
        })))
}

/// Creates the subject's membership, or reactivates its inactive one; shared by the single and
/// the bulk route.
async fn create_one(
    state: &CommandState,
    ctx: &RequestContext,
    org: OrganizationId,
    input: CreateBody,
) -> Result<(StatusCode, MembershipData, i64), Problem> {
    let mut fields = Fields::default();
    let subject = match (input.user_id, input.application_id) {
        (Some(u), None) => fields
            .check("user_id", SubjectId::parse(&u))
            .map(Subject::User),
        (None, Some(a)) => fields
            .check("application_id", SubjectId::parse(&a))
            .map(Subject::Application),
        _ => fields.check::<Subject>(
            "user_id",
            Err(ValueError(
                "give exactly one of user_id or application_id".into(),
            )),
        ),
    };
    let roles = input
        .roles
        .map(|r| fields.check("roles", parse_roles(r)))
        .unwrap_or_else(|| Some(BTreeSet::from([RoleSlug::member()])));
    let attributes = input
        .attributes
        .map(|a| fields.check("attributes", Attributes::parse(a)))
        .unwrap_or_else(|| Some(Attributes::default()));
    fields.finish()?;
    let (Some(subject), Some(roles), Some(attributes)) = (subject, roles, attributes) else {
        return Err(Problem::internal());
    };
    let org_str = org.to_string();
    check_roles(state, &org_str, &roles).await?;

    // One membership per subject and organization: an inactive one is reactivated.
    let key = claims::membership_subject(&org, &subject);
    let existing = store::claims::owner(&state.pool, &key)
        .await
        .map_err(|_| Problem::unavailable("the database is unavailable; retry shortly"))?;
    if let Some((_, existing_id)) = existing {
        let current: Membership = state
            .memberships
            .load(&existing_id)
            .await
            .map_err(|e| infrastructure(e, membership_rejected(&existing_id)))?;
        if current.current().map(|m| m.status) == Some(MembershipStatus::Active) {
            return Err(Problem::conflict(format!(
                "{} {} already has membership {existing_id} in {org_str}",
                subject.kind(),
                subject.id().as_str()
            ))
            .with_field("membership_id", existing_id));
        }
        let command = MembershipCommand::Reactivate {
            roles: Some(roles),
            attributes: Some(attributes),
            at: Utc::now(),
        };
        let (data, position) = execute(state, ctx, &existing_id, &org_str, command).await?;
        return Ok((StatusCode::OK, data, position));
    }
    let id = MembershipId::new();
    let command = MembershipCommand::Create {
        id,
        organization_id: org,
        subject,
        roles,
        attributes,
        at: Utc::now(),
    };
    let (data, position) = execute(state, ctx, &id.to_string(), &org_str, command).await?;
    Ok((StatusCode::CREATED, data, position))
}

/// Loads a live membership by the path id (400 for a malformed id, 404 for an unknown one).
async fn load(state: &CommandState, raw: &str) -> Result<MembershipData, Problem> {
    let id = MembershipId::parse(raw).map_err(|e| Problem::field("id", e.to_string()))?;
    let id = id.to_string();
    let membership: Membership = state
        .memberships
        .load(&id)
        .await
        .map_err(|e| infrastructure(e, membership_rejected(&id)))?;
    membership
        .current()
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("membership {id} does not exist")))
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let current = load(&state, &path.into_inner()).await?;
    let mut fields = Fields::default();
    let roles = input
        .roles
        .and_then(|r| fields.check("roles", parse_roles(r)));
    let attributes = input
        .attributes
        .and_then(|a| fields.check("attributes", Attributes::parse(a)));
    fields.finish()?;
    let org = current.organization_id.to_string();
    if let Some(roles) = &roles {
        check_roles(&state, &org, roles).await?;
    }
    let command = MembershipCommand::Update {
        roles,
        attributes,
        at: Utc::now(),
    };
    run(
        &state,
        &req,
        &current.id.to_string(),
        &org,
        command,
        StatusCode::OK,
    )
    .await
}

async fn lifecycle(
    state: &CommandState,
    req: &HttpRequest,
    raw: &str,
    command: MembershipCommand,
) -> Result<HttpResponse, Problem> {
    let current = load(state, raw).await?;
    let org = current.organization_id.to_string();
    run(
        state,
        req,
        &current.id.to_string(),
        &org,
        command,
        StatusCode::OK,
    )
    .await
}

/// Deactivates or deletes the membership and takes it out of its groups, atomically.
async fn leave(
    state: &CommandState,
    req: &HttpRequest,
    raw: &str,
    how: Leave,
) -> Result<HttpResponse, Problem> {
    let id = MembershipId::parse(raw).map_err(|e| Problem::field("id", e.to_string()))?;
    let (data, position) = app::memberships::leave(state, &context(req), &id, how).await?;
    let body = MembershipBody {
        object: "organization_membership",
        membership: &data,
    };
    respond(StatusCode::OK, &body, position)
}

async fn deactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, &path, Leave::Deactivate).await
}

async fn reactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let command = MembershipCommand::Reactivate {
        roles: None,
        attributes: None,
        at: Utc::now(),
    };
    lifecycle(&state, &req, &path, command).await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, &path, Leave::Delete).await
}

/// Runs a membership command; answers with the membership from its last event, or (no change)
/// from the current state.
async fn run(
    state: &CommandState,
    req: &HttpRequest,
    id: &str,
    org: &str,
    command: MembershipCommand,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let (data, position) = execute(state, &context(req), id, org, command).await?;
    let body = MembershipBody {
        object: "organization_membership",
        membership: &data,
    };
    respond(status, &body, position)
}

/// Runs a membership command; the membership after it (from its last event, or the current
/// state when nothing changed) and the position to report.
async fn execute(
    state: &CommandState,
    ctx: &RequestContext,
    id: &str,
    org: &str,
    command: MembershipCommand,
) -> Result<(MembershipData, i64), Problem> {
    let executed = state
        .memberships
        .execute(id, Some(org), command, ctx)
        .await
        .map_err(|e| match e {
            // Lost a race for the subject: name the membership that won.
            store::CommandError::ClaimTaken { owner_id, key, .. } => Problem::conflict(format!(
                "a membership for this subject already exists: {owner_id} (`{key}`)"
            ))
            .with_field("membership_id", owner_id),
            store::CommandError::RequirementFailed { key } if key.ends_with("/alive") => {
                Problem::not_found(format!("organization {org} does not exist"))
            }
            store::CommandError::RequirementFailed { key } => Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "unknown-role",
                "Unknown role",
                format!("a role was removed from organization {org} meanwhile (`{key}`)"),
            )
            .with_field("roles", "unknown role"),
            other => infrastructure(other, membership_rejected(id)),
        })?;
    if let Some(last) = executed.events.last() {
        let data: MembershipData = event_data(last)?;
        return Ok((data, last.position));
    }
    let data = load(state, id).await?;
    let position = state
        .memberships
        .last_position(id)
        .await
        .map_err(|e| infrastructure(e, membership_rejected(id)))?
        .unwrap_or(0);
    Ok((data, position))
}
