//! `roster bench`: measures the write path and the feed against baselines taken in the same run
//! on the same Postgres, and prints the ratios.
//!
//! It owns the benchmarks and nothing else. Never: writes roster's tables or the log by hand —
//! everything it measures is set up through the services' public APIs (commands, the application
//! layer, units of work, the HTTP API, the dispatcher's endpoint functions), so what it measures
//! is what users get; the only tables it writes itself are its baselines' own (`bench_rows`), and
//! the growth section's ten million generated events (by SQL under the append lock, as the issue
//! asks: the command path would take an hour to write them).
//!
//! - append: concurrent `organization.create` commands through the full command path (load,
//!   decide, append with positions, claim the external id, commit) vs pgbench running one
//!   single-row INSERT per transaction with the same number of clients.
//! - feed: reading every event through the gap-free feed vs `COPY … TO STDOUT` of the same rows.
//! - mix: a realistic mix of commands over HTTP vs the same pgbench, with its latencies
//!   (`mix.rs`).
//! - partitions: appends with 1, 2, 4 and 8 feed partitions on one Postgres, a model of the
//!   design in docs/scaling.md (`partitions.rs`).
//! - reads: list pages over HTTP, first and deep, vs pgbench running the same SQL (`reads.rs`).
//! - claims: token claims over HTTP vs the same SQL through pgbench, and a user's memberships
//!   across 1,000 organizations, deep page vs first (`claims.rs`).
//! - serve: `roster serve` in a process of its own — its resident memory idle once caught up
//!   with the log, at its peak under the command mix with fan-out (and the relay), and idle
//!   after (`serve.rs`).
//! - replicas: deep list pages from `roster serve --only query` on a real hot standby, two
//!   processes vs one (`replicas.rs`).
//! - console: the members page rendered for a session vs the JSON API's page, p95 (`console.rs`).
//! - webhooks: deliveries through the dispatcher vs plain POSTs of the same bodies
//!   (`webhooks.rs`), and latency at a steady rate under fan-out (`webhook_latency.rs`).
//! - Kafka relay vs raw produce of the same messages (`kafka.rs`).
//! - export: 1,000,000 events over HTTP vs `COPY … TO STDOUT`, and the memory it took
//!   (`export.rs`).
//! - apply: a document of 10,000 members planned and applied vs the bulk import of the same
//!   members, re-applied, and a plan on the log as it stands (`apply.rs`).
//! - rebuild: every projection rebuilt from the whole log vs `COPY` of it (`rebuild.rs`).

mod apply;
mod claims;
mod console;
mod export;
mod growth;
mod http;
mod kafka;
mod memory;
mod mix;
mod partitions;
mod process;
mod profile;
mod reads;
mod rebuild;
mod receiver;
mod replicas;
mod serve;
mod webhook_latency;
mod webhooks;

use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use command_service::bus::Commands;
use domain::organization::{CreateOrganization, Organization, OrganizationCommand};
use domain::values::{ExternalId, Metadata, OrganizationName};
use domain::OrganizationId;
use domain::RequestContext;
use embedded_postgres::{self as embedded, Binaries, Options, PostgresServer};
use futures::TryStreamExt;
use sqlx::PgPool;
use store::{EventRepository, Feed};

