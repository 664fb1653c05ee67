//! `POST /v1/organizations`, `PATCH /v1/organizations/{org_id}`.

use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::organization::{
    CreateOrganization, Organization, OrganizationCommand, OrganizationData, UpdateOrganization,
};
use domain::values::{Description, ExternalId, Metadata, OrganizationName};
use domain::OrganizationId;
use serde::{Deserialize, Serialize};

use crate::problem::Body;
use crate::problem::{method_not_allowed, Problem};
use crate::request::{
    context, event_data, infrastructure, nullable, org_id, rejected, respond, Fields,
};
use crate::CommandState;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/v1/organizations")
            .post(create)
            .default_service(web::to(method_not_allowed)),
    )
    .service(
        web::resource("/v1/organizations/{org_id}")
            .patch(update)
            .delete(delete)
            .default_service(web::to(method_not_allowed)),
    );
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    name: String,
    description: Option<String>,
    external_id: Option<String>,
    metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[serde(default, deserialize_with = "crate::request::present")]
    name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    external_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::request::present")]
    metadata: Option<BTreeMap<String, String>>,
}

/// The public shape of an organization.
#[derive(Serialize)]
struct OrganizationBody<'a> {
    object: &'static str,
    #[serde(flatten)]
    organization: &'a OrganizationData,
}

fn body(org: &OrganizationData) -> OrganizationBody<'_> {
    OrganizationBody {
        object: "organization",
        organization: org,
    }
}

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let name = fields.check("name", OrganizationName::parse(&input.name));
    let description = input
        .description
        .as_deref()
        .and_then(|d| fields.check("description", Description::parse(d)));
    let external_id = input
        .external_id
        .as_deref()
        .and_then(|e| fields.check("external_id", ExternalId::parse(e)));
    let metadata = fields.check(
        "metadata",
        Metadata::parse(input.metadata.unwrap_or_default()),
    );
    fields.finish()?;
    let (Some(name), Some(metadata)) = (name, metadata) else {
        return Err(Problem::internal());
    };

    let id = OrganizationId::new();
    let id_str = id.to_string();
    let command = OrganizationCommand::Create(CreateOrganization {
        id,
        name,
        description,
        external_id,
        metadata,
        at: Utc::now(),
    });
    run(&state, &req, &id_str, command, StatusCode::CREATED).await
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let id = org_id(&path.into_inner())?;
    let mut fields = Fields::default();
    let name = input
        .name
        .as_deref()
        .and_then(|n| fields.check("name", OrganizationName::parse(n)));
    let description = fields.check_nullable("description", input.description, Description::parse);
    let external_id = fields.check_nullable("external_id", input.external_id, ExternalId::parse);
    let metadata = input
        .metadata
        .and_then(|m| fields.check("metadata", Metadata::parse(m)));
    fields.finish()?;

    let id_str = id.to_string();
    let command = OrganizationCommand::Update(UpdateOrganization {
        name,
        description,
        external_id,
        metadata,
        at: Utc::now(),
    });
    run(&state, &req, &id_str, command, StatusCode::OK).await
}

/// Accepts the organization's deletion: from this commit on it is closed (every command on it and
/// every create in it is a 404), and the process manager deletes its contents and then the
/// organization. Answers 202 with the organization and the position of
/// `organization.deletion_requested`; `GET /v1/organizations/{id}` answers 404 once it is done.
/// Asked again while it runs: the same answer.
async fn delete(
    state: web::Data<CommandState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = org_id(&path.into_inner())?;
    let id_str = id.to_string();
    let executed = state
        .organizations
        .execute(
            &id_str,
            Some(&id_str),
            OrganizationCommand::Delete { at: Utc::now() },
            &context(&req),
        )
        .await
        .map_err(|e| infrastructure(e, rejected(&id_str)))?;
    if let Some(event) = executed.events.last() {
        let data: OrganizationData = event_data(event)?;
        return respond(StatusCode::ACCEPTED, &body(&data), event.position);
    }
    let org: Organization = state
        .organizations
        .load(&id_str)
        .await
        .map_err(|e| infrastructure(e, rejected(&id_str)))?;
    let data = org
        .state
        .filter(|_| org.deleting)
        .ok_or_else(|| Problem::not_found(format!("organization {id_str} does not exist")))?;
    let position = state
        .organizations
        .last_position(&id_str)
        .await
        .map_err(|e| infrastructure(e, rejected(&id_str)))?
        .unwrap_or(0);
    respond(StatusCode::ACCEPTED, &body(&data), position)
}

/// Runs the command on organization `id`, then answers from its last event when there is one,
/// else from the current state (a no-op update).
async fn run(
    state: &CommandState,
    req: &HttpRequest,
    id: &str,
    command: OrganizationCommand,
    status: StatusCode,
) -> Result<HttpResponse, Problem> {
    let executed = state
        .organizations
        .execute(id, Some(id), command, &context(req))
        .await
        .map_err(|e| infrastructure(e, rejected(id)))?;
    // Creation also seeds roles: answer with the organization event, at the last position.
    let org_event = executed
        .events
        .iter()
        .rev()
        .find(|e| e.event_type.starts_with("organization."));
    if let (Some(event), Some(position)) = (org_event, executed.last_position()) {
        let data: OrganizationData = event_data(event)?;
        return respond(status, &body(&data), position);
    }
    let org: Organization = state
        .organizations
        .load(id)
        .await
        .map_err(|e| infrastructure(e, rejected(id)))?;
    let data = org
        .current()
        .cloned()
        .ok_or_else(|| Problem::not_found(format!("organization {id} does not exist")))?;
    let position = state
        .organizations
        .last_position(id)
        .await
        .map_err(|e| infrastructure(e, rejected(id)))?
        .unwrap_or(0);
    respond(status, &body(&data), position)
}
