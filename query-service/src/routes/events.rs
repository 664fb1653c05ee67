//! The event log itself, for auditors: `GET /v1/events` (filtered pages), `/v1/events/{event_id}`
//! and `/v1/events/export` (the whole selection streamed as JSON Lines or CSV). Organization keys
//! see their organization's events only.

use access::Caller;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use domain::EventEnvelope;
use domain::OrganizationId;
use http_edge::path::Id;
use http_edge::Problem;
use paging::{Filter, List, ListMetadata, Params, Spec};
use store::log::{self as events, EventFilter};
use store::page::Order;

use crate::export::{self, Format};
use crate::filters::{AggregateId, EventTypes, Time};
use crate::QueryState;

/// The filters of the log, shared by its pages and its export.
const FILTERS: [Filter; 6] = [
    Filter::of::<OrganizationId>("organization_id"),
    Filter::of::<EventTypes>("types"),
    Filter::of::<AggregateId>("aggregate_id"),
    Filter::text("actor_id"),
    Filter::of::<Time>("range_start"),
    Filter::of::<Time>("range_end"),
];
pub const LIST: Spec = Spec::log(&FILTERS);
pub(super) const EXPORT: Spec = Spec::single_with(&[
    FILTERS[0],
    FILTERS[1],
    FILTERS[2],
    FILTERS[3],
    FILTERS[4],
    FILTERS[5],
    Filter::position("after"),
    Filter::one_of("format", &["jsonl", "csv"]),
]);

/// The filters of a log request (each checked by [`Params::parse`]), limited to the caller's
/// organization: an organization key asking for another organization gets a 404.
pub(crate) fn filter(params: &Params, caller: &Caller) -> Result<EventFilter, Problem> {
    let range_start = params.typed::<Time>("range_start").map(|t| t.0);
    let range_end = params.typed::<Time>("range_end").map(|t| t.0);
    if let (Some(start), Some(end)) = (range_start, range_end) {
        if end <= start {
            return Err(Problem::field("range_end", "must be after range_start"));
        }
    }
    let organization_id = params
        .typed::<OrganizationId>("organization_id")
        .map(|o| o.to_string());
    let organization_id = match (caller.organization, organization_id) {
        (Some(own), Some(asked)) if asked != own.to_string() => {
            return Err(crate::not_found("organization", &asked))
        }
        (Some(own), _) => Some(own.to_string()),
        (None, asked) => asked,
    };
    Ok(EventFilter {
        organization_id,
        types: params
            .typed::<EventTypes>("types")
            .map(|t| t.0.into_iter().map(str::to_owned).collect())
            .unwrap_or_default(),
        aggregate: params
            .typed::<AggregateId>("aggregate_id")
            .map(|AggregateId(kind, id)| (kind.to_owned(), id)),
        actor_id: params.get("actor_id").map(str::to_owned),
        range_start,
        range_end,
    })
}

/// A page of events in the read side's list format; the cursors are positions.
pub(crate) fn listed(rows: store::page::Page<store::FeedEvent>) -> List<EventEnvelope> {
    List::<EventEnvelope> {
        data: rows.rows.iter().map(store::FeedEvent::envelope).collect(),
        list_metadata: ListMetadata {
            before: rows.before,
            after: rows.after,
        },
    }
}

pub async fn list(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    Ok(HttpResponse::Ok().json(events_page(&state, &caller, &params).await?))
}

/// A page of the event log (`LIST`'s parameters and filters), newest first unless `order=asc`.
pub async fn events_page(
    state: &QueryState,
    caller: &Caller,
    params: &Params,
) -> Result<List<EventEnvelope>, Problem> {
    let filter = filter(params, caller)?;
    let request = params.log_page(Order::Desc)?;
    state.log_caught_up(params.min_position).await?;
    Ok(listed(events::list(&state.pool, &filter, &request).await?))
}

pub async fn get(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::EventId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::single())?;
    let id = id.to_string();
    state.log_caught_up(params.min_position).await?;
    events::by_id(&state.pool, &id)
        .await?
        .filter(|e| caller.reaches_text(e.organization_id.as_deref()))
        .map(|e| HttpResponse::Ok().json(e.envelope()))
        .ok_or_else(|| crate::not_found("event", &id))
}

/// Streams every event the filters select, up to the end of the log when the export starts,
/// without holding more than one batch.
pub async fn export(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &EXPORT)?;
    let filter = filter(&params, &caller)?;
    let wants_csv = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"));
    let format = match params.get("format") {
        Some("csv") => Format::Csv,
        Some(_) => Format::JsonLines,
        None if wants_csv => Format::Csv,
        None => Format::JsonLines,
    };
    let after = params
        .get("after")
        .and_then(|raw| raw.parse().ok())
        .unwrap_or(0);
    state.log_caught_up(params.min_position).await?;
    let up_to = events::readable_head(&state.pool).await?;
    let body = export::stream(state.pool.clone(), filter, after, up_to, format);
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .streaming(body))
}
