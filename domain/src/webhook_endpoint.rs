//! The one event about webhook endpoints in the log: the dispatcher disabling an endpoint by
//! itself. Endpoints are delivery configuration, not part of the identity model, so they are no
//! aggregate; this event is logged so that every consumer (other endpoints, Kafka, audit) learns
//! that someone stopped receiving events.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const ENDPOINT_DISABLED: &str = "webhook_endpoint.disabled";

/// The stream type of an endpoint's events.
pub const AGGREGATE_TYPE: &str = "webhook_endpoint";

/// Why the dispatcher disabled an endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisabledReason {
    /// The receiver answered `410 Gone`.
    Gone,
    /// Every attempt failed for the whole failure window (5 days by default).
    Failing,
}

impl DisabledReason {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gone => "gone",
            Self::Failing => "failing",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EndpointDisabled {
    /// The endpoint (`we_…`).
    pub id: String,
    pub url: String,
    /// Set when the endpoint receives one organization's events only.
    pub organization_id: Option<String>,
    pub reason: DisabledReason,
    pub disabled_at: DateTime<Utc>,
}

/// The endpoint events of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum WebhookEndpointEvent {
    #[serde(rename = "webhook_endpoint.disabled")]
    Disabled(EndpointDisabled),
}

impl cqrs_es::DomainEvent for WebhookEndpointEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Disabled(_) => ENDPOINT_DISABLED,
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Endpoints take no claims.
impl crate::Claims for WebhookEndpointEvent {}
