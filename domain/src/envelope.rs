//! The public event envelope: the one JSON shape that webhooks, Kafka and the Events API carry.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who caused a change. Stored in every event's metadata.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Actor {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: Option<String>,
}

impl Actor {
    /// Changes made by roster itself (sweepers, cascades).
    pub fn system() -> Self {
        Self {
            kind: "system".into(),
            id: None,
        }
    }

    /// An unauthenticated caller; replaced by API keys when they exist.
    pub fn anonymous() -> Self {
        Self {
            kind: "anonymous".into(),
            id: None,
        }
    }
}

/// The object an event changed: its stream and its version after the event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct AggregateRef {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
    pub version: u64,
}

/// One event as webhooks, Kafka and the Events API carry it (docs/events.md).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[schemars(rename = "Event")]
pub struct EventEnvelope {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    pub position: i64,
    pub occurred_at: DateTime<Utc>,
    pub organization_id: Option<String>,
    pub aggregate: AggregateRef,
    pub actor: Actor,
    pub data: serde_json::Value,
}

/// The event's `data` as consumers may see it: without the fields that stay in the store
/// (an invitation's token hash).
pub fn public_data(mut data: serde_json::Value) -> serde_json::Value {
    if let Some(map) = data.as_object_mut() {
        for field in crate::invitation::PRIVATE_FIELDS {
            map.remove(*field);
        }
    }
    data
}
