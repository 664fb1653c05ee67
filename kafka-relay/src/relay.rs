//! The relay: a feed consumer whose step produces a batch of events and waits for every
//! delivery report before the shared loop moves the checkpoint past the batch. Any failure
//! leaves the checkpoint where it was; the loop backs off and the batch is produced again (so a
//! consumer may see a message twice, with the same `ce_id`, never miss one).

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::producer::{DeliveryFuture, FutureProducer, FutureRecord, Producer, PurgeConfig};
use sqlx::PgPool;
use store::consumer::{self, Consumer, LoopConfig, Role, Step};
use store::{FeedEvent, StoreError};
use tokio::sync::watch;

use crate::message::message;
use crate::{topic, Oversize, RelayConfig, RelayConfigError};

/// The relay's checkpoint name (and its one-active-instance lock).
pub const CONSUMER: &str = "kafka_relay";

/// Events per batch: each batch waits for its last delivery report before the checkpoint moves,
/// so larger batches keep the producer busier (measured in `roster bench`).
const BATCH: i64 = 5000;

/// The sink name of the relay's dead letters.
const SINK: &str = "kafka";

pub struct Relay {
    config: RelayConfig,
    /// Replaced when librdkafka reports a fatal error (the idempotent producer cannot go on).
    producer: Producing,
    pool: PgPool,
    health: Arc<RelayHealth>,
    /// Whether the topic is known to exist (checked again after every failure).
    topic_ready: AtomicBool,
}

/// Whether the relay's last attempt failed, and why: `/readyz` shows the relay as degraded
/// (the process itself stays ready: commands and the other consumers do not need the broker).
pub struct RelayHealth {
    failing: Mutex<Option<(String, DateTime<Utc>)>>,
    producing: Producing,
}

impl RelayHealth {
    /// The error of the last attempt and since when the relay has been failing, if it is.
    pub fn failing(&self) -> Option<(String, DateTime<Utc>)> {
        self.failing.lock().map(|f| f.clone()).unwrap_or(None)
    }

    /// Messages handed to the producer that await their delivery report.
    pub fn in_flight(&self) -> i64 {
        self.producing
            .get()
            .map_or(0, |p| i64::from(p.in_flight_count()))
    }

    fn failed(&self, error: &str) {
        if let Ok(mut failing) = self.failing.lock() {
            let since = failing.as_ref().map_or_else(Utc::now, |(_, since)| *since);
            *failing = Some((error.to_owned(), since));
        }
    }

    fn ok(&self) {
        if let Ok(mut failing) = self.failing.lock() {
            *failing = None;
        }
    }
}

/// The relay's current producer, shared with whoever flushes it at shutdown.
#[derive(Clone)]
pub struct Producing(Arc<Mutex<FutureProducer>>);

impl Producing {
    fn get(&self) -> Option<FutureProducer> {
        self.0.lock().ok().map(|p| p.clone())
    }

    fn replace(&self, producer: FutureProducer) {
        if let Ok(mut current) = self.0.lock() {
            *current = producer;
        }
    }
}

/// A message handed to the producer, waiting for its delivery report.
struct InFlight {
    position: i64,
    bytes: usize,
    report: DeliveryFuture,
}

impl Relay {
    /// A relay for `config`; an invalid configuration (or one librdkafka refuses) is an error
    /// here, before anything runs.
    pub fn new(pool: PgPool, config: RelayConfig) -> Result<Self, RelayConfigError> {
        Ok(Self::checked(pool, check(config)?))
    }

    /// A relay for a configuration [`check`] accepted (its producer is the one made there).
    pub fn checked(pool: PgPool, checked: Checked) -> Self {
        let producing = Producing(Arc::new(Mutex::new(checked.producer)));
        Self {
            config: checked.config,
            producer: producing.clone(),
            pool,
            health: Arc::new(RelayHealth {
                failing: Mutex::default(),
                producing,
            }),
            topic_ready: AtomicBool::new(false),
        }
    }

    pub fn health(&self) -> Arc<RelayHealth> {
        self.health.clone()
    }

    /// The producer, to flush what is in flight at shutdown (see [`flush`]).
    pub fn producing(&self) -> Producing {
        self.producer.clone()
    }

    /// Follows the feed until the task is dropped (one active relay per database; others stand
    /// by).
    pub async fn run(self, role: watch::Sender<Role>) {
        let pool = self.pool.clone();
        let config = LoopConfig {
            batch_size: BATCH,
            ..LoopConfig::default()
        };
        consumer::run(pool, self, config, role).await;
    }

    /// Produces `events` in order and waits for every report.
    pub(crate) async fn send(&self, events: &[&FeedEvent]) -> Result<(), StoreError> {
        let result = self.try_send(events).await;
        match &result {
            Ok(()) => self.health.ok(),
            Err(e) => {
                self.topic_ready.store(false, Ordering::Relaxed);
                self.health.failed(&e.to_string());
                self.renew();
            }
        }
        result
    }

    /// After a failed batch the batch is produced again from the checkpoint, by a new producer:
    /// the old one may be stuck on state the broker no longer has (an idempotent producer's id
    /// and sequence numbers on a broker that came back empty, or a fatal error), and nothing it
    /// still holds is needed (what it delivers late is a duplicate).
    fn renew(&self) {
        if let Some(old) = self.producer.get() {
            if let Some((_, reason)) = old.client().fatal_error() {
                tracing::warn!(%reason, "the Kafka producer failed fatally");
            }
            old.purge(PurgeConfig::default().queue().inflight());
        }
        match producer(&self.config) {
            Ok(fresh) => self.producer.replace(fresh),
            Err(e) => tracing::error!(error = %e, "cannot start a new Kafka producer"),
        }
    }

