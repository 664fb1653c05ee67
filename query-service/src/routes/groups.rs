//! `GET /v1/organizations/{id}/groups`, `/v1/groups/{id}[/members]`.

use actix_web::{web, HttpRequest, HttpResponse};
use problem::Problem;
use store::queries::groups;

use super::organizations::require;
use crate::{failed, found, ids, QueryState};
use paging::{Params, Spec};

pub async fn of_organization(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::list(&["name"]))?;
    let id = ids::organization(&path)?;
    state.caught_up(params.min_position).await?;
    let scope = format!("groups:{id}");
    let page = state.cursors.page(&params, &scope).await?;
    require(&state, &id).await?;
    let rows = groups::of_organization(&state.pool, &id, params.get("name"), &page)
        .await
        .map_err(failed)?;
    state.cursors.list(rows, &scope).await
}

pub async fn get(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::single())?;
    let id = ids::group(&path)?;
    state.caught_up(params.min_position).await?;
    let row = groups::get(&state.pool, &id).await.map_err(failed)?;
    found(row, "group", &id)
}

pub async fn members(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::list(&[]))?;
    let id = ids::group(&path)?;
    state.caught_up(params.min_position).await?;
    let scope = format!("group-members:{id}");
    let page = state.cursors.page(&params, &scope).await?;
    if groups::get(&state.pool, &id)
        .await
        .map_err(failed)?
        .is_none()
    {
        return Err(Problem::not_found(format!("there is no group {id}")));
    }
    let rows = groups::members(&state.pool, &id, &page)
        .await
        .map_err(failed)?;
    state.cursors.list(rows, &scope).await
}
