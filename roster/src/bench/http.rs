//! What the HTTP benchmarks share: the app served as `roster serve` serves it (edge middleware,
//! API keys, idempotency), a key to call it with, and a closed loop of concurrent clients.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_web::dev::ServerHandle;
use sqlx::PgPool;

use super::{BenchArgs, BenchError};
use crate::app::{self, AppConfig};

/// Serves the app on a free loopback port against `url`: reads always, commands if
/// `with_commands`. Returns its base URL and a handle to stop it.
pub fn serve(
    args: &BenchArgs,
    url: &str,
    with_commands: bool,
) -> Result<(String, ServerHandle), BenchError> {
    let database = store::PoolConfig::parse(
        url,
        store::PoolOptions {
            max_connections: args.clients as u32 + 2,
            acquire_timeout: Duration::from_secs(5),
        },
    )?;
    let task = |e: std::io::Error| BenchError::Task(e.to_string());
    let listener = TcpListener::bind("127.0.0.1:0").map_err(task)?;
    let base = format!("http://{}", listener.local_addr().map_err(task)?);
    let http = app::server(
        AppConfig {
            database,
            with_commands,
            queries: Some(Duration::from_secs(5)),
            webhooks: None,
            idempotency_ttl: http_edge::idempotency::DEFAULT_TTL,
            key_cache_ttl: access::keys::DEFAULT_TTL,
            rate_limit: None,
            slow_request: Duration::from_secs(1),
            metrics_token: None,
            kafka: None,
        },
        listener,
        Duration::from_secs(1),
    )
    .map_err(task)?;
    let handle = http.handle();
    tokio::spawn(http.run());
    Ok((base, handle))
}

/// A new admin key (read-only if asked): the benchmarks call the API as clients do.
pub async fn key(pool: &PgPool, read_only: bool) -> Result<String, BenchError> {
    let new = access::manage::NewKey {
        name: "bench".into(),
        organization_id: None,
        read_only,
        expires_at: None,
    };
    let (_, secret) = access::manage::create(pool, new, &domain::RequestContext::system("bench"))
        .await
        .map_err(|e| BenchError::Task(e.to_string()))?;
    Ok(secret)
}

/// Requests per second with `args.clients` concurrent clients, each sending request after
/// request for `args.seconds`: `send(client, n)` sends the n-th request of a client and checks
/// its answer.
pub async fn rate<F, Fut>(args: &BenchArgs, key: &str, send: F) -> Result<f64, BenchError>
where
    F: Fn(&reqwest::Client, usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send + 'static,
{
    let mut auth = reqwest::header::HeaderMap::new();
    auth.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {key}")
            .parse()
            .map_err(|_| BenchError::Task("unusable key".into()))?,
    );
    let client = reqwest::Client::builder()
        .default_headers(auth)
        .build()
        .map_err(|e| BenchError::Task(e.to_string()))?;
    let send = Arc::new(send);
    super::closed_loop(args, move |n| {
        let (client, send) = (client.clone(), send.clone());
        async move { send(&client, n).await }
    })
    .await
}
