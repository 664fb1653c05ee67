//! `GET /v1/role-templates[/{slug}]`: the organization template, which every key may read (every
//! organization offers its roles).

use actix_web::{web, HttpRequest, HttpResponse};
use domain::values::RoleSlug;
use http_edge::path::Id;
use http_edge::Problem;
use paging::List;
use paging::{Params, Spec};
use read_models::organizations::{self, TemplateRoleRow};

use crate::{not_found, QueryState};

pub const LIST: Spec = Spec::list(&[]);

pub async fn list(state: web::Data<QueryState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    Ok(HttpResponse::Ok().json(role_templates_page(&state, &params).await?))
}

/// A page of the template's roles (`LIST`'s parameters); every key may read it.
pub async fn role_templates_page(
    state: &QueryState,
    params: &Params,
) -> Result<List<TemplateRoleRow>, Problem> {
    let scope = "role-templates";
    let page = state.page(params, scope).await?;
    let found = organizations::role_templates(&state.pool, &page).await;
    state.listed(found, scope).await
}

pub async fn get(
    state: web::Data<QueryState>,
    req: HttpRequest,
    Id(slug): Id<RoleSlug>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::single())?;
    state.caught_up(params.min_position).await?;
    let row = organizations::role_template(&state.pool, slug.as_str())
        .await?
        .ok_or_else(|| not_found("template role", slug.as_str()))?;
    Ok(HttpResponse::Ok().json(row))
}
