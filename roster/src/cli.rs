//! Command-line interface. Every flag also reads an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "roster",
    version,
    about = "Event-sourced organizations, memberships, groups and invitations for B2B SaaS",
    long_about = "roster stores every change to organizations, memberships, groups and invitations \
                  as an event in Postgres, serves commands over HTTP, and feeds the events to \
                  consumers.\n\nWithout DATABASE_URL it runs its own private Postgres from the \
                  locally installed server binaries, in --data-dir."
)]
pub struct Cli {
    /// Log format: `pretty` for terminals, `json` for log collectors.
    #[arg(long, env = "ROSTER_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP API and background components (all of them, or those named with --only).
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Replay every event into fresh read-model tables and swap them in (or, with --verify,
    /// compare them with the live ones at the same position). Exit codes: 0 done (or no
    /// difference), 1 differences found, 2 error.
    Rebuild(RebuildArgs),
    /// Print the version and exit.
    Version,
    /// Print the OpenAPI 3.1 document (what `GET /openapi.json` serves) and exit.
    Openapi,
    /// Measure the write path and the feed against pgbench/COPY on a private Postgres.
    Bench(bench::BenchArgs),
    /// Manage API keys: create (the secret is printed once), list, revoke.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// The event log: follow it, export it, verify it.
    #[command(subcommand)]
    Events(EventsCommand),
    /// Send a range of the log again to a webhook endpoint or a Kafka topic, as a resumable job:
    /// interrupted, the same command continues it.
    Replay(Box<ReplayArgs>),
    /// The key that seals webhook signing secrets at rest: make a new one, or rotate it.
    #[command(subcommand)]
    Secrets(SecretsCommand),
    /// Open psql on roster's database: the embedded one (of a running `roster serve`, or started
    /// for the session) with its password, or DATABASE_URL's. Arguments after the flags go to
    /// psql, e.g. `roster psql -c 'SELECT count(*) FROM events'`.
    Psql(PsqlArgs),
    /// Show what a document (YAML or JSON, docs/apply.md) would change — per object, create,
    /// update with each field's old and new value, or remove (with --prune) — and change nothing. Exit codes: 0 nothing
    /// would change, 2 something would, 1 the document or the store has a problem.
    Plan(PlanArgs),
    /// Write the organizations as a document (the schema `roster plan` reads), to standard
    /// output: planning it back finds nothing to change. Organizations without an external id
    /// cannot be named by a document and are left out (counted on standard error).
    Export(DocumentExportArgs),
    /// Carry out a saved plan (`roster plan --out plan.json`) exactly, or plan and carry out a
    /// document (`-f org.yaml`): each organization's changes commit together or not at all, and
    /// an organization that changed after the plan is refused. Exit codes: 0 all applied, 1 any
    /// organization refused (the others are applied) or a problem.
    Apply(ApplyArgs),
}

#[derive(Debug, Clone, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// A plan saved by `roster plan --out`.
    #[arg(conflicts_with = "file", required_unless_present = "file")]
    pub plan: Option<PathBuf>,

    /// A document to plan and apply in one go.
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,

    /// How to plan (with `-f`; a saved plan was planned already, and only `--max-deletions`
    /// still applies to it).
    #[command(flatten)]
    pub planning: PlanningArgs,

    /// `text` (what was applied, and a summary) or `json` (the same, as `POST /v1/apply`
    /// answers it).
    #[arg(long, value_enum, default_value = "text")]
    pub output: PlanOutput,
}

#[derive(Debug, Clone, Args)]
pub struct PlanningArgs {
    /// Create the roles members or invitations name and the organization lacks (named after
    /// their slug, with no permissions) instead of refusing the document.
    #[arg(long)]
    pub create_missing_roles: bool,

    /// Also remove the members, groups (and group members), roles and invitations the document
    /// no longer lists that its `source` manages — any of them, in a list with `mode: replace`.
    /// Objects made through the API, invitations or other sources are never removed otherwise.
    #[arg(long)]
    pub prune: bool,

    /// Also delete the organizations the document's `source` manages that it no longer lists.
    #[arg(long)]
    pub prune_organizations: bool,

    /// Refuse a plan that removes more objects than this.
    #[arg(long, default_value_t = command_service::app::apply::MAX_DELETIONS)]
    pub max_deletions: usize,
}

