//! The Kafka relay against a real Kafka-protocol broker (tansu, see `roster_testkit::kafka`),
//! read back with a real rdkafka consumer: every event at least once, per-key order by
//! position, the CloudEvents headers and the envelope; a SIGKILLed relay and a broker outage
//! lose nothing.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Headers, Message};
use rdkafka::ClientConfig;
use roster_testkit::kafka::Broker;
use serde_json::{json, Value};

use crate::support::{eventually, TestApp};

const BIN: &str = env!("CARGO_BIN_EXE_roster");

/// One message as read from the topic.
#[derive(Debug, Clone)]
struct Seen {
    position: i64,
    key: String,
    headers: HashMap<String, String>,
    value: Value,
}

/// Reads `topic` from the start.
struct Reader {
    consumer: StreamConsumer,
    seen: Vec<Seen>,
}

impl Reader {
    fn new(brokers: &str, topic: &str) -> Self {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", format!("test-{}", ulid::Ulid::new()))
            .set("auto.offset.reset", "earliest")
            .set("enable.auto.commit", "false")
            // Notice the topic soon after the relay makes it (the default looks every 5 min).
            .set("topic.metadata.refresh.interval.ms", "500")
            .create()
            .expect("a consumer");
        consumer.subscribe(&[topic]).expect("subscribed");
        Self {
            consumer,
            seen: Vec::new(),
        }
    }

    /// Reads until every position in `wanted` was seen (at most `within`).
    async fn until(&mut self, wanted: &BTreeSet<i64>, within: Duration) {
        let deadline = Instant::now() + within;
        loop {
            let got: BTreeSet<i64> = self.seen.iter().map(|s| s.position).collect();
            let missing = wanted.difference(&got).count();
            if missing == 0 {
                return;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(
                !left.is_zero(),
                "{missing} of {} events never reached the topic ({} messages read)",
                wanted.len(),
                self.seen.len()
            );
            self.next(left).await;
        }
    }

    /// Reads one message if one comes within `left`. Before the relay made the topic, the
    /// consumer hears that it does not exist: not an error for a reader that waits.
    async fn next(&mut self, left: Duration) {
        match tokio::time::timeout(left, self.consumer.recv()).await {
            Ok(Ok(message)) => self.seen.push(seen(&message)),
            Ok(Err(KafkaError::MessageConsumption(RDKafkaErrorCode::UnknownTopicOrPartition))) => {
                tokio::time::sleep(Duration::from_millis(100)).await
            }
            Ok(Err(e)) => panic!("cannot consume: {e}"),
            Err(_) => {}
        }
    }

    /// Reads until at least `n` messages were read.
    async fn at_least(&mut self, n: usize, within: Duration) {
        let deadline = Instant::now() + within;
        while self.seen.len() < n {
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "only {} of {n} messages", self.seen.len());
            self.next(left).await;
        }
    }
}

fn seen(message: &rdkafka::message::BorrowedMessage<'_>) -> Seen {
    let mut headers = HashMap::new();
    if let Some(h) = message.headers() {
        for header in h.iter() {
            let value = header
                .value
                .map(|v| String::from_utf8_lossy(v).into_owned())
                .unwrap_or_default();
            headers.insert(header.key.to_owned(), value);
        }
    }
    let value: Value = serde_json::from_slice(message.payload().unwrap_or_default()).unwrap();
    Seen {
        position: value["position"].as_i64().unwrap(),
        key: String::from_utf8_lossy(message.key().unwrap_or_default()).into_owned(),
        headers,
        value,
    }
}

/// Every event's position and what its message must say.
async fn events(app: &TestApp) -> BTreeMap<i64, (String, String, Option<String>, String)> {
    let rows: Vec<(i64, String, String, Option<String>, Value)> = sqlx::query_as(
        "SELECT position, event_type, aggregate_id, organization_id, metadata FROM events",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(p, t, a, o, m)| (p, (t, a, o, m["event_id"].as_str().unwrap().to_owned())))
        .collect()
}

