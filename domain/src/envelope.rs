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

/// Who asked, and why: stored in every event's metadata. `limited_to` is what the caller reaches
/// (an organization key: that organization only); the application layer checks it.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub actor: Actor,
    pub request_id: String,
    pub limited_to: Option<crate::OrganizationId>,
    /// The declarative document a change carries out (`roster apply`), if any.
    pub document: Option<DocumentRef>,
}

/// A declarative document, as its changes record it: which file (its SHA-256) and who manages
/// what it creates (its `source`, shown as `managed_by`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentRef {
    pub sha256: String,
    pub source: String,
}

impl RequestContext {
    /// A change roster makes on its own (sweeper, process manager, dispatcher).
    pub fn system(component: &str) -> Self {
        Self {
            actor: Actor::system(),
            request_id: format!("{component}_{}", ulid::Ulid::new()),
            limited_to: None,
            document: None,
        }
    }

    /// What every event written for this request carries in its metadata.
    pub fn metadata(&self) -> serde_json::Map<String, serde_json::Value> {
        let mut m = serde_json::Map::new();
        m.insert("actor_type".into(), self.actor.kind.clone().into());
        m.insert("request_id".into(), self.request_id.clone().into());
        if let Some(id) = &self.actor.id {
            m.insert("actor_id".into(), id.clone().into());
        }
        if let Some(document) = &self.document {
            m.insert("document_sha256".into(), document.sha256.clone().into());
            m.insert("managed_by".into(), document.source.clone().into());
        }
        m
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

/// One event as webhooks, Kafka and the Events API carry it (docs/events.md). Its schema, with
/// `data` typed per event type, is in `catalogue`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