impl PlanningArgs {
    pub fn options(&self) -> command_service::app::apply::Options {
        command_service::app::apply::Options {
            create_missing_roles: self.create_missing_roles,
            prune: self.prune,
            prune_organizations: self.prune_organizations,
            max_deletions: self.max_deletions,
        }
    }
}

#[derive(Debug, Clone, Args)]
pub struct DocumentExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Only this organization (`org_…`).
    #[arg(long)]
    pub organization: Option<String>,

    #[arg(long, value_enum, default_value = "yaml")]
    pub format: DocumentFormat,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum DocumentFormat {
    Yaml,
    Json,
}

#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The document: a YAML or JSON file (by its extension, else its content).
    #[arg(short = 'f', long = "file")]
    pub file: PathBuf,

    /// `text` (a readable list, coloured on a terminal) or `json` (the plan itself).
    #[arg(long, value_enum, default_value = "text")]
    pub output: PlanOutput,

    /// Also write the plan, as JSON, to this file (for `roster apply` of exactly this plan).
    #[arg(long)]
    pub out: Option<PathBuf>,

    #[command(flatten)]
    pub planning: PlanningArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum PlanOutput {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// Print a new random key (for ROSTER_SECRET_KEY or a key file).
    NewKey,
    /// Seal every webhook signing secret under a new key, without downtime: with a key file
    /// (the embedded default, or --secret-key-file) a new key is put first in it, the previous
    /// one kept (running processes read the file again); with ROSTER_SECRET_KEY, every secret is
    /// sealed under its first key (put the new key first there beforehand, see
    /// docs/security.md).
    RotateKey(RotateKeyArgs),
}

#[derive(Debug, Clone, Args)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub keys: SecretKeyArgs,
}

#[derive(Debug, Clone, Args)]
pub struct PsqlArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Passed to psql as they are.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "PSQL ARGS"
    )]
    pub args: Vec<String>,
}

#[derive(Debug, Clone, Args)]
#[command(
    after_help = "Examples:\n  roster replay --to webhook --endpoint we_01… --from 1200\n  \
                  roster replay --to kafka --from 1 --until 50000 --kafka-brokers localhost:9092\n  \
                  roster replay --to kafka --topic audit.copy --from 1 --dry-run"
)]
pub struct ReplayArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub filter: EventsFilterArgs,

    /// Where to: `webhook` or `kafka`.
    #[arg(long, value_name = "SINK")]
    pub to: String,

    /// The webhook endpoint (`we_…`) for `--to webhook` (its filters apply too).
    #[arg(long)]
    pub endpoint: Option<String>,

    /// The topic for `--to kafka` (default: the relay's, --kafka-topic).
    #[arg(long)]
    pub topic: Option<String>,

    /// The first position to send.
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
    pub from: i64,

    /// The last position to send (default: the end of the log when the replay starts).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
    pub until: Option<i64>,

    /// Count what would be sent, send nothing.
    #[arg(long)]
    pub dry_run: bool,

    #[command(flatten)]
    pub kafka: KafkaArgs,
}

#[derive(Debug, Subcommand)]
pub enum EventsCommand {
    /// Follow the log live, one JSON envelope per line (never skipping one that commits late).
    Tail(TailArgs),
    /// Write events as JSON Lines or CSV to standard output.
    Export(ExportArgs),
    /// Check every stored event: positions increasing, versions 1, 2, 3 … per aggregate, each
    /// readable by this version (after upcasting), every envelope field present. Exit 1 with a
    /// report otherwise.
    Verify(DatabaseArgs),
}

#[derive(Debug, Clone, Args)]
pub struct EventsFilterArgs {
    /// Only these types: names, `<prefix>.*` wildcards or `*` (comma-separated or repeated).
    #[arg(long, value_delimiter = ',')]
    pub types: Vec<String>,

    /// Only this organization's events (`org_…`).
    #[arg(long)]
    pub organization: Option<String>,
}

#[derive(Debug, Clone, Args)]
pub struct TailArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub filter: EventsFilterArgs,

    /// The first position to print (default: only events from now on).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
    pub from: Option<i64>,
}

