//! The webhook benchmark: events delivered through the whole dispatcher (fan-out into the queue,
//! claim, sign, POST, record the attempt) to a local receiver, against plain concurrent POSTs of
//! the same bodies to the same receiver with the same concurrency.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::{web, App, HttpResponse, HttpServer};
use domain::WebhookEndpointId;
use futures::StreamExt;
use sqlx::PgPool;
use webhook_dispatcher::queue::{self as webhooks, EndpointSettings};
use webhook_dispatcher::sealing::Keyring;

use crate::{Bench, BenchError, Row};

/// Events delivered to each endpoint.
const EVENTS: i64 = 5_000;
const ENDPOINTS: usize = 4;
const IN_FLIGHT: usize = 8;

fn task(e: impl std::fmt::Display) -> BenchError {
    BenchError::Task(e.to_string())
}

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
    let listener = TcpListener::bind("127.0.0.1:0").map_err(task)?;
    let url = format!("http://{}/hook", listener.local_addr().map_err(task)?);
    let receiver = HttpServer::new(|| {
        // Reads the whole body, answers 204.
        App::new().default_service(web::to(|_body: web::Bytes| async {
            HttpResponse::NoContent().finish()
        }))
    })
    .workers(1)
    .disable_signals()
    .listen(listener)
    .map_err(task)?
    .run();
    let receiver_handle = receiver.handle();
    tokio::spawn(receiver);

    // Endpoints first: they take every event from their creation on, so the EVENTS events
    // written next go to each of them.
    let from = store::Feed::new(pool.clone()).head().await?;
    let config = Arc::new(webhook_dispatcher::DispatcherConfig {
        max_in_flight: IN_FLIGHT,
        addresses: Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
            allow: vec!["127.0.0.0/8".parse().map_err(task)?],
        }),
        ..Default::default()
    });
    let mut endpoints = Vec::with_capacity(ENDPOINTS);
    for n in 0..ENDPOINTS {
        let description = format!("bench {n}");
        endpoints.push(endpoint(pool, &config.keyring, &url, description, Vec::new()).await?);
    }
    crate::export::synthetic_events(pool, EVENTS).await?;
    let head = store::Feed::new(pool.clone()).head().await?;
    let events = store::Feed::new(pool.clone())
        .read_range(from, head)
        .await?;
    let total = events.len() * ENDPOINTS;
    // The fan-out starts where the endpoints do, not at the beginning of the earlier sections'
    // log.
    let mut conn = pool.acquire().await?;
    store::checkpoints::save(&mut conn, webhook_dispatcher::fanout::CONSUMER, from).await?;
    drop(conn);

    eprintln!(
        "webhooks: {} events to {ENDPOINTS} endpoints through the dispatcher …",
        events.len()
    );
    let started = Instant::now();
    let dispatcher = webhook_dispatcher::Dispatcher::start(pool.clone(), config).map_err(task)?;
    loop {
        let done: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM webhook_deliveries WHERE status = 'succeeded'",
        )
        .fetch_one(pool)
        .await?;
        if done as usize >= total {
            break;
        }
        if started.elapsed() > Duration::from_secs(600) {
            return Err(task(format!("only {done} of {total} deliveries in 10 min")));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let dispatched_per_s = total as f64 / started.elapsed().as_secs_f64();
    dispatcher.stop().await;
    // Later sections measure their own endpoints only.
    for id in &endpoints {
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
    let posts = futures::stream::iter((0..ENDPOINTS).flat_map(|_| bodies.iter()))
        .map(|body| {
            let client = client.clone();
            let url = url.clone();
            async move {
                client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body.clone())
                    .send()
                    .await
                    .map(|r| r.status().is_success())
            }
        })
        .buffer_unordered(ENDPOINTS * IN_FLIGHT)
        .collect::<Vec<_>>()
        .await;
    let plain_per_s = total as f64 / started.elapsed().as_secs_f64();
    if posts.iter().any(|p| !matches!(p, Ok(true))) {
        return Err(task("a plain POST failed"));
    }
    receiver_handle.stop(true).await;

    Ok(vec![Row {
        name: "webhook delivery (queue, sign, POST, log)",
        roster: dispatched_per_s,
        baseline_name: "plain concurrent POSTs",
        baseline: plain_per_s,
        unit: "deliveries/s",
        note: None,
    }])
}
