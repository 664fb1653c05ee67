//! Time travel: each object's history (`GET /v1/{kind}/{id}/history`, its events in version
//! order) and the object as it was (`?as_of=<time or position>` on the single-object reads),
//! rebuilt from its events with the aggregate's own `apply`, so objects deleted since are found.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use cqrs_es::Aggregate;
use domain::group::Group;
use domain::invitation::Invitation;
use domain::membership::Membership;
use domain::organization::Organization;
use domain::EventEnvelope;
use http_edge::path::Id;
use http_edge::Problem;
use paging::{Filter, List, Params, Spec};
use read_models::memberships::MembershipRow;
use serde::Serialize;
use serde_json::Value;
use store::log::{self as events, AsOf, EventFilter};
use store::page::Order;

use crate::filters::PastMoment;
use crate::QueryState;

/// The single-object reads: `as_of` besides `min_position`.
pub const AT: Spec = Spec::single_with(&[AS_OF]);
/// `as_of`: the object as it was at a position or a time.
pub const AS_OF: Filter = Filter::of::<PastMoment>("as_of");
pub const HISTORY: Spec = Spec::log(&[]);

/// `as_of`, when given (checked by [`Params::parse`]).
pub fn as_of(params: &Params) -> Option<AsOf> {
    params.typed::<PastMoment>("as_of").map(|moment| moment.0)
}

/// An aggregate whose past the API shows: the object it was then (`None` if deleted by then),
/// in the shape of the current read.
pub trait Past: Aggregate {
    /// The `object` field of the read.
    const OBJECT: &'static str;
    fn then(&self) -> Option<Value>;
}

fn shown<T: Serialize>(data: Option<&T>) -> Option<Value> {
    data.and_then(|d| serde_json::to_value(d).ok())
}

impl Past for Organization {
    const OBJECT: &'static str = "organization";
    fn then(&self) -> Option<Value> {
        // An organization being deleted still existed.
        shown(self.state.as_ref().filter(|_| !self.deleted))
    }
}

impl Past for Membership {
    const OBJECT: &'static str = "organization_membership";
    fn then(&self) -> Option<Value> {
        shown(self.current())
    }
}

impl Past for Group {
    const OBJECT: &'static str = "group";
    fn then(&self) -> Option<Value> {
        shown(self.current())
    }
}

impl Past for Invitation {
    const OBJECT: &'static str = "invitation";
    fn then(&self) -> Option<Value> {
        shown(self.state.as_ref())
    }
}

/// One object by id, the one way every single-object read answers: as it was at `?as_of=`
/// (rebuilt from its history), or as the read model has it now (`now`, run only once
/// `?min_position=` is passed).
pub(super) async fn one<A: Past, T: crate::Owned + Serialize>(
    state: &QueryState,
    caller: &Caller,
    req: &HttpRequest,
    id: &str,
    now: impl std::future::Future<Output = Result<Option<T>, store::StoreError>>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(req, &AT)?;
    state.caught_up(params.min_position).await?;
    if let Some(t) = as_of(&params) {
        return Ok(HttpResponse::Ok().json(past::<A>(state, caller, id, t).await?));
    }
    crate::found(caller, now.await?, A::TYPE, id)
}

/// The object `id` as it was at `at`, in the shape `T` of its current read.
pub async fn as_of_typed<A: Past, T: serde::de::DeserializeOwned>(
    state: &QueryState,
    caller: &Caller,
    id: &str,
    at: AsOf,
) -> Result<T, Problem> {
    serde_json::from_value(past::<A>(state, caller, id, at).await?).map_err(|e| {
        tracing::error!(error = %e, id, "an object rebuilt from its events does not read back");
        Problem::internal()
    })
}

/// The object `id` as it was at `at`, if the caller reaches its organization: 404 before it was
/// created, after it was deleted, or outside the caller's organization.
pub(crate) async fn past<A: Past>(
    state: &QueryState,
    caller: &Caller,
    id: &str,
    at: AsOf,
) -> Result<Value, Problem> {
    let gone = || {
        Problem::not_found(format!(
            "there was no {} {id} at {}",
            A::TYPE,
            match at {
                AsOf::Position(p) => format!("position {p}"),
                AsOf::Time(t) => t.to_rfc3339(),
            }
        ))
    };
    let (aggregate, past) = events::state_at::<A>(&state.pool, id, at)
        .await?
        .ok_or_else(gone)?;
    let organization = past.last().and_then(|e| e.organization_id.as_deref());
    if !caller.reaches_text(organization) {
        return Err(crate::not_found(A::TYPE, id));
    }
    let mut object = aggregate.then().ok_or_else(gone)?;
    object = domain::envelope::public_data(object);
    if let Some(map) = object.as_object_mut() {
        map.insert("object".into(), A::OBJECT.into());
        map.insert("managed_by".into(), read_models::managed_by(&past).into());
    }
    Ok(object)
}

