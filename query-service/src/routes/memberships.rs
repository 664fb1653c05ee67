//! `GET /v1/organizations/{id}/memberships`, `/v1/memberships/{id}[/groups]`,
//! `/v1/users/{user_id}/memberships`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::groups;
use read_models::memberships::{self, MembershipFilter};
use serde_json::{json, Value};

use super::organizations::require;
use crate::{exists, QueryState};
use paging::{Params, Spec};

pub(super) const OF_ORGANIZATION: Spec = Spec {
    list: true,
    filters: &["status", "group_id", "user_id", "application_id"],
    repeatable: &["role"],
    attributes: true,
    max_limit: paging::MAX_LIMIT,
};
pub(super) const GROUPS: Spec = Spec::list(&[]);
pub(super) const OF_USER: Spec = Spec::list(&["status"]);
const STATUSES: [&str; 3] = ["active", "inactive", "all"];

/// `status` defaults to `active`; `all` lifts the filter.
fn status(params: &Params) -> Result<Option<String>, Problem> {
    Ok(match params.one_of("status", &STATUSES)? {
        Some("all") => None,
        Some(s) => Some(s.to_owned()),
        None => Some("active".to_owned()),
    })
}

/// A query string cannot tell `10` from `"10"` or `true` from `"true"`: match either.
fn attribute_alternatives(key: &str, value: &str) -> Vec<Value> {
    let mut alternatives = vec![json!({ key: value })];
    if let Ok(v @ (Value::Number(_) | Value::Bool(_))) = serde_json::from_str::<Value>(value) {
        alternatives.push(json!({ key: v }));
    }
    alternatives
}

pub async fn of_organization(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::OrganizationId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ORGANIZATION)?;
    let id = id.to_string();
    let filter = MembershipFilter {
        status: status(&params)?,
        roles: params.all("role"),
        group_id: params
            .get("group_id")
            .map(|g| domain::GroupId::parse(g).map(|g| g.to_string()))
            .transpose()
            .map_err(|e| Problem::field("group_id", e.to_string()))?,
        user_id: params.get("user_id").map(str::to_owned),
        application_id: params.get("application_id").map(str::to_owned),
        attributes: params
            .attributes()
            .map(|(k, v)| attribute_alternatives(k, v))
            .collect(),
    };
    let scope = format!("memberships:{id}");
    let page = state.page(&params, &scope).await?;
    require(&state, &caller, &id).await?;
    state
        .list(
            memberships::of_organization(&state.pool, &id, &filter, &page).await,
            &scope,
        )
        .await
}

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::MembershipId>,
) -> Result<HttpResponse, Problem> {
    let id = id.to_string();
    super::history::one::<domain::membership::Membership, _>(
        &state,
        &caller,
        &req,
        &id,
        memberships::get(&state.pool, &id),
    )
    .await
}

/// The groups a membership belongs to.
pub async fn groups(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::MembershipId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &GROUPS)?;
    let id = id.to_string();
    let scope = format!("membership-groups:{id}");
    let page = state.page(&params, &scope).await?;
    exists(
        &caller,
        memberships::get(&state.pool, &id).await,
        "membership",
        &id,
    )?;
    state
        .list(groups::of_membership(&state.pool, &id, &page).await, &scope)
        .await
}

/// A user's memberships in every organization (an unknown user simply has none); for an
/// organization key, in its own.
pub async fn of_user(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(user): Id<domain::values::SubjectId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_USER)?;
    let status = status(&params)?;
    let scope = format!("user-memberships:{}", user.as_str());
    let page = state.page(&params, &scope).await?;
    let only = caller.organization.map(|o| o.to_string());
    state
        .list(
            memberships::of_user(
                &state.pool,
                user.as_str(),
                status.as_deref(),
                only.as_deref(),
                &page,
            )
            .await,
            &scope,
        )
        .await
}
