//! The read benchmark: a page of an organization's memberships over HTTP (routing, cursor check,
//! keyset query, JSON) at the first page and deep in a large list, against pgbench running the
//! same keyset SQL on the same Postgres. Deep pages costing what the first page costs is the
//! point of keyset pagination.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use embedded_postgres::{self as embedded, Binaries, PostgresServer};
use rand::Rng;
use sqlx::PgPool;

use super::{http, BenchArgs, BenchError, Row};

/// Memberships in the benchmark organization.
pub const MEMBERSHIPS: i64 = 200_000;
const PAGE: u32 = 100;

fn membership_id(n: i64) -> String {
    format!("om_{n:026}")
}

/// Fills the read models directly: this measures reads, not the projector.
async fn seed(pool: &PgPool, org: &str) -> Result<(), BenchError> {
    sqlx::query(
        "INSERT INTO rm_organizations (id, name, metadata, created_at, updated_at, position)
         VALUES ($1, 'Bench', '{}', now(), now(), 1)",
    )
    .bind(org)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO rm_memberships (id, organization_id, user_id, status, roles, attributes,
                                     created_at, updated_at, position)
         SELECT 'om_' || lpad(g::text, 26, '0'), $1, 'user-' || g, 'active', '{member}',
                jsonb_build_object('team', 'team-' || (g % 50)), now(), now(), g
           FROM generate_series(1, $2) g",
    )
    .bind(org)
    .bind(MEMBERSHIPS)
    .execute(pool)
    .await?;
    sqlx::query("ANALYZE rm_memberships").execute(pool).await?;
    Ok(())
}

pub async fn measure(
    args: &BenchArgs,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
) -> Result<Vec<Row>, BenchError> {
    let org = domain::OrganizationId::new().to_string();
    eprintln!("reads: seeding {MEMBERSHIPS} memberships …");
    seed(pool, &org).await?;

    // Reads go through the edge as in production: with an API key (cached after its first use).
    let (base, handle) = http::serve(args, &server.url("bench"), false)?;
    let key = http::key(pool, true).await?;
    let secret = paging::cursor_secret(pool).await?;
    let scope = format!("memberships:{org}");
    let list = format!("{base}/v1/organizations/{org}/memberships?limit={PAGE}");
    let deep: Vec<String> = {
        let mut rng = rand::rng();
        (0..1000)
            .map(|_| {
                let n = rng.random_range(MEMBERSHIPS / 2..MEMBERSHIPS * 9 / 10);
                let cursor = paging::cursor::encode(&secret, &scope, &membership_id(n));
                format!("{list}&after={cursor}")
            })
            .collect()
    };

    eprintln!("reads: first page over HTTP, {} clients …", args.clients);
    let first_http = http_pages(args, &key, vec![list.clone()]).await?;
    eprintln!("reads: deep pages over HTTP …");
    let deep_http = http_pages(args, &key, deep).await?;
    handle.stop(true).await;

    let columns =
        "SELECT id, organization_id, user_id, application_id, status, roles, attributes, \
                   created_at, updated_at FROM rm_memberships m";
    eprintln!("reads: pgbench, same SQL …");
    let first_sql = pgbench_select(
        args,
        server,
        bins,
        &format!(
            "{columns} WHERE m.organization_id = '{org}' AND m.status = 'active' \
             ORDER BY m.id DESC LIMIT {};\n",
            PAGE + 1
        ),
    )?;
    let deep_sql = pgbench_select(
        args,
        server,
        bins,
        &format!(
            "\\set n random({}, {})\n{columns} WHERE m.organization_id = '{org}' AND m.status = 'active' \
             AND m.id < 'om_' || lpad(:n::text, 26, '0') ORDER BY m.id DESC LIMIT {};\n",
            MEMBERSHIPS / 2,
            MEMBERSHIPS * 9 / 10,
            PAGE + 1
        ),
    )?;
    Ok(vec![
        Row {
            name: "list page 1 (100 memberships, HTTP)",
            roster: first_http,
            baseline_name: "pgbench same SELECT",
            baseline: first_sql,
            unit: "pages/s",
            note: None,
        },
        Row {
            name: "list page deep in 200k (HTTP)",
            roster: deep_http,
            baseline_name: "pgbench same SELECT",
            baseline: deep_sql,
            unit: "pages/s",
            note: None,
        },
        Row {
            name: "deep page vs page 1 (HTTP)",
            roster: deep_http,
            baseline_name: "page 1 (HTTP)",
            baseline: first_http,
            unit: "pages/s",
            note: None,
        },
    ])
}

/// Pages per second with `clients` concurrent HTTP clients cycling through `urls`.
async fn http_pages(args: &BenchArgs, key: &str, urls: Vec<String>) -> Result<f64, BenchError> {
    let urls = Arc::new(urls);
    http::rate(args, key, move |client, i| {
        // A prime stride: clients rarely ask for the same page at once.
        let url = &urls[(i * 7) % urls.len()];
        let request = client.get(url);
        async move {
            let res = request.send().await.map_err(|e| e.to_string())?;
            if !res.status().is_success() {
                return Err(format!("HTTP {}", res.status()));
            }
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            if body.len() < 1000 {
                return Err("a page came back (nearly) empty".into());
            }
            Ok(())
        }
    })
    .await
}

fn pgbench_select(
    args: &BenchArgs,
    server: &PostgresServer,
    bins: &Binaries,
    sql: &str,
) -> Result<f64, BenchError> {
    let script: PathBuf =
        std::env::temp_dir().join(format!("roster-bench-{}.sql", ulid::Ulid::new()));
    std::fs::write(&script, sql).map_err(|e| BenchError::Pgbench(e.to_string()))?;
    let output = Command::new(bins.bindir.join("pgbench"))
        .env("PGPASSWORD", server.password())
        .args(["-n", "-j", "2", "-M", "prepared", "-h", "127.0.0.1"])
        .args(["-U", embedded::SUPERUSER, "-d", "bench"])
        .args(["-p", &server.port().to_string()])
        .args(["-c", &args.clients.to_string()])
        .args(["-T", &args.seconds.to_string()])
        .arg("-f")
        .arg(&script)
        .output()
        .map_err(|e| BenchError::Pgbench(format!("cannot run pgbench: {e}")))?;
    let _ = std::fs::remove_file(&script);
    super::tps(&output)
}
