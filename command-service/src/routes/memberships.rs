//! Memberships: `POST /v1/organizations/{org_id}/memberships` (and `/bulk`),
//! `PATCH|DELETE /v1/memberships/{id}`, `POST /v1/memberships/{id}/deactivate|reactivate`.

use http_edge::path::Id;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::{MembershipId, OrganizationId};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::app::memberships::{self as app, Joined, Leave, NewMembership};
use crate::app::role_assignment;
use crate::input::memberships::{
    MembershipCreate, MembershipRolesChange, MembershipUpdate, BULK_MAX,
};
use crate::request::{context, respond, shown, with_position, Shown};
use crate::CommandState;
use domain::membership::MembershipData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/memberships", create)
            .summary("Add a user or application to the organization")
            .describe(
                "Give exactly one of `user_id` or `application_id`. Roles default to `member`. \
                 An inactive membership of the same subject is reactivated (200). With `user_id` \
                 and `email` (no `roles`): joins through the email's domain when the organization \
                 verified it with the `auto_join` policy, with the domain's default roles and \
                 `source: domain`; otherwise 422 `no-auto-join`.",
            )
            .body::<MembershipCreate>()
            .answers::<Shown<MembershipData>>(201, "Created")
            .answers::<Shown<MembershipData>>(200, "Reactivated"),
        e::post("/v1/organizations/{org_id}/memberships/bulk", bulk)
            .summary("Import up to 1,000 memberships")
            .describe(
                "Each item succeeds or fails on its own; the answer lists every item's result in \
                 request order.",
            )
            .body::<BulkBody>()
            .answers::<BulkResult>(200, "Every item's result"),
        e::post("/v1/organizations/{org_id}/memberships/roles", assign_roles)
            .summary("Change the roles of up to 1,000 members at once, all or nothing")
            .describe(
                "Name the members by exactly one of `user_ids`, `application_ids` or \
                 `membership_ids`; give `add` and/or `remove`, or `set` to replace each member's \
                 roles. Every named membership takes the change in one unit of work, or none \
                 does: a 422 names every member (unknown, inactive, named twice) and every role \
                 (not in the catalogue) that cannot take it. Each membership whose roles change \
                 gets its own `membership.updated`; the others get nothing.",
            )
            .body::<MembershipRolesChange>()
            .answers::<RolesResult>(200, "Every named membership after the change"),
        e::patch("/v1/memberships/{id}", update)
            .summary("Change a membership's roles or attributes")
            .body::<MembershipUpdate>()
            .answers::<Shown<MembershipData>>(200, "Updated"),
        e::delete("/v1/memberships/{id}", delete)
            .summary("Delete a membership (and take it out of its groups, atomically)")
            .answers::<Shown<MembershipData>>(200, "Deleted"),
        e::post("/v1/memberships/{id}/deactivate", deactivate)
            .summary("Deactivate a membership (and take it out of its groups, atomically)")
            .answers::<Shown<MembershipData>>(200, "Deactivated"),
        e::post("/v1/memberships/{id}/reactivate", reactivate)
            .summary("Reactivate a membership")
            .answers::<Shown<MembershipData>>(200, "Reactivated"),
    ]
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulk")]
#[serde(deny_unknown_fields)]
struct BulkBody {
    /// 1–1,000 memberships, each as the body of a single create.
    #[schemars(with = "Vec<MembershipCreate>", length(min = 1, max = 1000))]
    items: Vec<Value>,
}

/// The answer to a bulk import.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulkResult")]
struct BulkResult {
    /// `bulk_result`.
    object: &'static str,
    succeeded: usize,
    failed: usize,
    data: Vec<BulkItem>,
    /// The position of the last event written.
    position: i64,
}

/// One item's result: `membership` when it succeeded, `error` when it failed.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipBulkItem")]
struct BulkItem {
    index: usize,
    status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<Shown<MembershipData>>")]
    membership: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    position: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<Problem>,
}

