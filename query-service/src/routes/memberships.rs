//! `GET /v1/organizations/{id}/memberships`, `/v1/memberships/{id}[/groups]`,
//! `/v1/users/{user_id}/memberships`.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use http_edge::path::Id;
use http_edge::Problem;
use read_models::groups;
use read_models::memberships::{self, MembershipFilter, MembershipRow, RoleSource};
use serde_json::{json, Value};

use super::organizations::require;
use crate::{exists, QueryState};
use domain::values::{RoleSlug, SubjectId};
use domain::GroupId;
use paging::{Filter, List, Params, Spec};

pub const OF_ORGANIZATION: Spec = Spec {
    list: true,
    filters: &[
        STATUS,
        ROLE_SOURCE,
        SOURCE,
        Filter::of::<GroupId>("group_id"),
        Filter::of::<SubjectId>("user_id"),
        Filter::of::<SubjectId>("application_id"),
        super::history::AS_OF,
    ],
    repeatable: &[Filter::of::<RoleSlug>("role")],
    attributes: true,
    ..Spec::list(&[])
};
pub(super) const GROUPS: Spec = Spec::list(&[]);
pub(super) const OF_USER: Spec = Spec::list(&[STATUS]);
const STATUS: Filter = Filter::one_of("status", &["active", "inactive", "all"]);
/// How the members joined.
const SOURCE: Filter = Filter::one_of("source", &["api", "invitation", "domain", "apply", "bulk"]);
/// Which roles `role` matches: `effective` (default: the member's own and its groups') or `direct`.
const ROLE_SOURCE: Filter = Filter::one_of("role_source", &["effective", "direct"]);

/// `status` defaults to `active`; `all` lifts the filter.
fn status(params: &Params) -> Option<String> {
    match params.get("status") {
        Some("all") => None,
        Some(s) => Some(s.to_owned()),
        None => Some("active".to_owned()),
    }
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
    Ok(HttpResponse::Ok().json(memberships_page(&state, &caller, &params, &id).await?))
}

/// A page of an organization's memberships (`OF_ORGANIZATION`'s parameters and filters).
pub async fn memberships_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &domain::OrganizationId,
) -> Result<List<MembershipRow>, Problem> {
    let id = id.to_string();
    if let Some(at) = super::history::as_of(params) {
        return members_as_of(state, caller, params, &id, at).await;
    }
    let filter = MembershipFilter {
        status: status(params),
        roles: params.all("role"),
        role_source: match params.get("role_source") {
            Some("direct") => RoleSource::Direct,
            _ => RoleSource::Effective,
        },
        group_id: params.typed::<GroupId>("group_id").map(|g| g.to_string()),
        source: params.get("source").map(str::to_owned),
        user_id: params.typed::<SubjectId>("user_id").map(String::from),
        application_id: params
            .typed::<SubjectId>("application_id")
            .map(String::from),
        attributes: params
            .attributes()
            .map(|(k, v)| attribute_alternatives(k, v))
            .collect(),
    };
    let scope = format!("memberships:{id}");
    let page = state.page(params, &scope).await?;
    require(state, caller, &id).await?;
    state
        .listed(
            memberships::of_organization(&state.pool, &id, &filter, &page).await,
            &scope,
        )
        .await
}

/// The organization's members as they were at `at`: only `status` filters them (the other
/// filters read the live read model).
async fn members_as_of(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    id: &str,
    at: store::log::AsOf,
) -> Result<List<MembershipRow>, Problem> {
    let live_only = [
        "role",
        "role_source",
        "source",
        "group_id",
        "user_id",
        "application_id",
    ];
    let named = live_only
        .iter()
        .find(|f| params.get(f).is_some())
        .copied()
        .or_else(|| params.attributes().next().map(|_| "attr.*"));
    if let Some(field) = named {
        return Err(Problem::field(
            field,
            "cannot be combined with as_of (only status can)",
        ));
    }
    let scope = format!("memberships:{id}");
    let page = state.page(params, &scope).await?;
    let rows = super::history::organization_members_at(
        state,
        caller,
        id,
        at,
        status(params).as_deref(),
        &page,
    )
    .await?;
    state.listed(Ok(rows), &scope).await
}

/// The membership as it is now, once `min_position` is applied; 404 outside the caller's reach.
pub async fn membership(
    state: &QueryState,
    caller: &Caller,
    min_position: Option<i64>,
    id: &domain::MembershipId,
) -> Result<MembershipRow, Problem> {
    state.caught_up(min_position).await?;
    let id = id.to_string();
    exists(
        caller,
        memberships::get(&state.pool, &id).await,
        "membership",
        &id,
    )
}

/// The groups of each of `memberships` (all of one page, which the caller was allowed to read),
/// by membership id.
pub async fn groups_of_memberships(
    state: &QueryState,
    memberships: &[MembershipRow],
) -> Result<std::collections::HashMap<String, Vec<groups::GroupBadge>>, Problem> {
    let ids: Vec<String> = memberships.iter().map(|m| m.id.clone()).collect();
    Ok(groups::of_memberships(&state.pool, &ids).await?)
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
    let status = status(&params);
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
