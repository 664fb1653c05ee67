//! `GET /v1/organizations/{id}/invitations`, `/v1/invitations/{id}`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::invitations;

use super::organizations::require;
use crate::QueryState;
use domain::values::Email;
use paging::{Filter, Params, Spec};

pub(super) const OF_ORGANIZATION: Spec = Spec::list(&[
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
    let id = id.to_string();
    let invitation_state = params.get("state");
    let email = params.typed::<Email>("email");
    let scope = format!("invitations:{id}");
    let page = state.page(&params, &scope).await?;
    require(&state, &caller, &id).await?;
    state
        .list(
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
