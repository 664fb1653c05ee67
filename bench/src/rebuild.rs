//! `roster rebuild` of the whole log (every projection, into fresh tables, swapped in), against
//! `COPY` of the same events out of the log: what rebuilding the read side costs per event, next
//! to merely reading the events.

use std::time::Instant;

use sqlx::PgPool;

use crate::{Bench, BenchError, Row};

pub async fn measure(_args: &Bench, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    eprintln!("rebuild: every projection from {events} events …");
    let started = Instant::now();
    let rebuilt = projector::Projector::new(pool.clone())
        .rebuild(&[], false, &|_| {})
        .await?;
    let rebuild_per_s = rebuilt.events as f64 / started.elapsed().as_secs_f64();

    let copy_per_s = crate::copy_events(pool, events).await?;
    Ok(vec![Row {
        name: "rebuild of every projection (roster rebuild)",
        roster: rebuild_per_s,
        baseline_name: "COPY … TO STDOUT",
        baseline: copy_per_s,
        unit: "events/s",
        note: Some(format!("{} events rebuilt", rebuilt.events)),
    }])
}
