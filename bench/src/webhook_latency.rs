//! Webhook latency under fan-out: commands at a steady rate, every event delivered to each of 10
//! endpoints with one attempt in flight per endpoint (first attempts in order), to a local
//! receiver that notes when each request arrives and counts the connections it accepts.
//! Latency is command acknowledged → request received; the backlog is how long the last
//! delivery came after the last command. Then one endpoint at full speed: commands from the
//! bench's writers as fast as they are acknowledged, with one attempt in flight and with 16.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::{DateTime, Utc};
use command_service::bus::Commands;
use domain::organization::{
    CreateOrganization, Organization, OrganizationCommand, OrganizationEvent,
};
use domain::values::{Metadata, OrganizationName};
use domain::OrganizationId;
use domain::RequestContext;
use sqlx::PgPool;
use store::EventRepository;
use webhook_dispatcher::queue as webhooks;

use crate::{task, Bench, BenchError, Row};

const ENDPOINTS: usize = 10;

/// The two steady-rate runs, 200 then 500 events/s × 10 endpoints, each as a row comparing its
/// p99 with the target (≤ 1: met); then one endpoint at full speed — commands from
/// `args.clients` writers as fast as they go — with one attempt in flight (order kept) and with
/// 16, each as its rate against the independent peer's figure the issue names.
pub async fn measure(args: &Bench, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let mut rows = Vec::new();
    for (rate, target_ms, name) in [
        (
            200,
            100.0,
            "webhook p99 latency, 200 events/s × 10 endpoints (≤ 1: target met)",
        ),
        (
            500,
            250.0,
            "webhook p99 latency, 500 events/s × 10 endpoints (≤ 1: target met)",
        ),
    ] {
        let shape = Shape {
            intake: Intake::Rate(rate),
            endpoints: ENDPOINTS,
            in_flight: 1,
        };
        eprintln!(
            "webhooks: latency at {rate} events/s × {ENDPOINTS} endpoints for {} s …",
            args.latency_seconds
        );
        let measured = run(pool, shape, args.latency_seconds).await?;
        eprintln!("webhooks: {}", measured.describe());
        rows.push(Row {
            name,
            roster: measured.p99.as_secs_f64() * 1000.0,
            baseline_name: "the target",
            baseline: target_ms,
            unit: "ms",
            note: Some(measured.describe()),
        });
    }
    let seconds = (args.latency_seconds / 3).max(5);
    for (in_flight, name) in [
        (
            1,
            "one endpoint at full speed, order kept (1 in flight): deliveries/s",
        ),
        (
            16,
            "one endpoint at full speed, 16 in flight (order not kept): deliveries/s",
        ),
    ] {
        let shape = Shape {
            intake: Intake::FullSpeed(args.clients),
            endpoints: 1,
            in_flight,
        };
        eprintln!(
            "webhooks: one endpoint, {in_flight} in flight, commands from {} writers at full \
             speed for {seconds} s …",
            args.clients
        );
        let measured = run(pool, shape, seconds).await?;
        eprintln!("webhooks: {}", measured.describe());
        rows.push(Row {
            name,
            roster: measured.delivered_per_s,
            baseline_name: "an unordered peer (issue 26: 551/s, p99 23 ms)",
            baseline: PEER_PER_S,
            unit: "deliveries/s",
            note: Some(measured.describe()),
        });
    }
    Ok(rows)
}

/// The unordered peer's rate for one endpoint at full speed, from the independent run issue 26
/// quotes (its p99 there: 23 ms).
const PEER_PER_S: f64 = 551.0;

/// Where the events come from.
#[derive(Clone, Copy)]
enum Intake {
    /// An open loop: a command every 1/rate s, whatever the previous ones are doing.
    Rate(u32),
    /// This many writers, each sending its next command when the last is acknowledged.
    FullSpeed(usize),
}

/// One run's intake and its endpoints.
#[derive(Clone, Copy)]
struct Shape {
    intake: Intake,
    endpoints: usize,
    in_flight: usize,
}

