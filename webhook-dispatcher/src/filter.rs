//! Which events an endpoint receives: event types (exact, or `family.*`) and one organization.

use crate::queue::Subscription;

/// Checks a filter entry: a known event type, `family.*` of a known family, or `*` — the
/// catalogue's rule, as the Events API applies it.
pub fn validate(pattern: &str) -> Result<(), String> {
    domain::catalogue::expand(pattern).map(|_| ())
}

fn type_matches(pattern: &str, event_type: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    match pattern.strip_suffix(".*") {
        Some(family) => event_type.split_once('.').is_some_and(|(f, _)| f == family),
        None => pattern == event_type,
    }
}

/// Whether the subscription wants an event of this type and organization.
pub fn matches(s: &Subscription, event_type: &str, organization_id: Option<&str>) -> bool {
    let type_ok =
        s.event_types.is_empty() || s.event_types.iter().any(|p| type_matches(p, event_type));
    let org_ok = s
        .organization_id
        .as_deref()
        .is_none_or(|org| organization_id == Some(org));
    type_ok && org_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sub(types: &[&str], org: Option<&str>) -> Subscription {
        Subscription {
            id: "we_1".into(),
            since_position: 0,
            event_types: types.iter().map(|t| t.to_string()).collect(),
            organization_id: org.map(str::to_owned),
            updated_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn wildcards_match_a_family_only() {
        let s = sub(&["group.*"], None);
        assert!(matches(&s, "group.member_added", None));
        assert!(!matches(&s, "organization.created", None));
        assert!(!matches(&s, "groupie.created", None));
        assert!(matches(&sub(&[], None), "anything.at_all", None));
        assert!(matches(
            &sub(&["membership.created"], None),
            "membership.created",
            None
        ));
        assert!(!matches(
            &sub(&["membership.created"], None),
            "membership.updated",
            None
        ));
    }

    #[test]
    fn an_organization_filter_needs_that_organization() {
        let s = sub(&[], Some("org_a"));
        assert!(matches(&s, "group.created", Some("org_a")));
        assert!(!matches(&s, "group.created", Some("org_b")));
        assert!(!matches(&s, "group.created", None));
    }

    #[test]
    fn only_known_types_and_families_validate() {
        assert!(validate("group.*").is_ok());
        assert!(validate("invitation.accepted").is_ok());
        assert!(validate("webhook_endpoint.disabled").is_ok());
        assert!(validate("group.exploded").is_err());
        assert!(validate("users.*").is_err());
        assert!(validate("gro*").is_err());
        // `*` is every event, as in the Events API.
        assert!(validate("*").is_ok());
        assert!(matches(&sub(&["*"], None), "group.created", None));
    }
}
