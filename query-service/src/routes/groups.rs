//! `GET /v1/organizations/{id}/groups`, `/v1/groups/{id}[/members]`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::groups::{self, GroupRow};
use read_models::memberships::MembershipRow;

use super::organizations::require;
use crate::{exists, QueryState};
use domain::values::GroupName;
use paging::{Filter, List, Params, Spec};

pub const OF_ORGANIZATION: Spec = Spec::list(&[Filter::of::<GroupName>("name")]);
pub const MEMBERS: Spec = Spec::list(&[super::history::AS_OF]);

pub async fn of_organization(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ORGANIZATION)?;
    Ok(HttpResponse::Ok().json(groups_page(&state, &caller, &params, &id).await?))
}

/// A page of an organization's groups (`OF_ORGANIZATION`'s parameters).
pub async fn groups_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &domain::OrganizationId,
) -> Result<List<GroupRow>, Problem> {
    let id = id.to_string();
    let scope = format!("groups:{id}");
    let page = state.page(params, &scope).await?;
    require(state, caller, &id).await?;
    let name = params.typed::<GroupName>("name");
    state
        .listed(
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
    if let Some(at) = super::history::as_of(&params) {
        let scope = format!("group-members:{id}");
        let page = state.page(&params, &scope).await?;
        return super::history::members_at(&state, &caller, &id, at, &page, &scope).await;
    }
    let group = group(&state, &caller, params.min_position, &id).await?;
    Ok(HttpResponse::Ok().json(members_page(&state, &params, &group).await?))
}

/// The group as it is now (with its member count), once `min_position` is applied; 404 outside
/// the caller's reach.
pub async fn group(
    state: &QueryState,
    caller: &Caller,
    min_position: Option<i64>,
    id: &str,
) -> Result<GroupRow, Problem> {
    state.caught_up(min_position).await?;
    exists(caller, groups::get(&state.pool, id).await, "group", id)
}

/// A page of a group's members as they were at `at` (`MEMBERS`' parameters).
pub async fn members_as_of(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &str,
    at: store::log::AsOf,
) -> Result<List<MembershipRow>, Problem> {
    let scope = format!("group-members:{id}");
    let page = state.page(params, &scope).await?;
    let rows = super::history::group_members_at(state, caller, id, at, &page).await?;
    state.listed(Ok(rows), &scope).await
}

/// A page of the members of `group` (which the caller reached through [`group`]).
pub async fn members_page(
    state: &QueryState,
    params: &Params,
    group: &GroupRow,
) -> Result<List<MembershipRow>, Problem> {
    let scope = format!("group-members:{}", group.id);
    let page = state.page(params, &scope).await?;
    state
        .listed(groups::members(&state.pool, &group.id, &page).await, &scope)
        .await
}
