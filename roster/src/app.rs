//! The HTTP app: the services' routes behind one edge (request ids, Idempotency-Key, body limits,
//! problem+json for every error, including the ones actix produces itself).

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Duration;

use actix_http::{HttpService, KeepAlive};
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{Server, ServiceResponse};
use actix_web::http::header::CONTENT_TYPE;
use actix_web::http::StatusCode;
use actix_web::middleware::{from_fn, ErrorHandlerResponse, ErrorHandlers};
use actix_web::{web, App, HttpRequest, ResponseError};
use command_service::CommandState;
use http_edge::extract;
use http_edge::Problem;
use query_service::QueryState;
use sqlx::PgPool;
use store::{EventRepository, PoolConfig};
use webhook_dispatcher::{DispatcherConfig, WebhookState};

use crate::{health, metrics};
use http_edge::idempotency::{self, Idempotency};
use http_edge::protocol_errors::ProblemIo;
use http_edge::{openapi, request_id};

/// What the app is made of; each HTTP worker builds its own state (and pool) from it.
#[derive(Clone)]
pub struct AppConfig {
    pub database: PoolConfig,
    pub with_commands: bool,
    /// How the command routes verify domains.
    pub domains: command_service::app::domains::DomainSettings,
    /// Serve the read routes; how long a read waits for `min_position`.
    pub queries: Option<Duration>,
    /// Serve webhook endpoint management, with this delivery configuration.
    pub webhooks: Option<Arc<DispatcherConfig>>,
    /// How long an `Idempotency-Key`'s saved response is replayed.
    pub idempotency_ttl: Duration,
    /// How long a looked-up API key is trusted without a change notification.
    pub key_cache_ttl: Duration,
    /// Requests per key (per process); `None`: unlimited.
    pub rate_limit: Option<access::limit::Rate>,
    /// Requests at least this slow are logged as warnings.
    pub slow_request: Duration,
    /// When set, `/metrics` answers only requests bearing it.
    pub metrics_token: Option<String>,
    /// The Kafka relay running in this process, whose health `/readyz` shows.
    pub kafka: Option<Arc<kafka_relay::RelayHealth>>,
    /// The console's sessions and sign-in limit (served where commands and reads are).
    pub console: console::ConsoleConfig,
    /// While the store is being prepared (`roster serve`'s first seconds), changes wait for it
    /// ([`crate::starting`]); `None`: it is prepared already.
    pub prepared: Option<crate::starting::Prepared>,
}

/// The console as `roster serve` sets it up by default.
pub fn default_console() -> console::ConsoleConfig {
    console::ConsoleConfig {
        lifetimes: console::Lifetimes {
            idle: Duration::from_secs(30 * 60),
            absolute: Duration::from_secs(12 * 3600),
        },
        sign_ins_per_minute: std::num::NonZeroU32::new(10).unwrap_or(std::num::NonZeroU32::MIN),
        consumers: crate::lag::console_consumers(),
    }
}

/// One worker's state.
struct AppState {
    pool: PgPool,
    commands: Option<Arc<CommandState>>,
    queries: Option<Arc<QueryState>>,
    webhooks: Option<Arc<WebhookState>>,
}

impl AppState {
    fn new(config: &AppConfig) -> Self {
        let pool = config.database.pool();
        let commands = config.with_commands.then(|| {
            CommandState::with_domains(EventRepository::new(pool.clone()), config.domains.clone())
        });
        let queries = config
            .queries
            .map(|wait| QueryState::new(pool.clone(), projector::CONSUMER, wait));
        let webhooks = config
            .webhooks
            .clone()
            .map(|c| WebhookState::new(pool.clone(), c));
        Self {
            pool,
            commands,
            queries,
            webhooks,
        }
    }
}

/// The HTTP server, and what runs beside its workers: the API key change listener, with its
/// pool. `run` closes them once the server has stopped, so that no connection of the HTTP side
/// outlives it (nor tries to reconnect while the database shuts down).
pub struct AppServer {
    server: Server,
    keys: Arc<access::Keys>,
    listener: tokio::task::JoinHandle<()>,
}

impl AppServer {
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until stopped through the handle, then closes the listener and its pool.
    pub async fn run(self) -> std::io::Result<()> {
        let served = self.server.await;
        self.listener.abort();
        let _ = self.listener.await;
        self.keys.close().await;
        served
    }
}

