//! `roster serve` and `roster migrate`.

use std::net::TcpListener;
use std::time::Duration;

use crate::app::{self, AppConfig};
use crate::cli::{Component, ServeArgs};
use crate::database::{Database, DatabaseError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Database(#[from] DatabaseError),
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        addr: std::net::SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("HTTP server failed: {0}")]
    Http(#[source] std::io::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] store::StoreError),
    #[error("cannot start the webhook dispatcher: {0}")]
    Dispatcher(String),
    #[error("kafka relay: {0}")]
    Kafka(String),
    /// The first key, or the secret key.
    #[error(transparent)]
    Setup(#[from] crate::database::ToolError),
    #[error(transparent)]
    Domains(#[from] crate::domains::DomainsError),
}

pub async fn serve(args: ServeArgs) -> Result<(), ServeError> {
    // The relay's settings are checked before anything starts: a bad broker list, topic or
    // librdkafka property is one clear error and a non-zero exit.
    let kafka = match args.kafka.config() {
        Some(config) if args.runs(Component::Kafka) => {
            Some(kafka_relay::check(config).map_err(|e| ServeError::Kafka(e.to_string()))?)
        }
        _ if args.only.contains(&Component::Kafka) => {
            return Err(ServeError::Kafka(
                "--only kafka needs --kafka-brokers (KAFKA_BROKERS)".into(),
            ))
        }
        _ => None,
    };
    if args.runs(Component::Webhooks) {
        crate::secrets::check(&args.webhooks.keys, args.database.database_url.is_some())?;
    }
    if args.check {
        println!("configuration ok");
        return Ok(());
    }
    let db = Database::open(&args.database, false).await?;
    // One way out, whatever happens from here: every pool and listener is closed before the
    // embedded server (if any) stops.
    let result = run(args, kafka, &db).await;
    db.close().await;
    tracing::info!("stopped");
    result
}

/// Serves on `db` until a signal or a failure; leaves closing `db` to the caller.
async fn run(
    args: ServeArgs,
    kafka: Option<kafka_relay::Checked>,
    db: &Database,
) -> Result<(), ServeError> {
    let relay = kafka.map(|checked| kafka_relay::Relay::checked(db.pool.clone(), checked));
    let with_commands = args.runs(Component::Command);
    tracing::info!(
        listen = %args.listen,
        database = %db.display_url(),
        embedded = db.is_embedded(),
        components = ?[Component::Command, Component::Query, Component::Projector, Component::Workflows, Component::Webhooks, Component::Kafka].into_iter().filter(|c| args.runs(*c)).collect::<Vec<_>>(),
        version = env!("CARGO_PKG_VERSION"),
        "starting roster"
    );
    // The background components start once the schema is current (so a first start does not
    // greet the user with "relation does not exist" warnings); the HTTP API comes up at once
    // and reports not-ready until then.
    let (schema_tx, schema) = tokio::sync::watch::channel(false);
    let migrator = tokio::spawn(migrate_until_done(db.pool.clone(), schema_tx));
    let webhooks = match args.runs(Component::Webhooks) {
        true => {
            let keyring = crate::secrets::keyring(&args.webhooks.keys, db.data_dir())?;
            Some(std::sync::Arc::new(args.webhooks.config(keyring)))
        }
        false => None,
    };
    let domains = crate::domains::settings(&args.dns_servers, args.free_mail_domains.as_deref())?;
    let mut parts = Parts {
        pool: db.pool.clone(),
        projector: args.runs(Component::Projector),
        workflows: args.runs(Component::Workflows),
        webhooks: webhooks.clone(),
        sweep_every: with_commands.then(|| Duration::from_secs(args.sweep_interval)),
        domain_checks: with_commands.then(|| {
            (
                domains.clone(),
                Duration::from_secs(args.domain_check_interval.max(1)),
            )
        }),
        idempotency_ttl: args.idempotency_ttl,
        first_key_for: None,
        kafka_health: relay.as_ref().map(kafka_relay::Relay::health),
        relay,
    };

    let listener = TcpListener::bind(args.listen).map_err(|source| ServeError::Listen {
        addr: args.listen,
        source,
    })?;
    // The address actually bound (`--listen 127.0.0.1:0` picks a free port).
    let bound = listener.local_addr().unwrap_or(args.listen);
    parts.first_key_for = db.is_embedded().then(|| format!("http://{bound}"));
    let config = AppConfig {
        database: db.config.clone(),
        with_commands,
        domains,
        queries: args
            .runs(Component::Query)
            .then(|| Duration::from_millis(args.read_wait_ms)),
        webhooks: webhooks.clone(),
        idempotency_ttl: args.idempotency_ttl,
        key_cache_ttl: args.key_cache_ttl,
        slow_request: args.slow_request,
        metrics_token: args.metrics_token.clone(),
        rate_limit: access::limit::Rate::new(args.rate_limit, args.rate_limit_burst),
        kafka: parts.kafka_health.clone(),
        console: console::ConsoleConfig {
            lifetimes: console::Lifetimes {
                idle: args.console_idle,
                absolute: args.console_max_age,
            },
            sign_ins_per_minute: args.console_sign_ins,
            consumers: crate::lag::console_consumers(),
        },
        // Only a process taking commands writes the template (a reader on a standby cannot).
        prepared: with_commands.then(|| crate::starting::Prepared(schema.clone())),
    };
    let server = app::server(config, listener, Duration::from_secs(args.shutdown_timeout))
        .map_err(ServeError::Http)?;
    let handle = server.handle();
    // How the background start ended, kept apart from its task: a start that fails stops the
    // server, and the task may be cut short while it waits for that.
    let (started_tx, mut started) = tokio::sync::oneshot::channel();
    let background = tokio::spawn({
        let server = handle.clone();
        async move {
            let result = Background::start_when_current(parts, schema).await;
            let failed = result.is_err();
            let _ = started_tx.send(result);
            if failed {
                // roster does not run without the components it was asked for.
                server.stop(false).await;
            }
        }
    });
    tokio::spawn(async move {
        let signal = shutdown_signal().await;
        tracing::info!(signal, "shutting down: finishing in-flight requests");
        handle.stop(true).await;
    });
    tracing::info!(url = %format!("http://{bound}"), "listening");
    let served = server.run().await;
    migrator.abort();
    // Started by now, or never.
    background.abort();
    let _ = background.await;
    match started.try_recv() {
        Ok(Ok(background)) => {
            background.stop().await;
            served.map_err(ServeError::Http)
        }
        Ok(Err(e)) => Err(e),
        Err(_) => served.map_err(ServeError::Http),
    }
}

/// What runs beside the HTTP API, as configured.
struct Parts {
    pool: sqlx::PgPool,
    projector: bool,
    workflows: bool,
    webhooks: Option<std::sync::Arc<webhook_dispatcher::DispatcherConfig>>,
    /// With the command component: how often pending invitations past their expiry expire.
    sweep_every: Option<Duration>,
    /// With the command component: how domains are checked, and how often pending ones are.
    domain_checks: Option<(command_service::app::domains::DomainSettings, Duration)>,
    idempotency_ttl: Duration,
    /// On a fresh embedded installation: make the first admin key, and show how to call this URL.
    first_key_for: Option<String>,
    relay: Option<kafka_relay::Relay>,
    kafka_health: Option<std::sync::Arc<kafka_relay::RelayHealth>>,
}

/// How long the background tasks get to end by themselves once the pool closes.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The running background components.
struct Background {
    pool: sqlx::PgPool,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    dispatcher: Option<webhook_dispatcher::Dispatcher>,
    /// The relay's producer, flushed at shutdown.
    kafka: Option<kafka_relay::Producing>,
}

impl Background {
    /// Starts `parts` once `schema` says the migrations are applied.
    async fn start_when_current(
        parts: Parts,
        mut schema: tokio::sync::watch::Receiver<bool>,
    ) -> Result<Self, ServeError> {
        if schema.wait_for(|current| *current).await.is_err() {
            return Ok(Self {
                pool: parts.pool,
                tasks: Vec::new(),
                dispatcher: None,
                kafka: None,
            });
        }
        if let Some(url) = &parts.first_key_for {
            if let Err(e) = crate::keys::bootstrap(&parts.pool, url).await {
                tracing::error!(error = %e, "cannot make the first admin key");
            }
        }
        if let Some(config) = &parts.webhooks {
            // Secrets stored before sealing existed are sealed now; a secret under a key this
            // process lacks stops it with a clear error (never garbage signatures).
            let sealed = webhook_dispatcher::sealing::reseal(
                &parts.pool,
                &config.keyring,
                webhook_dispatcher::sealing::Reseal::Plain,
            )
            .await;
            match sealed {
                Ok(done) if done.sealed > 0 => {
                    tracing::info!(
                        endpoints = done.sealed,
                        "sealed webhook signing secrets stored in the clear"
                    )
                }
                Ok(_) => {}
                Err(e) => {
                    return Err(crate::secrets::SecretsError::Invalid(e.to_string()).into());
                }
            }
        }
        let dispatcher = match parts.webhooks {
            Some(config) => match webhook_dispatcher::Dispatcher::start(parts.pool.clone(), config)
            {
                Ok(d) => Some(d),
                Err(e) => {
                    return Err(ServeError::Dispatcher(e.to_string()));
                }
            },
            None => None,
        };
        let background_pool = parts.pool.clone();
        let mut tasks = vec![tokio::spawn(http_edge::idempotency::purge_expired(
            parts.pool.clone(),
            parts.idempotency_ttl,
            (parts.idempotency_ttl / 10).clamp(Duration::from_secs(1), Duration::from_secs(3600)),
        ))];
        if parts.projector {
            tasks.push(tokio::spawn(
                projector::Projector::new(parts.pool.clone()).run(),
            ));
        }
        if parts.workflows {
            let state =
                command_service::CommandState::new(store::EventRepository::new(parts.pool.clone()));
            let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
            tasks.push(tokio::spawn(
                command_service::workflows::Workflows::new(state).run(role),
            ));
        }
        let kafka = parts.relay.map(|relay| {
            let producer = relay.producing();
            let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
            tasks.push(tokio::spawn(relay.run(role)));
            producer
        });
        if let Some((settings, every)) = parts.domain_checks {
            let repo = store::EventRepository::new(parts.pool.clone());
            let state = command_service::CommandState::with_domains(repo, settings);
            tasks.push(tokio::spawn(crate::domains::check_pending(state, every)));
        }
        if let Some(every) = parts.sweep_every {
            let state = command_service::CommandState::new(store::EventRepository::new(parts.pool));
            tasks.push(tokio::spawn(sweep_invitations(state, every)));
        }
        Ok(Self {
            pool: background_pool,
            tasks,
            dispatcher,
            kafka,
        })
    }

    /// Stops everything in order, so that no query is cut off and no connection outlives it:
    /// the dispatcher hands its endpoints over (it needs the pool for that); then the pool
    /// closes, which stops the feed consumers between batches; what still runs after a grace
    /// period is aborted; the relay's producer is flushed.
    async fn stop(self) {
        if let Some(dispatcher) = self.dispatcher {
            // Hands its endpoints to the other dispatchers now, not when the leases run out.
            dispatcher.stop().await;
        }
        let closing = self.pool.close();
        // The tasks not ended yet (an ended one is taken off: it must not be awaited again).
        let mut running = self.tasks;
        let ended = tokio::time::timeout(STOP_GRACE, async {
            while let Some(task) = running.last_mut() {
                let _ = task.await;
                running.pop();
            }
        })
        .await;
        if ended.is_err() {
            for task in &running {
                task.abort();
            }
            for task in running {
                let _ = task.await;
            }
        }
        closing.await;
        if let Some(producer) = self.kafka {
            // What the relay handed to the producer goes out before the process does.
            kafka_relay::flush(producer, Duration::from_secs(10)).await;
        }
    }
}

/// Applies migrations at start-up; if the database is not reachable yet, keeps trying, so the
/// process comes up (reporting not-ready) and recovers when the database does.
async fn migrate_until_done(pool: sqlx::PgPool, current: tokio::sync::watch::Sender<bool>) {
    let mut backoff = store::Backoff::new(Duration::from_millis(200), Duration::from_secs(5));
    loop {
        match crate::database::prepare(&pool).await {
            Ok(()) => {
                tracing::info!("database schema is current");
                current.send_replace(true);
                return;
            }
            Err(e) => {
                let delay = backoff.next_pause();
                tracing::warn!(error = %e, retry_in = ?delay, "cannot apply migrations yet");
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Expires pending invitations past their expiry, every `every`, until the pool closes.
async fn sweep_invitations(state: std::sync::Arc<command_service::CommandState>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    let closed = state.pool.close_event();
    tokio::pin!(closed);
    loop {
        tokio::select! {
            _ = tick.tick() => {}
            () = &mut closed => return,
        }
        match command_service::sweep_expired_invitations(&state, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(expired = n, "invitations expired"),
            Err(e) => tracing::warn!(error = %e, "invitation sweep failed; will retry"),
        }
    }
}

pub(crate) async fn shutdown_signal() -> &'static str {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => {
            let _ = tokio::signal::ctrl_c().await;
            return "SIGINT";
        }
    };
    tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = tokio::signal::ctrl_c() => "SIGINT",
    }
}
