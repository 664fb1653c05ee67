//! An organization's domains: `POST /v1/organizations/{org_id}/domains`,
//! `PATCH|DELETE /v1/organizations/{org_id}/domains/{domain}`,
//! `POST /v1/organizations/{org_id}/domains/{domain}/verify`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::organization::OrganizationDomain;
use domain::values::DomainName;
use domain::OrganizationId;
use http_edge::endpoints::{self as e, Endpoint};
use http_edge::path::{Id, Ids};
use http_edge::{Body, Problem};

use crate::app::domains as app;
use crate::input::domains::{DomainAdd, DomainUpdate};
use crate::request::{context, respond, Shown};
use crate::CommandState;

pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/organizations/{org_id}/domains", add)
            .summary("Add a domain to verify")
            .describe(
                "The domain is normalised (lower case, no trailing dot, punycode) and starts \
                 `pending`: publish a TXT record named `verification.name` with the value \
                 `verification.value`. roster checks it in the background (with back-off) until \
                 `expires_at`, 7 days; `POST …/verify` checks now. Public suffixes and the \
                 deployment's free-mail domains are refused (422).",
            )
            .body::<DomainAdd>()
            .answers::<Shown<OrganizationDomain>>(201, "Added"),
        e::patch("/v1/organizations/{org_id}/domains/{domain}", update)
            .summary("Set a domain's policy and default roles")
            .body::<DomainUpdate>()
            .answers::<Shown<OrganizationDomain>>(200, "Updated"),
        e::delete("/v1/organizations/{org_id}/domains/{domain}", remove)
            .summary("Remove a domain")
            .describe("A verified domain is free to be verified by another organization.")
            .answers::<Shown<OrganizationDomain>>(200, "Removed"),
        e::post("/v1/organizations/{org_id}/domains/{domain}/verify", verify)
            .summary("Check a domain's TXT record now")
            .describe(
                "Found: the domain is verified (200). Not found: 422 `domain-not-verified` saying \
                 what the look-up saw. Verified by another organization: 409 \
                 `domain-verified-elsewhere`.",
            )
            .answers::<Shown<OrganizationDomain>>(200, "Verified"),
    ]
}

const OBJECT: &str = "organization_domain";

async fn add(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Id(org): Id<OrganizationId>,
    Body(input): Body<DomainAdd>,
) -> Result<HttpResponse, Problem> {
    let written = app::add(&state, &context(&req)?, &org, input.parse()?).await?;
    respond(StatusCode::CREATED, OBJECT, &written)
}

async fn update(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, domain): Ids<OrganizationId, DomainName>,
    Body(input): Body<DomainUpdate>,
) -> Result<HttpResponse, Problem> {
    let written = app::update(&state, &context(&req)?, &org, input.parse(domain)?).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn remove(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, domain): Ids<OrganizationId, DomainName>,
) -> Result<HttpResponse, Problem> {
    let written = app::remove(&state, &context(&req)?, &org, &domain).await?;
    respond(StatusCode::OK, OBJECT, &written)
}

async fn verify(
    state: web::Data<CommandState>,
    req: HttpRequest,
    Ids(org, domain): Ids<OrganizationId, DomainName>,
) -> Result<HttpResponse, Problem> {
    let written = app::verify(&state, &context(&req)?, &org, &domain).await?;
    respond(StatusCode::OK, OBJECT, &written)
}