    async fn try_send(&self, events: &[&FeedEvent]) -> Result<(), StoreError> {
        if !self.topic_ready.load(Ordering::Relaxed) {
            topic::ensure(&self.config).await.map_err(failure)?;
            self.topic_ready.store(true, Ordering::Relaxed);
        }
        let producer = self
            .producer
            .get()
            .ok_or_else(|| failure("the Kafka producer is unavailable"))?;
        let mut in_flight: VecDeque<InFlight> = VecDeque::with_capacity(events.len());
        for event in events {
            let m = message(event, &self.config.source)
                .map_err(|e| StoreError::Corrupt(format!("event {}: {e}", event.position)))?;
            let mut record = FutureRecord::to(&self.config.topic)
                .key(&m.key)
                .payload(&m.value)
                .headers(m.kafka_headers());
            loop {
                match producer.send_result(record) {
                    Ok(report) => {
                        in_flight.push_back(InFlight {
                            position: m.position,
                            bytes: m.value.len(),
                            report,
                        });
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        record = back;
                        // The oldest report frees room in the producer's queue.
                        match in_flight.pop_front() {
                            Some(oldest) => self.settle(oldest).await?,
                            None => tokio::time::sleep(Duration::from_millis(5)).await,
                        }
                    }
                    Err((
                        KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge),
                        _,
                    )) => {
                        self.oversize(m.position, m.value.len()).await?;
                        break;
                    }
                    Err((e, _)) => {
                        meters::meters().relayed("failed", 1);
                        return Err(failure(format!("cannot produce event {}: {e}", m.position)));
                    }
                }
            }
        }
        while let Some(next) = in_flight.pop_front() {
            self.settle(next).await?;
        }
        Ok(())
    }

    /// Waits for one report.
    async fn settle(&self, message: InFlight) -> Result<(), StoreError> {
        match message.report.await {
            Ok(Ok(_)) => {
                meters::meters().relayed("delivered", 1);
                Ok(())
            }
            Ok(Err((KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge), _))) => {
                self.oversize(message.position, message.bytes).await
            }
            Ok(Err((e, _))) => {
                meters::meters().relayed("failed", 1);
                Err(failure(format!(
                    "event {} was not delivered: {e}",
                    message.position
                )))
            }
            Err(_) => Err(failure(format!(
                "event {}: the producer went away before its report",
                message.position
            ))),
        }
    }

    /// An event larger than the broker takes: recorded and left out (`skip`), or the relay
    /// stops here until the limit is raised (`halt`).
    async fn oversize(&self, position: i64, bytes: usize) -> Result<(), StoreError> {
        meters::meters().relayed("oversize", 1);
        tracing::error!(
            position,
            bytes,
            policy = ?self.config.oversize,
            "an event is larger than the Kafka broker accepts"
        );
        match self.config.oversize {
            Oversize::Skip => {
                crate::dead_letters::record(
                    &self.pool,
                    SINK,
                    position,
                    bytes as i64,
                    "larger than the broker's message size limit",
                )
                .await
            }
            Oversize::Halt => Err(failure(format!(
                "event {position} ({bytes} bytes) is larger than the broker accepts; raise the \
                 limit or run with --kafka-oversize skip"
            ))),
        }
    }
}

/// The producer `config` describes, if it is valid and librdkafka takes every property.
fn producer(config: &RelayConfig) -> Result<FutureProducer, RelayConfigError> {
    config.validate()?;
    config
        .producer()
        .create()
        .map_err(|e| RelayConfigError::Client(e.to_string()))
}

/// A configuration that passed [`check`], with the producer librdkafka made from it.
pub struct Checked {
    config: RelayConfig,
    producer: FutureProducer,
}

/// Checks `config` as the relay does at start (its own rules, then librdkafka's, by making the
/// producer), without a broker or a database.
pub fn check(config: RelayConfig) -> Result<Checked, RelayConfigError> {
    let producer = producer(&config)?;
    Ok(Checked { config, producer })
}

fn failure(message: impl Into<String>) -> StoreError {
    StoreError::Step(message.into())
}

impl Consumer for Relay {
    fn name(&self) -> &'static str {
        CONSUMER
    }

    /// Produced before the checkpoint's transaction opens: the broker's pace never holds a
    /// transaction (and with it the feed's horizon) open.
    fn prepare<'a>(&'a self, events: &'a [FeedEvent]) -> Step<'a> {
        Box::pin(async move { self.send(&events.iter().collect::<Vec<_>>()).await })
    }
}

/// Delivers what is still in the producer's queue (at most `within`): at shutdown, so that a
/// stopping relay leaves as little as possible to send again.
pub async fn flush(producing: Producing, within: Duration) {
    let Some(producer) = producing.get() else {
        return;
    };
    let flushed = tokio::task::spawn_blocking(move || producer.flush(within)).await;
    if let Ok(Err(e)) = flushed {
        tracing::warn!(error = %e, "the Kafka producer did not flush everything before exit");
    }
}
