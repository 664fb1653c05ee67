//! Making and revoking keys, for the HTTP routes and `roster keys` alike.

use chrono::{DateTime, Utc};
use domain::api_key::{ApiKeyData, NAME_MAX_CHARS};
use domain::RequestContext;
use domain::{claims, ApiKeyId, OrganizationId};
use sqlx::PgPool;
use store::StoreError;

use crate::secret;

/// What a new key is to be.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub name: String,
    pub organization_id: Option<OrganizationId>,
    pub read_only: bool,
    pub expires_at: Option<DateTime<Utc>>,
}

/// Why a key cannot be made as asked; each names the input at fault.
#[derive(Debug, thiserror::Error)]
pub enum Invalid {
    #[error("name: 1–{NAME_MAX_CHARS} characters, no control characters")]
    Name,
    #[error("organization_id: organization {0} does not exist")]
    NoSuchOrganization(OrganizationId),
    #[error("expires_at: must be in the future")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Invalid {
    /// The input at fault, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Name => Some("name"),
            Self::NoSuchOrganization(_) => Some("organization_id"),
            Self::Expired => Some("expires_at"),
            Self::Store(_) => None,
        }
    }
}

/// Makes a key; its secret is in the answer and nowhere else.
pub async fn create(
    pool: &PgPool,
    new: NewKey,
    ctx: &RequestContext,
) -> Result<(ApiKeyData, String), Invalid> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > NAME_MAX_CHARS || domain::values::has_control(name)
    {
        return Err(Invalid::Name);
    }
    let now = Utc::now();
    if new.expires_at.is_some_and(|at| at <= now) {
        return Err(Invalid::Expired);
    }
    if let Some(org) = &new.organization_id {
        let alive = store::claims::owner(pool, &claims::organization_alive(org)).await?;
        if alive.is_none() {
            return Err(Invalid::NoSuchOrganization(*org));
        }
    }
    let secret = secret::generate();
    let key = ApiKeyData {
        id: ApiKeyId::new(),
        name: name.to_owned(),
        organization_id: new.organization_id,
        read_only: new.read_only,
        expires_at: new.expires_at,
        prefix: secret::shown(&secret),
        created_at: now,
        revoked_at: None,
    };
    crate::persistence::create(pool, &key, &secret::hash(&secret), ctx).await?;
    Ok((key, secret))
}

/// Revokes a key (at once, in every process); `None` when there is no such key.
pub async fn revoke(
    pool: &PgPool,
    id: &ApiKeyId,
    ctx: &RequestContext,
) -> Result<Option<ApiKeyData>, StoreError> {
    crate::persistence::revoke(pool, id, ctx).await
}