/// Per key, the first time each position was seen comes in position order.
fn assert_ordered_per_key(seen: &[Seen]) {
    let mut first: BTreeSet<i64> = BTreeSet::new();
    let mut last_per_key: HashMap<&str, i64> = HashMap::new();
    for s in seen {
        if !first.insert(s.position) {
            continue; // a duplicate (same ce_id) of a message already seen
        }
        let last = last_per_key.entry(&s.key).or_insert(0);
        assert!(
            s.position > *last,
            "key {}: position {} after {}",
            s.key,
            s.position,
            last
        );
        *last = s.position;
    }
}

/// A relay following `app`'s log in this process, with its health; dropping the handle's task
/// (abort) stops it.
fn spawn_relay(
    app: &TestApp,
    config: kafka_relay::RelayConfig,
) -> (
    tokio::task::JoinHandle<()>,
    std::sync::Arc<kafka_relay::RelayHealth>,
) {
    let relay =
        kafka_relay::Relay::new(app.db.pool.clone(), config).expect("a valid configuration");
    let health = relay.health();
    let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
    (tokio::spawn(relay.run(role)), health)
}

fn relay_config(broker: &Broker, topic: &str) -> kafka_relay::RelayConfig {
    kafka_relay::RelayConfig {
        topic: topic.to_owned(),
        partitions: 3,
        message_timeout: Duration::from_secs(5),
        ..kafka_relay::RelayConfig::new(broker.address())
    }
}

async fn some_organizations(app: &TestApp, organizations: usize, members: usize) {
    for o in 0..organizations {
        let org = app.named(&format!("Org {o}")).await;
        app.bulk_memberships(&org, (0..members).map(|m| format!("user-{o}-{m}")))
            .await;
    }
}

#[tokio::test]
async fn every_event_reaches_the_topic_with_its_key_headers_and_envelope() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 3, 40).await;
    let (running, _) = spawn_relay(&app, relay_config(&broker, "events"));

    let expected = events(&app).await;
    let mut reader = Reader::new(&broker.address(), "events");
    reader
        .until(&expected.keys().copied().collect(), Duration::from_secs(60))
        .await;
    assert_ordered_per_key(&reader.seen);
    for s in &reader.seen {
        let (event_type, aggregate, organization, id) = &expected[&s.position];
        assert_eq!(&s.key, organization.as_ref().unwrap_or(aggregate));
        let h = |name: &str| s.headers.get(name).map(String::as_str);
        assert_eq!(h("ce_specversion"), Some("1.0"));
        assert_eq!(h("ce_id"), Some(id.as_str()));
        assert_eq!(h("ce_type"), Some(event_type.as_str()));
        assert_eq!(h("ce_source"), Some("roster"));
        assert_eq!(h("ce_subject"), Some(aggregate.as_str()));
        assert_eq!(h("content-type"), Some("application/json"));
        assert_eq!(
            h("ce_rosterposition"),
            Some(s.position.to_string().as_str())
        );
        let time = h("ce_time").unwrap();
        assert!(chrono::DateTime::parse_from_rfc3339(time).is_ok(), "{time}");
        // The value is the public envelope.
        assert_eq!(s.value["id"], json!(id));
        assert_eq!(s.value["type"], json!(event_type));
        assert_eq!(s.value["aggregate"]["id"], json!(aggregate));
        assert!(s.value["data"].is_object());
        assert!(s.value["actor"]["type"].is_string());
    }
    // New events follow live.
    some_organizations(&app, 1, 5).await;
    let expected = events(&app).await;
    reader
        .until(&expected.keys().copied().collect(), Duration::from_secs(60))
        .await;
    running.abort();
}

/// `roster serve --only kafka` against the test database and `broker`, its health endpoints on
/// `listen`.
fn relay_process(
    app: &TestApp,
    broker: &Broker,
    topic: &str,
    listen: &str,
    extra: &[&str],
) -> Child {
    Command::new(BIN)
        .args(["serve", "--only", "kafka", "--listen", listen])
        .args(["--kafka-topic", topic, "--kafka-partitions", "3"])
        .args(extra)
        .env("DATABASE_URL", &app.db.url)
        .env("KAFKA_BROKERS", broker.address())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("roster starts")
}

