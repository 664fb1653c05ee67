//! `GET /v1/organizations[/{id}[/roles|/claims]]`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::memberships::{ClaimsRow, Subject};
use read_models::organizations::{OrganizationRow, RoleRow};
use read_models::{memberships, organizations};

use crate::{not_found, QueryState};
use domain::values::{ExternalId, SubjectId};
use paging::{Filter, List, Params, Spec};

pub const ROLES: Spec = Spec::list(&[]);
pub const LIST: Spec = Spec::list(&[
    Filter::of::<ExternalId>("external_id"),
    Filter::text("name"),
]);
pub const CLAIMS: Spec = Spec::single_with(&[
    Filter::of::<SubjectId>("user_id"),
    Filter::of::<SubjectId>("application_id"),
]);

/// Every organization; for an organization key, its own.
pub async fn list(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    Ok(HttpResponse::Ok().json(organizations_page(&state, &caller, &params).await?))
}

/// A page of organizations (`LIST`'s parameters): for an organization key, its own.
pub async fn organizations_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
) -> Result<List<OrganizationRow>, Problem> {
    let scope = "organizations";
    let page = state.page(params, scope).await?;
    let only = caller.organization.map(|o| o.to_string());
    let filter = organizations::OrganizationFilter {
        external_id: params.typed::<ExternalId>("external_id").map(String::from),
        name: params.get("name").map(str::to_owned),
        only,
    };
    state
        .listed(
            organizations::list(&state.pool, &filter, &page).await,
            scope,
        )
        .await
}

/// The organization as it is now, once `min_position` is applied; 404 outside the caller's reach.
pub async fn organization(
    state: &QueryState,
    caller: &Caller,
    min_position: Option<i64>,
    id: &domain::OrganizationId,
) -> Result<OrganizationRow, Problem> {
    state.caught_up(min_position).await?;
    let id = id.to_string();
    crate::exists(
        caller,
        organizations::get(&state.pool, &id).await,
        "organization",
        &id,
    )
}

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let id = id.to_string();
    super::history::one::<domain::organization::Organization, _>(
        &state,
        &caller,
        &req,
        &id,
        organizations::get(&state.pool, &id),
    )
    .await
}

/// 404 unless the organization exists and the caller reaches it (lists of an unknown
/// organization are not just empty).
/// The organization as it is now without its counts (cheaper: for a page that only names it),
/// once `min_position` is applied; 404 outside the caller's reach.
pub async fn organization_uncounted(
    state: &QueryState,
    caller: &Caller,
    min_position: Option<i64>,
    id: &domain::OrganizationId,
) -> Result<OrganizationRow, Problem> {
    state.caught_up(min_position).await?;
    let id = id.to_string();
    crate::exists(
        caller,
        organizations::get_uncounted(&state.pool, &id).await,
        "organization",
        &id,
    )
}

pub(crate) async fn require(state: &QueryState, caller: &Caller, id: &str) -> Result<(), Problem> {
    if caller.reaches_text(Some(id)) && organizations::exists(&state.pool, id).await? {
        Ok(())
    } else {
        Err(not_found("organization", id))
    }
}

pub async fn roles(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &ROLES)?;
    Ok(HttpResponse::Ok().json(roles_page(&state, &caller, &params, &id).await?))
}

/// A page of an organization's roles (`ROLES`' parameters).
pub async fn roles_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &domain::OrganizationId,
) -> Result<List<RoleRow>, Problem> {
    let id = id.to_string();
    let scope = format!("roles:{id}");
    let page = state.page(params, &scope).await?;
    require(state, caller, &id).await?;
    state
        .listed(organizations::roles(&state.pool, &id, &page).await, &scope)
        .await
}

/// What an identity provider embeds in an access token for this organization.
pub async fn claims(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &CLAIMS)?;
    Ok(HttpResponse::Ok().json(claims_of(&state, &caller, &params, &id).await?))
}

/// A member's claims (`CLAIMS`' parameters: exactly one of `user_id`, `application_id`).
pub async fn claims_of(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &domain::OrganizationId,
) -> Result<ClaimsRow, Problem> {
    let id = id.to_string();
    let user = params.typed::<SubjectId>("user_id");
    let application = params.typed::<SubjectId>("application_id");
    let subject = match (&user, &application) {
        (Some(user), None) => Subject::User(user.as_str()),
        (None, Some(app)) => Subject::Application(app.as_str()),
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
    require(state, caller, &id).await?;
    let row = memberships::claims(&state.pool, &id, subject).await?;
    row.ok_or_else(|| {
        Problem::not_found(format!(
            "there is no active membership of that subject in organization {id}"
        ))
    })
}
