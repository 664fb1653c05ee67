//! `GET /v1/organizations/{id}/domains[/{domain}]` and `GET /v1/domains/{domain}/organizations`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::values::DomainName;
use domain::OrganizationId;
use http_edge::path::{Id, Ids};
use http_edge::Problem;
use paging::{List, Params, Spec};
use read_models::domains::{self, DomainRow};

use super::organizations::require;
use crate::{not_found, QueryState};

pub const OF_ORGANIZATION: Spec = Spec::list(&[]);
pub const ORGANIZATIONS: Spec = Spec::list(&[]);

pub async fn of_organization(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ORGANIZATION)?;
    Ok(HttpResponse::Ok().json(domains_page(&state, &caller, &params, &id).await?))
}

/// A page of an organization's domains (`OF_ORGANIZATION`'s parameters).
pub async fn domains_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &OrganizationId,
) -> Result<List<DomainRow>, Problem> {
    let id = id.to_string();
    let scope = format!("domains:{id}");
    let page = state.page(params, &scope).await?;
    require(state, caller, &id).await?;
    state
        .listed(
            domains::of_organization(&state.pool, &id, &page).await,
            &scope,
        )
        .await
}

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Ids(id, domain): Ids<OrganizationId, DomainName>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::single())?;
    state.caught_up(params.min_position).await?;
    let id = id.to_string();
    require(&state, &caller, &id).await?;
    let row = domains::get(&state.pool, &id, domain.as_str())
        .await?
        .ok_or_else(|| not_found("domain", &format!("{} in {id}", domain.as_str())))?;
    Ok(HttpResponse::Ok().json(row))
}

/// Which organizations a person with an email under `domain` may find or join: those that
/// verified it with the `suggest` or `auto_join` policy (for an organization key, its own).
pub async fn organizations(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(domain): Id<DomainName>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &ORGANIZATIONS)?;
    let scope = format!("domain-organizations:{}", domain.as_str());
    let page = state.page(&params, &scope).await?;
    let only = caller.organization.map(|o| o.to_string());
    let found =
        domains::organizations_for(&state.pool, domain.as_str(), only.as_deref(), &page).await;
    Ok(HttpResponse::Ok().json(state.listed(found, &scope).await?))
}
