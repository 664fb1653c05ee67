//! `GET /v1/organizations/{id}/invitations`, `/v1/invitations/{id}`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::invitations::{self, InvitationRow};

use super::organizations::require;
use crate::QueryState;
use domain::values::Email;
use paging::{Filter, List, Params, Spec};

pub const OF_ORGANIZATION: Spec = Spec::list(&[
    Filter::one_of("state", &["pending", "accepted", "revoked", "expired"]),
    Filter::of::<Email>("email"),
]);

pub async fn of_organization(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ORGANIZATION)?;
    Ok(HttpResponse::Ok().json(invitations_page(&state, &caller, &params, &id).await?))
}

/// A page of an organization's invitations (`OF_ORGANIZATION`'s parameters).
pub async fn invitations_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &domain::OrganizationId,
) -> Result<List<InvitationRow>, Problem> {
    let id = id.to_string();
    let invitation_state = params.get("state");
    let email = params.typed::<Email>("email");
    let scope = format!("invitations:{id}");
    let page = state.page(params, &scope).await?;
    require(state, caller, &id).await?;
    state
        .listed(
            invitations::of_organization(
                &state.pool,
                &id,
                invitation_state,
                email.as_ref().map(Email::as_str),
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
    Id(id): Id<domain::InvitationId>,
) -> Result<HttpResponse, Problem> {
    let id = id.to_string();
    super::history::one::<domain::invitation::Invitation, _>(
        &state,
        &caller,
        &req,
        &id,
        invitations::get(&state.pool, &id),
    )
    .await
}
