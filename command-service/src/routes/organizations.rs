//! `POST /v1/organizations`, `PATCH|DELETE /v1/organizations/{org_id}`.

use http_edge::path::Id;
use std::collections::BTreeMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use domain::organization::{CreateOrganization, UpdateOrganization};
use domain::values::{Description, ExternalId, Metadata, OrganizationName};
use domain::OrganizationId;
use serde::Deserialize;

use crate::app::organizations as app;
use crate::request::{context, respond, Shown};
use crate::CommandState;
use domain::organization::OrganizationData;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::{nullable, present, Body, Fields, Problem};

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations", create)
            .summary("Create an organization (admin keys)")
            .body::<CreateBody>()
            .answers::<Shown<OrganizationData>>(201, "Created"),
        e::patch("/v1/organizations/{org_id}", update)
            .summary("Update an organization")
            .describe("Only the fields given change; `null` clears `description` or `external_id`.")
            .body::<UpdateBody>()
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

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "OrganizationCreate")]
#[serde(deny_unknown_fields)]
struct CreateBody {
    #[schemars(with = "domain::values::OrganizationName")]
    name: String,
    #[schemars(with = "Option<domain::values::Description>")]
    description: Option<String>,
    #[schemars(with = "Option<domain::values::ExternalId>")]
    external_id: Option<String>,
    #[schemars(with = "Option<domain::values::Metadata>")]
    metadata: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "OrganizationUpdate")]
#[serde(deny_unknown_fields)]
struct UpdateBody {
    #[schemars(with = "domain::values::OrganizationName")]
    #[serde(default, deserialize_with = "present")]
    name: Option<String>,
    #[schemars(with = "Option<Option<domain::values::Description>>")]
    #[serde(default, deserialize_with = "nullable")]
    description: Option<Option<String>>,
    #[schemars(with = "Option<Option<domain::values::ExternalId>>")]
    #[serde(default, deserialize_with = "nullable")]
    external_id: Option<Option<String>>,
    #[schemars(with = "domain::values::Metadata")]
    #[serde(default, deserialize_with = "present")]
    metadata: Option<BTreeMap<String, String>>,
}

const OBJECT: &str = "organization";

async fn create(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Body(input): Body<CreateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let name = fields.check("name", OrganizationName::parse(&input.name));
    let description = input
        .description
        .and_then(|d| fields.check("description", Description::parse(&d)));
    let external_id = input
        .external_id
        .and_then(|e| fields.check("external_id", ExternalId::parse(&e)));
    let metadata = fields.check(
        "metadata",
        Metadata::parse(input.metadata.unwrap_or_default()),
    );
    let (name, metadata) = fields.done(name.zip(metadata))?;
    let input = CreateOrganization {
        id: OrganizationId::new(),
        name,
        description,
        external_id,
        metadata,
        at: Utc::now(),
    };
    let written = app::create(&state, &context(&req)?, input).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(id): Id<OrganizationId>,
    Body(input): Body<UpdateBody>,
) -> Result<HttpResponse, Problem> {
    let mut fields = Fields::default();
    let name = input
        .name
        .and_then(|n| fields.check("name", OrganizationName::parse(&n)));
    let description =
        fields.check_nullable("description", input.description, |d| Description::parse(&d));
    let external_id =
        fields.check_nullable("external_id", input.external_id, |e| ExternalId::parse(&e));
    let metadata = input
        .metadata
        .and_then(|m| fields.check("metadata", Metadata::parse(m)));
    fields.finish()?;
    let input = UpdateOrganization {
        name,
        description,
        external_id,
        metadata,
        at: Utc::now(),
    };
    let written = app::update(&state, &context(&req)?, &id, input).await?;
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
