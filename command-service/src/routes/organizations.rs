//! `POST /v1/organizations`, `PATCH|DELETE /v1/organizations/{org_id}`.

use http_edge::path::Id;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::OrganizationId;

use crate::input::organizations::{OrganizationCreate, OrganizationUpdate};

use crate::app::organizations as app;
use crate::request::{context, respond, Shown};
use crate::CommandState;
use domain::organization::OrganizationData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{Body, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations", create)
            .summary("Create an organization (admin keys)")
            .body::<OrganizationCreate>()
            .answers::<Shown<OrganizationData>>(201, "Created"),
        e::patch("/v1/organizations/{org_id}", update)
            .summary("Update an organization")
            .describe("Only the fields given change; `null` clears `description` or `external_id`.")
            .body::<OrganizationUpdate>()
            .answers::<Shown<OrganizationData>>(200, "Updated"),
        e::delete("/v1/organizations/{org_id}", delete)
            .summary("Delete an organization with everything in it")
            .describe(
                "Closes the organization at once (creates in it answer 404) and answers 202; \
                 the process manager then deletes its contents and finally the organization \
                 (`organization.deleted`). Poll `GET /v1/organizations/{org_id}` until 404.",
            )
            .answers::<Shown<OrganizationData>>(202, "Deletion accepted"),
    ]
}

const OBJECT: &str = "organization";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Body(input): Body<OrganizationCreate>,
) -> Result<HttpResponse, Problem> {
    let written = app::create(&state, &context(&req)?, input.parse()?).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<OrganizationId>,
    Body(input): Body<OrganizationUpdate>,
) -> Result<HttpResponse, Problem> {
    let written = app::update(&state, &context(&req)?, &id, input.parse()?).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

/// Accepts the organization's deletion (see `app::organizations::request_deletion`): 202 with the
/// organization and the position of `organization.deletion_requested`;
/// `GET /v1/organizations/{id}` answers 404 once the process manager is done.
async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let written = app::request_deletion(&state, &context(&req)?, &id).await?;
    respond(StatusCode::ACCEPTED, OBJECT, &written)
}
