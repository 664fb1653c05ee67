//! Webhook latency under fan-out: commands at a steady rate, every event delivered to each of 10
//! endpoints with one attempt in flight per endpoint (first attempts in order), to a local
//! receiver that notes when each request arrives and counts the connections it accepts.
//! Latency is command acknowledged → request received; the backlog is how long the last
//! delivery came after the last command.

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use chrono::Utc;
use domain::organization::{CreateOrganization, Organization, OrganizationCommand};
use domain::values::{Metadata, OrganizationName};
use domain::OrganizationId;
use sqlx::PgPool;
use store::webhooks::{self, EndpointSettings};
use store::{Commands, EventRepository, RequestContext};

use super::{BenchArgs, BenchError};

const ENDPOINTS: usize = 10;

fn task(e: impl std::fmt::Display) -> BenchError {
    BenchError::Task(e.to_string())
}

/// What one steady-rate run measured.
pub struct Latency {
    pub rate: u32,
    pub seconds: u64,
    pub deliveries: usize,
    pub p50: Duration,
    pub p90: Duration,
    pub p99: Duration,
    pub max: Duration,
    /// The last delivery's arrival after the last command's acknowledgement.
    pub backlog: Duration,
    pub connections: u64,
}

impl Latency {
    pub fn describe(&self) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        format!(
            "{} events/s × {ENDPOINTS} endpoints for {} s, max in flight 1: {} deliveries, \
             p50 {}, p90 {}, p99 {}, max {}; last delivery {} after the last command; \
             {} connections opened",
            self.rate,
            self.seconds,
            self.deliveries,
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max),
            ms(self.backlog),
            self.connections
        )
    }
}

/// Arrival times by `webhook-id`, and accepted connections.
#[derive(Default)]
struct Arrivals {
    at: Mutex<HashMap<String, Vec<Instant>>>,
    connections: AtomicU64,
}

/// One run at `rate` events per second for `seconds`.
pub async fn measure(
    _args: &BenchArgs,
    pool: &PgPool,
    rate: u32,
    seconds: u64,
) -> Result<Latency, BenchError> {
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
                    let now = Instant::now();
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
    sqlx::query("UPDATE webhook_endpoints SET enabled = false")
        .execute(pool)
        .await?;
    for n in 0..ENDPOINTS {
        let settings = EndpointSettings {
            url: url.clone(),
            description: Some(format!("latency {n}")),
            event_types: vec!["organization.created".into()],
            organization_id: None,
            rate_limit_per_s: None,
        };
        webhooks::insert_endpoint(
            pool,
            &format!("we_{}", ulid::Ulid::new()),
            &settings,
            &webhook_dispatcher::signing::generate(),
        )
        .await?;
    }
    let config = Arc::new(webhook_dispatcher::DispatcherConfig {
        max_in_flight: 1,
        addresses: Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().map_err(task)?],
        }),
        ..Default::default()
    });
    let dispatcher = webhook_dispatcher::Dispatcher::start(pool.clone(), config).map_err(task)?;

    // Open loop: a command every 1/rate s, whatever the previous ones are doing.
    let commands = Arc::new(Commands::<Organization>::new(
        EventRepository::new(pool.clone()),
        (),
        None,
    ));
    let acked: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / f64::from(rate)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let until = Instant::now() + Duration::from_secs(seconds);
    let mut sent = Vec::new();
    while Instant::now() < until {
        tick.tick().await;
        let (commands, acked) = (commands.clone(), acked.clone());
        sent.push(tokio::spawn(async move {
            let id = OrganizationId::new();
            let command = OrganizationCommand::Create(CreateOrganization {
                id,
                name: OrganizationName::parse("Acme").map_err(|e| e.to_string())?,
                description: None,
                external_id: None,
                metadata: Metadata::default(),
                at: Utc::now(),
            });
            let id = id.to_string();
            let done = commands
                .execute(&id, None, command, &RequestContext::system("bench"))
                .await
                .map_err(|e| e.to_string())?;
            let now = Instant::now();
            if let Some(created) = done
                .events
                .iter()
                .find(|e| e.event_type == "organization.created")
            {
                acked
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .push((created.event_id.clone(), now));
            }
            Ok::<(), String>(())
        }));
    }
    for s in sent {
        s.await.map_err(task)?.map_err(task)?;
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap_or_else(|e| e.into_inner()));
    let last_ack = acked
        .iter()
        .map(|(_, at)| *at)
        .max()
        .unwrap_or_else(Instant::now);
    let expected = acked.len() * ENDPOINTS;
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
    sqlx::query("DELETE FROM webhook_endpoints WHERE description LIKE 'latency %'")
        .execute(pool)
        .await?;
    sqlx::query("UPDATE webhook_endpoints SET enabled = true")
        .execute(pool)
        .await?;

    let at = std::mem::take(&mut *arrivals.at.lock().unwrap_or_else(|e| e.into_inner()));
    let mut latencies = Vec::with_capacity(expected);
    let mut last_arrival = last_ack;
    for (id, acked_at) in &acked {
        for arrived in at.get(id).into_iter().flatten() {
            latencies.push(arrived.saturating_duration_since(*acked_at));
            last_arrival = last_arrival.max(*arrived);
        }
    }
    latencies.sort();
    let pick = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Ok(Latency {
        rate,
        seconds,
        deliveries: latencies.len(),
        p50: pick(0.50),
        p90: pick(0.90),
        p99: pick(0.99),
        max: latencies.last().copied().unwrap_or_default(),
        backlog: last_arrival.saturating_duration_since(last_ack),
        connections: arrivals.connections.load(Ordering::Relaxed),
    })
}