#[derive(Debug, Clone, clap::Args)]
pub struct BenchArgs {
    /// Seconds each write benchmark runs.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// Concurrent clients for both pgbench and roster.
    #[arg(long, default_value_t = 16)]
    pub clients: usize,
    /// Only these sections (comma-separated): writes, mix, partitions, reads, claims, serve,
    /// replicas, console, webhooks, kafka, latency, export, apply, rebuild, growth.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Seconds each steady-rate webhook latency run lasts (200 and 500 events/s).
    #[arg(long, default_value_t = 60)]
    pub latency_seconds: u64,
    /// Events the growth section adds to the store before measuring again.
    #[arg(long, default_value_t = 10_000_000)]
    pub growth_events: i64,
    /// Print the results as a Markdown table (for docs/benchmarks.md).
    #[arg(long)]
    pub markdown: bool,
    /// Kafka brokers for the relay benchmark (scripts/bench.sh starts a tansu broker); without
    /// them the relay is not measured.
    #[arg(long, env = "KAFKA_BROKERS")]
    pub kafka_brokers: Option<String>,
    /// Load `pg_stat_statements` (nested statements too) and print each section's ten most
    /// expensive statements after it: where Postgres spends the time.
    #[arg(long)]
    pub profile: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Embedded(#[from] embedded::EmbeddedError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("store: {0}")]
    Store(#[from] store::StoreError),
    #[error("pgbench: {0}")]
    Pgbench(String),
    #[error("benchmark task failed: {0}")]
    Task(String),
}

/// Moves `consumers`' checkpoints to `position`: what a section makes new (endpoints, a topic)
/// takes the events from there on, and walking what earlier sections wrote would show in its
/// figures.
pub(crate) async fn skip_to(
    pool: &PgPool,
    consumers: &[&str],
    position: i64,
) -> Result<(), BenchError> {
    let mut conn = pool.acquire().await?;
    for consumer in consumers {
        store::checkpoints::save(&mut conn, consumer, position).await?;
    }
    Ok(())
}

/// A benchmark task's failure, said as text (a task, a process, a broker: each has its own error
/// type, and a benchmark only reports them).
pub(crate) fn task(e: impl std::fmt::Display) -> BenchError {
    BenchError::Task(e.to_string())
}

struct Row {
    name: &'static str,
    roster: f64,
    baseline_name: &'static str,
    baseline: f64,
    unit: &'static str,
    /// Said under the table (what a ratio does not show).
    note: Option<String>,
}

pub use export::synthetic_events;
pub use http::{Serve, ServeSpec, Served};

/// One run: the arguments, and how to serve the app.
pub struct Bench {
    args: BenchArgs,
    serve: Serve,
}

impl std::ops::Deref for Bench {
    type Target = BenchArgs;
    fn deref(&self) -> &BenchArgs {
        &self.args
    }
}

/// Runs the benchmarks `args` asks for on a private Postgres and prints the results; `serve`
/// serves the app as `roster serve` does.
pub async fn run(args: BenchArgs, serve: Serve) -> Result<(), BenchError> {
    let args = Bench { args, serve };
    let dir = std::env::temp_dir().join(format!("roster-bench-{}", ulid::Ulid::new()));
    let bins = Binaries::locate()?;
    let (server, bins) = {
        let dir = dir.clone();
        let profile = args.profile;
        tokio::task::spawn_blocking(move || {
            // Durable settings, as in production: fsync and synchronous commit on.
            let mut options = Options::new(dir.join("data"));
            if profile {
                options.settings = vec![
                    (
                        "shared_preload_libraries".into(),
                        "pg_stat_statements".into(),
                    ),
                    ("pg_stat_statements.track".into(), "all".into()),
                ];
            }
            PostgresServer::start(&bins, &options).map(|s| (s, bins))
        })
        .await
        .map_err(|e| BenchError::Task(e.to_string()))??
    };
    let result = measure(&args, &server, &bins, &dir).await;
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .ok();
    let _ = std::fs::remove_dir_all(&dir);
    let sections = result?;
    print(&args, &sections);
    save(&sections);
    Ok(())
}

async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    dir: &std::path::Path,
) -> Result<Vec<Section>, BenchError> {
    embedded::ensure_database(&server.url("postgres"), "bench").await?;
    let url = server.url("bench");
    let pool = sqlx::postgres::PgPoolOptions::new()
        .max_connections(args.clients as u32 + 2)
        .connect(&url)
        .await?;
    // As `roster serve` prepares a store: migrations, then the organization template.
    command_service::prepare(&pool).await?;

    if args.profile {
        sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            .execute(&pool)
            .await?;
    }
    // `--only` picks sections; the log grows as they run, so their order is fixed.
    let wants = |name: &str| args.only.is_empty() || args.only.iter().any(|o| o == name);
    let chosen: Vec<&str> = SECTIONS.iter().copied().filter(|s| wants(s)).collect();
    let mut sections = Vec::new();
    for (n, &name) in chosen.iter().enumerate() {
        eprintln!("[{}/{}] {name} …", n + 1, chosen.len());
        if args.profile {
            sqlx::query("SELECT pg_stat_statements_reset()")
                .execute(&pool)
                .await?;
        }
        let memory = memory::Peak::start();
        let started = Instant::now();
        let rows = match name {
            "writes" => writes(args, server, bins, &pool, &url).await?,
            "mix" => mix::measure(args, server, bins, &pool, &url).await?,
            "partitions" => partitions::measure(args, server, bins, &pool).await?,
            "reads" => reads::measure(args, server, bins, &pool).await?,
            "claims" => claims::measure(args, server, bins, &pool).await?,
            // `roster serve` in a process of its own: its memory idle and under load.
            "serve" => serve::measure(args, dir, &pool, &url).await?,
            "replicas" => replicas::measure(args, server, bins, dir, &pool).await?,
            "console" => console::measure(args, &url, &pool).await?,
            "webhooks" => webhooks::measure(args, &pool).await?,
            "kafka" => kafka::measure(args, &pool).await?,
            "latency" => webhook_latency::measure(args, &pool).await?,
            // Fills the log to a million events.
            "export" => export::measure(args, &url, &pool).await?,
            // After the export: its plan is timed on a log of a million events.
            "apply" => apply::measure(args, &pool).await?,
            // Last: the whole log, a million events and more, into fresh read models.
            "rebuild" => rebuild::measure(args, &pool).await?,
            // After everything: ten million more events, then the same requests again.
            "growth" => growth::measure(args, &pool).await?,
            other => unreachable!("unknown section {other}"),
        };
        let section = Section {
            name,
            seconds: started.elapsed().as_secs_f64(),
            peak_rss_mib: memory.finish(),
            rows,
        };
        eprintln!(
            "[{}/{}] {name}: {:.0} s, peak resident memory {:.0} MiB",
            n + 1,
            chosen.len(),
            section.seconds,
            section.peak_rss_mib
        );
        if args.profile {
            profile::top_statements(&pool).await?;
        }
        sections.push(section);
    }
    Ok(sections)
}

/// The sections in the order they run (each may rely on what the earlier ones left in the log).
pub const SECTIONS: &[&str] = &[
    "writes",
    "mix",
    "partitions",
    "reads",
    "claims",
    "serve",
    "replicas",
    "console",
    "webhooks",
    "kafka",
    "latency",
    "export",
    "apply",
    "rebuild",
    "growth",
];

/// One section's results, its duration and the process's peak resident memory while it ran.
struct Section {
    name: &'static str,
    seconds: f64,
    peak_rss_mib: f64,
    rows: Vec<Row>,
}

/// The write path and the feed: commands in process and over HTTP against pgbench, and the
/// feed against COPY.
async fn writes(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
    url: &str,
) -> Result<Vec<Row>, BenchError> {
    eprintln!(
        "pgbench: {} clients, {} s, one single-row INSERT per transaction …",
        args.clients, args.seconds
    );
    let pgbench_tps = pgbench(args, server, bins, pool).await?;
    eprintln!(
        "roster: {} concurrent organization.create commands, {} s …",
        args.clients, args.seconds
    );
    let commands_per_s = append(args, pool).await?;
    eprintln!("roster: the same command over HTTP, with an API key …");
    let http_commands_per_s = create_over_http(args, url, pool).await?;

    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    eprintln!("feed: reading {total} events …");
    let started = Instant::now();
    let mut follower = Feed::new(pool.clone()).follow(0);
    follower.batch_size = 1000;
    let mut read = 0i64;
    while read < total {
        read += follower.next_batch().await?.len() as i64;
    }
    let feed_per_s = read as f64 / started.elapsed().as_secs_f64();

    let copy_per_s = copy_events(pool, total).await?;

    Ok(vec![
        Row {
            name: "append (organization.create, full command path)",
            roster: commands_per_s,
            baseline_name: "pgbench single-row INSERT",
            baseline: pgbench_tps,
            unit: "tx/s",
            note: None,
        },
        Row {
            name: "create over HTTP (POST /v1/organizations, API key)",
            roster: http_commands_per_s,
            baseline_name: "the same command in-process",
            baseline: commands_per_s,
            unit: "tx/s",
            note: None,
        },
        Row {
            name: "feed read (gap-free, batches of 1000)",
            roster: feed_per_s,
            baseline_name: "COPY … TO STDOUT",
            baseline: copy_per_s,
            unit: "events/s",
            note: None,
        },
    ])
}

/// `POST /v1/organizations` per second through the whole edge (key check, rate limiter off,
/// idempotency middleware, JSON), against the app as `roster serve` runs it.
async fn create_over_http(args: &Bench, url: &str, pool: &PgPool) -> Result<f64, BenchError> {
    let (base, handle) = http::serve(args, url, true)?;
    let key = http::key(pool, false).await?;
    let create = format!("{base}/v1/organizations");
    let rate = http::rate(args, &key, move |client, _| {
        let request = client
            .post(&create)
            .json(&serde_json::json!({ "name": "Acme" }));
        async move {
            let res = request.send().await.map_err(|e| e.to_string())?;
            match res.status().as_u16() {
                201 => Ok(()),
                other => Err(format!(
                    "HTTP {other}: {}",
                    res.text().await.unwrap_or_default()
                )),
            }
        }
    })
    .await;
    handle.stop(true).await;
    rate
}

pub(crate) async fn pgbench(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
) -> Result<f64, BenchError> {
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_rows (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())")
        .execute(pool)
        .await?;
    let script: PathBuf =
        std::env::temp_dir().join(format!("roster-bench-{}.sql", ulid::Ulid::new()));
    std::fs::write(
        &script,
        "INSERT INTO bench_rows (payload) VALUES ('{\"type\":\"organization.created\",\"data\":{\"name\":\"Acme\"}}');\n",
    )
    .map_err(|e| BenchError::Pgbench(e.to_string()))?;
    let output = Command::new(bins.bindir.join("pgbench"))
        .env("PGPASSWORD", server.password())
        .args([
            "-n",
            "-j",
            "2",
            "-h",
            "127.0.0.1",
            "-U",
            embedded::SUPERUSER,
            "-d",
            "bench",
        ])
        .args(["-p", &server.port().to_string()])
        .args([
            "-c",
            &args.clients.to_string(),
            "-T",
            &args.seconds.to_string(),
        ])
        .arg("-f")
        .arg(&script)
        .output()
        .map_err(|e| BenchError::Pgbench(format!("cannot run pgbench: {e}")))?;
    let _ = std::fs::remove_file(&script);
    tps(&output)
}

/// The `tps = …` figure of a pgbench run.
fn tps(output: &std::process::Output) -> Result<f64, BenchError> {
    let stdout = String::from_utf8_lossy(&output.stdout);
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            BenchError::Pgbench(format!(
                "{}{}",
                stdout,
                String::from_utf8_lossy(&output.stderr)
            ))
        })
}

