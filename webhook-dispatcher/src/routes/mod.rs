mod deliveries;
mod endpoints;

use actix_web::web;
use problem::{method_not_allowed, Problem};
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
    let na = || web::to(method_not_allowed);
    cfg.service(
        web::resource("/v1/webhook-endpoints")
            .post(endpoints::create)
            .get(endpoints::list)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}")
            .get(endpoints::get)
            .patch(endpoints::update)
            .delete(endpoints::delete)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/secret")
            .get(endpoints::secret)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/rotate-secret")
            .post(endpoints::rotate_secret)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/enable")
            .post(endpoints::enable)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/disable")
            .post(endpoints::disable)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/deliveries")
            .get(deliveries::of_endpoint)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/recover")
            .post(deliveries::recover)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/webhook-endpoints/{id}/replay")
            .post(deliveries::replay)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/deliveries/{id}")
            .get(deliveries::get)
            .default_service(na()),
    )
    .service(
        web::resource("/v1/deliveries/{id}/retry")
            .post(deliveries::retry)
            .default_service(na()),
    );
}
