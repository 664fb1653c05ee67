//! `roster-projector`: the projector alone, for deployments that run each component as its own
//! binary. `roster serve --only projector` does the same inside the one binary (and also applies
//! migrations and serves health endpoints).

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let Ok(url) = std::env::var("DATABASE_URL") else {
        eprintln!("roster-projector: set DATABASE_URL to the roster database");
        return ExitCode::from(2);
    };
    let options = store::PoolOptions {
        max_connections: 4,
        ..Default::default()
    };
    let pool = match store::connect(&url, &options) {
        Ok(pool) => pool,
        Err(e) => {
            eprintln!("roster-projector: invalid DATABASE_URL: {e}");
            return ExitCode::from(2);
        }
    };
    tracing::info!(database = %store::pool::redact(&url), "projector starting");
    tokio::select! {
        () = projector::Projector::new(pool).run() => {}
        _ = tokio::signal::ctrl_c() => tracing::info!("interrupted"),
        () = terminated() => tracing::info!("terminated"),
    }
    ExitCode::SUCCESS
}

async fn terminated() {
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}
