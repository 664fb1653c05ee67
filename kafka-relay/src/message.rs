//! One event as one Kafka message: the CloudEvents Kafka protocol binding in binary mode
//! (attributes as `ce_` headers, the envelope as the value).

use chrono::SecondsFormat;
use store::FeedEvent;

/// A message ready to produce.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    pub position: i64,
    /// The organization id: one organization's events share a partition, so they keep their
    /// order. Events of no organization (API keys) use their aggregate id.
    pub key: String,
    /// The public envelope as JSON (the same document webhooks deliver).
    pub value: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
}

impl Message {
    /// The headers as the producer takes them.
    pub fn kafka_headers(&self) -> rdkafka::message::OwnedHeaders {
        self.headers.iter().fold(
            rdkafka::message::OwnedHeaders::new_with_capacity(self.headers.len()),
            |headers, (key, value)| {
                headers.insert(rdkafka::message::Header {
                    key,
                    value: Some(value.as_bytes()),
                })
            },
        )
    }
}

/// The CloudEvents version of the headers.
pub const SPEC_VERSION: &str = "1.0";

/// `event` as a message whose CloudEvents `source` is `source`.
pub fn message(event: &FeedEvent, source: &str) -> Result<Message, serde_json::Error> {
    let envelope = event.envelope();
    let value = serde_json::to_vec(&envelope)?;
    let headers = vec![
        ("ce_specversion", SPEC_VERSION.to_owned()),
        ("ce_id", envelope.id.clone()),
        ("ce_type", envelope.event_type.clone()),
        ("ce_source", source.to_owned()),
        (
            "ce_time",
            envelope
                .occurred_at
                .to_rfc3339_opts(SecondsFormat::Millis, true),
        ),
        ("ce_subject", envelope.aggregate.id.clone()),
        // An extension attribute: the event's position in the log (order and deduplication).
        ("ce_rosterposition", envelope.position.to_string()),
        ("content-type", "application/json".to_owned()),
    ];
    Ok(Message {
        position: event.position,
        key: event
            .organization_id
            .clone()
            .unwrap_or_else(|| event.aggregate_id.clone()),
        value,
        headers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(organization: Option<&str>) -> FeedEvent {
        FeedEvent {
            position: 42,
            aggregate_type: "group".into(),
            aggregate_id: "grp_01JD8Z5V7Q4S2M9K3X6T1B0C8N".into(),
            sequence: 3,
            event_type: "group.member_added".into(),
            event_version: "1".into(),
            organization_id: organization.map(str::to_owned),
            payload: json!({"type": "group.member_added", "data": {"group_id": "grp_1"}}),
            metadata: json!({"event_id": "evt_01JD8Z5V7Q4S2M9K3X6T1B0C8N",
                             "actor_type": "api_key", "actor_id": "key_1"}),
            recorded_at: "2026-11-23T10:00:00.123Z".parse().unwrap(),
        }
    }

    #[test]
    fn headers_follow_the_cloudevents_binary_mode() {
        let m = message(&event(Some("org_1")), "roster").unwrap();
        let header = |name: &str| {
            m.headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(header("ce_specversion"), Some("1.0"));
        assert_eq!(header("ce_id"), Some("evt_01JD8Z5V7Q4S2M9K3X6T1B0C8N"));
        assert_eq!(header("ce_type"), Some("group.member_added"));
        assert_eq!(header("ce_source"), Some("roster"));
        assert_eq!(header("ce_time"), Some("2026-11-23T10:00:00.123Z"));
        assert_eq!(header("ce_subject"), Some("grp_01JD8Z5V7Q4S2M9K3X6T1B0C8N"));
        assert_eq!(header("ce_rosterposition"), Some("42"));
        assert_eq!(header("content-type"), Some("application/json"));
        let value: serde_json::Value = serde_json::from_slice(&m.value).unwrap();
        assert_eq!(value["id"], "evt_01JD8Z5V7Q4S2M9K3X6T1B0C8N");
        assert_eq!(value["position"], 42);
        assert_eq!(value["aggregate"]["version"], 3);
        assert_eq!(value["actor"], json!({"type": "api_key", "id": "key_1"}));
    }

    #[test]
    fn the_key_is_the_organization_else_the_aggregate() {
        assert_eq!(message(&event(Some("org_1")), "r").unwrap().key, "org_1");
        assert_eq!(
            message(&event(None), "r").unwrap().key,
            "grp_01JD8Z5V7Q4S2M9K3X6T1B0C8N"
        );
    }
}
