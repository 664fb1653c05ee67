//! The design of a partitioned feed (docs/scaling.md), measured on one Postgres: appends with
//! P = 1, 2, 4 and 8 feed partitions, each with its own append lock and position sequence, the
//! critical section roster's (`roster_commit_units` step 3: lock, take the xid, take the
//! positions, unlock; then insert). What P buys on one machine is what the one lock costs.
//!
//! A consumer per partition follows it during the appends, as docs/scaling.md has them: in
//! position order, never past a transaction in flight; each checks that it saw every position
//! of its partition once, and that no organization's events were in two partitions (so each
//! organization's events reach one consumer, in order).
//!
//! Its own tables and function (`bench_feed`, `bench_append`): a model of a design roster does
//! not have yet, not roster's log.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use embedded_postgres::{Binaries, PostgresServer};
use sqlx::PgPool;

use crate::{reads, task, Bench, BenchError, Row};

const PARTITIONS: [i32; 4] = [1, 2, 4, 8];

pub async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
) -> Result<Vec<Row>, BenchError> {
    for statement in [
        "CREATE TABLE IF NOT EXISTS bench_feed (
             partition int NOT NULL, position bigint NOT NULL, organization_id text NOT NULL,
             payload jsonb NOT NULL, txid xid8 NOT NULL DEFAULT pg_current_xact_id(),
             PRIMARY KEY (partition, position))",
        "CREATE INDEX IF NOT EXISTS bench_feed_organization_idx
             ON bench_feed (organization_id, partition, position)",
        "CREATE OR REPLACE FUNCTION bench_append(p_partitions int, p_organization text,
                                                 p_payload jsonb)
         RETURNS bigint LANGUAGE plpgsql AS $$
         DECLARE
             part int := abs(hashtext(p_organization)) % p_partitions;
             pos  bigint;
         BEGIN
             PERFORM pg_advisory_lock(1919251400, part);
             PERFORM pg_current_xact_id();
             pos := nextval('bench_feed_seq_' || part);
             PERFORM pg_advisory_unlock(1919251400, part);
             INSERT INTO bench_feed (partition, position, organization_id, payload)
             VALUES (part, pos, p_organization, p_payload);
             RETURN pos;
         END $$",
    ] {
        sqlx::query(statement).execute(pool).await?;
    }
    for p in 0..*PARTITIONS.iter().max().unwrap_or(&1) {
        sqlx::query(&format!("CREATE SEQUENCE IF NOT EXISTS bench_feed_seq_{p}"))
            .execute(pool)
            .await?;
    }

    let mut rates = Vec::new();
    for p in PARTITIONS {
        eprintln!(
            "partitions: appends with {p} partition(s), {} clients, a consumer per partition …",
            args.clients
        );
        let script = format!(
            "\\set o random(1, 100000)\n\
             SELECT bench_append({p}, 'org_' || :o, \
             '{{\"type\":\"organization.updated\",\"data\":{{\"n\":1}}}}');\n"
        );
        // Consumers follow the partitions while the appends run, each from its partition's end.
        let (ends, end) = tokio::sync::watch::channel(None);
        let mut consumers = Vec::new();
        for part in 0..p {
            let from = last_position(pool, part).await?;
            consumers.push(tokio::spawn(follow(pool.clone(), part, from, end.clone())));
        }
        let rate =
            tokio::task::block_in_place(|| reads::pgbench_select(args, server, bins, &script))?;
        let appended = Instant::now();
        let mut last = Vec::new();
        for part in 0..p {
            last.push(last_position(pool, part).await?);
        }
        let _ = ends.send(Some(last));
        let mut seen: HashMap<String, i32> = HashMap::new();
        let mut events = 0;
        for (part, consumer) in consumers.into_iter().enumerate() {
            let followed = consumer.await.map_err(task)??;
            events += followed.events;
            for org in followed.organizations {
                if let Some(other) = seen.insert(org.clone(), part as i32) {
                    return Err(task(format!(
                        "{org} has events in partitions {other} and {part}: its order is lost"
                    )));
                }
            }
        }
        let note = format!(
            "{p} consumer(s), one per partition, following during the appends: {events} events \
             each once, no position skipped, each of {} organizations in one partition; the \
             last consumed {:.0} ms after the appends ended",
            seen.len(),
            appended.elapsed().as_secs_f64() * 1000.0
        );
        rates.push((p, rate, note));
    }
    let one = rates.first().map_or(1.0, |(_, r, _)| *r);
    Ok(rates
        .into_iter()
        .skip(1)
        .map(|(p, rate, note)| Row {
            name: match p {
                2 => "appends, 2 feed partitions (one Postgres)",
                4 => "appends, 4 feed partitions (one Postgres)",
                _ => "appends, 8 feed partitions (one Postgres)",
            },
            roster: rate,
            baseline_name: "the same with 1 partition",
            baseline: one,
            unit: "appends/s",
            note: Some(note),
        })
        .collect())
}

/// The last position written to `partition` (0 before any).
async fn last_position(pool: &PgPool, partition: i32) -> Result<i64, BenchError> {
    Ok(
        sqlx::query_scalar(
            "SELECT coalesce(max(position), 0) FROM bench_feed WHERE partition = $1",
        )
        .bind(partition)
        .fetch_one(pool)
        .await?,
    )
}

/// What one partition's consumer saw.
struct Followed {
    events: usize,
    organizations: HashSet<String>,
}

/// Follows `partition` from after `from` as a feed consumer would: in position order, never past
/// a transaction still in flight (the xid taken under the partition's lock, so every later
/// position belongs to a later transaction), until the end `ends` names. A position skipped —
/// an event committed behind the consumer — is an error.
async fn follow(
    pool: PgPool,
    partition: i32,
    from: i64,
    mut ends: tokio::sync::watch::Receiver<Option<Vec<i64>>>,
) -> Result<Followed, BenchError> {
    let mut last = from;
    let mut followed = Followed {
        events: 0,
        organizations: HashSet::new(),
    };
    loop {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT position, organization_id FROM bench_feed
              WHERE partition = $1 AND position > $2
                AND txid < pg_snapshot_xmin(pg_current_snapshot())
              ORDER BY position LIMIT 1000",
        )
        .bind(partition)
        .bind(last)
        .fetch_all(&pool)
        .await?;
        if rows.is_empty() {
            let end = ends.borrow().as_ref().map(|e| e[partition as usize]);
            match end {
                Some(end) if last >= end => return Ok(followed),
                Some(_) => tokio::time::sleep(Duration::from_millis(2)).await,
                None => {
                    // Until the appends end: woken by their end, or polling.
                    let _ = tokio::time::timeout(Duration::from_millis(5), ends.changed()).await;
                }
            }
            continue;
        }
        for (position, organization) in rows {
            if position != last + 1 {
                return Err(task(format!(
                    "partition {partition}: position {position} after {last} — an event skipped"
                )));
            }
            last = position;
            followed.events += 1;
            followed.organizations.insert(organization);
        }
    }
}
