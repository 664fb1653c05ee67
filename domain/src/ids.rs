//! Prefixed ULID identifiers (`org_01J…`). The prefix tells a reader, and the parser, what kind
//! of object an id names, so an id of the wrong kind is rejected at the edge.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use ulid::Ulid;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("expected an id starting with `{expected}_`")]
    WrongPrefix { expected: &'static str },
    #[error("the part after `{prefix}_` is not a valid ULID")]
    InvalidUlid { prefix: &'static str },
}

/// What a ULID is written as, in either case (the parser accepts both).
macro_rules! ulid_pattern {
    () => {
        "[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}"
    };
}

/// The JSON Schema pattern of a ULID (without anchors), for schemas of ids of several kinds.
pub const ULID_PATTERN: &str = ulid_pattern!();

/// Parses `<prefix>_<ULID>` and returns the ULID. ULIDs are case-insensitive; we normalise.
fn parse_prefixed(prefix: &'static str, s: &str) -> Result<Ulid, IdError> {
    let rest = s
        .strip_prefix(prefix)
        .and_then(|r| r.strip_prefix('_'))
        .ok_or(IdError::WrongPrefix { expected: prefix })?;
    Ulid::from_string(rest).map_err(|_| IdError::InvalidUlid { prefix })
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(Ulid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new id, unique and sortable by creation time.
            #[allow(clippy::new_without_default)]
            pub fn new() -> Self {
                Self(Ulid::new())
            }

            pub fn parse(s: &str) -> Result<Self, IdError> {
                parse_prefixed($prefix, s).map(Self)
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                schemars::json_schema!({
                    "type": "string",
                    "pattern": concat!("^", $prefix, "_", ulid_pattern!(), "$"),
                    "examples": [concat!($prefix, "_01JD8Z5V7Q4S2M9K3X6T1B0C8N")]
                })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, self.0)
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, IdError> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.to_string()
            }
        }
    };
}

prefixed_id!(
    /// An organization (`org_…`).
    OrganizationId,
    "org"
);
prefixed_id!(
    /// A membership of a user or application in an organization (`om_…`).
    MembershipId,
    "om"
);
prefixed_id!(
    /// A group of memberships within an organization (`grp_…`).
    GroupId,
    "grp"
);
prefixed_id!(
    /// An invitation to join an organization (`inv_…`).
    InvitationId,
    "inv"
);
prefixed_id!(
    /// The public id of one stored event (`evt_…`), stable across every delivery of it.
    EventId,
    "evt"
);

prefixed_id!(
    /// An API key (`key_…`): its id, never its secret.
    ApiKeyId,
    "key"
);

prefixed_id!(
    /// A webhook endpoint (`we_…`).
    WebhookEndpointId,
    "we"
);
prefixed_id!(
    /// One event's delivery to one webhook endpoint (`dlv_…`).
    DeliveryId,
    "dlv"
);
prefixed_id!(
    /// One attempt of a delivery (`att_…`).
    AttemptId,
    "att"
);
prefixed_id!(
    /// A replay job: a range of the log re-sent to a sink (`rpl_…`).
    ReplayId,
    "rpl"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_its_string_form() {
        let id = OrganizationId::new();
        let s = id.to_string();
        assert!(s.starts_with("org_") && s.len() == 30, "{s}");
        assert_eq!(OrganizationId::parse(&s), Ok(id));
        assert_eq!(OrganizationId::parse(&s.to_lowercase()), Ok(id));
        let we = WebhookEndpointId::new();
        assert_eq!(
            WebhookEndpointId::parse(&we.to_string().to_lowercase()),
            Ok(we)
        );
        assert_eq!(
            DeliveryId::parse(&DeliveryId::new().to_string().to_lowercase())
                .unwrap()
                .to_string()
                .len(),
            30
        );
    }

    #[test]
    fn rejects_ids_of_another_kind_or_malformed() {
        let evt = EventId::new().to_string();
        assert_eq!(
            OrganizationId::parse(&evt),
            Err(IdError::WrongPrefix { expected: "org" })
        );
        assert_eq!(
            OrganizationId::parse("org_nope"),
            Err(IdError::InvalidUlid { prefix: "org" })
        );
        assert!(OrganizationId::parse("org").is_err());
        assert!(serde_json::from_str::<OrganizationId>("\"grp_01J\"").is_err());
    }
}
