//! `GET /v1/organizations/{id}/groups`, `/v1/groups/{id}[/members]`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::groups;

use super::organizations::require;
use crate::{exists, QueryState};
use domain::values::GroupName;
use paging::{Filter, Params, Spec};

pub(super) const OF_ORGANIZATION: Spec = Spec::list(&[Filter::of::<GroupName>("name")]);
pub(super) const MEMBERS: Spec = Spec::list(&[super::history::AS_OF]);

pub async fn of_organization(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ORGANIZATION)?;
    let id = id.to_string();
    let scope = format!("groups:{id}");
    let page = state.page(&params, &scope).await?;
    require(&state, &caller, &id).await?;
    let name = params.typed::<GroupName>("name");
    state
        .list(
            groups::of_organization(
                &state.pool,
                &id,
                name.as_ref().map(GroupName::as_str),
                &page,
            )
            .await,
            &scope,
        )
        .await
}

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::GroupId>,
) -> Result<HttpResponse, Problem> {
    let id = id.to_string();
    super::history::one::<domain::group::Group, _>(
        &state,
        &caller,
        &req,
        &id,
        groups::get(&state.pool, &id),
    )
    .await
}

pub async fn members(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::GroupId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &MEMBERS)?;
    let id = id.to_string();
    let scope = format!("group-members:{id}");
    let page = state.page(&params, &scope).await?;
    if let Some(at) = super::history::as_of(&params) {
        return super::history::members_at(&state, &caller, &id, at, &page, &scope).await;
    }
    exists(&caller, groups::get(&state.pool, &id).await, "group", &id)?;
    state
        .list(groups::members(&state.pool, &id, &page).await, &scope)
        .await
}
