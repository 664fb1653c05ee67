//! The Events API export of 1,000,000 events over HTTP (`GET /v1/events/export`, JSON Lines)
//! against `COPY … TO STDOUT` of the same rows, and how much the process's memory grew while it
//! streamed: the export reads and writes one batch at a time, so it must stay flat.

use std::time::Instant;

use chrono::Utc;
use command_service::bus::Commands;
use cqrs_es::Aggregate;
use domain::group::{Group, GroupData, GroupEvent};
use domain::organization::{CreateOrganization, Organization, OrganizationCommand};
use domain::values::{Description, GroupName, OrganizationName};
use domain::{GroupId, OrganizationId, RequestContext};
use sqlx::PgPool;
use store::{EventRepository, StoreError, StreamChange, UnitOfWork};

use crate::memory::Peak;
use crate::{http, Bench, BenchError, Row};

/// Events in the log for this benchmark.
const EVENTS: i64 = 1_000_000;

/// Groups written per unit of work while filling the log.
const UNIT: i64 = 1000;

/// Appends `count` `group.created` events, each a group of one new organization, through the
/// store's one write path (units of work of typed domain events, with their claims), many groups
/// per unit: a log to read, filled fast. Also what the export test fills its log with.
pub async fn synthetic_events(pool: &PgPool, count: i64) -> Result<(), StoreError> {
    let ctx = RequestContext::system("bench");
    let org = OrganizationId::new();
    let organizations = Commands::<Organization>::new(EventRepository::new(pool.clone()), (), None);
    let create = OrganizationCommand::Create(CreateOrganization {
        id: org,
        name: OrganizationName::parse("Bench").map_err(|e| StoreError::Corrupt(e.to_string()))?,
        description: None,
        external_id: None,
        metadata: Default::default(),
        max_members: None,
        template_roles: None,
        at: Utc::now(),
    });
    organizations
        .execute(&org.to_string(), Some(&org.to_string()), create, &ctx)
        .await
        .map_err(|e| StoreError::Step(e.to_string()))?;
    let description = Description::parse("made by roster bench").ok();
    let metadata = ctx.metadata();
    for first in (0..count).step_by(UNIT as usize) {
        let mut unit = UnitOfWork::new();
        for n in first..(first + UNIT).min(count) {
            let at = Utc::now();
            let group = GroupData {
                id: GroupId::new(),
                organization_id: org,
                name: GroupName::parse(&format!("Group number {n}"))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                description: description.clone(),
                roles: Default::default(),
                created_at: at,
                updated_at: at,
            };
            unit.push(StreamChange::typed(
                Group::TYPE,
                group.id.to_string(),
                Some(org.to_string()),
                0,
                &[GroupEvent::Created(group)],
                &metadata,
            )?);
        }
        unit.commit(pool).await?;
    }
    Ok(())
}

pub async fn measure(args: &Bench, url: &str, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
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
    eprintln!("export: {total} events over HTTP …");
    let memory = Peak::start();
    let started = Instant::now();
    let mut res = client
        .get(format!("{base}/v1/events/export"))
        .bearer_auth(&key)
        .send()
        .await
        .map_err(task)?;
    let (mut lines, mut bytes) = (0u64, 0u64);
    while let Some(chunk) = res.chunk().await.map_err(task)? {
        lines += chunk.iter().filter(|b| **b == b'\n').count() as u64;
        bytes += chunk.len() as u64;
    }
    let export_per_s = lines as f64 / started.elapsed().as_secs_f64();
    handle.stop(true).await;
    let grown_mib = memory.grown_mib();
    eprintln!(
        "export: {lines} events, {} MiB, resident memory {} → peak {} MiB (+{grown_mib:.1} MiB)",
        bytes / (1 << 20),
        memory.before / 1024,
        memory.peak_kib() / 1024
    );

    let copy_per_s = crate::copy_events(pool, total).await?;

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
            memory.before / 1024
        )),
    }])
}
