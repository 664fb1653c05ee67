//! The Kafka relay benchmark: the events of the log from the store to the broker through the
//! relay (feed, message building, produce, delivery reports, checkpoints), against producing the
//! same messages, built a batch ahead, with the same producer settings to the same broker.

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

    // Every event of the log, as the relay would send it: built a batch ahead on a task of its
    // own (a few batches at a time, not the whole log in memory), produced as they come.
    let head = Feed::new(pool.clone()).head().await?;
    eprintln!("kafka: {head} events, raw produce …");
    let raw = config(&format!("bench.raw.{run}"));
    kafka_relay::ensure_topic(&raw).await.map_err(task)?;
    let producer: FutureProducer = raw.producer().create().map_err(task)?;
    let (batches, mut built) = tokio::sync::mpsc::channel(4);
    let reader = {
        let pool = pool.clone();
        tokio::spawn(async move {
            let mut follower = Feed::new(pool).follow(0);
            follower.batch_size = 1000;
            let mut read = 0;
            while read < head {
                let batch = follower.next_batch().await?;
                let Some(last) = batch.last() else { break };
                read = last.position;
                let messages = batch
                    .iter()
                    .map(|e| kafka_relay::message::message(e, "roster").map_err(task))
                    .collect::<Result<Vec<_>, _>>()?;
                if batches.send(messages).await.is_err() {
                    break;
                }
            }
            Ok::<(), BenchError>(())
        })
    };
    let started = Instant::now();
    let mut reports = std::collections::VecDeque::new();
    let mut produced = 0usize;
    while let Some(messages) = built.recv().await {
        for m in &messages {
            let mut record = FutureRecord::to(&raw.topic)
                .key(&m.key)
                .payload(&m.value)
                .headers(m.kafka_headers());
            loop {
                match producer.send_result(record) {
                    Ok(report) => {
                        reports.push_back(report);
                        break;
                    }
                    Err((_, back)) => {
                        // The queue is full: wait for the oldest message's report.
                        record = back;
                        match reports.pop_front() {
                            Some(report) => {
                                report.await.map_err(task)?.map_err(|(e, _)| task(e))?;
                            }
                            None => tokio::time::sleep(Duration::from_millis(1)).await,
                        }
                    }
                }
            }
        }
        produced += messages.len();
    }
    reader.await.map_err(task)??;
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
