//! The `console_sessions` table (migration 0019): a key exchanged for a session, looked up by the
//! SHA-256 of the cookie's secret. Whether a session holds is decided on every request from its
//! row and its key's row, so revoking a key ends its sessions at once, in every process.

use std::time::Duration;

use access::Caller;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use domain::{ApiKeyId, OrganizationId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use sqlx::PgPool;
use store::StoreError;
use subtle::ConstantTimeEq;

/// Characters of a session secret: 32 random bytes in unpadded base64url.
const SECRET_CHARS: usize = 43;

/// How long sessions last.
#[derive(Debug, Clone, Copy)]
pub struct Lifetimes {
    /// Without a request, a session ends after this long.
    pub idle: Duration,
    /// However active, a session ends this long after sign-in.
    pub absolute: Duration,
}

/// A session's secret, as the cookie carries it.
pub struct Secret(String);

impl Secret {
    pub fn generate() -> Self {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        Self(URL_SAFE_NO_PAD.encode(bytes))
    }

    /// The cookie's value, if it has the shape of a secret (checked before any lookup).
    pub fn from_cookie(value: &str) -> Option<Self> {
        let well_formed = value.len() == SECRET_CHARS
            && value
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        well_formed.then(|| Self(value.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn hash(&self) -> Vec<u8> {
        Sha256::digest(self.0.as_bytes()).to_vec()
    }

    /// The session's CSRF token: derived from the secret, so nothing more is stored, and useless
    /// without the cookie it was derived from.
    pub fn csrf_token(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"roster console csrf\0");
        hasher.update(self.0.as_bytes());
        URL_SAFE_NO_PAD.encode(hasher.finalize())
    }

    /// Whether `token` is this session's CSRF token (compared in constant time).
    pub fn csrf_matches(&self, token: &str) -> bool {
        self.csrf_token().as_bytes().ct_eq(token.as_bytes()).into()
    }
}

/// A session that holds: who is signed in.
#[derive(Debug, Clone)]
pub struct Session {
    pub caller: Caller,
    /// The key's name, shown in the header.
    pub key_name: String,
}

/// Why there is no session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// No cookie, or one no session has.
    Unknown,
    Idle,
    MaxAge,
    KeyRevoked,
    KeyExpired,
}

impl Ended {
    /// What the sign-in page says (`None`: nothing to say).
    pub fn message(self) -> Option<&'static str> {
        match self {
            Ended::Unknown => None,
            Ended::Idle => {
                Some("Your session ended after a while without activity. Sign in again.")
            }
            Ended::MaxAge => Some("Your session reached its maximum length. Sign in again."),
            Ended::KeyRevoked => Some("The API key of your session was revoked."),
            Ended::KeyExpired => Some("The API key of your session has expired."),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Ended::Unknown => "signed-out",
            Ended::Idle => "idle",
            Ended::MaxAge => "max-age",
            Ended::KeyRevoked => "revoked",
            Ended::KeyExpired => "expired",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            Ended::Unknown,
            Ended::Idle,
            Ended::MaxAge,
            Ended::KeyRevoked,
            Ended::KeyExpired,
        ]
        .into_iter()
        .find(|e| e.code() == code)
    }
}

/// Starts a session for `key` and ends every session past its lifetime (so the table only holds
/// live ones, without a sweeper of its own).
pub async fn start(
    pool: &PgPool,
    key: &ApiKeyId,
    lifetimes: Lifetimes,
) -> Result<Secret, StoreError> {
    let secret = Secret::generate();
    sqlx::query(
        "DELETE FROM console_sessions
          WHERE last_seen_at < now() - make_interval(secs => $1)
             OR created_at < now() - make_interval(secs => $2)",
    )
    .bind(lifetimes.idle.as_secs_f64())
    .bind(lifetimes.absolute.as_secs_f64())
    .execute(pool)
    .await?;
    sqlx::query("INSERT INTO console_sessions (id_sha256, key_id) VALUES ($1, $2)")
        .bind(secret.hash())
        .bind(key.to_string())
        .execute(pool)
        .await?;
    Ok(secret)
}

#[derive(sqlx::FromRow)]
struct Row {
    key_id: String,
    name: String,
    organization_id: Option<String>,
    read_only: bool,
    expires_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    now: DateTime<Utc>,
}

/// How often at most a session's `last_seen_at` is written (idle expiry is that much coarse).
const TOUCH_EVERY_SECS: f64 = 15.0;

/// The session `secret` opens, or why none: checked against its key's row on every call, and
/// marked as seen. A session that ended is deleted.
pub async fn resume(
    pool: &PgPool,
    secret: &Secret,
    lifetimes: Lifetimes,
) -> Result<Result<Session, Ended>, StoreError> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT k.id AS key_id, k.name, k.organization_id, k.read_only, k.expires_at, k.revoked_at,
                s.created_at, s.last_seen_at, now() AS now
           FROM console_sessions s JOIN api_keys k ON k.id = s.key_id
          WHERE s.id_sha256 = $1",
    )
    .bind(secret.hash())
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else {
        return Ok(Err(Ended::Unknown));
    };
    let age = |since: DateTime<Utc>| (row.now - since).to_std().unwrap_or_default();
    let ended = if row.revoked_at.is_some() {
        Some(Ended::KeyRevoked)
    } else if row.expires_at.is_some_and(|at| at <= row.now) {
        Some(Ended::KeyExpired)
    } else if age(row.created_at) >= lifetimes.absolute {
        Some(Ended::MaxAge)
    } else if age(row.last_seen_at) >= lifetimes.idle {
        Some(Ended::Idle)
    } else {
        None
    };
    if let Some(ended) = ended {
        end(pool, secret).await?;
        return Ok(Err(ended));
    }
    sqlx::query(
        "UPDATE console_sessions SET last_seen_at = now()
          WHERE id_sha256 = $1 AND last_seen_at < now() - make_interval(secs => $2)",
    )
    .bind(secret.hash())
    .bind(TOUCH_EVERY_SECS)
    .execute(pool)
    .await?;
    let corrupt = |e: domain::IdError| StoreError::Corrupt(format!("api key {}: {e}", row.key_id));
    Ok(Ok(Session {
        caller: Caller {
            key_id: ApiKeyId::parse(&row.key_id).map_err(corrupt)?,
            organization: (row.organization_id.as_deref())
                .map(OrganizationId::parse)
                .transpose()
                .map_err(corrupt)?,
            read_only: row.read_only,
        },
        key_name: row.name,
    }))
}

/// Ends the session (signing out twice is harmless).
pub async fn end(pool: &PgPool, secret: &Secret) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM console_sessions WHERE id_sha256 = $1")
        .bind(secret.hash())
        .execute(pool)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_well_formed_and_give_distinct_csrf_tokens() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert_ne!(a.as_str(), b.as_str());
        assert!(Secret::from_cookie(a.as_str()).is_some());
        assert!(a.csrf_matches(&a.csrf_token()));
        assert!(!a.csrf_matches(&b.csrf_token()));
        assert!(!a.csrf_matches(""));
        for bad in [
            "",
            "short",
            &format!("{}=", &a.as_str()[1..]),
            &"é".repeat(22),
        ] {
            assert!(Secret::from_cookie(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn reasons_round_trip_through_their_codes() {
        for e in [
            Ended::Unknown,
            Ended::Idle,
            Ended::MaxAge,
            Ended::KeyRevoked,
            Ended::KeyExpired,
        ] {
            assert_eq!(Ended::from_code(e.code()), Some(e));
        }
        assert_eq!(Ended::from_code("<script>"), None);
    }
}
