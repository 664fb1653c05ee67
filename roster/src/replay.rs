//! `roster replay`: wires the replay engine (`store::replays`) to a sink — a webhook endpoint's
//! delivery queue (sent by the dispatcher of a running `roster serve`) or a Kafka topic (sent
//! from here, as the relay sends) — with a progress bar, `--dry-run`, and resumption: the same
//! command run again continues the unfinished job from its checkpoint.

use sqlx::PgPool;
use store::replays::{self, NewReplay, Replay, ReplayError, Sink};

use crate::cli::ReplayArgs;

enum Target {
    Webhook(String),
    Kafka,
}

/// Why `roster replay` failed.
#[derive(Debug, thiserror::Error)]
pub enum ReplayCommandError {
    #[error(transparent)]
    Database(#[from] crate::database::DatabaseError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Filter(#[from] crate::events::EventsError),
    #[error("{0}")]
    Invalid(String),
}

/// The sink `--to` names, and the last position (`--until`, not below `--from`).
fn target(args: &ReplayArgs) -> Result<(Target, Option<i64>), ReplayCommandError> {
    if let Some(end) = args.until.filter(|end| *end < args.from) {
        return Err(ReplayCommandError::Invalid(format!(
            "--until: the last position {end} is below --from {}",
            args.from
        )));
    }
    let target = match args.to.as_str() {
        "webhook" => {
            let endpoint = args.endpoint.as_deref().ok_or_else(|| {
                ReplayCommandError::Invalid("--to webhook needs --endpoint we_…".into())
            })?;
            let id = domain::WebhookEndpointId::parse(endpoint)
                .map_err(|e| ReplayCommandError::Invalid(format!("--endpoint: {e}")))?;
            Target::Webhook(id.to_string())
        }
        "kafka" => Target::Kafka,
        other => {
            return Err(ReplayCommandError::Invalid(format!(
                "--to: `{other}` is not a sink: give `webhook` or `kafka`"
            )))
        }
    };
    Ok((target, args.until))
}

pub async fn run(args: ReplayArgs) -> Result<(), ReplayCommandError> {
    let (target, to_position) = target(&args)?;
    let filter = crate::events::filter(&args.filter)?;
    // The sink's name, what it names, and for Kafka the producer checked before anything runs.
    let (sink, target, kafka) = match target {
        Target::Webhook(endpoint) => ("webhook", endpoint, None),
        Target::Kafka => {
            let mut config = args.kafka.config().ok_or_else(|| {
                ReplayCommandError::Invalid(
                    "--to kafka needs --kafka-brokers (or KAFKA_BROKERS)".into(),
                )
            })?;
            if let Some(topic) = &args.topic {
                config.topic = topic.clone();
            }
            let topic = config.topic.clone();
            let checked = kafka_relay::check(config)
                .map_err(|e| ReplayCommandError::Invalid(e.to_string()))?;
            ("kafka", topic, Some(checked))
        }
    };
    let new = NewReplay {
        sink: sink.into(),
        target,
        runner: "cli".into(),
        from_position: args.from,
        to_position,
        organization_id: filter.organization_id,
        event_types: filter.types,
    };
    let dry_run = args.dry_run;
    crate::database::tool(&args.database, |pool| async move {
        match kafka {
            Some(checked) => {
                let relay = kafka_relay::Relay::checked(pool.clone(), checked);
                replay(&pool, &new, relay, dry_run).await
            }
            None => {
                let sink = webhook_dispatcher::replay::EndpointSink::load(&pool, &new.target)
                    .await
                    .map_err(|e| ReplayCommandError::Invalid(e.to_string()))?;
                replay(&pool, &new, sink, dry_run).await
            }
        }
    })
    .await
}

async fn replay<S: Sink>(
    pool: &PgPool,
    new: &NewReplay,
    mut sink: S,
    dry_run: bool,
) -> Result<(), ReplayCommandError> {
    if dry_run {
        let n = replays::dry_run(pool, new, &sink).await?;
        println!("would send {n} events to {} {}", new.sink, new.target);
        return Ok(());
    }
    let job = match replays::unfinished(pool, new).await? {
        Some(job) => {
            eprintln!(
                "roster: continuing replay {} at position {} ({} sent so far)",
                job.id, job.position, job.sent
            );
            job
        }
        None => {
            let job = replays::create(pool, new).await?;
            eprintln!(
                "roster: replay {} of positions {}–{} to {} {}",
                job.id, job.from_position, job.to_position, job.sink, job.target
            );
            job
        }
    };
    let progress = crate::progress::Progress::new("replaying");
    let show = |job: &Replay| progress.update(job.sent as u64, job.position, job.to_position);
    let stop = crate::serve::shutdown_signal();
    let result = tokio::select! {
        result = replays::run(pool, &job.id, &mut sink, &show) => result,
        signal = stop => {
            progress.finish();
            let at = replays::get(pool, &job.id).await?.map_or(job.position, |j| j.position);
            return Err(ReplayCommandError::Invalid(format!(
                "{signal}: replay {} stopped at position {at}; run the same command again to continue",
                job.id
            )));
        }
    };
    progress.finish();
    match result {
        Ok(done) => {
            println!(
                "replay {} done: {} events sent to {} {} (positions {}–{})",
                done.id, done.sent, done.sink, done.target, done.from_position, done.to_position
            );
            Ok(())
        }
        Err(e @ ReplayError::Sink(_)) => Err(ReplayCommandError::Invalid(format!(
            "replay {} stopped: {e}; run the same command again to continue",
            job.id
        ))),
        Err(e) => Err(ReplayCommandError::Invalid(format!(
            "replay {}: {e}",
            job.id
        ))),
    }
}