#[derive(Debug, Clone, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    #[command(flatten)]
    pub filter: EventsFilterArgs,

    /// The first position to export.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(i64).range(1..))]
    pub from: i64,

    /// The last position to export (default: the end of the log when the export starts).
    #[arg(long, value_parser = clap::value_parser!(i64).range(1..))]
    pub until: Option<i64>,

    #[arg(long, value_enum, default_value_t = ExportFormat::Jsonl)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON envelope per line.
    Jsonl,
    /// A header, then one row per event (`data` as JSON text).
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a key and print its secret (shown this once).
    Create(KeyCreateArgs),
    /// List the keys (never their secrets).
    List(DatabaseArgs),
    /// Revoke a key: every roster process refuses it from now on.
    Revoke(KeyRevokeArgs),
}

#[derive(Debug, Clone, Args)]
pub struct KeyCreateArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// What the key is for.
    #[arg(long, default_value = "admin key")]
    pub name: String,

    /// An admin key (reaches everything). Either this or --organization.
    #[arg(
        long,
        conflicts_with = "organization",
        required_unless_present = "organization"
    )]
    pub admin: bool,

    /// An organization key: reaches this organization (`org_…`) only.
    #[arg(long)]
    pub organization: Option<String>,

    /// The key may only read.
    #[arg(long)]
    pub read_only: bool,

    /// The key stops working after this long (e.g. `90d`, `12h`).
    #[arg(long, value_parser = parse_duration)]
    pub expires_in: Option<Duration>,
}

#[derive(Debug, Clone, Args)]
pub struct KeyRevokeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// The key's id (`key_…`).
    pub id: String,
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Postgres to use. Without it, roster starts a private Postgres in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where the embedded Postgres keeps its data (used only without DATABASE_URL). Default
    /// `.roster/pg`; as root, when the `postgres` user cannot reach that, a directory under
    /// /var/lib/roster/ named after it (said in the log, reused on later runs).
    #[arg(long, env = "ROSTER_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
}

impl DatabaseArgs {
    /// The default data directory, relative to the working directory.
    pub const DEFAULT_DATA_DIR: &'static str = ".roster/pg";
}

