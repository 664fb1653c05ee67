//! Deliveries and their attempts; manual retry, recover and replay.

use crate::queue::{self as webhooks, AttemptRow, DeliveryRow};
use access::Caller;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use domain::DeliveryId;
use http_edge::path::Id;
use http_edge::{Body, Fields, Problem};
use paging::{Filter, List, Params, Spec};
use serde::{Deserialize, Serialize};
use store::replays::{self, NewReplay};

use super::endpoints::{accepted, load};
use crate::WebhookState;

pub const OF_ENDPOINT: Spec = Spec::list(&[Filter::one_of(
    "status",
    &["pending", "succeeded", "failed"],
)]);

pub async fn of_endpoint(
    state: web::Data<WebhookState>,
    caller: Caller,
    req: HttpRequest,
    Id(id): Id<domain::WebhookEndpointId>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &OF_ENDPOINT)?;
    Ok(HttpResponse::Ok().json(deliveries_page(&state, &caller, &params, &id).await?))
}

/// A page of an endpoint's deliveries (`OF_ENDPOINT`'s parameters), newest first.
pub async fn deliveries_page(
    state: &WebhookState,
    caller: &Caller,
    params: &Params,
    id: &domain::WebhookEndpointId,
) -> Result<List<DeliveryRow>, Problem> {
    let status = params.get("status");
    let scope = format!("deliveries:{id}");
    let page = state.cursors.page(params, &scope).await?;
    load(state, caller, id).await?;
    let rows = webhooks::list_deliveries(&state.pool, &id.to_string(), status, &page).await?;
    state.cursors.listed(rows, &scope).await
}

/// The delivery with its attempts, if the caller reaches its endpoint (else 404).
pub async fn with_attempts(
    state: &WebhookState,
    caller: &Caller,
    id: &DeliveryId,
) -> Result<WithAttempts, Problem> {
    let id = id.to_string();
    let delivery = webhooks::get_delivery(&state.pool, &id)
        .await?
        .ok_or_else(|| not_found(&id))?;
    reach(state, caller, &delivery.endpoint_id, &id).await?;
    let attempts_log = webhooks::attempts(&state.pool, &id).await?;
    Ok(WithAttempts {
        delivery,
        attempts_log,
    })
}

/// A delivery with every attempt made at it.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(rename = "DeliveryWithAttempts")]
pub struct WithAttempts {
    #[serde(flatten)]
    pub delivery: DeliveryRow,
    pub attempts_log: Vec<AttemptRow>,
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
    Id(id): Id<domain::DeliveryId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(with_attempts(&state, &caller, &id).await?))
}

/// Sends the delivery again now, with a fresh retry schedule.
pub async fn retry(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::DeliveryId>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Ok().json(retry_delivery(&state, &caller, &id).await?))
}

/// Sends the delivery again now, with a fresh retry schedule.
pub async fn retry_delivery(
    state: &WebhookState,
    caller: &Caller,
    id: &DeliveryId,
) -> Result<WithAttempts, Problem> {
    let delivery = webhooks::get_delivery(&state.pool, &id.to_string())
        .await?
        .ok_or_else(|| not_found(&id.to_string()))?;
    reach(state, caller, &delivery.endpoint_id, &id.to_string()).await?;
    webhooks::requeue(&state.pool, &id.to_string())
        .await?
        .ok_or_else(|| not_found(&id.to_string()))?;
    with_attempts(state, caller, id).await
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookRecover")]
#[serde(deny_unknown_fields)]
pub struct RecoverBody {
    #[schemars(with = "chrono::DateTime<chrono::Utc>")]
    pub since: String,
}

#[derive(Debug, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "WebhookReplay")]
#[serde(deny_unknown_fields)]
pub struct ReplayBody {
    #[schemars(range(min = 1))]
    pub from_position: i64,
    /// Up to the end of the log when left out.
    #[schemars(range(min = 1))]
    pub to_position: Option<i64>,
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
    Id(id): Id<domain::WebhookEndpointId>,
    Body(input): Body<RecoverBody>,
) -> Result<HttpResponse, Problem> {
    let n = recover_since(&state, &caller, &id, input).await?;
    Ok(accepted("webhook_recovery", n))
}

/// Requeues the endpoint's failed deliveries created since `input.since`: how many.
pub async fn recover_since(
    state: &WebhookState,
    caller: &Caller,
    id: &domain::WebhookEndpointId,
    input: RecoverBody,
) -> Result<u64, Problem> {
    let since = DateTime::parse_from_rfc3339(&input.since)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| Problem::field("since", "must be an RFC 3339 time"))?;
    load(state, caller, id).await?;
    Ok(webhooks::recover(&state.pool, &id.to_string(), since).await?)
}

/// Makes a replay job for the events of a position range (the endpoint's filters apply); the
/// dispatcher's replay worker carries it out from its checkpoint (`GET /v1/replays/{id}`).
pub async fn replay(
    state: web::Data<WebhookState>,
    caller: Caller,
    Id(id): Id<domain::WebhookEndpointId>,
    Body(input): Body<ReplayBody>,
) -> Result<HttpResponse, Problem> {
    Ok(HttpResponse::Accepted().json(replay_range(&state, &caller, &id, input).await?))
}

/// Makes the replay job of a position range for the endpoint.
pub async fn replay_range(
    state: &WebhookState,
    caller: &Caller,
    id: &domain::WebhookEndpointId,
    input: ReplayBody,
) -> Result<replays::Replay, Problem> {
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
    let endpoint = load(state, caller, id).await?;
    Ok(replays::create(
        &state.pool,
        &NewReplay {
            sink: "webhook".into(),
            target: endpoint.id,
            runner: "dispatcher".into(),
            from_position: from,
            to_position: to,
            organization_id: endpoint.organization_id,
            event_types: Vec::new(),
        },
    )
    .await?)
}

/// The endpoint's attempts over the last `window`, in `buckets` equal slices: successes and
/// failures in each (for a chart).
pub async fn outcomes(
    state: &WebhookState,
    caller: &Caller,
    id: &domain::WebhookEndpointId,
    window: std::time::Duration,
    buckets: u32,
) -> Result<Vec<webhooks::Outcomes>, Problem> {
    load(state, caller, id).await?;
    Ok(webhooks::outcomes(&state.pool, &id.to_string(), window, buckets).await?)
}
