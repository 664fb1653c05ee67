//! The design of a partitioned feed (docs/scaling.md), measured on one Postgres: appends with
//! P = 1, 2, 4 and 8 feed partitions, each with its own append lock and position sequence, the
//! critical section roster's (`roster_commit_units` step 3: lock, take the xid, take the
//! positions, unlock; then insert). What P buys on one machine is what the one lock costs.
//!
//! Its own tables and function (`bench_feed`, `bench_append`): a model of a design roster does
//! not have yet, not roster's log.

use embedded_postgres::{Binaries, PostgresServer};
use sqlx::PgPool;

use crate::{reads, Bench, BenchError, Row};

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
            "partitions: appends with {p} partition(s), {} clients …",
            args.clients
        );
        let script = format!(
            "\\set o random(1, 100000)\n\
             SELECT bench_append({p}, 'org_' || :o, \
             '{{\"type\":\"organization.updated\",\"data\":{{\"n\":1}}}}');\n"
        );
        rates.push((p, reads::pgbench_select(args, server, bins, &script)?));
    }
    let one = rates.first().map_or(1.0, |(_, r)| *r);
    Ok(rates
        .into_iter()
        .skip(1)
        .map(|(p, rate)| Row {
            name: match p {
                2 => "appends, 2 feed partitions (one Postgres)",
                4 => "appends, 4 feed partitions (one Postgres)",
                _ => "appends, 8 feed partitions (one Postgres)",
            },
            roster: rate,
            baseline_name: "the same with 1 partition",
            baseline: one,
            unit: "appends/s",
            note: None,
        })
        .collect())
}
