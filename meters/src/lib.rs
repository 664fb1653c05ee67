//! roster's Prometheus metrics: the one registry of the process and the metric families each
//! component records into (HTTP requests, commands, appended events, webhook deliveries), plus the
//! gauges the `/metrics` route reads from the database for each scrape (feed consumers' lag, the
//! webhook queue, connection pools). Rendered in the OpenMetrics text format.
//!
//! It owns no I/O and no policy: components decide what to record, `roster` serves the text.

use std::sync::OnceLock;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
pub use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Request {
    /// The route template (`/v1/memberships/{id}`), never the raw path: bounded cardinality.
    pub route: String,
    pub method: String,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Command {
    /// `aggregate.verb`, e.g. `membership.create`.
    pub command: &'static str,
    /// `ok`, `rejected`, `conflict`, `claim_taken`, `requirement_failed`, `unavailable`, `error`.
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EventType {
    pub event_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Delivery {
    /// `succeeded`, `failed` (will be retried), `exhausted` (no retries left), `gone` (410).
    pub outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Consumer {
    pub consumer: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Pool {
    /// Which pool: `http` (the HTTP workers').
    pub pool: &'static str,
    /// `open` or `idle`.
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Queue {
    /// `pending`, `failed` deliveries; `disabled` endpoints.
    pub state: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Relayed {
    /// `delivered`, `failed` (a delivery report or enqueue error), `oversize`.
    pub outcome: &'static str,
}

/// The counters and histograms of the process, recorded as things happen.
pub struct Meters {
    registry: Registry,
    pub requests: Family<Request, Counter>,
    pub request_seconds: Family<Request, Histogram>,
    pub commands: Family<Command, Counter>,
    pub events_appended: Family<EventType, Counter>,
    pub deliveries: Family<Delivery, Counter>,
    pub delivery_seconds: Family<Delivery, Histogram>,
    pub kafka_messages: Family<Relayed, Counter>,
    /// The embedded Postgres: restarts after it died, and whether it runs now (1) or not (0).
    pub embedded_postgres_restarts: Counter,
    pub embedded_postgres_up: Gauge,
}

/// The gauges a scrape reads from the database at that moment (each scrape its own, so that
/// several apps in one process, as in tests, never mix their values).
#[derive(Default)]
pub struct Scrape {
    pub feed_head: Gauge,
    pub consumer_position: Family<Consumer, Gauge>,
    pub consumer_lag: Family<Consumer, Gauge>,
    pub webhook_queue: Family<Queue, Gauge>,
    pub webhook_overdue_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// Only where the Kafka relay runs.
    pub kafka_in_flight: Option<Gauge>,
    pub pool_connections: Family<Pool, Gauge>,
}

impl Scrape {
    fn registry(&self) -> Registry {
        let mut r = Registry::default();
        r.register(
            "roster_feed_head_position",
            "Position of the newest event consumers can read",
            self.feed_head.clone(),
        );
        r.register(
            "roster_consumer_position",
            "Last position a feed consumer has applied",
            self.consumer_position.clone(),
        );
        r.register(
            "roster_consumer_lag_events",
            "Events a feed consumer trails the feed by",
            self.consumer_lag.clone(),
        );
        r.register(
            "roster_webhook_queue",
            "Webhook deliveries pending or failed, and endpoints disabled",
            self.webhook_queue.clone(),
        );
        r.register(
            "roster_webhook_delivery_overdue_seconds",
            "Seconds the most overdue webhook delivery has been due without an attempt",
            self.webhook_overdue_seconds.clone(),
        );
        if let Some(in_flight) = &self.kafka_in_flight {
            r.register(
                "roster_kafka_in_flight_messages",
                "Messages the Kafka relay handed to its producer that await a delivery report",
                in_flight.clone(),
            );
        }
        r.register(
            "roster_db_pool_connections",
            "Database connections of this process, open and idle, by pool",
            self.pool_connections.clone(),
        );
        r
    }
}

fn seconds() -> Histogram {
    // 1 ms … ~33 s.
    Histogram::new(exponential_buckets(0.001, 2.0, 16))
}

impl Meters {
    fn new() -> Self {
        let mut registry = Registry::default();
        let m = Self {
            requests: Family::default(),
            request_seconds: Family::new_with_constructor(seconds),
            commands: Family::default(),
            events_appended: Family::default(),
            deliveries: Family::default(),
            delivery_seconds: Family::new_with_constructor(seconds),
            kafka_messages: Family::default(),
            embedded_postgres_restarts: Counter::default(),
            embedded_postgres_up: Gauge::default(),
            registry: Registry::default(),
        };
        let r = &mut registry;
        r.register(
            "roster_http_requests",
            "HTTP requests answered, by route template, method and status",
            m.requests.clone(),
        );
        r.register(
            "roster_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template, method and status",
            m.request_seconds.clone(),
        );
        r.register(
            "roster_commands",
            "Commands decided, by command and outcome",
            m.commands.clone(),
        );
        r.register(
            "roster_events_appended",
            "Events appended to the log, by type",
            m.events_appended.clone(),
        );
        r.register(
            "roster_webhook_deliveries",
            "Webhook delivery attempts, by outcome",
            m.deliveries.clone(),
        );
        r.register(
            "roster_webhook_delivery_duration_seconds",
            "Time from sending a webhook to its answer (or failure), by outcome",
            m.delivery_seconds.clone(),
        );
        r.register(
            "roster_kafka_messages",
            "Messages the Kafka relay produced, by outcome (delivered, failed, oversize)",
            m.kafka_messages.clone(),
        );
        r.register(
            "roster_embedded_postgres_restarts",
            "Restarts of the embedded Postgres after it stopped by itself",
            m.embedded_postgres_restarts.clone(),
        );
        r.register(
            "roster_embedded_postgres_up",
            "Whether the embedded Postgres runs (1) or is being restarted (0); 0 with DATABASE_URL",
            m.embedded_postgres_up.clone(),
        );
        Self { registry, ..m }
    }

    /// The text a scrape gets (OpenMetrics): the process's counters and `scrape`'s gauges.
    pub fn render(&self, scrape: &Scrape) -> String {
        use prometheus_client::encoding::text::{encode_eof, encode_registry};
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = encode_registry(&mut out, &self.registry);
        let _ = encode_registry(&mut out, &scrape.registry());
        let _ = encode_eof(&mut out);
        out
    }

    /// Records one answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, took: Duration) {
        let labels = Request {
            route: route.to_owned(),
            method: method.to_owned(),
            status,
        };
        self.requests.get_or_create(&labels).inc();
        self.request_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }

    pub fn command(&self, command: &'static str, outcome: &'static str) {
        self.commands
            .get_or_create(&Command { command, outcome })
            .inc();
    }

    /// `n` messages of the Kafka relay ended with `outcome`.
    pub fn relayed(&self, outcome: &'static str, n: u64) {
        self.kafka_messages
            .get_or_create(&Relayed { outcome })
            .inc_by(n);
    }

    pub fn delivery(&self, outcome: &'static str, took: Duration) {
        let labels = Delivery { outcome };
        self.deliveries.get_or_create(&labels).inc();
        self.delivery_seconds
            .get_or_create(&labels)
            .observe(took.as_secs_f64());
    }
}

/// The process's metrics.
pub fn meters() -> &'static Meters {
    static METERS: OnceLock<Meters> = OnceLock::new();
    METERS.get_or_init(Meters::new)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_values_are_rendered_with_their_labels() {
        let m = Meters::new();
        m.request(
            "/v1/memberships/{id}",
            "PATCH",
            200,
            Duration::from_millis(3),
        );
        m.command("membership.update", "ok");
        let scrape = Scrape::default();
        scrape
            .consumer_lag
            .get_or_create(&Consumer {
                consumer: "projector",
            })
            .set(7);
        let text = m.render(&scrape);
        assert!(text.contains(
            "roster_http_requests_total{route=\"/v1/memberships/{id}\",method=\"PATCH\",status=\"200\"} 1"
        ), "{text}");
        assert!(
            text.contains("roster_commands_total{command=\"membership.update\",outcome=\"ok\"} 1")
        );
        assert!(text.contains("roster_consumer_lag_events{consumer=\"projector\"} 7"));
        assert!(text.contains("roster_http_request_duration_seconds_bucket"));
        assert!(text.ends_with("# EOF\n"));
        // The library ends each help text with a full stop of its own.
        let help: Vec<&str> = text.lines().filter(|l| l.starts_with("# HELP")).collect();
        assert!(help.len() >= 4, "{text}");
        for line in help {
            assert!(line.ends_with('.') && !line.ends_with(".."), "{line}");
        }
    }
}
