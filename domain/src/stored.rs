//! What a stored event must be for the current code to load it: used by `roster events verify`
//! to find events that would fail a consumer, a rebuild or a command before they do.

use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;

use crate::api_key::ApiKeyData;
use crate::group::GroupEvent;
use crate::invitation::InvitationEvent;
use crate::membership::MembershipEvent;
use crate::organization::OrganizationEvent;
use crate::role_template::RoleTemplateEvent;
use crate::webhook_endpoint::EndpointDisabled;

/// The aggregate types whose events belong to an organization (its id is on every event).
pub const ORGANIZATION_SCOPED: [&str; 4] = ["organization", "membership", "group", "invitation"];

/// `{"type", "data"}` of the logs that are no aggregate of their own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Logged<T> {
    #[serde(rename = "type")]
    _type: String,
    #[serde(rename = "data")]
    _data: T,
}

fn parses<T: DeserializeOwned>(payload: &Value) -> Result<(), String> {
    T::deserialize(payload)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Whether `payload` (already upcast) is an event of `event_type` the current code reads as
/// an event of `aggregate_type`: `Err` says why not.
pub fn check(aggregate_type: &str, event_type: &str, payload: &Value) -> Result<(), String> {
    if !crate::catalogue::event_types().contains(&event_type) {
        return Err(format!(
            "`{event_type}` is not an event type of this version"
        ));
    }
    match payload.get("type").and_then(Value::as_str) {
        Some(t) if t == event_type => {}
        other => {
            return Err(format!(
                "the payload says it is {other:?}, the row says `{event_type}`"
            ))
        }
    }
    match aggregate_type {
        "organization" => parses::<OrganizationEvent>(payload),
        "membership" => parses::<MembershipEvent>(payload),
        "group" => parses::<GroupEvent>(payload),
        "invitation" => parses::<InvitationEvent>(payload),
        "role_template" => parses::<RoleTemplateEvent>(payload),
        crate::api_key::AGGREGATE_TYPE => parses::<Logged<ApiKeyData>>(payload),
        "webhook_endpoint" => parses::<Logged<EndpointDisabled>>(payload),
        other => Err(format!(
            "`{other}` is not an aggregate type of this version"
        )),
    }
    .map_err(|e| format!("does not deserialise: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_catalogue_example_passes_and_tampering_fails() {
        for doc in crate::catalogue::events() {
            let payload = json!({"type": doc.event_type, "data": doc.example["data"]});
            let kind = doc.example["aggregate"]["type"].as_str().unwrap();
            // Invitations keep their token's hash in the store (the example omits it).
            let mut payload = payload;
            if kind == "invitation" {
                payload["data"]["accept_token_sha256"] = json!("0".repeat(64));
            }
            assert_eq!(
                check(kind, doc.event_type, &payload),
                Ok(()),
                "{}",
                doc.event_type
            );
        }
        let bad = json!({"type": "group.created", "data": {"id": 3}});
        assert!(check("group", "group.created", &bad).is_err());
        let mislabelled = json!({"type": "group.deleted", "data": {}});
        assert!(check("group", "group.created", &mislabelled)
            .unwrap_err()
            .contains("says"));
        assert!(check("nope", "group.created", &json!({"type": "group.created"})).is_err());
    }
}