#[tokio::test]
async fn a_relay_killed_mid_stream_loses_nothing() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 5, 1000).await;
    let expected = events(&app).await;
    assert!(expected.len() > 5000, "{} events", expected.len());

    let mut relay = relay_process(&app, &broker, "killed", "127.0.0.1:0", &[]);
    let mut reader = Reader::new(&broker.address(), "killed");
    reader.at_least(500, Duration::from_secs(60)).await;
    relay.kill().unwrap(); // SIGKILL, mid-stream
    relay.wait().unwrap();
    let before = reader.seen.len();
    assert!(
        before < expected.len(),
        "the relay finished before it was killed; nothing was tested"
    );

    let mut restarted = relay_process(&app, &broker, "killed", "127.0.0.1:0", &[]);
    reader
        .until(
            &expected.keys().copied().collect(),
            Duration::from_secs(120),
        )
        .await;
    assert_ordered_per_key(&reader.seen);
    let checkpoint: i64 = store::checkpoints::load(&app.db.pool, kafka_relay::CONSUMER)
        .await
        .unwrap();
    assert!(checkpoint <= *expected.keys().last().unwrap());
    restarted.kill().unwrap();
    restarted.wait().unwrap();
}

/// A free loopback port for a relay process's health endpoints.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The relay's entry in `/readyz` at `port` (the process itself must be ready).
async fn relay_readiness(port: u16) -> Option<Value> {
    let res = reqwest::get(format!("http://127.0.0.1:{port}/readyz"))
        .await
        .ok()?;
    if res.status() != 200 {
        return None;
    }
    let body: Value = res.json().await.ok()?;
    Some(body["kafka_relay"].clone())
}

/// Waits (bounded) until the relay's `/readyz` status is `status`.
async fn await_relay_status(port: u16, status: &str) -> Value {
    eventually(
        Duration::from_secs(90),
        format!("the relay {status}"),
        || async {
            relay_readiness(port)
                .await
                .filter(|r| r["status"] == status)
        },
    )
    .await
}

#[tokio::test]
async fn a_broker_outage_degrades_the_relay_and_the_backlog_drains_in_order() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 2, 10).await;
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    // Requests to a frozen broker fail after 2 s rather than librdkafka's default 30 s.
    let mut relay = relay_process(
        &app,
        &broker,
        "outage",
        &listen,
        &[
            "--kafka-property",
            "request.timeout.ms=2000",
            "--kafka-message-timeout",
            "3s",
        ],
    );
    let mut reader = Reader::new(&broker.address(), "outage");
    reader
        .until(
            &events(&app).await.keys().copied().collect(),
            Duration::from_secs(60),
        )
        .await;
    assert_eq!(await_relay_status(port, "ok").await["lag"], 0);

    // The same broker goes away (frozen, keeping its data) …
    let delivered = *events(&app).await.keys().last().unwrap();
    broker.pause();
    // … commands go on: 1,000 more events while it is away.
    some_organizations(&app, 1, 997).await;
    let expected = events(&app).await;
    let degraded = await_relay_status(port, "degraded").await;
    assert!(degraded["lag"].as_i64().unwrap() > 0, "{degraded}");
    assert!(degraded["error"].is_string(), "{degraded}");
    // The checkpoint never passes an event the broker has not acknowledged.
    assert_eq!(degraded["position"], delivered, "{degraded}");
    // The metrics show the lag and the failed deliveries.
    assert!(metric(port, "roster_consumer_lag_events{consumer=\"kafka_relay\"}").await > 0.0);
    assert!(metric(port, "roster_kafka_messages_total{outcome=\"failed\"}").await > 0.0);

    // … and comes back: the backlog drains, in order.
    broker.resume();
    reader
        .until(
            &expected.keys().copied().collect(),
            Duration::from_secs(120),
        )
        .await;
    assert_ordered_per_key(&reader.seen);
    let ok = await_relay_status(port, "ok").await;
    assert_eq!(ok["lag"], 0, "{ok}");
    relay.kill().unwrap();
    relay.wait().unwrap();
}

