//! The event log as a file: JSON Lines (one envelope per line) or CSV, produced batch by batch
//! so an export of millions of events holds two batches in memory: one read from the log while
//! the one before is decoded and encoded on the blocking pool (the JSON work is most of an
//! export's CPU: done on the request's worker, it would hold that worker and one core). `GET /v1/events/export` and
//! `roster events export` both write this.

use actix_web::web::Bytes;
use futures::Stream;
use sqlx::{PgPool, Row};
use store::log::{self as events, EventFilter};
use store::{FeedEvent, StoreError};

/// Events read per step.
const BATCH: i64 = 1000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    JsonLines,
    Csv,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::JsonLines => "application/x-ndjson",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }
}

/// The CSV columns: the envelope flattened, `data` as JSON text.
pub const CSV_HEADER: [&str; 11] = [
    "position",
    "id",
    "type",
    "occurred_at",
    "organization_id",
    "aggregate_type",
    "aggregate_id",
    "aggregate_version",
    "actor_type",
    "actor_id",
    "data",
];

/// One batch in `format` (with the CSV header first when `header`).
pub fn encode(events: Vec<FeedEvent>, format: Format, header: bool) -> Result<Bytes, StoreError> {
    let corrupt = |e: &dyn std::fmt::Display| StoreError::Corrupt(format!("export: {e}"));
    match format {
        Format::JsonLines => {
            let mut out = Vec::with_capacity(events.len() * 512);
            for e in events {
                serde_json::to_writer(&mut out, &e.into_envelope()).map_err(|e| corrupt(&e))?;
                out.push(b'\n');
            }
            Ok(out.into())
        }
        Format::Csv => {
            let mut w = csv::Writer::from_writer(Vec::with_capacity(events.len() * 512));
            if header {
                w.write_record(CSV_HEADER).map_err(|e| corrupt(&e))?;
            }
            for e in events {
                let env = e.into_envelope();
                w.write_record([
                    env.position.to_string(),
                    env.id,
                    env.event_type,
                    env.occurred_at
                        .to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                    env.organization_id.unwrap_or_default(),
                    env.aggregate.kind,
                    env.aggregate.id,
                    env.aggregate.version.to_string(),
                    env.actor.kind,
                    env.actor.id.unwrap_or_default(),
                    env.data.to_string(),
                ])
                .map_err(|e| corrupt(&e))?;
            }
            w.into_inner().map(Bytes::from).map_err(|e| corrupt(&e))
        }
    }
}

/// Every event `filter` selects in `(after, up_to]`, encoded, one batch per item.
pub fn stream(
    pool: PgPool,
    filter: EventFilter,
    after: i64,
    up_to: i64,
    format: Format,
) -> impl Stream<Item = Result<Bytes, StoreError>> {
    type Encoding = tokio::task::JoinHandle<Result<Bytes, StoreError>>;
    struct State {
        pool: PgPool,
        filter: EventFilter,
        after: i64,
        first: bool,
        /// Every batch has been read.
        read: bool,
        /// The last batch read, being encoded.
        encoding: Option<Encoding>,
    }
    let start = State {
        pool,
        filter,
        after,
        first: true,
        read: false,
        encoding: None,
    };
    futures::stream::try_unfold(start, move |mut s| async move {
        // Read the next batch while the last one is encoded; hand that one on.
        while !s.read {
            let rows = events::batch_rows(&s.pool, &s.filter, s.after, up_to, BATCH).await?;
            match rows.last() {
                Some(last) => s.after = last.try_get("position")?,
                None => s.read = true,
            }
            if (rows.len() as i64) < BATCH {
                s.read = true;
            }
            // One encoding at a time: the last one finishes before this batch's starts.
            let previous = match s.encoding.take() {
                Some(encoding) => Some(finished(encoding).await?),
                None => None,
            };
            let header = std::mem::replace(&mut s.first, false);
            s.encoding = Some(tokio::task::spawn_blocking(move || {
                encode(FeedEvent::from_rows(&rows)?, format, header)
            }));
            if let Some(bytes) = previous {
                return Ok(Some((bytes, s)));
            }
        }
        match s.encoding.take() {
            Some(last) => Ok(Some((finished(last).await?, s))),
            None => Ok(None),
        }
    })
}

/// What an encoding made; a panic stays a panic (the export must not end as if complete).
async fn finished(
    encoding: tokio::task::JoinHandle<Result<Bytes, StoreError>>,
) -> Result<Bytes, StoreError> {
    match encoding.await {
        Ok(bytes) => bytes,
        Err(stopped) => std::panic::resume_unwind(stopped.into_panic()),
    }
}
