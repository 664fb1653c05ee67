//! Event schema evolution: stored events are never rewritten; an event stored in an older shape
//! is brought to the current one whenever it is read (cqrs-es's `EventUpcaster`), by the command
//! side when it loads an aggregate and by the feed for every consumer, the Events API and the
//! event tools. `docs/events.md` lists each type's versions.
//!
//! Upcasters are pure and total: a payload they cannot make sense of is left as it is, and then
//! fails to deserialise where it is used (`roster events verify` reports it).

use std::collections::BTreeSet;
use std::sync::OnceLock;

use cqrs_es::persist::{EventUpcaster, SerializedEvent};
use serde_json::Value;

/// The current version of `membership.updated` (2 added `roles_added` and `roles_removed`).
pub const MEMBERSHIP_UPDATED_VERSION: &str = "2";

/// Brings one type's events below version `to` to version `to` (versions are whole numbers).
struct Upcaster {
    event_type: &'static str,
    to: &'static str,
    f: fn(Value) -> Value,
}

impl EventUpcaster for Upcaster {
    fn can_upcast(&self, event_type: &str, event_version: &str) -> bool {
        let number = |v: &str| v.split('.').next().and_then(|m| m.parse::<u32>().ok());
        event_type == self.event_type
            && matches!((number(event_version), number(self.to)), (Some(v), Some(to)) if v < to)
    }

    fn upcast(&self, event: SerializedEvent) -> SerializedEvent {
        SerializedEvent {
            event_version: self.to.to_owned(),
            payload: (self.f)(event.payload),
            ..event
        }
    }
}

/// Every upcaster, in the order they apply: the one list both read paths use.
fn all() -> Vec<Upcaster> {
    vec![Upcaster {
        event_type: "membership.updated",
        to: MEMBERSHIP_UPDATED_VERSION,
        f: membership_updated_v2,
    }]
}

fn upcasters() -> &'static [Upcaster] {
    static ALL: OnceLock<Vec<Upcaster>> = OnceLock::new();
    ALL.get_or_init(all)
}

/// The upcasters for cqrs-es's `PersistedEventStore::with_upcasters` (the command side).
pub fn boxed() -> Vec<Box<dyn EventUpcaster>> {
    all()
        .into_iter()
        .map(|u| Box::new(u) as Box<dyn EventUpcaster>)
        .collect()
}

/// `event` in its type's current shape (unchanged if it already is).
pub fn upcast(mut event: SerializedEvent) -> SerializedEvent {
    for upcaster in upcasters() {
        if upcaster.can_upcast(&event.event_type, &event.event_version) {
            event = upcaster.upcast(event);
        }
    }
    event
}

/// The stored payload (`{"type", "data"}`) of `event_type` at `version`, in the current shape,
/// and the version it now has.
pub fn payload(event_type: &str, version: &str, payload: Value) -> (String, Value) {
    // The feed reads every event through here: most need nothing, and cost nothing.
    if !upcasters()
        .iter()
        .any(|u| u.can_upcast(event_type, version))
    {
        return (version.to_owned(), payload);
    }
    let event = upcast(SerializedEvent::new(
        String::new(),
        0,
        String::new(),
        event_type.to_owned(),
        version.to_owned(),
        payload,
        Value::Null,
    ));
    (event.event_version, event.payload)
}

/// Version 1 → 2: `roles_added` and `roles_removed` from the role sets the event already holds
/// (`previous_attributes.roles` is there only when the roles changed).
fn membership_updated_v2(mut payload: Value) -> Value {
    let Some(data) = payload.get_mut("data").and_then(Value::as_object_mut) else {
        return payload;
    };
    let set = |v: Option<&Value>| -> BTreeSet<String> {
        v.and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default()
    };
    let now = set(data.get("roles"));
    let (added, removed) = match data.get("previous_attributes").and_then(|p| p.get("roles")) {
        Some(old) => {
            let old = set(Some(old));
            (
                now.difference(&old).cloned().collect::<Vec<_>>(),
                old.difference(&now).cloned().collect::<Vec<_>>(),
            )
        }
        None => Default::default(),
    };
    data.insert("roles_added".into(), added.into());
    data.insert("roles_removed".into(), removed.into());
    payload
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::membership::MembershipEvent;
    use serde_json::json;

    fn v1() -> Value {
        json!({"type": "membership.updated", "data": {
            "id": "om_01JD8Z6A2B3C4D5E6F7G8H9J0K",
            "organization_id": "org_01JD8Z5V7Q4S2M9K3X6T1B0C8N",
            "user_id": "user_1", "application_id": null, "status": "active",
            "roles": ["admin", "member"], "attributes": {},
            "created_at": "2026-11-23T10:00:00Z", "updated_at": "2026-11-24T10:00:00Z",
            "previous_attributes": {"roles": ["billing", "member"]}
        }})
    }

    #[test]
    fn a_version_1_update_gets_the_roles_it_added_and_removed() {
        let (version, payload) = payload("membership.updated", "1", v1());
        assert_eq!(version, "2");
        assert_eq!(payload["data"]["roles_added"], json!(["admin"]));
        assert_eq!(payload["data"]["roles_removed"], json!(["billing"]));
        let event: MembershipEvent = serde_json::from_value(payload).unwrap();
        let MembershipEvent::Updated(u) = event else {
            panic!("not an update")
        };
        assert_eq!(u.roles_added.len(), 1);
    }

    #[test]
    fn a_version_1_update_does_not_load_without_its_upcaster() {
        assert!(serde_json::from_value::<MembershipEvent>(v1()).is_err());
    }

    #[test]
    fn an_attributes_only_update_added_and_removed_no_role() {
        let mut old = v1();
        old["data"]["previous_attributes"] = json!({"attributes": {"a": 1}});
        let (_, payload) = payload("membership.updated", "1", old);
        assert_eq!(payload["data"]["roles_added"], json!([]));
        assert_eq!(payload["data"]["roles_removed"], json!([]));
    }

    #[test]
    fn current_events_and_other_types_are_left_alone() {
        let (version, p) = payload("membership.updated", "2", json!({"x": 1}));
        assert_eq!((version.as_str(), p), ("2", json!({"x": 1})));
        let (version, p) = payload("membership.created", "1", json!({"x": 1}));
        assert_eq!((version.as_str(), p), ("1", json!({"x": 1})));
    }
}
