pub(crate) mod deliveries;
pub(crate) mod endpoints;

use crate::queue::{DeliveryRow, EndpointRow};
use http_edge::endpoints::{self as e, Endpoint};
use paging::List;

/// Every webhook route.
pub fn endpoints() -> Vec<Endpoint> {
    vec![
        e::post("/v1/webhook-endpoints", endpoints::create)
            .summary("Subscribe an HTTPS endpoint to events")
            .describe(
                "`event_types` are exact names or `group.*` wildcards (all when left out); \
                 `organization_id` limits it to one organization (an organization key may only \
                 create its own). The URL must not resolve to a private address.",
            )
            .body::<endpoints::CreateBody>()
            .answers::<EndpointRow>(201, "Created"),
        e::get("/v1/webhook-endpoints", endpoints::list)
            .summary("List webhook endpoints")
            .query(endpoints::LIST.params())
            .answers::<List<EndpointRow>>(200, "A page of endpoints"),
        e::get("/v1/webhook-endpoints/{id}", endpoints::get)
            .summary("Get a webhook endpoint")
            .answers::<EndpointRow>(200, "The endpoint"),
        e::patch("/v1/webhook-endpoints/{id}", endpoints::update)
            .summary("Update a webhook endpoint")
            .body::<endpoints::UpdateBody>()
            .answers::<EndpointRow>(200, "Updated"),
        e::delete("/v1/webhook-endpoints/{id}", endpoints::delete)
            .summary("Delete a webhook endpoint and its queue")
            .answers::<EndpointRow>(200, "Deleted"),
        e::get("/v1/webhook-endpoints/{id}/secret", endpoints::secret)
            .summary("Get the endpoint's signing secret(s)")
            .answers::<endpoints::SecretView>(200, "The secret"),
        e::post(
            "/v1/webhook-endpoints/{id}/rotate-secret",
            endpoints::rotate_secret,
        )
        .summary("Rotate the signing secret (the old one keeps signing for 24 h)")
        .optional_body::<endpoints::RotateBody>()
        .answers::<endpoints::SecretView>(200, "The new secret, and the previous one"),
        e::post("/v1/webhook-endpoints/{id}/enable", endpoints::enable)
            .summary("Enable a webhook endpoint")
            .answers::<EndpointRow>(200, "Enabled"),
        e::post("/v1/webhook-endpoints/{id}/disable", endpoints::disable)
            .summary("Disable a webhook endpoint (its deliveries wait)")
            .answers::<EndpointRow>(200, "Disabled"),
        e::get(
            "/v1/webhook-endpoints/{id}/deliveries",
            deliveries::of_endpoint,
        )
        .summary("List an endpoint's deliveries")
        .describe("`status` is one of `pending`, `succeeded`, `failed`.")
        .query(deliveries::OF_ENDPOINT.params())
        .answers::<List<DeliveryRow>>(200, "A page of deliveries"),
        e::post("/v1/webhook-endpoints/{id}/recover", deliveries::recover)
            .summary("Send the failed deliveries since a time again")
            .body::<deliveries::RecoverBody>()
            .answers::<endpoints::Queued>(202, "Queued"),
        e::post("/v1/webhook-endpoints/{id}/replay", deliveries::replay)
            .summary("Send the events of a position range again (the endpoint's filters apply)")
            .describe(
                "Makes a replay job, which the dispatcher carries out from its checkpoint (after \
                 a restart too); follow it at `GET /v1/replays/{id}`. Replayed deliveries ride \
                 in their own lane: live deliveries to the endpoint go first.",
            )
            .body::<deliveries::ReplayBody>()
            .answers::<store::replays::Replay>(202, "The replay job"),
        e::get("/v1/deliveries/{id}", deliveries::get)
            .summary("Get a delivery with its attempts")
            .answers::<deliveries::WithAttempts>(200, "The delivery"),
        e::post("/v1/deliveries/{id}/retry", deliveries::retry)
            .summary("Send a delivery again now, with a fresh retry schedule")
            .answers::<deliveries::WithAttempts>(200, "Requeued"),
    ]
}