/// The value of the metric line starting with `prefix` in `/metrics` at `port`.
async fn metric(port: u16, prefix: &str) -> f64 {
    let url = format!("http://127.0.0.1:{port}/metrics");
    // A relay just started may not listen yet.
    let res = eventually(Duration::from_secs(30), &url, || async {
        match reqwest::get(&url).await {
            Err(e) if e.is_connect() => None,
            answer => Some(answer.unwrap()),
        }
    })
    .await;
    let metrics = res.text().await.unwrap();
    metrics
        .lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no {prefix} in:\n{metrics}"))
}

#[tokio::test]
async fn a_stopping_relay_flushes_what_it_handed_to_its_producer() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 1, 5).await;
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut relay = relay_process(&app, &broker, "flushed", &listen, &[]);
    let mut reader = Reader::new(&broker.address(), "flushed");
    let before = events(&app).await;
    reader
        .until(&before.keys().copied().collect(), Duration::from_secs(60))
        .await;
    relay.kill().unwrap();
    relay.wait().unwrap();

    // Again, with a producer that holds messages for 20 s before it sends them: what it is
    // handed stays in its queue, in the process.
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let mut relay = relay_process(
        &app,
        &broker,
        "flushed",
        &listen,
        &["--kafka-property", "linger.ms=20000"],
    );
    // An organization and two members: three events, all handed over while the producer
    // lingers.
    some_organizations(&app, 1, 2).await;
    let expected = events(&app).await;
    let handed = (expected.len() - before.len()) as f64;
    assert!(handed >= 3.0);
    eventually(
        Duration::from_secs(60),
        "the events handed over to the producer",
        || async {
            (metric(port, "roster_kafka_in_flight_messages").await >= handed).then_some(())
        },
    )
    .await;

    // SIGTERM: the stopping process sends what its producer holds before it exits.
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(relay.id() as i32, libc::SIGTERM) }, 0);
    let status = eventually(Duration::from_secs(60), "the relay stopped", || {
        let exited = relay.try_wait().unwrap();
        async move { exited }
    })
    .await;
    assert!(status.success(), "{status}");
    // Every event reached the topic, though no relay runs any more.
    reader
        .until(&expected.keys().copied().collect(), Duration::from_secs(30))
        .await;
}

#[tokio::test]
async fn a_broker_that_lost_its_data_gets_the_topic_again_and_every_later_event() {
    let broker = Broker::start();
    let port = broker.port();
    let app = TestApp::spawn().await;
    some_organizations(&app, 1, 10).await;
    let (running, _) = spawn_relay(&app, relay_config(&broker, "lost"));
    let before = events(&app).await;
    Reader::new(&broker.address(), "lost")
        .until(&before.keys().copied().collect(), Duration::from_secs(60))
        .await;

    // A new, empty broker in its place: the topic and the messages in it are gone.
    broker.stop();
    let broker = Broker::start_on(port);
    some_organizations(&app, 1, 10).await;
    let after: BTreeSet<i64> = events(&app)
        .await
        .keys()
        .copied()
        .filter(|p| !before.contains_key(p))
        .collect();
    // The relay makes the topic again and goes on from its checkpoint: what the lost broker
    // held is not sent again by itself (docs/kafka.md: replay it).
    let mut reader = Reader::new(&broker.address(), "lost");
    reader.until(&after, Duration::from_secs(90)).await;
    assert_ordered_per_key(&reader.seen);
    running.abort();
}

async fn big_organization(app: &TestApp) -> i64 {
    let metadata: serde_json::Map<String, Value> = (0..10)
        .map(|i| (format!("k{i}"), json!("x".repeat(400))))
        .collect();
    let big = json!({ "name": "Big", "metadata": metadata });
    let created = app.created("/v1/organizations", big).await;
    created["position"].as_i64().unwrap()
}

