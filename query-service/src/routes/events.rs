//! The event log itself, for auditors: `GET /v1/events` (filtered pages), `/v1/events/{event_id}`
//! and `/v1/events/export` (the whole selection streamed as JSON Lines or CSV). Organization keys
//! see their organization's events only.

use access::Caller;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::EventEnvelope;
use http_edge::path::Id;
use http_edge::{Fields, Problem};
use paging::{List, ListMetadata, Params, Spec};
use store::log::{self as events, EventFilter};
use store::page::Order;

use crate::export::{self, Format};
use crate::QueryState;

pub(super) const LIST: Spec = Spec::log(&[
    "organization_id",
    "types",
    "aggregate_id",
    "actor_id",
    "range_start",
    "range_end",
]);
pub(super) const EXPORT: Spec = Spec::single_with(&[
    "organization_id",
    "types",
    "aggregate_id",
    "actor_id",
    "range_start",
    "range_end",
    "after",
    "format",
]);

/// The aggregate an id names, by its prefix: `(aggregate type, normalised id)`.
fn aggregate_of(raw: &str) -> Result<(&'static str, String), String> {
    macro_rules! try_id {
        ($ty:ty, $kind:literal) => {
            if let Ok(id) = <$ty>::parse(raw) {
                return Ok(($kind, id.to_string()));
            }
        };
    }
    try_id!(domain::OrganizationId, "organization");
    try_id!(domain::MembershipId, "membership");
    try_id!(domain::GroupId, "group");
    try_id!(domain::InvitationId, "invitation");
    try_id!(domain::ApiKeyId, "api_key");
    try_id!(domain::WebhookEndpointId, "webhook_endpoint");
    Err(
        "must be the id of an organization, membership, group, invitation, API key or \
         webhook endpoint (`org_…`, `om_…`, `grp_…`, `inv_…`, `key_…`, `we_…`)"
            .into(),
    )
}

fn time(raw: &str) -> Result<DateTime<Utc>, &'static str> {
    DateTime::parse_from_rfc3339(raw)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| "must be an RFC 3339 time, e.g. 2026-11-30T09:00:00Z")
}

/// The filters of a log request, checked together (every bad one named), and limited to the
/// caller's organization: an organization key asking for another organization gets a 404.
pub(crate) fn filter(params: &Params, caller: &Caller) -> Result<EventFilter, Problem> {
    let mut fields = Fields::default();
    let organization_id = params.get("organization_id").and_then(|raw| {
        fields.check(
            "organization_id",
            domain::OrganizationId::parse(raw).map(|o| o.to_string()),
        )
    });
    let mut types = Vec::new();
    if let Some(raw) = params.get("types") {
        for pattern in raw.split(',').map(str::trim) {
            if let Some(found) = fields.check("types", domain::catalogue::expand(pattern)) {
                types.extend(found.into_iter().map(str::to_owned));
            }
        }
        types.sort();
        types.dedup();
    }
    let aggregate = params
        .get("aggregate_id")
        .and_then(|raw| fields.check("aggregate_id", aggregate_of(raw)))
        .map(|(kind, id)| (kind.to_owned(), id));
    let range_start = params
        .get("range_start")
        .and_then(|raw| fields.check("range_start", time(raw)));
    let range_end = params
        .get("range_end")
        .and_then(|raw| fields.check("range_end", time(raw)));
    if let (Some(start), Some(end)) = (range_start, range_end) {
        if end <= start {
            fields.fail("range_end", "must be after range_start");
        }
    }
    fields.finish()?;
    let organization_id = match (caller.organization, organization_id) {
        (Some(own), Some(asked)) if asked != own.to_string() => {
            return Err(crate::not_found("organization", &asked))
        }
        (Some(own), _) => Some(own.to_string()),
        (None, asked) => asked,
    };
    Ok(EventFilter {
        organization_id,
        types,
        aggregate,
        actor_id: params.get("actor_id").map(str::to_owned),
        range_start,
        range_end,
    })
}

/// A page of events in the read side's list format; the cursors are positions.
pub(crate) fn page(rows: store::page::Page<store::FeedEvent>) -> HttpResponse {
    HttpResponse::Ok().json(List::<EventEnvelope> {
        data: rows.rows.iter().map(store::FeedEvent::envelope).collect(),
        list_metadata: ListMetadata {
            before: rows.before,
            after: rows.after,
        },
    })
}

pub async fn list(
    state: web::Data<QueryState>,
    caller: Caller,
    req: HttpRequest,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &LIST)?;
    let filter = filter(&params, &caller)?;
    let request = params.log_page(Order::Desc)?;
    state.log_caught_up(params.min_position).await?;
    Ok(page(events::list(&state.pool, &filter, &request).await?))
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
    let format = match params.one_of("format", &["jsonl", "csv"])? {
        Some("csv") => Format::Csv,
        Some(_) => Format::JsonLines,
        None if wants_csv => Format::Csv,
        None => Format::JsonLines,
    };
    let after = match params.get("after") {
        Some(raw) => raw.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            Problem::field("after", "must be a position (a non-negative integer)")
        })?,
        None => 0,
    };
    state.log_caught_up(params.min_position).await?;
    let up_to = events::readable_head(&state.pool).await?;
    let body = export::stream(state.pool.clone(), filter, after, up_to, format);
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .streaming(body))
}