/// A group's members as they were at `at` (each membership as it was then too), paged like the
/// live list; 404 if the group did not exist then or is another organization's.
pub(super) async fn members_at(
    state: &QueryState,
    caller: &Caller,
    id: &str,
    at: AsOf,
    page: &store::page::PageRequest,
    scope: &str,
) -> Result<HttpResponse, Problem> {
    let rows = group_members_at(state, caller, id, at, page).await?;
    state.list(Ok(rows), scope).await
}

/// The rows of [`members_at`].
pub(crate) async fn group_members_at(
    state: &QueryState,
    caller: &Caller,
    id: &str,
    at: AsOf,
    page: &store::page::PageRequest,
) -> Result<store::page::Page<MembershipRow>, Problem> {
    let gone = || Problem::not_found(format!("there was no group {id} then"));
    let organization = events::organization_of(&state.pool, "group", id)
        .await?
        .ok_or_else(gone)?;
    if !caller.reaches_text(organization.as_deref()) {
        return Err(crate::not_found("group", id));
    }
    let members = events::group_members_at(&state.pool, id, at, page)
        .await?
        .ok_or_else(gone)?;
    Ok(membership_rows(members))
}

/// Memberships rebuilt at a past moment, as rows of the live list.
pub(crate) fn membership_rows(
    members: store::page::Page<(domain::membership::MembershipData, Option<String>)>,
) -> store::page::Page<MembershipRow> {
    store::page::Page {
        rows: members
            .rows
            .into_iter()
            .filter_map(|(m, managed_by)| {
                let mut object = serde_json::to_value(m).ok()?;
                let map = object.as_object_mut()?;
                map.insert("object".into(), Membership::OBJECT.into());
                map.insert("managed_by".into(), managed_by.into());
                serde_json::from_value(object).ok()
            })
            .collect(),
        before: members.before,
        after: members.after,
    }
}

/// An organization's members as they were at `at` (`status` then; `None`: any), paged like the
/// live list; 404 if the organization did not exist then or is another one's.
pub(crate) async fn organization_members_at(
    state: &QueryState,
    caller: &Caller,
    id: &str,
    at: AsOf,
    status: Option<&str>,
    page: &store::page::PageRequest,
) -> Result<store::page::Page<MembershipRow>, Problem> {
    past::<Organization>(state, caller, id, at).await?;
    let members = events::organization_members_at(&state.pool, id, at, status, page).await?;
    Ok(membership_rows(members))
}

/// The events of one object in version order (oldest first unless `order=desc`).
pub(super) async fn history(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    kind: &'static str,
    id: String,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(history_page(state, caller, params, kind, id).await?))
}

/// A page of one object's events (`HISTORY`'s parameters); `kind` is its aggregate type.
pub async fn history_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
    kind: &'static str,
    id: String,
) -> Result<List<EventEnvelope>, Problem> {
    let page = params.log_page(Order::Asc)?;
    state.log_caught_up(params.min_position).await?;
    let organization = events::organization_of(&state.pool, kind, &id)
        .await?
        .filter(|org| caller.reaches_text(org.as_deref()))
        .ok_or_else(|| crate::not_found(kind, &id))?;
    let filter = EventFilter {
        organization_id: organization,
        aggregate: Some((kind.to_owned(), id)),
        ..Default::default()
    };
    Ok(super::events::listed(
        events::list(&state.pool, &filter, &page).await?,
    ))
}

macro_rules! history_route {
    ($name:ident, $kind:literal, $id:ty) => {
        pub async fn $name(
            state: web::Data<QueryState>,
            caller: Caller,
            req: HttpRequest,
            Id(id): Id<$id>,
        ) -> Result<HttpResponse, Problem> {
            let params = Params::parse(&req, &HISTORY)?;
            history(&state, &caller, &params, $kind, id.to_string()).await
        }
    };
}

history_route!(of_organization, "organization", domain::OrganizationId);
history_route!(of_membership, "membership", domain::MembershipId);
history_route!(of_group, "group", domain::GroupId);
history_route!(of_invitation, "invitation", domain::InvitationId);
