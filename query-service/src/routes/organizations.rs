//! `GET /v1/organizations[/{id}[/roles|/claims]]`.

use actix_web::{web, HttpRequest, HttpResponse};
use problem::Problem;
use store::queries::memberships::Subject;
use store::queries::{memberships, organizations};

use crate::{exists, found, ids, QueryState};
use paging::{Params, Spec};

const LIST: Spec = Spec::list(&["external_id"]);
const CLAIMS: Spec = Spec {
    list: false,
    filters: &["user_id", "application_id"],
    repeatable: &[],
    attributes: false,
};

pub async fn list(state: web::Data<QueryState>, req: HttpRequest) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    let scope = "organizations";
    let page = state.page(&params, scope).await?;
    state
        .list(
            organizations::list(&state.pool, params.get("external_id"), &page).await,
            scope,
        )
        .await
}

pub async fn get(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::single())?;
    let id = ids::organization(&path)?;
    state.caught_up(params.min_position).await?;
    let row = organizations::get(&state.pool, &id).await?;
    found(row, "organization", &id)
}

/// 404 unless the organization exists (lists of an unknown organization are not just empty).
pub(crate) async fn require(state: &QueryState, id: &str) -> Result<(), Problem> {
    let found = organizations::exists(&state.pool, id).await;
    exists(found.map(|f| f.then_some(())), "organization", id)
}

pub async fn roles(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::list(&[]))?;
    let id = ids::organization(&path)?;
    let scope = format!("roles:{id}");
    let page = state.page(&params, &scope).await?;
    require(&state, &id).await?;
    state
        .list(organizations::roles(&state.pool, &id, &page).await, &scope)
        .await
}

/// What an identity provider embeds in an access token for this organization.
pub async fn claims(
    state: web::Data<QueryState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &CLAIMS)?;
    let id = ids::organization(&path)?;
    let subject = match (params.get("user_id"), params.get("application_id")) {
        (Some(user), None) => Subject::User(user),
        (None, Some(app)) => Subject::Application(app),
        (Some(_), Some(_)) => {
            return Err(Problem::field(
                "application_id",
                "give either `user_id` or `application_id`, not both",
            ))
        }
        (None, None) => {
            return Err(Problem::field(
                "user_id",
                "required: the user (or `application_id`) whose claims to read",
            ))
        }
    };
    state.caught_up(params.min_position).await?;
    let row = memberships::claims(&state.pool, &id, subject).await?;
    row.map(|claims| HttpResponse::Ok().json(claims))
        .ok_or_else(|| {
            Problem::not_found(format!(
                "there is no active membership of that subject in organization {id}"
            ))
        })
}
