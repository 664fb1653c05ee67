mod deliveries;
mod endpoints;

use problem::endpoints::{self as e, Endpoint};
use problem::Problem;
use serde_json::Value;

/// An endpoint id from the path, parsed by the domain's one id parser (ULIDs in any case,
/// normalised): 400 naming `id` when malformed or of another kind.
pub(crate) fn endpoint_id(raw: &str) -> Result<domain::WebhookEndpointId, Problem> {
    raw.parse()
        .map_err(|e: domain::IdError| Problem::field("id", e.to_string()))
}

pub(crate) fn delivery_id(raw: &str) -> Result<domain::DeliveryId, Problem> {
    raw.parse()
        .map_err(|e: domain::IdError| Problem::field("id", e.to_string()))
}

/// `{"object": what, ...fields}`.
pub(crate) fn object(what: &str, mut fields: Value) -> Value {
    if let Some(map) = fields.as_object_mut() {
        map.insert("object".into(), what.into());
    }
    fields
}

/// Every webhook route.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/webhook-endpoints", endpoints::create),
        e::get("/v1/webhook-endpoints", endpoints::list),
        e::get("/v1/webhook-endpoints/{id}", endpoints::get),
        e::patch("/v1/webhook-endpoints/{id}", endpoints::update),
        e::delete("/v1/webhook-endpoints/{id}", endpoints::delete),
        e::get("/v1/webhook-endpoints/{id}/secret", endpoints::secret),
        e::post(
            "/v1/webhook-endpoints/{id}/rotate-secret",
            endpoints::rotate_secret,
        ),
        e::post("/v1/webhook-endpoints/{id}/enable", endpoints::enable),
        e::post("/v1/webhook-endpoints/{id}/disable", endpoints::disable),
        e::get(
            "/v1/webhook-endpoints/{id}/deliveries",
            deliveries::of_endpoint,
        ),
        e::post("/v1/webhook-endpoints/{id}/recover", deliveries::recover),
        e::post("/v1/webhook-endpoints/{id}/replay", deliveries::replay),
        e::get("/v1/deliveries/{id}", deliveries::get),
        e::post("/v1/deliveries/{id}/retry", deliveries::retry),
    ]
}
