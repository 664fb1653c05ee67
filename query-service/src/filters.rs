//! The typed values of the read side's query filters that are not domain values: a time, a past
//! moment (`as_of`), the id of any object with a history, and a list of event types. Each has its
//! parser and its schema together, so the OpenAPI document states what the route accepts.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use http_edge::path::FromParam;
use paging::MAX_POSITION;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use store::log::AsOf;

/// An RFC 3339 time.
pub struct Time(pub DateTime<Utc>);

impl FromParam for Time {
    fn from_param(raw: &str) -> Result<Self, String> {
        DateTime::parse_from_rfc3339(raw)
            .map(|t| Self(t.with_timezone(&Utc)))
            .map_err(|_| "must be an RFC 3339 time, e.g. 2026-11-30T09:00:00Z".into())
    }
}

impl JsonSchema for Time {
    fn schema_name() -> Cow<'static, str> {
        "Time".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date-time"})
    }
}

/// `as_of`: a log position or an RFC 3339 time.
pub struct PastMoment(pub AsOf);

impl FromParam for PastMoment {
    fn from_param(raw: &str) -> Result<Self, String> {
        if let Ok(position) = raw.parse::<i64>() {
            return match position {
                0..=MAX_POSITION => Ok(Self(AsOf::Position(position))),
                _ => Err(format!("a position is an integer from 0 to {MAX_POSITION}")),
            };
        }
        Time::from_param(raw)
            .map(|t| Self(AsOf::Time(t.0)))
            .map_err(|_| "must be an RFC 3339 time (2026-11-30T09:00:00Z) or a log position".into())
    }
}

impl JsonSchema for PastMoment {
    fn schema_name() -> Cow<'static, str> {
        "PastMoment".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "A log position or an RFC 3339 time.",
            "anyOf": [
                {"type": "string", "format": "date-time"},
                {"type": "integer", "minimum": 0, "maximum": MAX_POSITION}
            ]
        })
    }
}

/// The id of an object with a history: `(aggregate type, normalised id)`.
pub struct AggregateId(pub &'static str, pub String);

/// The aggregates the Events API filters by, each once: its id type and its aggregate type.
macro_rules! aggregates {
    ($(($id:ty, $kind:literal)),* $(,)?) => {
        /// Their id prefixes, for the schema.
        const PREFIXES: &[&str] = &[$(<$id>::PREFIX),*];

        impl FromParam for AggregateId {
            fn from_param(raw: &str) -> Result<Self, String> {
                $(if let Ok(id) = <$id>::parse(raw) {
                    return Ok(Self($kind, id.to_string()));
                })*
                Err(
                    "must be the id of an organization, membership, group, invitation, API key \
                     or webhook endpoint (`org_…`, `om_…`, `grp_…`, `inv_…`, `key_…`, `we_…`)"
                        .into(),
                )
            }
        }
    };
}

aggregates!(
    (domain::OrganizationId, "organization"),
    (domain::MembershipId, "membership"),
    (domain::GroupId, "group"),
    (domain::InvitationId, "invitation"),
    (domain::ApiKeyId, "api_key"),
    (domain::WebhookEndpointId, "webhook_endpoint"),
);

impl JsonSchema for AggregateId {
    fn schema_name() -> Cow<'static, str> {
        "AggregateId".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let pattern = format!("^({})_{}$", PREFIXES.join("|"), domain::ids::ULID_PATTERN);
        json_schema!({"type": "string", "pattern": pattern})
    }
}

/// `types`: comma-separated event types and wildcards (spaces around each allowed), expanded to
/// the types they name.
pub struct EventTypes(pub Vec<&'static str>);

impl FromParam for EventTypes {
    fn from_param(raw: &str) -> Result<Self, String> {
        let mut types = Vec::new();
        for pattern in raw.split(',').map(|p| p.trim_matches(' ')) {
            types.extend(domain::catalogue::expand(pattern)?);
        }
        types.sort();
        types.dedup();
        Ok(Self(types))
    }
}

impl JsonSchema for EventTypes {
    fn schema_name() -> Cow<'static, str> {
        "EventTypes".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let one = format!("[ ]*{}[ ]*", domain::catalogue::selector_pattern());
        json_schema!({
            "type": "string",
            "pattern": format!("^{one}(,{one})*$"),
        })
    }
}
