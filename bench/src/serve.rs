//! `roster serve`'s own resident memory, in a process of its own (the other sections serve the
//! app inside the bench, whose memory holds their clients and baselines too): idle once started
//! and caught up with the log, its peak under load — the command mix over HTTP from 16 clients,
//! every event fanned out to 4 webhook endpoints, the Kafka relay when a broker is given — and
//! idle again after the load.

use std::time::{Duration, Instant};

use serde_json::json;
use sqlx::PgPool;

use crate::memory::{self, Status};
use crate::process::Server;
use crate::receiver::Receiver;
use crate::{http, mix, task, Bench, BenchError, Row};

const ENDPOINTS: usize = 4;
/// The resident-memory target of `roster serve` (issue 26).
const TARGET_MIB: f64 = 250.0;
/// How long the server is left alone before and after the load.
const IDLE: Duration = Duration::from_secs(10);

pub async fn measure(
    args: &Bench,
    dir: &std::path::Path,
    pool: &PgPool,
    url: &str,
) -> Result<Vec<Row>, BenchError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    // The fan-out and the relay start at the head (the endpoints and the topic are new); the
    // projector and the process manager catch up with whatever earlier sections wrote.
    let skipped = [webhook_dispatcher::fanout::CONSUMER, kafka_relay::CONSUMER];
    crate::skip_to(pool, &skipped, head).await?;
    let mut env = Vec::new();
    if let Some(brokers) = &args.kafka_brokers {
        let topic = format!(
            "bench.serve.{}",
            ulid::Ulid::new().to_string().to_lowercase()
        );
        env.push(("KAFKA_BROKERS", brokers.clone()));
        env.push(("ROSTER_KAFKA_TOPIC", topic));
    }
    eprintln!("serve: roster serve in a process of its own, catching up with the log …");
    let started = Instant::now();
    let server = Server::start(dir, "serve", url, &[], &env).await?;
    let pid = server.pid();
    let wait = Duration::from_secs(600);
    for consumer in [projector::CONSUMER, command_service::workflows::CONSUMER] {
        if !store::checkpoints::reached(pool, consumer, head, wait).await {
            return Err(task(format!("{consumer} did not catch up in 10 min")));
        }
    }
    let caught_up = started.elapsed();
    tokio::time::sleep(IDLE).await;
    let idle = Status::of(&pid);

    let receiver = Receiver::start()?;
    let key = http::key(pool, false).await?;
    let client = reqwest::Client::new();
    let mut endpoints = Vec::with_capacity(ENDPOINTS);
    for n in 0..ENDPOINTS {
        let res = client
            .post(format!("{}/v1/webhook-endpoints", server.base))
            .bearer_auth(&key)
            .json(&json!({ "url": receiver.url, "description": format!("serve {n}") }))
            .send()
            .await
            .map_err(task)?;
        if !res.status().is_success() {
            let body = res.text().await.unwrap_or_default();
            return Err(task(format!("endpoint not made: {body}")));
        }
        let made: serde_json::Value = res.json().await.map_err(task)?;
        endpoints.push(made["id"].as_str().unwrap_or_default().to_owned());
    }
    let from = store::Feed::new(pool.clone()).head().await?;
    eprintln!(
        "serve: the command mix over HTTP, {} clients, {} s, every event to {ENDPOINTS} endpoints …",
        args.clients, args.seconds
    );
    memory::reset_peak(&pid);
    let organizations = mix::organizations(&server.base, &key).await?;
    let load = mix::drive(args, &server.base, &key, organizations).await?;
    let to = store::Feed::new(pool.clone()).head().await?;
    let expected = (to - from) as usize * ENDPOINTS;
    if !receiver.wait_for(expected, wait).await {
        return Err(task(format!(
            "only {} of {expected} deliveries in 10 min",
            receiver.received()
        )));
    }
    if args.kafka_brokers.is_some()
        && !store::checkpoints::reached(pool, kafka_relay::CONSUMER, to, wait).await
    {
        return Err(task(
            "the relay did not reach the head of the log in 10 min",
        ));
    }
    let loaded = Status::of(&pid);
    tokio::time::sleep(IDLE).await;
    let after = Status::of(&pid);
    // Later sections measure their own endpoints only: these would take their events too, to
    // a receiver that is gone.
    for id in &endpoints {
        let res = client
            .delete(format!("{}/v1/webhook-endpoints/{id}", server.base))
            .bearer_auth(&key)
            .send()
            .await
            .map_err(task)?;
        if !res.status().is_success() {
            return Err(task(format!("endpoint {id} not deleted: {}", res.status())));
        }
    }
    drop(server);
    receiver.stop().await;

    let what = if args.kafka_brokers.is_some() {
        "the command mix over HTTP, fan-out to 4 endpoints, the Kafka relay"
    } else {
        "the command mix over HTTP, fan-out to 4 endpoints"
    };
    Ok(vec![
        Row {
            name: "roster serve resident memory, idle once caught up (own process)",
            roster: memory::mib(idle.rss),
            baseline_name: "the target",
            baseline: TARGET_MIB,
            unit: "MiB",
            note: Some(format!(
                "caught up with {head} events of earlier sections in {:.0} s, then {} s idle: {}",
                caught_up.as_secs_f64(),
                IDLE.as_secs(),
                idle.describe()
            )),
        },
        Row {
            name: "roster serve peak resident memory under load (own process)",
            roster: memory::mib(loaded.peak.max(loaded.rss)),
            baseline_name: "the target",
            baseline: TARGET_MIB,
            unit: "MiB",
            note: Some(format!(
                "{what}: {:.0} commands/s, {expected} deliveries; {}; at the end of the load: \
                 {}; {} s later, idle: {}",
                load.rate,
                load.describe(),
                loaded.describe(),
                IDLE.as_secs(),
                after.describe()
            )),
        },
    ])
}