/// The answer to a bulk role change.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipRolesResult")]
struct RolesResult<'a> {
    /// `membership_roles_result`.
    object: &'static str,
    /// How many memberships changed (each got a `membership.updated`).
    changed: usize,
    /// Every named membership after the change, in request order.
    data: Vec<RolesItem<'a>>,
    /// The position of the last event written (or, nothing changed, of the members' last).
    position: i64,
}

#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "MembershipRolesItem")]
struct RolesItem<'a> {
    object: &'static str,
    #[serde(flatten)]
    membership: &'a MembershipData,
    /// Whether this membership's roles changed.
    changed: bool,
}

const OBJECT: &str = "organization_membership";

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
    Id(org): Id<OrganizationId>,
    Body(input): Body<MembershipCreate>,
) -> Result<HttpResponse, Problem> {
    let ctx = context(&req)?;
    let joining = input.parse_joining()?;
    let j = match joining.email {
        Some(email) => {
            let m = joining.membership;
            let (subject, attributes) = (m.subject, m.attributes);
            crate::app::domains::join_by_email(&state, &ctx, &org, subject, attributes, &email)
                .await?
        }
        None => {
            let source = domain::membership::MembershipSource::Api;
            app::join(&state, &ctx, &org, joining.membership, source).await?
        }
    };
    respond(joined(&j), OBJECT, &j.membership)
}

/// Imports up to 1,000 memberships; each item succeeds or fails on its own, and the answer lists
/// every item's result in request order: `{index, status, membership | error}`.
async fn bulk(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<BulkBody>,
) -> Result<HttpResponse, Problem> {
    if input.items.is_empty() || input.items.len() > BULK_MAX {
        return Err(Problem::field("items", format!("give 1–{BULK_MAX} items")));
    }
    let parsed: Vec<Result<NewMembership, Problem>> = input
        .items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            http_edge::body::from_value(item, &format!("items[{index}]"))
                .and_then(MembershipCreate::parse)
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
                let membership = serde_json::to_value(shown(OBJECT, &j.membership))
                    .map_err(|_| Problem::internal())?;
                BulkItem {
                    index,
                    status: joined(&j).as_u16(),
                    membership: Some(membership),
                    position: Some(j.membership.position),
                    error: None,
                }
            }
            Some(Err(problem)) => BulkItem {
                index,
                status: problem.status,
                membership: None,
                position: None,
                error: Some(problem),
            },
            None => return Err(Problem::internal()),
        });
    }
    Ok(with_position(StatusCode::OK, position).json(BulkResult {
        object: "bulk_result",
        succeeded,
        failed: results.len() - succeeded,
        data: results,
        position,
    }))
}

/// Changes the roles of up to 1,000 members at once, all or nothing.
async fn assign_roles(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<MembershipRolesChange>,
) -> Result<HttpResponse, Problem> {
    let (members, change) = input.parse()?;
    let assigned =
        role_assignment::assign(&state, &context(&req)?, &org, &members, &change).await?;
    let data: Vec<RolesItem> = (assigned.memberships.iter())
        .map(|(membership, changed)| RolesItem {
            object: OBJECT,
            membership,
            changed: *changed,
        })
        .collect();
    Ok(
        with_position(StatusCode::OK, assigned.position).json(RolesResult {
            object: "membership_roles_result",
            changed: data.iter().filter(|m| m.changed).count(),
            data,
            position: assigned.position,
        }),
    )
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
    Body(input): Body<MembershipUpdate>,
) -> Result<HttpResponse, Problem> {
    let (roles, attributes) = input.parse()?;
    let written = app::update(&state, &context(&req)?, &id, roles, attributes).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// Deactivates or deletes the membership and takes it out of its groups, atomically.
async fn leave(
    state: &CommandState,
    req: &HttpRequest,
    id: MembershipId,
    how: Leave,
) -> Result<HttpResponse, Problem> {
    let written = app::leave(state, &context(req)?, &id, how).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn deactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, id, Leave::Deactivate).await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    leave(&state, &req, id, Leave::Delete).await
}

async fn reactivate(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<MembershipId>,
) -> Result<HttpResponse, Problem> {
    let written = app::reactivate(&state, &context(&req)?, &id).await?;
    respond(StatusCode::OK, OBJECT, &written)
}
