//! The role catalogue of an organization:
//! `POST /v1/organizations/{org_id}/roles`, `PATCH|DELETE /v1/organizations/{org_id}/roles/{slug}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::values::RoleSlug;
use domain::OrganizationId;
use http_edge::path::{Id, Ids};

use crate::input::roles::{RoleCreate, RoleUpdate};

use crate::app::roles as app;
use crate::request::{context, respond, Shown};
use crate::CommandState;
use domain::organization::RoleData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/roles", create)
            .summary("Add a role to the organization's catalogue")
            .body::<RoleCreate>()
            .answers::<Shown<RoleData>>(201, "Created"),
        e::patch("/v1/organizations/{org_id}/roles/{slug}", update)
            .summary("Update a role")
            .body::<RoleUpdate>()
            .answers::<Shown<RoleData>>(200, "Updated"),
        e::delete("/v1/organizations/{org_id}/roles/{slug}", delete)
            .summary("Delete a role")
            .describe(
                "Answers 202: the process manager takes the role from every holder, then \
                 records `organization_role.deleted`. Built-in roles cannot be deleted (422).",
            )
            .answers::<Shown<RoleData>>(202, "Deletion accepted"),
    ]
}

const OBJECT: &str = "organization_role";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<RoleCreate>,
) -> Result<HttpResponse, Problem> {
    let written = app::create(&state, &context(&req)?, &org, input.parse()?).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, slug): Ids<OrganizationId, RoleSlug>,
    Body(input): Body<RoleUpdate>,
) -> Result<HttpResponse, Problem> {
    let written = app::update(&state, &context(&req)?, &org, input.parse(slug)?).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// The role leaves the catalogue now; the process manager then takes it from every membership
/// holding it, each with its own `membership.updated`. Hence 202.
async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, slug): Ids<OrganizationId, RoleSlug>,
) -> Result<HttpResponse, Problem> {
    let written = app::delete(&state, &context(&req)?, &org, &slug).await?;
    respond(StatusCode::ACCEPTED, OBJECT, &written)
}
