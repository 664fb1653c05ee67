//! The role catalogue of an organization:
//! `POST /v1/organizations/{org_id}/roles`, `PATCH|DELETE /v1/organizations/{org_id}/roles/{slug}`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::organization::{CreateRole, OrganizationCommand, RoleData, UpdateRole};
use domain::values::{Description, Permissions, RoleName, RoleSlug};
use serde::{Deserialize, Serialize};

use crate::problem::Body;
use crate::problem::{method_not_allowed, Problem};
use crate::request::{
    context, event_data, infrastructure, nullable, org_id, rejected, respond, Fields,
};
use crate::CommandState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/organizations/{org_id}/roles")
            .post(create)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/organizations/{org_id}/roles/{slug}")
            .patch(update)
            .delete(delete)
            .default_service(web::to(method_not_allowed)),
    );
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    slug: String,
    name: String,
    description: Option<String>,
    permissions: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "crate::request::present")]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::request::present")]
    permissions: Option<Vec<String>>,
}

#[derive(Serialize)]
struct RoleBody<'a> {
    object: &'static str,
    #[serde(flatten)]
    role: &'a RoleData,
}

fn slug(raw: &str) -> Result<RoleSlug, Problem> {
    RoleSlug::parse(raw).map_err(|e| Problem::field("slug", e.0))
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let org = org_id(&path.into_inner())?.to_string();
    let mut fields = Fields::default();
    let slug = fields.check("slug", RoleSlug::parse(&input.slug));
    let name = fields.check("name", RoleName::parse(&input.name));
    let description = input
        .description
        .as_deref()
        .and_then(|d| fields.check("description", Description::parse(d)));
    let permissions = fields.check(
        "permissions",
        Permissions::parse(input.permissions.unwrap_or_default()),
    );
    fields.finish()?;
    let (Some(slug), Some(name), Some(permissions)) = (slug, name, permissions) else {
        return Err(Problem::internal());
    };
    let command = OrganizationCommand::CreateRole(CreateRole {
        slug: slug.clone(),
        name,
        description,
        permissions,
        at: Utc::now(),
    });
    run(&state, &req, &org, &slug, command, StatusCode::CREATED).await
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let (raw_org, raw_slug) = path.into_inner();
    let org = org_id(&raw_org)?.to_string();
    let slug = slug(&raw_slug)?;
    let mut fields = Fields::default();
    let name = input
        .name
        .as_deref()
        .and_then(|n| fields.check("name", RoleName::parse(n)));
    let description = fields.check_nullable("description", input.description, Description::parse);
    let permissions = input
        .permissions
        .and_then(|p| fields.check("permissions", Permissions::parse(p)));
    fields.finish()?;
    let command = OrganizationCommand::UpdateRole(UpdateRole {
        slug: slug.clone(),
        name,
        description,
        permissions,
        at: Utc::now(),
    });
    run(&state, &req, &org, &slug, command, StatusCode::OK).await
}

async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, Problem> {
    let (raw_org, raw_slug) = path.into_inner();
    let org = org_id(&raw_org)?.to_string();
    let slug = slug(&raw_slug)?;
    let command = OrganizationCommand::DeleteRole {
        slug: slug.clone(),
        at: Utc::now(),
    };
    // The role leaves the catalogue now (its claim released: no one can be given it any more);
    // the process manager then takes it from every membership holding it, each with its own
    // `membership.updated`. Hence 202.
    run(&state, &req, &org, &slug, command, StatusCode::ACCEPTED).await
}

/// Runs a role command; answers with the role from its event, or (no change) from the state.
async fn run(
    state: &CommandState,
    req: &HttpRequest,
    org: &str,
    slug: &RoleSlug,
    command: OrganizationCommand,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let executed = state
        .organizations
        .execute(org, Some(org), command, &context(req))
        .await
        .map_err(|e| infrastructure(e, rejected(org)))?;
    if let Some(last) = executed.events.last() {
        let role: RoleData = event_data(last)?;
        let body = RoleBody {
            object: "organization_role",
            role: &role,
        };
        return respond(status, &body, last.position);
    }
    let current = state
        .organizations
        .load(org)
        .await
        .map_err(|e| infrastructure(e, rejected(org)))?;
    let role = current
        .roles
        .get(slug)
        .ok_or_else(|| Problem::not_found(format!("role `{}` does not exist", slug.as_str())))?;
    let position = state
        .organizations
        .last_position(org)
        .await
        .map_err(|e| infrastructure(e, rejected(org)))?
        .unwrap_or(0);
    let body = RoleBody {
        object: "organization_role",
        role,
    };
    respond(status, &body, position)
}