/// A relay whose producer takes messages of at most 2,000 bytes.
fn small_limit(
    broker: &Broker,
    topic: &str,
    oversize: kafka_relay::Oversize,
) -> kafka_relay::RelayConfig {
    kafka_relay::RelayConfig {
        properties: vec![("message.max.bytes".into(), "2000".into())],
        oversize,
        ..relay_config(broker, topic)
    }
}

#[tokio::test]
async fn an_oversized_event_is_skipped_into_the_dead_letters_with_skip() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 1, 3).await;
    // `organization.created` of "Big" carries its 4 KB of metadata.
    let big = big_organization(&app).await;
    some_organizations(&app, 1, 3).await;
    let oversized_before = meters::meters()
        .kafka_messages
        .get_or_create(&meters::Relayed {
            outcome: "oversize",
        })
        .get();
    let config = small_limit(&broker, "skip", kafka_relay::Oversize::Skip);
    let (running, _) = spawn_relay(&app, config);

    let dead: BTreeSet<i64> = sqlx::query_scalar::<_, i64>(
        "SELECT position FROM events WHERE length(payload::text) > 1500",
    )
    .fetch_all(&app.db.pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    assert!(
        !dead.is_empty() && dead.iter().all(|p| *p <= big),
        "{dead:?}"
    );
    let rest: BTreeSet<i64> = events(&app)
        .await
        .keys()
        .copied()
        .filter(|p| !dead.contains(p))
        .collect();
    let mut reader = Reader::new(&broker.address(), "skip");
    reader.until(&rest, Duration::from_secs(60)).await;
    assert!(reader.seen.iter().all(|s| !dead.contains(&s.position)));
    let letters = kafka_relay::dead_letters::of(&app.db.pool, "kafka")
        .await
        .unwrap();
    let recorded: BTreeSet<i64> = letters.iter().map(|(p, _, _)| *p).collect();
    assert_eq!(recorded, dead, "{letters:?}");
    assert!(letters.iter().all(|(_, bytes, _)| *bytes > 2000));
    let oversized = meters::meters()
        .kafka_messages
        .get_or_create(&meters::Relayed {
            outcome: "oversize",
        })
        .get();
    assert!(oversized >= oversized_before + dead.len() as u64);
    running.abort();
}

#[tokio::test]
async fn an_oversized_event_halts_the_relay_with_halt() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 1, 3).await;
    big_organization(&app).await;
    let first_big: i64 =
        sqlx::query_scalar("SELECT min(position) FROM events WHERE length(payload::text) > 1500")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    let config = small_limit(&broker, "halt", kafka_relay::Oversize::Halt);
    let (running, health) = spawn_relay(&app, config);
    let (error, _) = eventually(
        Duration::from_secs(60),
        "the relay reporting the oversized event",
        || async { health.failing() },
    )
    .await;
    assert!(error.contains(&first_big.to_string()), "{error}");
    // It stays before the event: nothing after it is relayed, nothing is dropped.
    let checkpoint = store::checkpoints::load(&app.db.pool, kafka_relay::CONSUMER)
        .await
        .unwrap();
    assert!(checkpoint < first_big, "{checkpoint} ≥ {first_big}");
    assert!(kafka_relay::dead_letters::of(&app.db.pool, "kafka")
        .await
        .unwrap()
        .is_empty());
    running.abort();
}

