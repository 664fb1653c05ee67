//! What the HTTP benchmarks share: the app served as `roster serve` serves it (edge middleware,
//! API keys, idempotency), a key to call it with, and a closed loop of concurrent clients.

use std::future::Future;
use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::ServerHandle;
use futures::future::BoxFuture;
use sqlx::PgPool;

use crate::{Bench, BenchError};

/// What the app is served for: the database, its pool size, and whether it takes commands.
#[derive(Debug, Clone)]
pub struct ServeSpec {
    pub database_url: String,
    pub max_connections: u32,
    pub with_commands: bool,
}

/// A served app: its handle, and the future that serves it until stopped.
pub type Served = (ServerHandle, BoxFuture<'static, std::io::Result<()>>);

/// How the benchmarks get the HTTP app exactly as `roster serve` serves it (edge middleware, API
/// keys, idempotency): the binary that wires the services hands it in, so this crate needs none
/// of that wiring.
pub type Serve = Arc<dyn Fn(ServeSpec, TcpListener) -> std::io::Result<Served> + Send + Sync>;

/// Serves the app on a free loopback port against `url`: reads always, commands if
/// `with_commands`. Returns its base URL and a handle to stop it.
pub fn serve(
    args: &Bench,
    url: &str,
    with_commands: bool,
) -> Result<(String, ServerHandle), BenchError> {
    let task = |e: std::io::Error| BenchError::Task(e.to_string());
    let listener = TcpListener::bind("127.0.0.1:0").map_err(task)?;
    let base = format!("http://{}", listener.local_addr().map_err(task)?);
    let spec = ServeSpec {
        database_url: url.to_owned(),
        max_connections: args.clients as u32 + 2,
        with_commands,
    };
    let (handle, served) = (args.serve)(spec, listener).map_err(task)?;
    tokio::spawn(served);
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
pub async fn rate<F, Fut>(args: &Bench, key: &str, send: F) -> Result<f64, BenchError>
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
    crate::closed_loop(args, move |n| {
        let (client, send) = (client.clone(), send.clone());
        async move { send(&client, n).await }
    })
    .await
}
