use std::process::ExitCode;

use clap::Parser;
use roster::cli::{Cli, Command};

/// mimalloc rather than the system allocator: the dispatcher, the HTTP edge and the feed
/// consumers allocate from many threads at once, where glibc's malloc spent about a sixth of the
/// process's time (profile of the webhook latency benchmark, docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    roster::telemetry::init(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("roster: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // `rebuild` answers like diff: 1 for differences found, 2 for trouble.
    let error_code = match cli.command {
        Command::Rebuild(_) => 2,
        _ => 1,
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve(args) => roster::serve::serve(*args).await,
            Command::Migrate(args) => roster::serve::migrate(args).await,
            Command::Rebuild(args) => roster::serve::rebuild(args).await,
            Command::Bench(args) => roster::bench::run(args).await.map_err(Into::into),
            Command::Keys(command) => roster::keys::run(command).await,
            Command::Events(command) => roster::events::run(command).await,
            Command::Replay(args) => roster::replay::run(*args).await,
            Command::Psql(args) => roster::psql::run(args).await,
            Command::Secrets(command) => roster::secrets::run(command).await,
            Command::Openapi => {
                let document = http_edge::openapi::document(&roster::app::all_endpoints());
                serde_json::to_string_pretty(&document)
                    .map(|text| println!("{text}"))
                    .map_err(|e| roster::serve::ServeError::Openapi(e.to_string()))
            }
            Command::Version => {
                println!("roster {}", env!("CARGO_PKG_VERSION"));
                Ok(())
            }
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(
            e
            @ (roster::serve::ServeError::Verify(_) | roster::serve::ServeError::EventsInvalid(_)),
        ) => {
            eprintln!("roster: {e}");
            ExitCode::from(1)
        }
        Err(e) => {
            tracing::error!(error = %e, "roster stopped");
            eprintln!("roster: {e}");
            ExitCode::from(error_code)
        }
    }
}