#[derive(Debug, Clone, Args)]
pub struct RebuildArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Compare instead of swapping: report rows that differ, change nothing.
    #[arg(long)]
    pub verify: bool,

    /// Rebuild only these read models (comma-separated or repeated; default: all). Known:
    /// organizations, memberships, groups, invitations.
    #[arg(long, value_delimiter = ',', value_parser = projector::Projection::parse)]
    pub projection: Vec<projector::Projection>,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,

    /// Address the HTTP API listens on.
    #[arg(long, env = "ROSTER_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Run only these components (comma-separated). Known: command, query, projector,
    /// workflows, webhooks, kafka.
    #[arg(long, env = "ROSTER_ONLY", value_delimiter = ',', value_enum)]
    pub only: Vec<Component>,

    /// Seconds between sweeps that expire pending invitations past their expiry.
    #[arg(long, env = "ROSTER_SWEEP_INTERVAL", default_value_t = 60)]
    pub sweep_interval: u64,

    /// Seconds between checks of pending domains (each domain is looked up with back-off: 1
    /// minute after it was added, then twice as late each time, at most hourly, for 7 days).
    #[arg(long, env = "ROSTER_DOMAIN_CHECK_INTERVAL", default_value_t = 60)]
    pub domain_check_interval: u64,

    /// DNS servers domain verification asks (`ip:port`, comma-separated or repeated; default:
    /// the system's resolver from /etc/resolv.conf).
    #[arg(long = "dns-server", env = "ROSTER_DNS_SERVERS", value_delimiter = ',')]
    pub dns_servers: Vec<SocketAddr>,

    /// A file of free-mail domains refused as organization domains, one per line (`#`
    /// comments); replaces the built-in list (gmail.com, outlook.com, …).
    #[arg(long, env = "ROSTER_FREE_MAIL_DOMAINS")]
    pub free_mail_domains: Option<std::path::PathBuf>,

    /// Milliseconds a read with `min_position` waits for the projector before answering 503.
    #[arg(long, env = "ROSTER_READ_WAIT_MS", default_value_t = 5000)]
    pub read_wait_ms: u64,

    /// How long the response to a POST with an `Idempotency-Key` is replayed to retries; then
    /// the key is free again and the saved response is purged.
    #[arg(long, env = "ROSTER_IDEMPOTENCY_TTL", value_parser = parse_duration, default_value = "24h")]
    pub idempotency_ttl: Duration,

    /// How long a looked-up API key is trusted in memory. Any change to a key (a revocation)
    /// empties every process's cache at once through a notification; this bounds the rest.
    #[arg(long, env = "ROSTER_KEY_CACHE_TTL", value_parser = parse_duration, default_value = "60s")]
    pub key_cache_ttl: Duration,

    /// Requests per second each API key may make (per process; 0: no limit). Beyond it: 429
    /// with `Retry-After`.
    #[arg(long, env = "ROSTER_RATE_LIMIT", default_value_t = 1000)]
    pub rate_limit: u32,

    /// Requests an API key may make at once before the per-second rate applies (default: twice
    /// the rate).
    #[arg(long, env = "ROSTER_RATE_LIMIT_BURST")]
    pub rate_limit_burst: Option<u32>,

    /// A console session ends after this long without a request.
    #[arg(long, env = "ROSTER_CONSOLE_IDLE", value_parser = parse_duration, default_value = "30m")]
    pub console_idle: Duration,

    /// A console session ends this long after sign-in, however active.
    #[arg(long, env = "ROSTER_CONSOLE_MAX_AGE", value_parser = parse_duration, default_value = "12h")]
    pub console_max_age: Duration,

    /// Console sign-in attempts per minute from one client address.
    #[arg(long, env = "ROSTER_CONSOLE_SIGN_INS", default_value_t = std::num::NonZeroU32::new(10).unwrap_or(std::num::NonZeroU32::MIN))]
    pub console_sign_ins: std::num::NonZeroU32,

    /// When set, `/metrics` answers only scrapes sending `Authorization: Bearer <token>`.
    #[arg(long, env = "ROSTER_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// Requests taking at least this long are logged as warnings (with their route).
    #[arg(long, env = "ROSTER_SLOW_REQUEST", value_parser = parse_duration, default_value = "1s")]
    pub slow_request: Duration,

    #[command(flatten)]
    pub webhooks: WebhookArgs,

    #[command(flatten)]
    pub kafka: KafkaArgs,

    /// Seconds in-flight requests get to finish on shutdown.
    #[arg(long, env = "ROSTER_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,

    /// Check the flags and environment (and the Kafka relay's settings) and exit, without
    /// connecting to anything.
    #[arg(long)]
    pub check: bool,
}

/// The parts `serve` can run. The health endpoints are always served.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq, Hash)]
pub enum Component {
    /// The command API (`POST/PATCH/DELETE /v1/...`) and the invitation sweeper.
    Command,
    /// The read API (`GET /v1/...`): lists, single objects, token claims.
    Query,
    /// Keeps the read-model tables in step with the event feed.
    Projector,
    /// The process manager: carries out organization deletions and role removals to the end.
    Workflows,
    /// Webhook endpoint management (`/v1/webhook-endpoints`, `/v1/deliveries`) and the
    /// dispatcher that delivers every event to the matching endpoints.
    Webhooks,
    /// The Kafka relay: every event to a Kafka topic (needs --kafka-brokers).
    Kafka,
}

/// The Kafka relay; it runs when brokers are given.
#[derive(Debug, Clone, Args)]
pub struct KafkaArgs {
    /// Kafka bootstrap brokers (`host:port[,host:port…]`): turns the relay on.
    #[arg(long, env = "KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,

    /// The topic every event goes to (created when missing).
    #[arg(long, env = "ROSTER_KAFKA_TOPIC", default_value = "roster.events")]
    pub kafka_topic: String,

    /// Partitions of the topic when the relay creates it.
    #[arg(long, env = "ROSTER_KAFKA_PARTITIONS", default_value_t = 6)]
    pub kafka_partitions: i32,

    /// Replication factor of the topic when the relay creates it.
    #[arg(long, env = "ROSTER_KAFKA_REPLICATION_FACTOR", default_value_t = 1)]
    pub kafka_replication_factor: i32,

    /// none, gzip, snappy, lz4 or zstd.
    #[arg(long, env = "ROSTER_KAFKA_COMPRESSION", default_value = "lz4")]
    pub kafka_compression: String,

