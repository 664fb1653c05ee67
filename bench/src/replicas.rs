//! Reads from a hot standby: a real streaming replica of the run's Postgres (`pg_basebackup`),
//! `roster serve --only query` processes on it, deep list pages over HTTP from 16 clients — with
//! one query process, then two sharing the clients. On one machine the primary, the standby, the
//! servers and the clients share the cores: what a second process buys here is the share of a
//! page's cost that is roster's own rather than the database's.

use std::time::{Duration, Instant};

use embedded_postgres::{Binaries, Options, PostgresServer};
use sqlx::PgPool;

use crate::process::Server;
use crate::{http, reads, task, Bench, BenchError, Row};

/// The organization whose members are paged: the reads section's when it ran.
const MEMBERS: i64 = 20_000;

pub async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    dir: &std::path::Path,
    pool: &PgPool,
) -> Result<Vec<Row>, BenchError> {
    let busiest: Option<(String, i64)> = sqlx::query_as(
        "SELECT organization_id, count(*) FROM rm_memberships WHERE status = 'active'
          GROUP BY 1 ORDER BY 2 DESC LIMIT 1",
    )
    .fetch_optional(pool)
    .await?;
    let org = match busiest {
        Some((org, n)) if n >= MEMBERS => org,
        _ => {
            eprintln!("replicas: importing {MEMBERS} memberships …");
            reads::seed(args, pool, MEMBERS).await?
        }
    };
    let cursors = reads::deep_cursors(pool, &org, 1000).await?;
    let secret = paging::cursor_secret(pool).await?;
    let key = http::key(pool, true).await?;

    eprintln!("replicas: a hot standby of the run's Postgres (pg_basebackup) …");
    let started = Instant::now();
    let options = Options::new(dir.join("standby"));
    let standby =
        tokio::task::block_in_place(|| PostgresServer::start_standby(bins, server, &options))
            .map_err(task)?;
    let result = async {
        caught_up(pool, &standby.url("bench")).await?;
        let copied = started.elapsed();
        let standby_url = standby.url("bench");
        let scope = format!("memberships:{org}");
        let cursors: Vec<String> = cursors
            .iter()
            .map(|id| paging::cursor::encode(&secret, &scope, id))
            .collect();
        let pages = |bases: &[&str]| -> Vec<String> {
            let mut urls = Vec::with_capacity(cursors.len() * bases.len());
            for cursor in &cursors {
                for base in bases {
                    urls.push(format!(
                        "{base}/v1/organizations/{org}/memberships?limit=100&after={cursor}"
                    ));
                }
            }
            urls
        };
        let one = Server::start(dir, "query-1", &standby_url, &["query"], &[]).await?;
        eprintln!("replicas: deep pages from 1 query process on the standby …");
        let with_one = reads::http_pages(args, &key, pages(&[&one.base])).await?;
        let two = Server::start(dir, "query-2", &standby_url, &["query"], &[]).await?;
        eprintln!("replicas: deep pages from 2 query processes on the standby …");
        let with_two = reads::http_pages(args, &key, pages(&[&one.base, &two.base])).await?;
        Ok::<_, BenchError>(Row {
            name: "deep pages on a hot standby, 2 query processes (HTTP)",
            roster: with_two,
            baseline_name: "1 query process",
            baseline: with_one,
            unit: "pages/s",
            note: Some(format!(
                "the standby made and caught up in {:.0} s; one machine of {} cores for the \
                 primary, the standby, the query processes and the {} clients",
                copied.as_secs_f64(),
                std::thread::available_parallelism().map_or(1, |n| n.get()),
                args.clients
            )),
        })
    }
    .await;
    tokio::task::spawn_blocking(move || standby.stop())
        .await
        .ok();
    Ok(vec![result?])
}

/// Waits until the standby at `standby_url` has replayed everything the primary wrote so far.
async fn caught_up(pool: &PgPool, standby_url: &str) -> Result<(), BenchError> {
    let written: String = sqlx::query_scalar("SELECT pg_current_wal_lsn()::text")
        .fetch_one(pool)
        .await?;
    let standby = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(standby_url)
        .await?;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let replayed: bool =
            sqlx::query_scalar("SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)")
                .bind(&written)
                .fetch_one(&standby)
                .await?;
        if replayed {
            standby.close().await;
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(task("the standby did not catch up in 10 min"));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
