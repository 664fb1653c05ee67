//! What the relay is told (flags and environment in `roster serve`), checked before anything
//! starts: a broker list, topic name or librdkafka property that cannot work is one clear error
//! at start-up, not a relay that retries forever.

use std::time::Duration;

use rdkafka::ClientConfig;

/// What to do with an event larger than the broker accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Oversize {
    /// Record it in `kafka_dead_letters` (with its position) and go on.
    Skip,
    /// Stop relaying (and retry) until the limit is raised: nothing is ever left out.
    Halt,
}

impl std::str::FromStr for Oversize {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "skip" => Ok(Self::Skip),
            "halt" => Ok(Self::Halt),
            _ => Err(format!("`{s}`: expected `skip` or `halt`")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// `host:port[,host:port…]`.
    pub brokers: String,
    pub topic: String,
    /// Used when the relay creates the topic.
    pub partitions: i32,
    pub replication_factor: i32,
    /// `none`, `gzip`, `snappy`, `lz4` or `zstd`.
    pub compression: String,
    /// Passed to librdkafka as they are (security settings and the like).
    pub properties: Vec<(String, String)>,
    /// The CloudEvents `source` of every message.
    pub source: String,
    pub oversize: Oversize,
    /// How long librdkafka keeps trying to deliver a message before it reports a failure (the
    /// relay then starts over from its checkpoint).
    pub message_timeout: Duration,
}

impl RelayConfig {
    /// The defaults, for `brokers`.
    pub fn new(brokers: impl Into<String>) -> Self {
        Self {
            brokers: brokers.into(),
            topic: "roster.events".into(),
            partitions: 6,
            replication_factor: 1,
            compression: "lz4".into(),
            properties: Vec::new(),
            source: "roster".into(),
            oversize: Oversize::Halt,
            message_timeout: Duration::from_secs(30),
        }
    }

    /// Checks what can be checked without a broker.
    pub fn validate(&self) -> Result<(), RelayConfigError> {
        brokers(&self.brokers)?;
        topic(&self.topic)?;
        if self.partitions < 1 {
            return Err(RelayConfigError::Invalid(
                "--kafka-partitions: at least 1".into(),
            ));
        }
        if self.replication_factor < 1 {
            return Err(RelayConfigError::Invalid(
                "--kafka-replication-factor: at least 1".into(),
            ));
        }
        if !COMPRESSIONS.contains(&self.compression.as_str()) {
            return Err(RelayConfigError::Invalid(format!(
                "--kafka-compression `{}`: one of {}",
                self.compression,
                COMPRESSIONS.join(", ")
            )));
        }
        for (key, value) in &self.properties {
            // These carry the relay's guarantees: idempotent, fully acknowledged, ordered.
            let breaks = match key.as_str() {
                "enable.idempotence" => value != "true",
                "acks" | "request.required.acks" => value != "all" && value != "-1",
                "bootstrap.servers" | "metadata.broker.list" => true,
                _ => false,
            };
            if breaks {
                return Err(RelayConfigError::Invalid(format!(
                    "--kafka-property {key}={value}: the relay sets this itself (idempotent, \
                     acks=all, brokers from --kafka-brokers)"
                )));
            }
        }
        Ok(())
    }

    /// The producer's librdkafka configuration.
    pub fn producer(&self) -> ClientConfig {
        let mut config = self.client();
        config
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("compression.type", &self.compression)
            .set(
                "message.timeout.ms",
                self.message_timeout.as_millis().to_string(),
            )
            // Batching for throughput: up to 5 ms of linger, 1 MB batches.
            .set("linger.ms", "5")
            .set("batch.size", "1000000");
        for (key, value) in &self.properties {
            config.set(key, value);
        }
        // A batch cannot be larger than a message may be.
        let given = |name: &str| self.properties.iter().find(|(k, _)| k == name);
        if let (Some((_, max)), None) = (given("message.max.bytes"), given("batch.size")) {
            config.set("batch.size", max);
        }
        config
    }

    /// The configuration of any client of these brokers (the admin client that creates the
    /// topic): brokers and the pass-through properties that apply to every client.
    pub fn client(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", &self.brokers);
        for (key, value) in &self.properties {
            if key.starts_with("security.")
                || key.starts_with("sasl.")
                || key.starts_with("ssl.")
                || key == "client.id"
            {
                config.set(key, value);
            }
        }
        config
    }
}

const COMPRESSIONS: [&str; 5] = ["none", "gzip", "snappy", "lz4", "zstd"];

#[derive(Debug, thiserror::Error)]
pub enum RelayConfigError {
    #[error("{0}")]
    Invalid(String),
    /// librdkafka refused the configuration (an unknown property, a bad value).
    #[error("kafka client: {0}")]
    Client(String),
}

/// `host:port[,host:port…]`, each port 1–65535.
fn brokers(list: &str) -> Result<(), RelayConfigError> {
    let bad = |why: &str| {
        RelayConfigError::Invalid(format!(
            "--kafka-brokers `{list}`: {why} (expected host:port[,host:port…])"
        ))
    };
    if list.trim().is_empty() {
        return Err(bad("empty"));
    }
    for broker in list.split(',') {
        let (host, port) = broker
            .trim()
            .rsplit_once(':')
            .ok_or_else(|| bad(&format!("`{broker}` has no port")))?;
        if host.is_empty() || host.chars().any(|c| c.is_whitespace() || c == '/') {
            return Err(bad(&format!("`{broker}` has no usable host")));
        }
        match port.parse::<u16>() {
            Ok(p) if p > 0 => {}
            _ => return Err(bad(&format!("`{broker}` has no port from 1 to 65535"))),
        }
    }
    Ok(())
}

/// Kafka's rule: 1–249 of `[a-zA-Z0-9._-]`, and not `.` or `..`.
fn topic(name: &str) -> Result<(), RelayConfigError> {
    let valid = !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if valid {
        Ok(())
    } else {
        Err(RelayConfigError::Invalid(format!(
            "--kafka-topic `{name}`: 1–249 of letters, digits, `.`, `_` and `-` (not `.` or `..`)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broker_lists_need_hosts_and_ports() {
        for good in [
            "localhost:9092",
            "a:1,b:65535",
            "10.0.0.1:9092, kafka-2:9093",
        ] {
            assert!(brokers(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "localhost",
            "localhost:0",
            "localhost:70000",
            ":9092",
            "a:b",
            "x y:1",
        ] {
            assert!(brokers(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn topic_names_follow_kafka() {
        assert!(topic("roster.events").is_ok());
        assert!(topic(&"a".repeat(249)).is_ok());
        for bad in ["", ".", "..", "has space", "ümlaut", &"a".repeat(250)] {
            assert!(topic(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn properties_cannot_weaken_the_guarantees() {
        let mut config = RelayConfig::new("localhost:9092");
        config.properties = vec![("acks".into(), "1".into())];
        assert!(config.validate().is_err());
        config.properties = vec![("enable.idempotence".into(), "false".into())];
        assert!(config.validate().is_err());
        config.properties = vec![("security.protocol".into(), "SASL_SSL".into())];
        assert!(config.validate().is_ok());
        config.compression = "brotli".into();
        assert!(config.validate().is_err());
    }
}
