//! `roster bench`: the benchmarks (crate `bench`), given the app as `serve` serves it.

use std::sync::Arc;
use std::time::Duration;

use bench::{BenchArgs, BenchError, ServeSpec};

use crate::app::{self, AppConfig};

pub async fn run(args: BenchArgs) -> Result<(), BenchError> {
    bench::run(args, Arc::new(serve)).await
}

/// The app of `roster serve` on `listener`, for the benchmarks: no rate limit, no webhooks or
/// Kafka in process (the benchmarks run those parts themselves).
fn serve(spec: ServeSpec, listener: std::net::TcpListener) -> std::io::Result<bench::Served> {
    let database = store::PoolConfig::parse(
        &spec.database_url,
        store::PoolOptions {
            max_connections: spec.max_connections,
            acquire_timeout: Duration::from_secs(5),
        },
    )
    .map_err(std::io::Error::other)?;
    let server = app::server(
        AppConfig {
            database,
            with_commands: spec.with_commands,
            domains: command_service::app::domains::DomainSettings::system(),
            queries: Some(Duration::from_secs(5)),
            webhooks: None,
            idempotency_ttl: http_edge::idempotency::DEFAULT_TTL,
            key_cache_ttl: access::keys::DEFAULT_TTL,
            rate_limit: None,
            slow_request: Duration::from_secs(1),
            metrics_token: None,
            kafka: None,
            console: app::default_console(),
            prepared: None,
        },
        listener,
        Duration::from_secs(1),
    )?;
    Ok((server.handle(), Box::pin(server.run())))
}
