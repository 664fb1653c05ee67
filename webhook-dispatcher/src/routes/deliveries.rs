//! Deliveries and their attempts; manual retry, recover and replay.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use paging::{failed, Params, Spec};
use problem::{Body, Problem};
use serde_json::{json, Value};
use store::webhooks::{self, NewDelivery, Subscription};
use store::Feed;

use super::endpoints::{accepted, load};
use super::{delivery_id, endpoint_id};
use crate::{filter, WebhookState};

const STATUSES: [&str; 3] = ["pending", "succeeded", "failed"];

pub async fn of_endpoint(
    state: web::Data<WebhookState>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let params = Params::parse(&req, &Spec::list(&["status"]))?;
    let id = endpoint_id(&path)?;
    let status = params.one_of("status", &STATUSES)?;
    let scope = format!("deliveries:{id}");
    let page = state.cursors.page(&params, &scope).await?;
    load(&state, &id).await?;
    let rows = webhooks::list_deliveries(&state.pool, &id, status, &page)
        .await
        .map_err(failed)?;
    state.cursors.list(rows, &scope).await
}

async fn with_attempts(state: &WebhookState, id: &str) -> Result<HttpResponse, Problem> {
    let delivery = webhooks::get_delivery(&state.pool, id)
        .await
        .map_err(failed)?
        .ok_or_else(|| Problem::not_found(format!("there is no delivery {id}")))?;
    let attempts = webhooks::attempts(&state.pool, id).await.map_err(failed)?;
    let mut body = serde_json::to_value(delivery).map_err(|_| Problem::internal())?;
    body["attempts_log"] = json!(attempts);
    Ok(HttpResponse::Ok().json(body))
}

pub async fn get(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = delivery_id(&path)?;
    with_attempts(&state, &id).await
}

/// Sends the delivery again now, with a fresh retry schedule.
pub async fn retry(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
) -> Result<HttpResponse, Problem> {
    let id = delivery_id(&path)?;
    webhooks::requeue(&state.pool, &id)
        .await
        .map_err(failed)?
        .ok_or_else(|| Problem::not_found(format!("there is no delivery {id}")))?;
    with_attempts(&state, &id).await
}

fn body_object(body: &Value, known: &[&str]) -> Result<(), Problem> {
    let map = body
        .as_object()
        .ok_or_else(|| Problem::malformed("the body must be a JSON object"))?;
    if let Some(unknown) = map.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(Problem::field(unknown, "unknown field"));
    }
    Ok(())
}

/// Requeues the endpoint's failed deliveries created since a time.
pub async fn recover(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
    Body(body): Body<Value>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    body_object(&body, &["since"])?;
    let since = body
        .get("since")
        .and_then(Value::as_str)
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| Problem::field("since", "required: an RFC 3339 time"))?;
    load(&state, &id).await?;
    let n = webhooks::recover(&state.pool, &id, since)
        .await
        .map_err(failed)?;
    Ok(accepted("webhook_recovery", n))
}

/// Queues the events of a position range again for this endpoint (its filters apply).
pub async fn replay(
    state: web::Data<WebhookState>,
    path: web::Path<String>,
    Body(body): Body<Value>,
) -> Result<HttpResponse, Problem> {
    let id = endpoint_id(&path)?;
    body_object(&body, &["from_position", "to_position"])?;
    let position = |field: &str, required: bool| match body.get(field) {
        None | Some(Value::Null) if !required => Ok(None),
        Some(v) => match v.as_i64() {
            Some(n) if n >= 1 => Ok(Some(n)),
            _ => Err(Problem::field(field, "must be a position (an integer ≥ 1)")),
        },
        None => Err(Problem::field(field, "required")),
    };
    let from = position("from_position", true)?.unwrap_or(1);
    let to = position("to_position", false)?;
    if to.is_some_and(|to| to < from) {
        return Err(Problem::field(
            "to_position",
            "must not be below from_position",
        ));
    }
    let endpoint = load(&state, &id).await?;
    let feed = Feed::new(state.pool.clone());
    let to = match to {
        Some(to) => to,
        None => feed.head().await.map_err(failed)?,
    };
    let subscription = Subscription {
        id: endpoint.id.clone(),
        since_position: 0,
        event_types: endpoint.event_types,
        organization_id: endpoint.organization_id,
    };
    let events = feed.read_range(from - 1, to).await.map_err(failed)?;
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
    let mut conn = state.pool.acquire().await.map_err(|e| failed(e.into()))?;
    let n = webhooks::insert_deliveries(&mut conn, &deliveries)
        .await
        .map_err(failed)?;
    Ok(accepted("webhook_replay", n))
}
