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

/// `--to` given once with the sink and at most once with the last position.
fn target(args: &ReplayArgs) -> Result<(Target, Option<i64>), ReplayCommandError> {
    let bad = |why: String| ReplayCommandError::Invalid(format!("--to: {why}"));
    let (mut sink, mut end) = (None, None);
    for value in &args.to {
        match (value.as_str(), value.parse::<i64>()) {
            (_, Ok(n)) if n >= 1 && end.is_none() => end = Some(n),
            (_, Ok(_)) => return Err(bad(format!("`{value}`: give one last position, ≥ 1"))),
            ("webhook" | "kafka", _) if sink.is_none() => sink = Some(value.clone()),
            _ => {
                return Err(bad(format!(
                    "`{value}`: give the sink (`webhook` or `kafka`) once, and a last position at most once"
                )))
            }
        }
    }
    if let Some(end) = end.filter(|end| *end < args.from) {
        return Err(bad(format!(
            "the last position {end} is below --from {}",
            args.from
        )));
    }
    let target = match sink.as_deref() {
        Some("webhook") => {
            let endpoint = args.endpoint.as_deref().ok_or_else(|| {
                ReplayCommandError::Invalid("--to webhook needs --endpoint we_…".into())
            })?;
            let id = domain::WebhookEndpointId::parse(endpoint)
                .map_err(|e| ReplayCommandError::Invalid(format!("--endpoint: {e}")))?;
            Target::Webhook(id.to_string())
        }
        Some(_) => Target::Kafka,
        None => return Err(bad("name the sink: `--to webhook` or `--to kafka`".into())),
    };
    Ok((target, end))
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