#[tokio::test]
async fn bad_relay_settings_stop_the_start_with_one_clear_line() {
    let app = TestApp::spawn().await;
    for (args, expected) in [
        (vec!["--kafka-brokers", "nonsense"], "--kafka-brokers"),
        (vec!["--kafka-brokers", "127.0.0.1:0"], "--kafka-brokers"),
        (
            vec![
                "--kafka-brokers",
                "127.0.0.1:9092",
                "--kafka-topic",
                "no spaces",
            ],
            "--kafka-topic",
        ),
        (
            vec![
                "--kafka-brokers",
                "127.0.0.1:9092",
                "--kafka-property",
                "no.such.thing=1",
            ],
            "no.such.thing",
        ),
        (
            vec![
                "--kafka-brokers",
                "127.0.0.1:9092",
                "--kafka-property",
                "acks=1",
            ],
            "acks",
        ),
        (
            vec![
                "--kafka-brokers",
                "127.0.0.1:9092",
                "--kafka-compression",
                "brotli",
            ],
            "--kafka-compression",
        ),
        (vec!["--only", "kafka"], "--kafka-brokers"),
    ] {
        let out = Command::new(BIN)
            .arg("serve")
            .args(&args)
            .args(["--listen", "127.0.0.1:0"])
            .env("DATABASE_URL", &app.db.url)
            .env_remove("KAFKA_BROKERS")
            .env("RUST_LOG", "off")
            .output()
            .unwrap();
        assert_ne!(out.status.code(), Some(0), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("roster: "))
            .collect();
        assert_eq!(lines.len(), 1, "{args:?}: {stderr}");
        assert!(lines[0].contains(expected), "{args:?}: {}", lines[0]);
    }
}

fn replay_to_kafka(app: &TestApp, broker: &Broker, args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(["replay", "--to", "kafka", "--kafka-partitions", "3"])
        .args(args)
        .env("DATABASE_URL", &app.db.url)
        .env("KAFKA_BROKERS", broker.address())
        .env("RUST_LOG", "warn");
    cmd
}

/// `roster replay --to kafka` re-sends a range to another topic, as the relay sends it; killed
/// mid-way it continues from its checkpoint on the next run; the live relay goes on meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replay_to_a_topic_continues_after_sigkill_while_the_live_relay_goes_on() {
    let broker = Broker::start();
    let app = TestApp::spawn().await;
    some_organizations(&app, 5, 1000).await;
    let expected = events(&app).await;
    let last = expected.keys().last().unwrap().to_string();
    let wanted: BTreeSet<i64> = expected
        .iter()
        .filter(|(_, (t, ..))| t.starts_with("membership."))
        .map(|(p, _)| *p)
        .collect();
    let args = [
        "--topic",
        "copy",
        "--from",
        "1",
        "--until",
        &last,
        "--types",
        "membership.*",
    ];
    let out = replay_to_kafka(&app, &broker, &[&args[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        said.contains(&format!("would send {} events", wanted.len())),
        "{said}"
    );

    let (live, _) = spawn_relay(&app, relay_config(&broker, "live"));
    let mut first = replay_to_kafka(&app, &broker, &args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Killed at its first checkpoint: a batch was sent, the rest was not.
    eventually(
        Duration::from_secs(60),
        "the replay's first checkpoint",
        || async {
            sqlx::query_scalar::<_, i64>("SELECT position FROM replays WHERE position > 0")
                .fetch_optional(&app.db.pool)
                .await
                .unwrap()
        },
    )
    .await;
    first.kill().unwrap(); // SIGKILL, mid-replay
    first.wait().unwrap();
    let (id, status, position): (String, String, i64) =
        sqlx::query_as("SELECT id, status, position FROM replays")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!(status, "running");
    assert!(
        position < last.parse::<i64>().unwrap(),
        "the replay finished before it was killed; nothing was tested"
    );

    // The second run continues the same job while live events keep coming.
    let second = replay_to_kafka(&app, &broker, &args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    some_organizations(&app, 1, 50).await;
    let mut live_reader = Reader::new(&broker.address(), "live");
    live_reader
        .until(
            &events(&app).await.keys().copied().collect(),
            Duration::from_secs(120),
        )
        .await;
    let out = second.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{said}");
    assert!(said.contains(&format!("continuing replay {id}")), "{said}");
    let mut copy = Reader::new(&broker.address(), "copy");
    copy.until(&wanted, Duration::from_secs(120)).await;
    assert!(copy.seen.iter().all(|s| wanted.contains(&s.position)));
    assert_ordered_per_key(&copy.seen);
    let (jobs, status): (i64, String) =
        sqlx::query_as("SELECT count(*) OVER (), status FROM replays")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    assert_eq!((jobs, status.as_str()), (1, "done"));
    live.abort();
}
