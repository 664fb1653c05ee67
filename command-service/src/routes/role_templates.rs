//! The organization template (admin keys): `POST /v1/role-templates`,
//! `PATCH|DELETE /v1/role-templates/{slug}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::role_template::TemplateRole;
use domain::values::RoleSlug;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::path::Id;
use http_edge::{Body, Problem};

use crate::app::role_templates as app;
use crate::input::roles::{RoleCreate, RoleUpdate};
use crate::request::{context, respond, Shown};
use crate::CommandState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/role-templates", create)
            .summary("Add a role to the organization template")
            .describe(
                "Every organization offers the template's roles besides its custom roles. Admin \
                 keys only (403 otherwise). 409 when an organization has a custom role of the slug.",
            )
            .body::<RoleCreate>()
            .answers::<Shown<TemplateRole>>(201, "Created"),
        e::patch("/v1/role-templates/{slug}", update)
            .summary("Update a template role")
            .describe(
                "Its holders' claims in every organization show the change at once. Admin keys \
                 only.",
            )
            .body::<RoleUpdate>()
            .answers::<Shown<TemplateRole>>(200, "Updated"),
        e::delete("/v1/role-templates/{slug}", delete)
            .summary("Delete a template role")
            .describe(
                "Answers 202: the role leaves the template now; the process manager then takes it \
                 from every membership and group holding it through the template. `member` \
                 cannot be deleted (422). Admin keys only.",
            )
            .answers::<Shown<TemplateRole>>(202, "Deletion accepted"),
    ]
}

const OBJECT: &str = "role_template";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Body(input): Body<RoleCreate>,
) -> Result<HttpResponse, Problem> {
    let written = app::create(&state, &context(&req)?, input.parse()?).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(slug): Id<RoleSlug>,
    Body(input): Body<RoleUpdate>,
) -> Result<HttpResponse, Problem> {
    let written = app::update(&state, &context(&req)?, input.parse(slug)?).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(slug): Id<RoleSlug>,
) -> Result<HttpResponse, Problem> {
    let written = app::delete(&state, &context(&req)?, &slug).await?;
    respond(StatusCode::ACCEPTED, OBJECT, &written)
}
