//! The Kafka relay benchmark: the events of the log from the store to the broker through the
//! relay (feed, message building, produce, delivery reports, checkpoints), against producing the
//! the log's messages (a sample spread over the log, built beforehand, produced until as many
//! went out as the log holds) with the same producer settings to the same broker.

use std::time::{Duration, Instant};

use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::PgPool;
use store::Feed;

use crate::{task, Bench, BenchError, Row};

/// How many of the log's messages the raw-produce baseline builds beforehand.
const SAMPLE: usize = 50_000;

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

    // The log's messages as the relay would build them — a sample spread evenly over the log,
    // built beforehand (not the whole log in memory) — produced over and over until as many
    // messages as the log holds went out.
    let head = Feed::new(pool.clone()).head().await?;
    let every = (head as usize).div_ceil(SAMPLE).max(1);
    let mut follower = Feed::new(pool.clone()).follow(0);
    follower.batch_size = 1000;
    let mut sample = Vec::with_capacity(SAMPLE);
    while follower.position() < head {
        let batch = follower.next_batch().await?;
        for event in batch
            .iter()
            .filter(|e| (e.position as usize).is_multiple_of(every))
        {
            sample.push(kafka_relay::message::message(event, "roster").map_err(task)?);
        }
    }
    if sample.is_empty() {
        eprintln!(
            "kafka: the log is empty (the section relays what earlier ones wrote): not measured"
        );
        return Ok(Vec::new());
    }
    eprintln!(
        "kafka: {head} events, raw produce (a sample of {} messages, one event in {every}) …",
        sample.len()
    );
    let raw = config(&format!("bench.raw.{run}"));
    kafka_relay::ensure_topic(&raw).await.map_err(task)?;
    let producer: FutureProducer = raw.producer().create().map_err(task)?;
    let started = Instant::now();
    let mut reports = Vec::with_capacity(head as usize);
    for m in sample.iter().cycle().take(head as usize) {
        let mut record = FutureRecord::to(&raw.topic)
            .key(&m.key)
            .payload(&m.value)
            .headers(m.kafka_headers());
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
    let produced = reports.len();
    for report in reports {
        report.await.map_err(task)?.map_err(|(e, _)| task(e))?;
    }
    let raw_per_s = produced as f64 / started.elapsed().as_secs_f64();

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
    let relay_per_s = head as f64 / started.elapsed().as_secs_f64();
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
