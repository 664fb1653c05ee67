use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// Postgres could not be reached or the connection broke; the caller may retry later.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] sqlx::Error),
    /// Another aggregate holds a uniqueness claim this change needs.
    #[error("`{key}` is already taken by {owner_type} {owner_id}")]
    ClaimTaken {
        key: String,
        owner_type: String,
        owner_id: String,
    },
    /// A key the change requires (e.g. "membership is active") is not held.
    #[error("requirement `{key}` is not met")]
    RequirementFailed { key: String },
    /// Taking a key under `prefix` would hold more keys there than limit `key` allows (an
    /// organization's seats and its `max_members`).
    #[error("limit `{key}` of {limit} is reached")]
    LimitReached {
        key: String,
        limit: i64,
        prefix: String,
    },
    /// Optimistic concurrency: another writer appended to the same stream first.
    #[error("the aggregate was changed concurrently")]
    Conflict,
    #[error("stored data could not be decoded: {0}")]
    Corrupt(String),
    /// Input the database cannot store (a NUL character in text or JSON). The edges refuse such
    /// input when they parse it; this is the last line, so it is a 400 and never a 500.
    #[error("the input holds a character the database cannot store: {0}")]
    Unstorable(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    /// A feed consumer's step failed (it is retried from the checkpoint).
    #[error("{0}")]
    Step(String),
    /// A fault armed by a test (`faults::check`); behaves like an outage.
    #[error("injected fault: {0}")]
    Injected(String),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        classify(e)
    }
}

/// The unique constraints two writers of the same thing race for (see `classify`).
const CONCURRENT_WRITES: [&str; 3] = ["events_pkey", "claims_pkey", "snapshots_pkey"];

/// Sorts a sqlx error into what callers act on: retry later, retry now, or give up.
pub fn classify(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Io(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Tls(_)
        | sqlx::Error::WorkerCrashed => StoreError::Unavailable(e),
        sqlx::Error::Database(db) => match db.code().as_deref() {
            Some("RS409") => claim_taken(db.message()).unwrap_or(StoreError::Database(e)),
            Some("RS422") => requirement_failed(db.message()).unwrap_or(StoreError::Database(e)),
            // character_not_in_repertoire (NUL in text), untranslatable_character (\u0000 in
            // JSON), invalid_text_representation
            Some("22021") | Some("22P05") => StoreError::Unstorable(db.message().to_owned()),
            // A unique violation means a concurrent write only on the keys writers race for:
            // a stream's next version (events), a claim, a snapshot. Any other is a bug, kept
            // as a database error (a logged 500 naming its constraint), never retried.
            Some("23505")
                if db
                    .constraint()
                    .is_some_and(|c| CONCURRENT_WRITES.contains(&c)) =>
            {
                StoreError::Conflict
            }
            // serialization failure, deadlock
            Some("40001") | Some("40P01") => StoreError::Conflict,
            // admin shutdown, crash shutdown, cannot connect now, too many connections
            Some("57P01") | Some("57P02") | Some("57P03") | Some("53300") => {
                StoreError::Unavailable(e)
            }
            _ => StoreError::Database(e),
        },
        _ => StoreError::Database(e),
    }
}

/// A unit that `roster_commit_units` reported failed (its code, its detail): the error a
/// statement raising the same code would have been.
pub(crate) fn failure(code: &str, detail: &str) -> StoreError {
    match code {
        "RS409" => claim_taken(detail),
        "RS422" => requirement_failed(detail),
        "RS423" => limit_reached(detail),
        "23505" | "40001" => Some(StoreError::Conflict),
        _ => None,
    }
    .unwrap_or_else(|| StoreError::Corrupt(format!("commit failure {code}: {detail}")))
}

/// Decodes a claim refusal (RS409): `{"key", "owner_type", "owner_id"}`.
fn claim_taken(message: &str) -> Option<StoreError> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    let field = |k: &str| v.get(k).and_then(|x| x.as_str()).map(str::to_owned);
    Some(StoreError::ClaimTaken {
        key: field("key")?,
        owner_type: field("owner_type").unwrap_or_default(),
        owner_id: field("owner_id").unwrap_or_default(),
    })
}

fn requirement_failed(message: &str) -> Option<StoreError> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    Some(StoreError::RequirementFailed {
        key: v.get("key")?.as_str()?.to_owned(),
    })
}

/// Decodes a limit refusal (RS423): `{"key", "limit", "prefix"}`.
fn limit_reached(message: &str) -> Option<StoreError> {
    let v: serde_json::Value = serde_json::from_str(message).ok()?;
    Some(StoreError::LimitReached {
        key: v.get("key")?.as_str()?.to_owned(),
        limit: v.get("limit")?.as_i64()?,
        prefix: v.get("prefix")?.as_str()?.to_owned(),
    })
}

impl StoreError {
    /// A store error that went through cqrs-es (its errors carry ours boxed), unboxed again.
    pub fn from_boxed(e: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match e.downcast::<StoreError>() {
            Ok(store) => *store,
            Err(e) => match e.downcast::<sqlx::Error>() {
                Ok(sqlx) => (*sqlx).into(),
                Err(other) => StoreError::Corrupt(other.to_string()),
            },
        }
    }

    pub fn is_unavailable(&self) -> bool {
        matches!(self, Self::Unavailable(_) | Self::Injected(_))
    }
}