    /// A librdkafka property for the relay's clients (`security.protocol=SASL_SSL`, …); repeat
    /// for more (the environment variable takes them comma-separated).
    #[arg(long, env = "ROSTER_KAFKA_PROPERTIES", value_delimiter = ',', value_parser = parse_property)]
    pub kafka_property: Vec<(String, String)>,

    /// The CloudEvents `source` of every message.
    #[arg(long, env = "ROSTER_KAFKA_SOURCE", default_value = "roster")]
    pub kafka_source: String,

    /// An event larger than the broker accepts: `skip` (recorded in the database's
    /// dead_letters table) or `halt` (the relay waits until the limit is raised).
    #[arg(long, env = "ROSTER_KAFKA_OVERSIZE", default_value = "halt")]
    pub kafka_oversize: kafka_relay::Oversize,

    /// How long librdkafka keeps trying to deliver a message before the relay starts its batch
    /// over.
    #[arg(long, env = "ROSTER_KAFKA_MESSAGE_TIMEOUT", value_parser = parse_duration, default_value = "30s")]
    pub kafka_message_timeout: Duration,
}

impl KafkaArgs {
    /// The relay's configuration, when brokers are given.
    pub fn config(&self) -> Option<kafka_relay::RelayConfig> {
        let brokers = self.kafka_brokers.clone()?;
        Some(kafka_relay::RelayConfig {
            topic: self.kafka_topic.clone(),
            partitions: self.kafka_partitions,
            replication_factor: self.kafka_replication_factor,
            compression: self.kafka_compression.clone(),
            properties: self.kafka_property.clone(),
            source: self.kafka_source.clone(),
            oversize: self.kafka_oversize,
            message_timeout: self.kafka_message_timeout,
            ..kafka_relay::RelayConfig::new(brokers)
        })
    }
}

/// `name=value`.
fn parse_property(raw: &str) -> Result<(String, String), String> {
    match raw.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!("`{raw}`: expected name=value")),
    }
}

/// How webhooks are delivered.
#[derive(Debug, Clone, Args)]
pub struct WebhookArgs {
    /// Milliseconds a receiver has to answer with a 2xx.
    #[arg(long, env = "ROSTER_WEBHOOK_TIMEOUT_MS", default_value_t = 15_000)]
    pub webhook_timeout_ms: u64,

    /// Delay before each attempt, comma-separated (units ms, s, m, h, d); the first is usually 0.
    #[arg(
        long,
        env = "ROSTER_WEBHOOK_RETRY_SCHEDULE",
        value_delimiter = ',',
        value_parser = parse_duration,
        default_value = "0,5s,5m,30m,2h,5h,10h,10h"
    )]
    pub webhook_retry_schedule: Vec<Duration>,

    /// The longest `Retry-After` from a receiver that is honoured.
    #[arg(long, env = "ROSTER_WEBHOOK_RETRY_AFTER_MAX", value_parser = parse_duration, default_value = "1h")]
    pub webhook_retry_after_max: Duration,

    /// Concurrent attempts per endpoint, across all dispatchers (1 keeps first attempts in order).
    #[arg(long, env = "ROSTER_WEBHOOK_MAX_IN_FLIGHT", default_value_t = 1,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub webhook_max_in_flight: u16,

    /// An endpoint that has only failed for this long is disabled.
    #[arg(long, env = "ROSTER_WEBHOOK_FAILURE_WINDOW", value_parser = parse_duration, default_value = "5d")]
    pub webhook_failure_window: Duration,

    /// How long a rotated-out secret keeps signing.
    #[arg(long, env = "ROSTER_WEBHOOK_SECRET_GRACE", value_parser = parse_duration, default_value = "24h")]
    pub webhook_secret_grace: Duration,

    /// Non-public networks webhook URLs may reach anyway (comma-separated CIDRs, e.g.
    /// 127.0.0.0/8 for local receivers). Everything else must be a public address.
    #[arg(long, env = "ROSTER_WEBHOOK_ALLOW_CIDRS", value_delimiter = ',')]
    pub webhook_allow_cidrs: Vec<ipnet::IpNet>,

    #[command(flatten)]
    pub keys: SecretKeyArgs,
}

