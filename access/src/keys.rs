//! The keys a process knows: every `/v1` request is authenticated here, from memory when it can.
//!
//! A looked-up key (or the fact that a secret matches none) is kept for `ttl`. Staleness is
//! bounded twice over: every change to a key (`api_keys` trigger) NOTIFYs every process, which
//! empties its cache on receipt, so a revocation takes effect everywhere at once; and while the
//! listening connection is down nothing is served from memory (each request looks its key up).
//! Expiry is checked on every request against the cached `expires_at`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use domain::api_key::ApiKeyData;
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use store::StoreError;
use subtle::ConstantTimeEq;

use crate::caller::Caller;
use crate::secret;

/// The channel the `api_keys` trigger notifies on (migration 0012).
pub const CHANNEL: &str = "roster_api_keys";

/// How long a looked-up key is trusted without a notification, by default.
pub const DEFAULT_TTL: Duration = Duration::from_secs(60);

/// Entries kept at most; beyond that the cache starts over (a flood of made-up secrets cannot
/// grow it without bound).
const MAX_ENTRIES: usize = 100_000;

/// Why a request is not authenticated. Every variant is a 401 that says no more than "invalid".
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("the key is not a roster key")]
    Malformed,
    #[error("no such key")]
    Unknown,
    #[error("the key was revoked")]
    Revoked,
    #[error("the key has expired")]
    Expired,
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
struct Entry {
    key: Option<Arc<ApiKeyData>>,
    fetched: Instant,
}

pub struct Keys {
    pool: PgPool,
    ttl: Duration,
    entries: RwLock<HashMap<[u8; 32], Entry>>,
    /// Whether notifications are being received (else the cache is not used).
    listening: AtomicBool,
    /// Bumped whenever the cache is emptied: a look-up that began before keeps its answer to
    /// itself (it may predate the change that emptied the cache).
    generation: AtomicU64,
}

impl Keys {
    pub fn new(pool: PgPool, ttl: Duration) -> Arc<Self> {
        Arc::new(Self {
            pool,
            ttl,
            entries: RwLock::new(HashMap::new()),
            listening: AtomicBool::new(false),
            generation: AtomicU64::new(0),
        })
    }

    /// Whether change notifications are being received (and so the cache is used).
    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    /// The caller a presented secret stands for.
    pub async fn authenticate(&self, presented: &str) -> Result<Caller, Refused> {
        self.authenticate_at(presented, Utc::now()).await
    }

    async fn authenticate_at(
        &self,
        presented: &str,
        now: DateTime<Utc>,
    ) -> Result<Caller, Refused> {
        if !secret::well_formed(presented) {
            return Err(Refused::Malformed);
        }
        let hash = secret::hash(presented);
        let key = match self.cached(&hash) {
            Some(key) => key,
            None => self.look_up(hash).await?,
        };
        let key = key.ok_or(Refused::Unknown)?;
        if key.revoked_at.is_some() {
            return Err(Refused::Revoked);
        }
        if key.expires_at.is_some_and(|at| at <= now) {
            return Err(Refused::Expired);
        }
        Ok(Caller {
            key_id: key.id,
            organization: key.organization_id,
            read_only: key.read_only,
        })
    }

    fn cached(&self, hash: &[u8; 32]) -> Option<Option<Arc<ApiKeyData>>> {
        if !self.listening.load(Ordering::Acquire) {
            return None;
        }
        let entries = self.entries.read().ok()?;
        entries
            .get(hash)
            .filter(|e| e.fetched.elapsed() < self.ttl)
            .map(|e| e.key.clone())
    }

    async fn look_up(&self, hash: [u8; 32]) -> Result<Option<Arc<ApiKeyData>>, StoreError> {
        let fetched = Instant::now();
        let generation = self.generation.load(Ordering::Acquire);
        let found = crate::persistence::by_secret_hash(&self.pool, &hash).await?;
        // The row was found by this hash; compare it once more in constant time, so no code path
        // compares secrets byte by byte.
        let key = found
            .filter(|(_, stored)| bool::from(stored.as_slice().ct_eq(&hash)))
            .map(|(key, _)| Arc::new(key));
        if let Ok(mut entries) = self.entries.write() {
            if self.generation.load(Ordering::Acquire) != generation {
                return Ok(key);
            }
            if entries.len() >= MAX_ENTRIES {
                entries.clear();
            }
            entries.insert(
                hash,
                Entry {
                    key: key.clone(),
                    fetched,
                },
            );
        }
        Ok(key)
    }

    fn forget_all(&self) {
        if let Ok(mut entries) = self.entries.write() {
            self.generation.fetch_add(1, Ordering::AcqRel);
            entries.clear();
        }
    }

    /// Follows key changes until the task is dropped: empties the cache on every notification,
    /// and stops serving from it while the connection is down (reconnecting with backoff).
    /// Closes the cache's pool (the listener's task must have ended: it would reconnect).
    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn listen(self: Arc<Self>) {
        let mut backoff = store::Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            match PgListener::connect_with(&self.pool).await {
                Ok(mut listener) => {
                    if listener.listen(CHANNEL).await.is_ok() {
                        // Anything cached before we listened may be stale.
                        self.forget_all();
                        self.listening.store(true, Ordering::Release);
                        backoff.reset();
                        // `try_recv`, not `recv` (which reconnects silently): a change
                        // announced while the connection was lost would never reach the cache.
                        // A lost connection ends the loop and the cache is emptied below.
                        while let Ok(Some(_)) = listener.try_recv().await {
                            self.forget_all();
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot listen for API key changes"),
            }
            self.listening.store(false, Ordering::Release);
            self.forget_all();
            backoff.wait().await;
        }
    }
}
