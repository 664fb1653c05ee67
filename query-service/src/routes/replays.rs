//! `GET /v1/replays/{id}`: a replay job's progress (its checkpoint and count).

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use paging::{Params, Spec};

use crate::QueryState;

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::ReplayId>,
) -> Result<HttpResponse, Problem> {
    Params::parse(&req, &Spec::single())?;
    Ok(HttpResponse::Ok().json(replay(&state, &caller, &id).await?))
}

/// A replay job and how far it has got, if the caller reaches its organization.
pub async fn replay(
    state: &QueryState,
    caller: &Caller,
    id: &domain::ReplayId,
) -> Result<store::replays::Replay, Problem> {
    let id = id.to_string();
    store::replays::get(&state.pool, &id)
        .await?
        .filter(|job| caller.reaches_text(job.organization_id.as_deref()))
        .ok_or_else(|| crate::not_found("replay", &id))
}
