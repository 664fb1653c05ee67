//! The role catalogue of an organization:
//! `POST /v1/organizations/{org_id}/roles`, `PATCH|DELETE /v1/organizations/{org_id}/roles/{slug}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::organization::{CreateRole, UpdateRole};
use domain::values::{Description, Permissions, RoleName, RoleSlug};
use domain::OrganizationId;
use http_edge::path::{Id, Ids};
use serde::Deserialize;

use crate::app::roles as app;
use crate::request::{context, respond, Shown};
use crate::CommandState;
use domain::organization::RoleData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{nullable, present, Body, Fields, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/roles", create)
            .summary("Add a role to the organization's catalogue")
            .body::<CreateBody>()
            .answers::<Shown<RoleData>>(201, "Created"),
        e::patch("/v1/organizations/{org_id}/roles/{slug}", update)
            .summary("Update a role")
            .body::<UpdateBody>()
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

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "RoleCreate")]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[schemars(with = "domain::values::RoleSlug")]
    slug: String,
    #[schemars(with = "domain::values::RoleName")]
    name: String,
    #[schemars(with = "Option<domain::values::Description>")]
    description: Option<String>,
    #[schemars(with = "Option<domain::values::Permissions>")]
    permissions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "RoleUpdate")]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[schemars(with = "domain::values::RoleName")]
    #[serde(default, deserialize_with = "present")]
    name: Option<String>,
    #[schemars(with = "Option<Option<domain::values::Description>>")]
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[schemars(with = "domain::values::Permissions")]
    #[serde(default, deserialize_with = "present")]
    permissions: Option<Vec<String>>,
}

const OBJECT: &str = "organization_role";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let slug = fields.check("slug", RoleSlug::parse(&input.slug));
    let name = fields.check("name", RoleName::parse(&input.name));
    let description = input
        .description
        .and_then(|d| fields.check("description", Description::parse(&d)));
    let permissions = fields.check(
        "permissions",
        Permissions::parse(input.permissions.unwrap_or_default()),
    );
    let ((slug, name), permissions) = fields.done(slug.zip(name).zip(permissions))?;
    let input = CreateRole {
        slug,
        name,
        description,
        permissions,
        at: Utc::now(),
    };
    let written = app::create(&state, &context(&req)?, &org, input).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, slug): Ids<OrganizationId, RoleSlug>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let name = input
        .name
        .and_then(|n| fields.check("name", RoleName::parse(&n)));
    let description =
        fields.check_nullable("description", input.description, |d| Description::parse(&d));
    let permissions = input
        .permissions
        .and_then(|p| fields.check("permissions", Permissions::parse(p)));
    fields.finish()?;
    let input = UpdateRole {
        slug,
        name,
        description,
        permissions,
        at: Utc::now(),
    };
    let written = app::update(&state, &context(&req)?, &org, input).await?;
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
