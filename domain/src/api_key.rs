//! API keys in the log: `api_key.created` and `api_key.revoked`. Keys are access configuration,
//! not part of the identity model, so they are no aggregate (like webhook endpoints); their
//! changes are logged so that the audit trail says who could act, since when. The secret and its
//! hash never appear in an event.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::ids::{ApiKeyId, OrganizationId};

pub const CREATED: &str = "api_key.created";
pub const REVOKED: &str = "api_key.revoked";

/// The stream type of a key's events.
pub const AGGREGATE_TYPE: &str = "api_key";

/// Every key starts with this; what follows is 256 random bits, base64url.
pub const SECRET_PREFIX: &str = "rk_live_";

/// A key as the API and the log show it: never its secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiKeyData {
    pub id: ApiKeyId,
    /// What the key is for, as its creator named it.
    pub name: String,
    /// Set for an organization key: it reaches that organization's objects only.
    pub organization_id: Option<OrganizationId>,
    /// A read-only key may not run commands.
    pub read_only: bool,
    /// After this the key no longer authenticates.
    pub expires_at: Option<DateTime<Utc>>,
    /// The first characters of the secret, to tell keys apart (`rk_live_AbCd`).
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A key's events, each carrying the key as it is after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum ApiKeyEvent {
    #[serde(rename = "api_key.created")]
    Created(ApiKeyData),
    #[serde(rename = "api_key.revoked")]
    Revoked(ApiKeyData),
}

impl ApiKeyEvent {
    pub fn key(&self) -> &ApiKeyData {
        match self {
            Self::Created(k) | Self::Revoked(k) => k,
        }
    }
}

impl cqrs_es::DomainEvent for ApiKeyEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => CREATED,
            Self::Revoked(_) => REVOKED,
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

/// Keys take no claims: a key's id is its own.
impl crate::Claims for ApiKeyEvent {}

/// How long a key's name may be.
pub const NAME_MAX_CHARS: usize = 200;
