//! The connection pool. Short acquire timeouts so a down database turns into a quick 503, and
//! lazy connections so the process starts (and recovers) whether or not Postgres is up.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::PgPool;

#[derive(Debug, Clone)]
pub struct PoolOptions {
    pub max_connections: u32,
    pub acquire_timeout: Duration,
}

impl Default for PoolOptions {
    fn default() -> Self {
        Self {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(3),
        }
    }
}

/// A parsed database URL plus pool settings: makes pools without failing.
///
/// Why more than one pool: a connection's socket belongs to the async runtime it was opened on.
/// actix-web runs each worker on its own runtime and shuts idle workers down first, so a shared
/// pool would hand a busy worker connections of a dead runtime during graceful shutdown. Each
/// worker (and each background component) therefore gets a pool of its own from this config.
#[derive(Debug, Clone)]
pub struct PoolConfig {
    connect: PgConnectOptions,
    pub options: PoolOptions,
}

impl PoolConfig {
    pub fn parse(url: &str, options: PoolOptions) -> Result<Self, sqlx::Error> {
        Ok(Self {
            connect: PgConnectOptions::from_str(url)?.application_name("roster"),
            options,
        })
    }

    /// A pool that connects on demand; it does not fail if the database is down right now.
    /// Must be called on the runtime that will use it.
    pub fn pool(&self) -> PgPool {
        PgPoolOptions::new()
            .max_connections(self.options.max_connections)
            .acquire_timeout(self.options.acquire_timeout)
            .connect_lazy_with(self.connect.clone())
    }

    /// The same database with at most `n` connections per pool.
    pub fn with_max_connections(&self, n: u32) -> Self {
        let mut c = self.clone();
        c.options.max_connections = n.max(1);
        c
    }
}

/// A pool that connects on demand; it does not fail if the database is down right now.
pub fn connect(url: &str, options: &PoolOptions) -> Result<PgPool, sqlx::Error> {
    Ok(PoolConfig::parse(url, options.clone())?.pool())
}

/// Query parameters of a Postgres URL that carry a secret.
const SECRET_PARAMS: [&str; 2] = ["password", "sslpassword"];

/// The URL for logs: the password (in the user info or as `?password=`) replaced by `***`.
pub fn redact(raw: &str) -> String {
    let Ok(mut url) = url::Url::parse(raw) else {
        return "<unparseable url>".to_owned();
    };
    if url.password().is_some() {
        let _ = url.set_password(Some("***"));
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let secret = SECRET_PARAMS.iter().any(|s| k.eq_ignore_ascii_case(s));
                (
                    k.into_owned(),
                    if secret { "***".into() } else { v.into_owned() },
                )
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn redacts_passwords_only() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u:***@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
        assert_eq!(
            redact("postgres://u@h/db?sslmode=require&password=secret"),
            "postgres://u@h/db?sslmode=require&password=***"
        );
        assert_eq!(
            redact("postgres://u:p%40ss@h/db?PassWord=x&sslpassword=y"),
            "postgres://u:***@h/db?PassWord=***&sslpassword=***"
        );
        assert_eq!(redact("not a url"), "<unparseable url>");
    }
}
