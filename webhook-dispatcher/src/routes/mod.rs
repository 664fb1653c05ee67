mod deliveries;
mod endpoints;

use actix_web::web;
use problem::{resource, Problem};
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

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(
        resource("/v1/webhook-endpoints")
            .post(endpoints::create)
            .get(endpoints::list),
    )
    .service(
        resource("/v1/webhook-endpoints/{id}")
            .get(endpoints::get)
            .patch(endpoints::update)
            .delete(endpoints::delete),
    )
    .service(resource("/v1/webhook-endpoints/{id}/secret").get(endpoints::secret))
    .service(resource("/v1/webhook-endpoints/{id}/rotate-secret").post(endpoints::rotate_secret))
    .service(resource("/v1/webhook-endpoints/{id}/enable").post(endpoints::enable))
    .service(resource("/v1/webhook-endpoints/{id}/disable").post(endpoints::disable))
    .service(resource("/v1/webhook-endpoints/{id}/deliveries").get(deliveries::of_endpoint))
    .service(resource("/v1/webhook-endpoints/{id}/recover").post(deliveries::recover))
    .service(resource("/v1/webhook-endpoints/{id}/replay").post(deliveries::replay))
    .service(resource("/v1/deliveries/{id}").get(deliveries::get))
    .service(resource("/v1/deliveries/{id}/retry").post(deliveries::retry));
}