/// Builds the server on an already bound listener (tests bind port 0). Signals are the caller's
/// business: `serve` stops the server gracefully through its handle.
pub fn server(
    config: AppConfig,
    listener: TcpListener,
    shutdown_timeout: Duration,
) -> std::io::Result<AppServer> {
    let workers = std::thread::available_parallelism().map_or(2, usize::from);
    let per_worker = config.database.options.max_connections / workers as u32;
    let config = AppConfig {
        database: config.database.with_max_connections(per_worker),
        ..config
    };
    let addr = listener.local_addr()?;
    // One key cache for every worker, emptied by change notifications (see `access::keys`).
    let keys = access::Keys::new(config.database.pool(), config.key_cache_ttl);
    let key_listener = tokio::spawn(keys.clone().listen());
    let pools = metrics::Pools::default();
    // The OpenAPI document, built once from the route declarations.
    let document = web::Data::new(openapi::Document(openapi::document(&all_endpoints())));
    // One bucket per key for every worker of the process.
    let limits = config
        .rate_limit
        .map(|rate| Arc::new(access::limit::KeyLimits::new(rate)));
    let keys_to_close = keys.clone();
    let mut builder = actix_server::Server::build()
        .workers(workers)
        .shutdown_timeout(shutdown_timeout.as_secs())
        .disable_signals();
    // Tells keep-alive connections to close once their current request is answered.
    let graceful = builder.graceful_shutdown_signal();
    builder = builder.listen("roster-http", listener, move || {
        let config = config.clone();
        let keys = keys.clone();
        let limits = limits.clone();
        let pools = pools.clone();
        let document = document.clone();
        let graceful = graceful.clone();
        let http = HttpService::build()
            .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
            .client_request_timeout(Duration::from_secs(5))
            .client_disconnect_timeout(Duration::from_secs(1))
            .local_addr(addr)
            .graceful_shutdown_signal(move || {
                let graceful = graceful.clone();
                async move { graceful.notified().await }
            })
            // What `HttpServer` would do, minus its fixed socket type. Nothing of ours reads
            // the app config's host or address (requests carry their own), so its default does.
            .h1(map_config(
                app(&config, keys, limits, pools, document)
                    .into_factory()
                    .map_err(|e| e.error_response()),
                |_| actix_web::dev::AppConfig::default(),
            ));
        // The protocol layer's own error answers leave as problem+json too. No Nagle delay:
        // answers are small and each is written whole.
        fn_service(|io: tokio::net::TcpStream| {
            let peer = io.peer_addr().ok();
            let _ = io.set_nodelay(true);
            std::future::ready(Ok::<_, actix_http::error::DispatchError>((
                ProblemIo::new(io),
                peer,
            )))
        })
        .and_then(http)
    })?;
    Ok(AppServer {
        server: builder.run(),
        keys: keys_to_close,
        listener: key_listener,
    })
}

