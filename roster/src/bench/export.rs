//! The Events API export of 1,000,000 events over HTTP (`GET /v1/events/export`, JSON Lines)
//! against `COPY … TO STDOUT` of the same rows, and how much the process's memory grew while it
//! streamed: the export reads and writes one batch at a time, so it must stay flat.

use std::time::Instant;

use futures::TryStreamExt;
use sqlx::PgPool;

use super::{http, BenchArgs, BenchError, Row};

/// Events in the log for this benchmark.
const EVENTS: i64 = 1_000_000;

/// Resident memory of this process, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Appends `count` `group.created` events of one organization in one statement (no commands:
/// a log to read, fast). Also what the export test fills its log with.
pub async fn synthetic_events(pool: &PgPool, count: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO events (aggregate_type, aggregate_id, sequence, event_type, event_version,
                             payload, metadata, organization_id)
         SELECT 'group', 'grp_' || lpad(g::text, 26, '0'), 1, 'group.created', '1',
                jsonb_build_object('type', 'group.created', 'data', jsonb_build_object(
                    'id', 'grp_' || lpad(g::text, 26, '0'),
                    'organization_id', 'org_01JD8Z5V7Q4S2M9K3X6T1B0C8N',
                    'name', 'Group number ' || g, 'description', 'made by roster bench',
                    'created_at', '2026-11-30T09:00:00Z', 'updated_at', '2026-11-30T09:00:00Z')),
                jsonb_build_object('event_id', 'evt_' || lpad(g::text, 26, '0'),
                                   'actor_type', 'system'),
                'org_01JD8Z5V7Q4S2M9K3X6T1B0C8N'
           FROM generate_series(1, $1) AS g",
    )
    .bind(count)
    .execute(pool)
    .await
    .map(drop)
}

pub async fn measure(args: &BenchArgs, url: &str, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let have: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    let missing = (EVENTS - have).max(0);
    eprintln!("export: adding {missing} events to reach {EVENTS} …");
    synthetic_events(pool, missing).await?;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;

    let (base, handle) = http::serve(args, url, false)?;
    let key = http::key(pool, true).await?;
    let client = reqwest::Client::new();
    let task = |e: reqwest::Error| BenchError::Task(e.to_string());
    let before = rss_kib();
    let started = Instant::now();
    let mut res = client
        .get(format!("{base}/v1/events/export"))
        .bearer_auth(&key)
        .send()
        .await
        .map_err(task)?;
    let (mut lines, mut bytes, mut peak) = (0u64, 0u64, before);
    while let Some(chunk) = res.chunk().await.map_err(task)? {
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bytes += chunk.len() as u64;
        peak = peak.max(rss_kib());
    }
    let export_per_s = lines as f64 / started.elapsed().as_secs_f64();
    handle.stop(true).await;
    let grown_mib = peak.saturating_sub(before) as f64 / 1024.0;
    eprintln!(
        "export: {lines} events, {} MiB, RSS {} → peak {} MiB (+{grown_mib:.1} MiB)",
        bytes / (1 << 20),
        before / 1024,
        peak / 1024
    );

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
    let copy_per_s = total as f64 / started.elapsed().as_secs_f64();

    Ok(vec![Row {
        name: "export 1,000,000 events (GET /v1/events/export, JSON Lines)",
        roster: export_per_s,
        baseline_name: "COPY … TO STDOUT",
        baseline: copy_per_s,
        unit: "events/s",
        note: Some(format!(
            "the export of {lines} events ({} MiB) grew the process's resident memory by \
             {grown_mib:.1} MiB (from {} MiB)",
            bytes / (1 << 20),
            before / 1024
        )),
    }])
}
