//! Deliveries and their attempts; manual retry, recover and replay.

use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::DeliveryId;
use paging::{Params, Spec};
use problem::{Body, Fields, Problem};
use serde::{Deserialize, Serialize};
use store::webhooks::{self, AttemptRow, DeliveryRow, NewDelivery, Subscription};
use store::Feed;

use super::endpoints::{accepted, load};
use super::{delivery_id, endpoint_id};
use crate::{filter, WebhookState};

pub(super) const OF_ENDPOINT: Spec = Spec::list(&["status"]);
const STATUSES: [&str; 3] = ["pending", "succeeded", "failed"];

pub async fn of_endpoint(
    state: web::Data<WebhookState>,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ENDPOINT)?;
    let id = endpoint_id(&path)?;
    let status = params.one_of("status", &STATUSES)?;
    let scope = format!("deliveries:{id}");
    let page = state.cursors.page(&params, &scope).await?;
    load(&state, &caller, &id).await?;
    let rows = webhooks::list_deliveries(&state.pool, &id.to_string(), status, &page).await?;
    state.cursors.list(rows, &scope).await
}

/// The delivery with its attempts, if the caller reaches its endpoint (else 404).
async fn with_attempts(
    state: &WebhookState,
    caller: &Caller,
    id: &DeliveryId,
) -> Result<HttpResponse, Problem> {
    let id = id.to_string();
    let delivery = webhooks::get_delivery(&state.pool, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    reach(state, caller, &delivery.endpoint_id, &id).await?;
    let attempts_log = webhooks::attempts(&state.pool, &id).await?;
    Ok(HttpResponse::Ok().json(WithAttempts {
        delivery,
        attempts_log,
    }))
}

/// A delivery with every attempt made at it.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "DeliveryWithAttempts")]
pub(crate) struct WithAttempts {
    #[serde(flatten)]
    delivery: DeliveryRow,
    attempts_log: Vec<AttemptRow>,
}

fn not_found(id: &str) -> Problem {
    Problem::not_found(format!("there is no delivery {id}"))
}

/// 404 for delivery `id` unless the caller reaches its endpoint.
async fn reach(
    state: &WebhookState,
    caller: &Caller,
    endpoint_id: &str,
    id: &str,
) -> Result<(), Problem> {
    let endpoint = endpoint_id.parse().map_err(|_| not_found(id))?;
    load(state, caller, &endpoint)
        .await
        .map(drop)
        .map_err(|_| not_found(id))
}

pub async fn get(
    state: web::Data<WebhookState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    with_attempts(&state, &caller, &delivery_id(&path)?).await
}

/// Sends the delivery again now, with a fresh retry schedule.
pub async fn retry(
    state: web::Data<WebhookState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = delivery_id(&path)?;
    let delivery = webhooks::get_delivery(&state.pool, &id.to_string())
        .await?
        .ok_or_else(|| not_found(&id.to_string()))?;
    reach(&state, &caller, &delivery.endpoint_id, &id.to_string()).await?;
    webhooks::requeue(&state.pool, &id.to_string())
        .await?
        .ok_or_else(|| not_found(&id.to_string()))?;
    with_attempts(&state, &caller, &id).await
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookRecover")]
#[serde(deny_unknown_fields)]
pub struct RecoverBody {
    #[schemars(with = "chrono::DateTime<chrono::Utc>")]
    since: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookReplay")]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    #[schemars(range(min = 1))]
    from_position: i64,
    /// Up to the end of the log when left out.
    #[schemars(range(min = 1))]
    to_position: Option<i64>,
}

fn position(n: i64) -> Result<i64, &'static str> {
    if n >= 1 {
        Ok(n)
    } else {
        Err("must be a position (an integer ≥ 1)")
    }
}

/// Requeues the endpoint's failed deliveries created since a time.
pub async fn recover(
    state: web::Data<WebhookState>,
    caller: Caller,
    path: web::Path<String>,
    Body(input): Body<RecoverBody>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let since = DateTime::parse_from_rfc3339(&input.since)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Problem::field("since", "must be an RFC 3339 time"))?;
    load(&state, &caller, &id).await?;
    let n = webhooks::recover(&state.pool, &id.to_string(), since).await?;
    Ok(accepted("webhook_recovery", n))
}

/// Queues the events of a position range again for this endpoint (its filters apply).
pub async fn replay(
    state: web::Data<WebhookState>,
    caller: Caller,
    path: web::Path<String>,
    Body(input): Body<ReplayBody>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    let mut fields = Fields::default();
    let from = fields.check("from_position", position(input.from_position));
    let to = input
        .to_position
        .and_then(|to| fields.check("to_position", position(to)));
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            fields.fail("to_position", "must not be below from_position");
        }
    }
    let from = fields.done(from)?;
    let endpoint = load(&state, &caller, &id).await?;
    let feed = Feed::new(state.pool.clone());
    let to = match to {
        Some(to) => to,
        None => feed.head().await?,
    };
    let subscription = Subscription {
        id: endpoint.id.clone(),
        since_position: 0,
        event_types: endpoint.event_types,
        organization_id: endpoint.organization_id,
    };
    let events = feed.read_range(from - 1, to).await?;
    let deliveries: Vec<NewDelivery> = events
        .iter()
        .filter(|e| filter::matches(&subscription, &e.event_type, e.organization_id.as_deref()))
        .map(|e| NewDelivery {
            id: domain::DeliveryId::new().to_string(),
            endpoint_id: endpoint.id.clone(),
            event_id: e.event_id(),
            position: e.position,
            event_type: e.event_type.clone(),
        })
        .collect();
    let mut conn = state
        .pool
        .acquire()
        .await
        .map_err(store::StoreError::from)?;
    let n = webhooks::insert_deliveries(&mut conn, &deliveries).await?;
    Ok(accepted("webhook_replay", n))
}