/// One worker's app: the services' routes behind the edge middleware.
fn app(
    config: &AppConfig,
    keys: Arc<access::Keys>,
    limits: Option<Arc<access::limit::KeyLimits>>,
    pools: metrics::Pools,
    document: web::Data<openapi::Document>,
) -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let state = AppState::new(config);
    pools.watch(&state.pool);
    let allowed = http_edge::allow::Allowed::of(&http_edge::endpoints::table(&served(&state)));
    let mut app = App::new()
        .app_data(web::Data::new(allowed))
        .app_data(extract::path_config())
        .app_data(extract::query_config())
        .app_data(web::PayloadConfig::new(extract::BODY_LIMIT))
        .app_data(web::Data::new(Idempotency {
            pool: state.pool.clone(),
            ttl: config.idempotency_ttl,
        }))
        .app_data(web::Data::from(keys.clone()))
        .app_data(web::Data::new(pools))
        .configure(|cfg| {
            if let Some(limits) = limits {
                cfg.app_data(web::Data::from(limits));
            }
        })
        .app_data(web::Data::new(request_id::SlowRequest(config.slow_request)))
        .configure(|cfg| {
            if let Some(prepared) = &config.prepared {
                cfg.app_data(web::Data::new(prepared.clone()));
            }
        })
        .configure(|cfg| {
            if let Some(token) = &config.metrics_token {
                cfg.app_data(web::Data::new(metrics::MetricsToken(token.clone())));
            }
            if let Some(relay) = &config.kafka {
                cfg.app_data(web::Data::from(relay.clone()));
            }
        })
        .configure(health::configure(state.pool.clone()))
        .configure(metrics::configure(state.pool.clone()))
        .configure(openapi::configure(document))
        .configure(access::configure(Arc::new(access::KeyRoutes::new(
            state.pool.clone(),
        ))));
    // The console runs over both application layers.
    if let (Some(commands), Some(queries)) = (&state.commands, &state.queries) {
        app = app.configure(console::configure(console::ConsoleState::new(
            state.pool.clone(),
            (commands.clone(), queries.clone()),
            state.webhooks.clone(),
            keys.clone(),
            config.console.clone(),
        )));
    }
    // Reads first: their resources answer GET only and let other methods through.
    if let Some(queries) = &state.queries {
        app = app.configure(query_service::configure(queries.clone()));
    }
    if let Some(commands) = &state.commands {
        app = app.configure(command_service::configure(commands.clone()));
    }
    if let Some(webhooks) = &state.webhooks {
        app = app.configure(webhook_dispatcher::configure(webhooks.clone()));
    }
    if state.queries.is_some() {
        app = app.configure(query_service::method_fallbacks);
    }
    app.default_service(web::to(unknown_route))
        .wrap(from_fn(http_edge::allow::middleware))
        .wrap(from_fn(idempotency::middleware))
        .wrap(from_fn(crate::starting::middleware))
        // Every /v1 route, whichever component serves it and whenever it was added: a key first.
        .wrap(from_fn(access::edge::require_key))
        .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
        .wrap(from_fn(request_id::middleware))
}

/// `(method, path)` of every route the app serves with every component on: read back from the
/// same declarations the router is built from (for the OpenAPI document and the route tests).
pub fn route_table() -> Vec<(actix_web::http::Method, &'static str)> {
    http_edge::endpoints::table(&all_endpoints())
}

async fn unknown_route(req: HttpRequest) -> Result<actix_web::HttpResponse, Problem> {
    Err(Problem::not_found(format!(
        "no route for {} {}",
        req.method(),
        req.path()
    )))
}

/// Any error response that is not already a problem (405s, actix's own payload errors …)
/// is rewritten as one, so clients only ever parse one error shape.
fn problem_for_bare_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    // Problems, and the console's own error pages, are answers already.
    let answered = res.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"application/problem+json")
            || v.as_bytes().starts_with(b"text/html")
    });
    if answered || res.request().path().starts_with(console::PREFIX) {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (slug, detail) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (
            "method-not-allowed",
            format!(
                "{} is not allowed on {}",
                res.request().method(),
                res.request().path()
            ),
        ),
        StatusCode::NOT_FOUND => (
            "not-found",
            format!("no route for {}", res.request().path()),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload-too-large",
            format!(
                "the body exceeds the limit of {} bytes",
                extract::BODY_LIMIT
            ),
        ),
        s if s.is_server_error() => ("internal-error", "an unexpected error occurred".to_owned()),
        _ => (
            "bad-request",
            "the request could not be processed".to_owned(),
        ),
    };
    let title = status.canonical_reason().unwrap_or("Error");
    let response = Problem::new(status, slug, title, detail).error_response();
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}

/// Every route of the app with every component on, as declared.
/// The routes this app serves: the edge's own and those of the components it runs.
fn served(state: &AppState) -> Vec<http_edge::endpoints::Endpoint> {
    let mut served = crate::health::endpoints();
    served.extend(crate::metrics::endpoints());
    served.extend(http_edge::openapi::endpoints());
    served.extend(access::endpoints());
    if state.queries.is_some() {
        served.extend(query_service::endpoints());
    }
    if state.commands.is_some() {
        served.extend(command_service::endpoints());
    }
    if state.webhooks.is_some() {
        served.extend(webhook_dispatcher::endpoints());
    }
    served
}

pub fn all_endpoints() -> Vec<http_edge::endpoints::Endpoint> {
    let mut all = crate::health::endpoints();
    all.extend(crate::metrics::endpoints());
    all.extend(http_edge::openapi::endpoints());
    all.extend(access::endpoints());
    all.extend(query_service::endpoints());
    all.extend(command_service::endpoints());
    all.extend(webhook_dispatcher::endpoints());
    all
}