/// What one run measured.
struct Latency {
    shape: Shape,
    seconds: u64,
    /// Deliveries over the time from the first command's acknowledgement to the last arrival.
    delivered_per_s: f64,
    deliveries: usize,
    p50: Duration,
    p90: Duration,
    p99: Duration,
    max: Duration,
    /// The last delivery's arrival after the last command's acknowledgement.
    backlog: Duration,
    connections: u64,
    /// Client connections the database had open when the run started (every section's pools).
    database_connections: i64,
    /// Where the time went, stage by stage (p50, p99 of each).
    stages: Vec<(&'static str, Duration, Duration)>,
}

impl Latency {
    fn describe(&self) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        format!(
            "{} × {} endpoint(s) for {} s, max in flight {}: {} deliveries ({:.0}/s), \
             p50 {}, p90 {}, p99 {}, max {}; last delivery {} after the last command; \
             {} connections opened; {} database connections open at the start; stages \
             (p50/p99): {}",
            match self.shape.intake {
                Intake::Rate(rate) => format!("{rate} events/s"),
                Intake::FullSpeed(writers) => format!("{writers} writers at full speed"),
            },
            self.shape.endpoints,
            self.seconds,
            self.shape.in_flight,
            self.deliveries,
            self.delivered_per_s,
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            ms(self.backlog),
            self.connections,
            self.database_connections,
            self.stages
                .iter()
                .map(|(name, p50, p99)| format!("{name} {}/{}", ms(*p50), ms(*p99)))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// Arrival times by `webhook-id`, and accepted connections.
#[derive(Default)]
struct Arrivals {
    at: Mutex<HashMap<String, Vec<DateTime<Utc>>>>,
    connections: AtomicU64,
}

/// An event's id and when its command was acknowledged.
type Acked = (String, DateTime<Utc>);

/// One run of `shape` for `seconds`.
async fn run(pool: &PgPool, shape: Shape, seconds: u64) -> Result<Latency, BenchError> {
    let arrivals = Arc::new(Arrivals::default());
    let listener = TcpListener::bind("127.0.0.1:0").map_err(task)?;
    let url = format!("http://{}/hook", listener.local_addr().map_err(task)?);
    let receiver = {
        let arrivals = arrivals.clone();
        let counted = arrivals.clone();
        HttpServer::new(move || {
            let arrivals = arrivals.clone();
            App::new().default_service(web::to(move |req: HttpRequest, _body: web::Bytes| {
                let arrivals = arrivals.clone();
                async move {
                    let now = Utc::now();
                    if let Some(id) = req
                        .headers()
                        .get("webhook-id")
                        .and_then(|v| v.to_str().ok())
                    {
                        let mut at = arrivals.at.lock().unwrap_or_else(|e| e.into_inner());
                        at.entry(id.to_owned()).or_default().push(now);
                    }
                    HttpResponse::NoContent().finish()
                }
            }))
        })
        .on_connect(move |_, _| {
            counted.connections.fetch_add(1, Ordering::Relaxed);
        })
        .workers(1)
        .disable_signals()
        .listen(listener)
        .map_err(task)?
        .run()
    };
    let receiver_handle = receiver.handle();
    tokio::spawn(receiver);

    // Endpoints for this run only: they take the events from now on.
    let config = Arc::new(webhook_dispatcher::DispatcherConfig {
        max_in_flight: shape.in_flight,
        addresses: Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().map_err(task)?],
        }),
        ..Default::default()
    });
    let mut endpoints = Vec::with_capacity(shape.endpoints);
    for n in 0..shape.endpoints {
        let types = vec!["organization.created".to_owned()];
        let description = format!("latency {n}");
        let id = crate::webhooks::endpoint(pool, &config.keyring, &url, description, types);
        endpoints.push(id.await?);
    }
    let database_connections: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'",
    )
    .fetch_one(pool)
    .await?;
    // The fan-out starts where the endpoints do: what earlier sections wrote before them goes
    // to none of them, and walking it would show as latency here.
    let head = store::Feed::new(pool.clone()).head().await?;
    crate::skip_to(pool, &[webhook_dispatcher::fanout::CONSUMER], head).await?;
    let dispatcher = webhook_dispatcher::Dispatcher::start(pool.clone(), config).map_err(task)?;

    let commands = Arc::new(Commands::<Organization>::new(
        EventRepository::new(pool.clone()),
        (),
        None,
    ));
    let acked: Arc<Mutex<Vec<Acked>>> = Arc::default();
    let started = Utc::now();
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut sent = Vec::new();
    match shape.intake {
        Intake::Rate(rate) => {
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            while Instant::now() < until {
                tick.tick().await;
                let (commands, acked) = (commands.clone(), acked.clone());
                sent.push(tokio::spawn(async move { create(&commands, &acked).await }));
            }
        }
        Intake::FullSpeed(writers) => {
            for _ in 0..writers {
                let (commands, acked) = (commands.clone(), acked.clone());
                sent.push(tokio::spawn(async move {
                    while Instant::now() < until {
                        create(&commands, &acked).await?;
                    }
                    Ok(())
                }));
            }
        }
    }
    for s in sent {
        s.await.map_err(task)?.map_err(task)?;
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap_or_else(|e| e.into_inner()));
    let last_ack = acked
        .iter()
        .map(|(_, at)| *at)
        .max()
        .unwrap_or_else(Utc::now);
    let expected = acked.len() * shape.endpoints;
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        let got: usize = arrivals
            .at
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .map(Vec::len)
            .sum();
        if got >= expected {
            break;
        }
        if Instant::now() > deadline {
            return Err(task(format!(
                "only {got} of {expected} deliveries in 5 min"
            )));
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    dispatcher.stop().await;
    receiver_handle.stop(true).await;
    // When the fan-out queued each delivery and its first attempt started, by the database's
    // own records.
    let recorded: Vec<(String, DateTime<Utc>, DateTime<Utc>)> = sqlx::query_as(
        "SELECT d.event_id, d.created_at, min(a.attempted_at)
           FROM webhook_deliveries d
           JOIN webhook_endpoints e ON e.id = d.endpoint_id
           JOIN webhook_attempts a ON a.delivery_id = d.id
          WHERE e.description LIKE 'latency %'
          GROUP BY d.id",
    )
    .fetch_all(pool)
    .await?;
    for id in &endpoints {
        webhooks::delete_endpoint(pool, id).await?;
    }

    let at = std::mem::take(&mut *arrivals.at.lock().unwrap_or_else(|e| e.into_inner()));
    let since = |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).to_std().unwrap_or_default();
    let mut latencies = Vec::with_capacity(expected);
    let mut last_arrival = last_ack;
    for (id, acked_at) in &acked {
        for arrived in at.get(id).into_iter().flatten() {
            latencies.push(since(*acked_at, *arrived));
            last_arrival = last_arrival.max(*arrived);
        }
    }
    let acked: HashMap<String, DateTime<Utc>> = acked.into_iter().collect();
    let (mut to_queue, mut to_attempt) = (Vec::new(), Vec::new());
    for (id, queued, attempted) in &recorded {
        if let Some(acked_at) = acked.get(id) {
            to_queue.push(since(*acked_at, *queued));
        }
        to_attempt.push(since(*queued, *attempted));
    }
    // An event's first attempts (one per endpoint) against its arrivals, both in time order.
    let mut first_attempts: HashMap<&str, Vec<DateTime<Utc>>> = HashMap::new();
    for (id, _, attempted) in &recorded {
        first_attempts.entry(id).or_default().push(*attempted);
    }
    let mut to_arrival = Vec::new();
    for (id, mut attempts) in first_attempts {
        let mut arrived = at.get(id).cloned().unwrap_or_default();
        arrived.sort();
        attempts.sort();
        to_arrival.extend(attempts.iter().zip(&arrived).map(|(a, r)| since(*a, *r)));
    }
    let stages = [
        ("acknowledged → queued by the fan-out", to_queue),
        ("queued → attempt started", to_attempt),
        ("attempt started → received", to_arrival),
    ]
    .into_iter()
    .map(|(name, mut d)| {
        d.sort();
        (name, crate::quantile(&d, 0.50), crate::quantile(&d, 0.99))
    })
    .collect();
    latencies.sort();
    let delivered_per_s =
        latencies.len() as f64 / since(started, last_arrival).as_secs_f64().max(1e-3);
    Ok(Latency {
        shape,
        seconds,
        delivered_per_s,
        deliveries: latencies.len(),
        p50: crate::quantile(&latencies, 0.50),
        p90: crate::quantile(&latencies, 0.90),
        p99: crate::quantile(&latencies, 0.99),
        max: latencies.last().copied().unwrap_or_default(),
        backlog: since(last_ack, last_arrival),
        connections: arrivals.connections.load(Ordering::Relaxed),
        database_connections,
        stages,
    })
}

/// One `organization.create`; its `organization.created` event noted with when it was
/// acknowledged.
async fn create(
    commands: &Commands<Organization>,
    acked: &Mutex<Vec<Acked>>,
) -> Result<(), String> {
    let id = OrganizationId::new();
    let command = OrganizationCommand::Create(CreateOrganization {
        id,
        name: OrganizationName::parse("Acme").map_err(|e| e.to_string())?,
        description: None,
        external_id: None,
        metadata: Metadata::default(),
        max_members: None,
        template_roles: None,
        at: Utc::now(),
    });
    let id = id.to_string();
    let done = commands
        .execute(&id, None, command, &RequestContext::system("bench"))
        .await
        .map_err(|e| e.to_string())?;
    let now = Utc::now();
    if let Some(created) = done
        .events
        .iter()
        .find(|e| matches!(e.event, OrganizationEvent::Created(_)))
    {
        acked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((created.event_id.clone(), now));
    }
    Ok(())
}
