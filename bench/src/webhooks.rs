//! The webhook benchmark: events delivered through the whole dispatcher (fan-out into the queue,
//! claim, sign, POST, record the attempt) to a local receiver, against plain concurrent POSTs of
//! the same bodies to the same receiver with the same concurrency — fanned out to 4 endpoints,
//! and to one endpoint at full speed with its order kept (one attempt in flight) and not (16).

use std::sync::Arc;
use std::time::{Duration, Instant};

use domain::WebhookEndpointId;
use futures::StreamExt;
use sqlx::PgPool;
use webhook_dispatcher::queue::{self as webhooks, EndpointSettings};
use webhook_dispatcher::sealing::Keyring;

use crate::receiver::Receiver;
use crate::{task, Bench, BenchError, Row};

/// Events delivered to each endpoint.
const EVENTS: i64 = 20_000;

/// The runs: endpoints, attempts in flight per endpoint, and the row's name.
const RUNS: [(usize, usize, &str); 3] = [
    (
        4,
        8,
        "webhook delivery, 4 endpoints (queue, sign, POST, log)",
    ),
    (
        1,
        1,
        "webhook delivery, 1 endpoint, order kept (1 in flight)",
    ),
    (
        1,
        16,
        "webhook delivery, 1 endpoint, 16 in flight (order not kept)",
    ),
];

/// A new endpoint for `url` taking `event_types` (all when empty), through the dispatcher's own
/// endpoint function, its secret sealed with `keyring` as the API seals it; its id.
pub(crate) async fn endpoint(
    pool: &PgPool,
    keyring: &Keyring,
    url: &str,
    description: String,
    event_types: Vec<String>,
) -> Result<String, BenchError> {
    let id = WebhookEndpointId::new().to_string();
    let settings = EndpointSettings {
        url: url.to_owned(),
        description: Some(description),
        event_types,
        organization_id: None,
        rate_limit_per_s: None,
    };
    let sealed = keyring.seal(&id, &webhook_dispatcher::signing::generate());
    webhooks::insert_endpoint(pool, &id, &settings, &sealed).await?;
    Ok(id)
}

pub async fn measure(_args: &Bench, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let receiver = Receiver::start()?;
    let mut rows = Vec::new();
    for (endpoints, in_flight, name) in RUNS {
        rows.push(run(pool, &receiver, endpoints, in_flight, name).await?);
    }
    receiver.stop().await;
    Ok(rows)
}

/// `EVENTS` new events delivered to `endpoints` new endpoints with `in_flight` attempts each,
/// then the same bodies as plain POSTs with the same total concurrency.
async fn run(
    pool: &PgPool,
    receiver: &Receiver,
    endpoints: usize,
    in_flight: usize,
    name: &'static str,
) -> Result<Row, BenchError> {
    // Endpoints first: they take every event from their creation on, so the events written next
    // go to each of them.
    let from = store::Feed::new(pool.clone()).head().await?;
    let config = Arc::new(webhook_dispatcher::DispatcherConfig {
        max_in_flight: in_flight,
        addresses: Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().map_err(task)?],
        }),
        ..Default::default()
    });
    let mut ids = Vec::with_capacity(endpoints);
    for n in 0..endpoints {
        let description = format!("bench {n}");
        ids.push(
            endpoint(
                pool,
                &config.keyring,
                &receiver.url,
                description,
                Vec::new(),
            )
            .await?,
        );
    }
    crate::export::synthetic_events(pool, EVENTS).await?;
    let head = store::Feed::new(pool.clone()).head().await?;
    let events = store::Feed::new(pool.clone())
        .read_range(from, head)
        .await?;
    let total = events.len() * endpoints;
    // The fan-out starts where the endpoints do, not at the beginning of the earlier sections'
    // log.
    crate::skip_to(pool, &[webhook_dispatcher::fanout::CONSUMER], from).await?;

    eprintln!(
        "webhooks: {} events to {endpoints} endpoint(s), {in_flight} in flight each, through the \
         dispatcher …",
        events.len()
    );
    let before = receiver.received();
    let started = Instant::now();
    let dispatcher = webhook_dispatcher::Dispatcher::start(pool.clone(), config).map_err(task)?;
    let timeout = Duration::from_secs(600);
    // (Past the timeout, the count below says how far it got.)
    receiver.wait_for(before + total, timeout).await;
    // Then every attempt logged as a success.
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded' AND endpoint_id = ANY ($1)",
        )
        .bind(&ids)
        .fetch_one(pool)
        .await?;
        if done as usize >= total {
            break;
        }
        if started.elapsed() > timeout {
            return Err(task(format!("only {done} of {total} deliveries in 10 min")));
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let dispatched_per_s = total as f64 / started.elapsed().as_secs_f64();
    dispatcher.stop().await;
    // Later runs and sections measure their own endpoints only.
    for id in &ids {
        webhooks::delete_endpoint(pool, id).await?;
    }

    eprintln!("webhooks: the same bodies as plain POSTs …");
    let bodies: Vec<Vec<u8>> = events
        .iter()
        .map(|e| serde_json::to_vec(&e.envelope()))
        .collect::<Result<_, _>>()
        .map_err(task)?;
    let client = reqwest::Client::new();
    let started = Instant::now();
    let posts = futures::stream::iter((0..endpoints).flat_map(|_| bodies.iter()))
        .map(|body| {
            let client = client.clone();
            async move {
                client
                    .post(&receiver.url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status().is_success())
            }
        })
        .buffer_unordered(endpoints * in_flight)
        .collect::<Vec<_>>()
        .await;
    let plain_per_s = total as f64 / started.elapsed().as_secs_f64();
    if posts.iter().any(|p| !matches!(p, Ok(true))) {
        return Err(task("a plain POST failed"));
    }
    Ok(Row {
        name,
        roster: dispatched_per_s,
        baseline_name: "plain concurrent POSTs",
        baseline: plain_per_s,
        unit: "deliveries/s",
        note: None,
    })
}