async fn append(args: &Bench, pool: &PgPool) -> Result<f64, BenchError> {
    let commands = Arc::new(Commands::<Organization>::new(
        EventRepository::new(pool.clone()),
        (),
        Some(100),
    ));
    closed_loop(args, move |_| {
        let commands = commands.clone();
        async move {
            let id = OrganizationId::new();
            let command = OrganizationCommand::Create(CreateOrganization {
                id,
                name: OrganizationName::parse("Acme").map_err(|e| e.to_string())?,
                description: None,
                external_id: Some(ExternalId::parse(&id.to_string()).map_err(|e| e.to_string())?),
                metadata: Metadata::default(),
                max_members: None,
                template_roles: None,
                at: Utc::now(),
            });
            let id = id.to_string();
            commands
                .execute(&id, Some(&id), command, &RequestContext::system("bench"))
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    })
    .await
}

/// `COPY` of the log (the columns the feed reads, in position order) to nowhere: the baseline
/// of every benchmark that reads the whole log. `events` per second, for `events` rows.
pub(crate) async fn copy_events(pool: &PgPool, events: i64) -> Result<f64, BenchError> {
    let started = Instant::now();
    let mut conn = pool.acquire().await?;
    let mut copy = conn
        .copy_out_raw(
            "COPY (SELECT position, aggregate_type, aggregate_id, sequence, event_type, \
                          organization_id, payload, metadata, recorded_at \
                     FROM events ORDER BY position) TO STDOUT",
        )
        .await?;
    while copy.try_next().await?.is_some() {}
    Ok(events as f64 / started.elapsed().as_secs_f64())
}

/// How `closed_loop` numbers steps: worker `c` runs steps `c, c + STRIDE, …`.
pub(crate) const STRIDE: usize = 1024;

/// The `q` quantile (0 to 1) of sorted durations.
pub(crate) fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted
        .get(((sorted.len() as f64 * q) as usize).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

/// Steps per second with `args.clients` concurrent workers, each running step after step for
/// `args.seconds`: `step(n)` runs a worker's n-th step (workers number theirs `c, c + STRIDE,
/// …`, so no two run the same one).
async fn closed_loop<F, Fut>(args: &Bench, step: F) -> Result<f64, BenchError>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), String>> + Send,
{
    let step = Arc::new(step);
    let done = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(args.seconds);
    let started = Instant::now();
    let tasks: Vec<_> = (0..args.clients)
        .map(|c| {
            let (step, done) = (step.clone(), done.clone());
            tokio::spawn(async move {
                let mut n = c;
                while Instant::now() < deadline {
                    step(n).await?;
                    done.fetch_add(1, Ordering::Relaxed);
                    n += STRIDE;
                }
                Ok::<(), String>(())
            })
        })
        .collect();
    for t in tasks {
        t.await
            .map_err(|e| BenchError::Task(e.to_string()))?
            .map_err(BenchError::Task)?;
    }
    Ok(done.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64())
}

fn print(args: &Bench, sections: &[Section]) {
    let rows: Vec<&Row> = sections.iter().flat_map(|s| &s.rows).collect();
    if args.markdown {
        println!("| benchmark | roster | baseline | baseline | ratio |");
        println!("|---|---:|---|---:|---:|");
        for r in &rows {
            println!(
                "| {} | {:.0} {} | {} | {:.0} {} | {:.2} |",
                r.name,
                r.roster,
                r.unit,
                r.baseline_name,
                r.baseline,
                r.unit,
                r.roster / r.baseline
            );
        }
    } else {
        for r in &rows {
            println!(
                "{:<50} {:>10.0} {:<9} vs {:<26} {:>10.0}  ratio {:.2}",
                r.name,
                r.roster,
                r.unit,
                r.baseline_name,
                r.baseline,
                r.roster / r.baseline
            );
        }
    }
    let notes: Vec<_> = rows
        .iter()
        .filter_map(|r| r.note.as_ref().map(|n| (r.name, n)))
        .collect();
    if !notes.is_empty() {
        println!();
        for (name, note) in notes {
            println!("{}{name}: {note}", if args.markdown { "- " } else { "" });
        }
    }
    println!();
    if args.markdown {
        println!("| section | duration | peak resident memory |");
        println!("|---|---:|---:|");
    }
    for s in sections {
        if args.markdown {
            println!(
                "| {} | {:.0} s | {:.0} MiB |",
                s.name, s.seconds, s.peak_rss_mib
            );
        } else {
            println!(
                "section {:<10} {:>6.0} s   peak resident memory {:>5.0} MiB",
                s.name, s.seconds, s.peak_rss_mib
            );
        }
    }
}

/// Writes `target/bench/results.json` (the sections with their rows and ratios) for tools and
/// for comparing runs.
fn save(sections: &[Section]) {
    let dir = PathBuf::from("target/bench");
    let sections: Vec<_> = sections
        .iter()
        .map(|s| {
            let rows: Vec<_> = s
                .rows
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "name": r.name,
                        "roster": r.roster,
                        "baseline_name": r.baseline_name,
                        "baseline": r.baseline,
                        "unit": r.unit,
                        "ratio": r.roster / r.baseline,
                        "note": r.note,
                    })
                })
                .collect();
            serde_json::json!({
                "name": s.name,
                "seconds": s.seconds,
                "peak_rss_mib": s.peak_rss_mib,
                "rows": rows,
            })
        })
        .collect();
    let json = serde_json::json!({ "at": Utc::now(), "sections": sections });
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        std::fs::write(
            dir.join("results.json"),
            serde_json::to_vec_pretty(&json).unwrap_or_default(),
        )
    });
    match written {
        Ok(()) => eprintln!("results: target/bench/results.json"),
        Err(e) => eprintln!("results not written to target/bench/results.json: {e}"),
    }
}
