//! Command-line interface. Every flag also reads an environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

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
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate(DatabaseArgs),
    /// Replay every event into fresh read-model tables and swap them in (or, with --verify,
    /// compare them with the live ones and exit 1 on any difference).
    Rebuild(RebuildArgs),
    /// Print the version and exit.
    Version,
    /// Measure the write path and the feed against pgbench/COPY on a private Postgres.
    Bench(crate::bench::BenchArgs),
}

#[derive(Debug, Clone, Args)]
pub struct DatabaseArgs {
    /// Postgres to use. Without it, roster starts a private Postgres in --data-dir.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,

    /// Where the embedded Postgres keeps its data (used only without DATABASE_URL).
    #[arg(long, env = "ROSTER_DATA_DIR", default_value = ".roster/pg")]
    pub data_dir: PathBuf,
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

    /// Run only these components (comma-separated). Known: command, query, projector.
    #[arg(long, env = "ROSTER_ONLY", value_delimiter = ',', value_enum)]
    pub only: Vec<Component>,

    /// Seconds between sweeps that expire pending invitations past their expiry.
    #[arg(long, env = "ROSTER_SWEEP_INTERVAL", default_value_t = 60)]
    pub sweep_interval: u64,

    /// Milliseconds a read with `min_position` waits for the projector before answering 503.
    #[arg(long, env = "ROSTER_READ_WAIT_MS", default_value_t = 5000)]
    pub read_wait_ms: u64,

    /// Seconds in-flight requests get to finish on shutdown.
    #[arg(long, env = "ROSTER_SHUTDOWN_TIMEOUT", default_value_t = 30)]
    pub shutdown_timeout: u64,
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
}

impl ServeArgs {
    pub fn runs(&self, c: Component) -> bool {
        self.only.is_empty() || self.only.contains(&c)
    }
}