/// The key that seals webhook signing secrets at rest (docs/security.md).
#[derive(Debug, Clone, Args)]
pub struct SecretKeyArgs {
    /// The key (base64, 32 bytes; `roster secrets new-key` makes one), or several
    /// comma-separated: the first seals, the others only open (during a key rotation).
    #[arg(
        long,
        env = "ROSTER_SECRET_KEY",
        hide_env_values = true,
        conflicts_with = "secret_key_file"
    )]
    pub secret_key: Option<String>,

    /// A file holding the key(s), one per line, the first sealing. Default with the embedded
    /// Postgres: `<data dir>.secret-key`, made on first start. With DATABASE_URL one of the two
    /// is required wherever webhooks run.
    #[arg(long, env = "ROSTER_SECRET_KEY_FILE")]
    pub secret_key_file: Option<PathBuf>,
}

impl WebhookArgs {
    pub fn config(
        &self,
        keyring: std::sync::Arc<webhook_dispatcher::sealing::Keyring>,
    ) -> webhook_dispatcher::DispatcherConfig {
        webhook_dispatcher::DispatcherConfig {
            keyring,
            timeout: Duration::from_millis(self.webhook_timeout_ms),
            schedule: webhook_dispatcher::schedule::Schedule {
                delays: self.webhook_retry_schedule.clone(),
                retry_after_cap: self.webhook_retry_after_max,
            },
            max_in_flight: usize::from(self.webhook_max_in_flight),
            failure_window: self.webhook_failure_window,
            secret_grace: self.webhook_secret_grace,
            addresses: std::sync::Arc::new(webhook_dispatcher::ssrf::AddressPolicy {
                allow: self.webhook_allow_cidrs.clone(),
            }),
            ..Default::default()
        }
    }
}

/// The longest duration any setting takes; beyond it, clock arithmetic could overflow.
const MAX_DURATION: Duration = Duration::from_secs(365 * 86_400);

/// `250ms`, `5s`, `5m`, `2h`, `5d`, `1h 30m` (humantime's forms), or a bare number of seconds;
/// at most 365 days.
pub fn parse_duration(raw: &str) -> Result<Duration, String> {
    let raw = raw.trim();
    let parsed = match raw.parse::<u64>() {
        Ok(seconds) => Ok(Duration::from_secs(seconds)),
        Err(_) => humantime::parse_duration(raw)
            .map_err(|e| format!("`{raw}` is not a duration like 250ms, 5s, 5m, 2h or 5d ({e})")),
    }?;
    if parsed > MAX_DURATION {
        return Err(format!("`{raw}` is longer than the maximum of 365 days"));
    }
    Ok(parsed)
}

impl ServeArgs {
    /// Whether `c` runs here: everything by default (the Kafka relay when brokers are given),
    /// or what `--only` names.
    pub fn runs(&self, c: Component) -> bool {
        if c == Component::Kafka && self.kafka.kafka_brokers.is_none() {
            return false;
        }
        self.only.is_empty() || self.only.contains(&c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_in_every_documented_form() {
        for (raw, expected) in [
            ("0", 0),
            ("250ms", 250),
            ("5s", 5_000),
            ("5m", 300_000),
            ("2h", 7_200_000),
            ("5d", 432_000_000),
            ("60", 60_000),
            (" 1h 30m ", 5_400_000),
            ("365d", 31_536_000_000),
        ] {
            assert_eq!(
                parse_duration(raw),
                Ok(Duration::from_millis(expected)),
                "{raw}"
            );
        }
    }

    #[test]
    fn bad_and_huge_durations_are_clear_errors() {
        for raw in ["", "5x", "-1s", "s", "1.5.2s", "abc"] {
            let e = parse_duration(raw).unwrap_err();
            assert!(e.contains("not a duration"), "{raw}: {e}");
        }
        for raw in [
            "366d",
            "1e30",
            "99999999999999999999999999s",
            "18446744073709551615",
        ] {
            let e = parse_duration(raw).unwrap_err();
            assert!(
                e.contains("maximum") || e.contains("not a duration"),
                "{raw}: {e}"
            );
        }
        assert!(parse_duration("18446744073709551615")
            .unwrap_err()
            .contains("maximum"));
    }
}
