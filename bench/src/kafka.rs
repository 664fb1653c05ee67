//! The Kafka relay benchmark: the events of the log from the store to the broker through the
//! relay (feed, message building, produce, delivery reports, checkpoints), against producing the
//! same messages, built beforehand, with the same producer settings to the same broker.

use std::time::{Duration, Instant};

use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::PgPool;
use store::Feed;

use crate::{Bench, BenchError, Row};

fn task(e: impl std::fmt::Display) -> BenchError {
    BenchError::Task(e.to_string())
}

pub async fn measure(args: &Bench, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let Some(brokers) = &args.kafka_brokers else {
        eprintln!("kafka: no --kafka-brokers (scripts/bench.sh starts tansu): relay not measured");
        return Ok(Vec::new());
    };
    let run = ulid::Ulid::new().to_string().to_lowercase();
    let config = |topic: &str| kafka_relay::RelayConfig {
        topic: topic.to_owned(),
        ..kafka_relay::RelayConfig::new(brokers.clone())
    };

    // Every event of the log, as the relay would send it.
    let head = Feed::new(pool.clone()).head().await?;
    let mut follower = Feed::new(pool.clone()).follow(0);
    follower.batch_size = 1000;
    let mut messages = Vec::new();
    while messages.len() < head as usize {
        let batch = follower.next_batch().await?;
        if batch.is_empty() {
            break;
        }
        for event in &batch {
            messages.push(kafka_relay::message::message(event, "roster").map_err(task)?);
        }
    }
    eprintln!("kafka: {} events, raw produce …", messages.len());
    let raw = config(&format!("bench.raw.{run}"));
    kafka_relay::ensure_topic(&raw).await.map_err(task)?;
    let producer: FutureProducer = raw.producer().create().map_err(task)?;
    let headers: Vec<_> = messages.iter().map(|m| m.kafka_headers()).collect();
    let started = Instant::now();
    let mut reports = Vec::with_capacity(messages.len());
    for (m, headers) in messages.iter().zip(headers) {
        let mut record = FutureRecord::to(&raw.topic)
            .key(&m.key)
            .payload(&m.value)
            .headers(headers);
        loop {
            match producer.send_result(record) {
                Ok(report) => {
                    reports.push(report);
                    break;
                }
                Err((_, back)) => {
                    // The queue is full: let reports come in.
                    record = back;
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
            }
        }
    }
    for report in reports {
        report.await.map_err(task)?.map_err(|(e, _)| task(e))?;
    }
    let raw_per_s = messages.len() as f64 / started.elapsed().as_secs_f64();

    eprintln!("kafka: the relay, from the store …");
    let relayed = config(&format!("bench.relay.{run}"));
    kafka_relay::ensure_topic(&relayed).await.map_err(task)?;
    // The relay has not run on this private database: it starts at the beginning of the log.
    let relay = kafka_relay::Relay::new(pool.clone(), relayed).map_err(task)?;
    let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
    let started = Instant::now();
    let running = tokio::spawn(relay.run(role));
    let mut checkpoints = store::checkpoints::watch(
        pool.clone(),
        kafka_relay::CONSUMER,
        Duration::from_millis(20),
    );
    let reached = tokio::time::timeout(
        Duration::from_secs(args.seconds * 30),
        checkpoints.wait_for(|p| *p >= head),
    )
    .await;
    let relay_per_s = messages.len() as f64 / started.elapsed().as_secs_f64();
    running.abort();
    if !matches!(reached, Ok(Ok(_))) {
        return Err(task("the relay did not reach the head of the log"));
    }
    Ok(vec![Row {
        name: "Kafka relay (store → broker, delivery reports, checkpoints)",
        roster: relay_per_s,
        baseline_name: "raw produce of the same messages",
        baseline: raw_per_s,
        unit: "events/s",
        note: None,
    }])
}
