use std::process::ExitCode;

use clap::Parser;
use roster::cli::{Cli, Command};
use roster::events::EventsError;
use roster::maintenance::MaintenanceError;
use roster::plan::PlanError;

/// mimalloc rather than the system allocator: the dispatcher, the HTTP edge and the feed
/// consumers allocate from many threads at once, where glibc's malloc spent about a sixth of the
/// process's time (profile of the webhook latency benchmark, docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        // The benchmarks serve HTTP in process: a log line per request would drown the table
        // (and cost what it measures). Their own progress goes to standard error.
        Command::Bench(_) => roster::telemetry::init_with(cli.log_format, "warn,sqlx=error"),
        _ => roster::telemetry::init(cli.log_format),
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => exit(roster::serve::serve(*args).await, 1),
            Command::Migrate(args) => exit(roster::maintenance::migrate(args).await, 1),
            // `rebuild` answers like diff: 1 for differences found, 2 for trouble.
            Command::Rebuild(args) => match roster::maintenance::rebuild(args).await {
                Err(e @ MaintenanceError::Differs(_)) => finding(e),
                other => exit(other, 2),
            },
            Command::Bench(args) => exit(roster::bench::run(args).await, 1),
            Command::Keys(command) => exit(roster::keys::run(command).await, 1),
            Command::Events(command) => match roster::events::run(command).await {
                Err(e @ EventsError::Problems(_)) => finding(e),
                other => exit(other, 1),
            },
            Command::Replay(args) => exit(roster::replay::run(*args).await, 1),
            Command::Psql(args) => exit(roster::psql::run(args).await, 1),
            // `plan` answers for CI: 0 nothing to change, 2 changes to make, 1 trouble.
            Command::Plan(args) => match roster::plan::run(args).await {
                Err(PlanError::Changes) => ExitCode::from(2),
                Err(e @ PlanError::Document(_)) => finding(e),
                other => exit(other, 1),
            },
            Command::Export(args) => exit(roster::export::run(args).await, 1),
            Command::Apply(args) => match roster::plan::apply(args).await {
                Err(e @ PlanError::Document(_)) => finding(e),
                other => exit(other, 1),
            },
            Command::Secrets(command) => exit(roster::secrets::run(command).await, 1),
            Command::Openapi => {
                let document = http_edge::openapi::document(&roster::app::all_endpoints());
                let written =
                    serde_json::to_string_pretty(&document).map(|text| println!("{text}"));
                exit(written, 1)
            }
            Command::Version => {
                println!("roster {}", env!("CARGO_PKG_VERSION"));
                ExitCode::SUCCESS
            }
        }
    });
    outcome
}

/// A subcommand's end: success, or its error logged and told, with `code`.
fn exit<E: std::fmt::Display>(result: Result<(), E>, code: u8) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "roster stopped");
            eprintln!("roster: {e}");
            ExitCode::from(code)
        }
    }
}

/// A check that found something (not a failure of roster's): told, exit code 1.
fn finding(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("roster: {e}");
    ExitCode::from(1)
}
