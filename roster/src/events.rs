//! `roster events tail|export|verify`: the event log from the command line. `tail` follows the
//! feed (so it never skips an event that commits late), `export` writes what the HTTP export
//! writes, `verify` checks that every stored event is one the current code can read.

use std::collections::HashMap;
use std::io::Write;

use futures::StreamExt;
use query_service::export::{self, Format};
use sqlx::PgPool;
use store::log::{self as events, EventFilter};
use store::FeedEvent;

use crate::cli::{EventsCommand, EventsFilterArgs, ExportFormat};

/// Why `roster events` failed, or what `verify` found.
#[derive(Debug, thiserror::Error)]
pub enum EventsError {
    #[error(transparent)]
    Database(#[from] crate::database::DatabaseError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{0}")]
    Invalid(String),
    /// `verify` found this many problems (exit code 1, like a failed check).
    #[error("{0} problems in the event log")]
    Problems(usize),
}

pub async fn run(command: EventsCommand) -> Result<(), EventsError> {
    let database = match &command {
        EventsCommand::Tail(a) => a.database.clone(),
        EventsCommand::Export(a) => a.database.clone(),
        EventsCommand::Verify(d) => d.clone(),
    };
    crate::database::tool(&database, |pool| async move { on(&pool, command).await }).await
}

async fn on(pool: &PgPool, command: EventsCommand) -> Result<(), EventsError> {
    match command {
        EventsCommand::Tail(args) => {
            let from = match args.from {
                Some(from) => from,
                None => store::Feed::new(pool.clone()).head().await? + 1,
            };
            tail(pool, from, &filter(&args.filter)?).await
        }
        EventsCommand::Export(args) => {
            let filter = filter(&args.filter)?;
            let committed = events::heads(pool).await?.0;
            let up_to = args.until.unwrap_or(committed);
            readable(pool, up_to.min(committed)).await?;
            let format = match args.format {
                ExportFormat::Jsonl => Format::JsonLines,
                ExportFormat::Csv => Format::Csv,
            };
            let mut batches = std::pin::pin!(export::stream(
                pool.clone(),
                filter,
                args.from - 1,
                up_to,
                format
            ));
            while let Some(bytes) = batches.next().await {
                // Standard output is locked for one batch's write, never across an await.
                if std::io::stdout().lock().write_all(&bytes?).is_err() {
                    return Ok(()); // the reader went away (e.g. `| head`)
                }
            }
            std::io::stdout()
                .lock()
                .flush()
                .map_err(|e| EventsError::Invalid(format!("standard output: {e}")))
        }
        EventsCommand::Verify(_) => verify(pool).await,
    }
}

/// Waits (at most a minute) until the log is readable up to `position`: an export writes every
/// event committed before it started, including those of writers older ones still hold back.
async fn readable(pool: &PgPool, position: i64) -> Result<(), EventsError> {
    let readable =
        events::wait_readable(pool, position, std::time::Duration::from_secs(60)).await?;
    if readable >= position {
        return Ok(());
    }
    Err(EventsError::Invalid(format!(
        "the log is readable up to position {readable} only: an older transaction is still \
         open; try again, or export --to {readable}"
    )))
}

/// The filter the flags ask for (types as on the HTTP API: names, `group.*`, `*`).
pub(crate) fn filter(args: &EventsFilterArgs) -> Result<EventFilter, EventsError> {
    let mut types = Vec::new();
    for pattern in &args.types {
        let found = domain::catalogue::expand(pattern.trim())
            .map_err(|e| EventsError::Invalid(format!("--types: {e}")))?;
        types.extend(found.into_iter().map(str::to_owned));
    }
    let organization_id = args
        .organization
        .as_deref()
        .map(|o| domain::OrganizationId::parse(o).map(|o| o.to_string()))
        .transpose()
        .map_err(|e| EventsError::Invalid(format!("--organization: {e}")))?;
    Ok(EventFilter {
        organization_id,
        types,
        ..Default::default()
    })
}

fn selected(filter: &EventFilter, e: &FeedEvent) -> bool {
    (filter.types.is_empty() || filter.types.contains(&e.event_type))
        && filter
            .organization_id
            .as_ref()
            .is_none_or(|o| e.organization_id.as_ref() == Some(o))
}

/// Follows the feed from position `from` and prints each selected envelope as a JSON line,
/// until interrupted or until standard output closes.
async fn tail(pool: &PgPool, from: i64, filter: &EventFilter) -> Result<(), EventsError> {
    let mut follower = store::Feed::new(pool.clone()).follow(from - 1);
    let stop = crate::serve::shutdown_signal();
    tokio::pin!(stop);
    loop {
        let batch = tokio::select! {
            batch = follower.next_batch() => batch?,
            _ = &mut stop => return Ok(()),
        };
        let mut out = std::io::stdout().lock();
        for e in batch.iter().filter(|e| selected(filter, e)) {
            let line = serde_json::to_string(&e.envelope())
                .map_err(|err| EventsError::Invalid(err.to_string()))?;
            if writeln!(out, "{line}").is_err() {
                return Ok(());
            }
        }
        if out.flush().is_err() {
            return Ok(());
        }
    }
}

/// Problems reported in full; beyond that only counted.
const SHOWN: usize = 100;

/// Reads the whole log in position order and reports every event that breaks a rule the rest
/// of roster relies on.
async fn verify(pool: &PgPool) -> Result<(), EventsError> {
    let mut checker = Checker::default();
    let head = events::readable_head(pool).await?;
    let everything = EventFilter::default();
    let mut after = 0;
    loop {
        let batch = events::batch(pool, &everything, after, head, 5000).await?;
        let Some(last) = batch.last() else { break };
        after = last.position;
        for e in &batch {
            checker.check(e);
        }
    }
    for problem in checker.problems.iter().take(SHOWN) {
        println!("{problem}");
    }
    if checker.problems.len() > SHOWN {
        println!("… and {} more", checker.problems.len() - SHOWN);
    }
    if checker.problems.is_empty() {
        println!(
            "{} events of {} aggregates up to position {head}: every check passed",
            checker.events,
            checker.streams.len()
        );
        Ok(())
    } else {
        Err(EventsError::Problems(checker.problems.len()))
    }
}

/// The rules, one event at a time (pure; unit-tested below).
#[derive(Default)]
struct Checker {
    events: u64,
    last_position: i64,
    /// Per aggregate: (last version, its position).
    streams: HashMap<(String, String), (i64, i64)>,
    problems: Vec<String>,
}

impl Checker {
    fn check(&mut self, e: &FeedEvent) {
        self.events += 1;
        let at = format!(
            "position {} ({} {} v{}, {})",
            e.position, e.aggregate_type, e.aggregate_id, e.sequence, e.event_type
        );
        let mut fail = |what: String| self.problems.push(format!("{at}: {what}"));
        if e.position <= self.last_position {
            fail(format!(
                "position not above the previous {}",
                self.last_position
            ));
        }
        let key = (e.aggregate_type.clone(), e.aggregate_id.clone());
        let (version, position) = self.streams.get(&key).copied().unwrap_or((0, 0));
        if e.sequence != version + 1 {
            fail(format!(
                "version {} follows version {version}: versions must run 1, 2, 3 … without gaps",
                e.sequence
            ));
        }
        if e.position <= position {
            fail(format!(
                "position not above the aggregate's previous {position}"
            ));
        }
        if let Err(why) = domain::stored::check(&e.aggregate_type, &e.event_type, &e.payload) {
            fail(why);
        }
        let id = e.event_id();
        if domain::EventId::parse(&id).is_err() {
            fail(format!("no valid event id in its metadata ({id:?})"));
        }
        if e.metadata
            .get("actor_type")
            .and_then(|a| a.as_str())
            .is_none()
        {
            fail("no actor in its metadata".into());
        }
        if domain::stored::ORGANIZATION_SCOPED.contains(&e.aggregate_type.as_str())
            && e.organization_id.is_none()
        {
            fail("no organization id".into());
        }
        self.last_position = self.last_position.max(e.position);
        self.streams
            .insert(key, (e.sequence.max(version), e.position));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(position: i64, id: &str, sequence: i64) -> FeedEvent {
        FeedEvent {
            position,
            aggregate_type: "api_key".into(),
            aggregate_id: id.into(),
            sequence,
            event_type: "api_key.revoked".into(),
            event_version: "1".into(),
            organization_id: None,
            payload: json!({"type": "api_key.revoked", "data": {
                "id": "key_01JD8ZE5F6G7H8J9K0M1N2P3Q4", "name": "x", "organization_id": null,
                "read_only": false, "expires_at": null, "prefix": "rk_live_Xq3v",
                "created_at": "2026-11-23T10:00:00Z", "revoked_at": null}}),
            metadata: json!({"event_id": domain::EventId::new().to_string(), "actor_type": "system"}),
            recorded_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn a_clean_log_passes_and_gaps_repeats_and_bad_payloads_are_reported() {
        let mut c = Checker::default();
        c.check(&event(1, "a", 1));
        c.check(&event(2, "b", 1));
        c.check(&event(3, "a", 2));
        assert!(c.problems.is_empty(), "{:?}", c.problems);
        c.check(&event(4, "a", 4)); // version 3 missing
        c.check(&event(4, "b", 2)); // position repeated
        let mut bad = event(5, "c", 1);
        bad.payload["data"]["read_only"] = json!("yes");
        bad.metadata = json!({});
        c.check(&bad);
        let all = c.problems.join("\n");
        assert!(all.contains("version 4 follows version 2"), "{all}");
        assert!(all.contains("position not above the previous 4"), "{all}");
        assert!(all.contains("does not deserialise"), "{all}");
        assert!(all.contains("no valid event id"), "{all}");
        assert!(all.contains("no actor"), "{all}");
    }
}
