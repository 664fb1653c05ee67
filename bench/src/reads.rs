//! The read benchmark: a page of an organization's memberships over HTTP (routing, cursor check,
//! keyset query, JSON) at the first page and deep in a large list, against pgbench running the
//! same keyset SQL on the same Postgres. Deep pages costing what the first page costs is the
//! point of keyset pagination.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use std::collections::BTreeSet;
use std::time::Duration;

use command_service::app::memberships::{self, NewMembership};
use command_service::app::organizations;
use command_service::CommandState;
use domain::membership::Subject;
use domain::organization::CreateOrganization;
use domain::values::{Attributes, OrganizationName, RoleSlug, SubjectId};
use domain::{OrganizationId, RequestContext};
use embedded_postgres::{self as embedded, Binaries, PostgresServer};
use futures::StreamExt;
use projector::Projector;
use rand::Rng;
use sqlx::PgPool;
use store::EventRepository;

use crate::{http, Bench, BenchError, Row};

/// Memberships in the benchmark organization.
pub const MEMBERSHIPS: i64 = 200_000;
const PAGE: u32 = 100;

/// Memberships imported per call of the bulk import.
const IMPORT_CHUNK: i64 = 1000;

/// Fills an organization the way users do — created through the application layer, its
/// memberships by the bulk import, several imports at once — and lets the projector build the
/// read model the reads then read.
pub(crate) async fn seed(args: &Bench, pool: &PgPool, members: i64) -> Result<String, BenchError> {
    let task = |e: String| BenchError::Task(e);
    let state = CommandState::new(EventRepository::new(pool.clone()));
    let ctx = RequestContext::system("bench");
    let org = OrganizationId::new();
    let input = CreateOrganization {
        id: org,
        name: OrganizationName::parse("Bench").map_err(|e| task(e.to_string()))?,
        description: None,
        external_id: None,
        metadata: Default::default(),
        max_members: None,
        template_roles: None,
        at: chrono::Utc::now(),
    };
    organizations::create(&state, &ctx, input)
        .await
        .map_err(|e| task(e.to_string()))?;
    let member = RoleSlug::parse("member").map_err(|e| task(e.to_string()))?;
    let item = |n: i64| -> Result<NewMembership, BenchError> {
        let mut team = serde_json::Map::new();
        team.insert("team".into(), format!("team-{}", n % 50).into());
        Ok(NewMembership {
            subject: Subject::User(
                SubjectId::parse(&format!("user-{n}")).map_err(|e| task(e.to_string()))?,
            ),
            roles: BTreeSet::from([member.clone()]),
            attributes: Attributes::parse(team).map_err(|e| task(e.to_string()))?,
        })
    };
    // Chunks made as the imports take them, and each result checked and dropped as it comes:
    // the benchmark's own memory stays small beside the app's it measures.
    let chunk = |c: i64| {
        (c * IMPORT_CHUNK..((c + 1) * IMPORT_CHUNK).min(members))
            .map(item)
            .collect::<Result<Vec<_>, _>>()
    };
    let mut imports = futures::stream::iter(0..(members + IMPORT_CHUNK - 1) / IMPORT_CHUNK)
        .map(|c| {
            let items = chunk(c);
            let (state, ctx) = (&state, &ctx);
            async move {
                memberships::import(state, ctx, &org, items?)
                    .await
                    .map_err(|e| task(e.to_string()))
            }
        })
        .buffer_unordered(args.clients.div_ceil(4));
    while let Some(imported) = imports.next().await {
        if let Some(Err(e)) = imported?.into_iter().find(Result::is_err) {
            return Err(task(format!("import: {e}")));
        }
    }
    drop(imports);

    project(pool).await?;
    // Statistics for the planner, as autovacuum would gather them in time.
    sqlx::query("ANALYZE rm_memberships").execute(pool).await?;
    Ok(org.to_string())
}

/// Runs the projector until the read models hold the whole log.
pub(crate) async fn project(pool: &PgPool) -> Result<(), BenchError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    let projecting = tokio::spawn(Projector::new(pool.clone()).run());
    let mut checkpoint =
        store::checkpoints::watch(pool.clone(), projector::CONSUMER, Duration::from_millis(50));
    let reached = checkpoint.wait_for(|p| *p >= head).await.is_ok();
    projecting.abort();
    if !reached {
        return Err(BenchError::Task(
            "the projector stopped before the head of the log".into(),
        ));
    }
    Ok(())
}

/// `count` membership ids deep in the organization's list (between a tenth and half of it from
/// the top, in the list's order): where deep pages start.
pub(crate) async fn deep_cursors(
    pool: &PgPool,
    org: &str,
    count: usize,
) -> Result<Vec<String>, BenchError> {
    let members: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM rm_memberships WHERE organization_id = $1 AND status = 'active'",
    )
    .bind(org)
    .fetch_one(pool)
    .await?;
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT id FROM rm_memberships WHERE organization_id = $1 AND status = 'active'
          ORDER BY id DESC OFFSET $2 LIMIT $3",
    )
    .bind(org)
    .bind(members / 10)
    .bind(members * 4 / 10)
    .fetch_all(pool)
    .await?;
    let mut rng = rand::rng();
    Ok((0..count)
        .map(|_| ids[rng.random_range(0..ids.len())].clone())
        .collect())
}

pub async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
) -> Result<Vec<Row>, BenchError> {
    eprintln!("reads: importing {MEMBERSHIPS} memberships …");
    let org = seed(args, pool, MEMBERSHIPS).await?;
    let cursors = deep_cursors(pool, &org, 1000).await?;

    // Reads go through the edge as in production: with an API key (cached after its first use).
    let (base, handle) = http::serve(args, &server.url("bench"), false)?;
    let key = http::key(pool, true).await?;
    let secret = paging::cursor_secret(pool).await?;
    let scope = format!("memberships:{org}");
    let list = format!("{base}/v1/organizations/{org}/memberships?limit={PAGE}");
    let deep: Vec<String> = cursors
        .iter()
        .map(|id| {
            let cursor = paging::cursor::encode(&secret, &scope, id);
            format!("{list}&after={cursor}")
        })
        .collect();

    eprintln!("reads: first page over HTTP, {} clients …", args.clients);
    let first_http = http_pages(args, &key, vec![list.clone()]).await?;
    eprintln!("reads: deep pages over HTTP …");
    let deep_http = http_pages(args, &key, deep).await?;
    handle.stop(true).await;

    // The API's own columns, its members' effective roles included.
    let columns = format!(
        "SELECT {} FROM rm_memberships m",
        read_models::memberships::COLUMNS
    );
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
    // pgbench picks the same cursors from its own table (a primary-key look-up per page, the
    // price of choosing a text value at random in a pgbench script).
    sqlx::query("CREATE TABLE bench_cursors (n int PRIMARY KEY, id text NOT NULL)")
        .execute(pool)
        .await?;
    sqlx::query("INSERT INTO bench_cursors SELECT n, id FROM unnest($1::text[]) WITH ORDINALITY AS c(id, n)")
        .bind(&cursors)
        .execute(pool)
        .await?;
    let deep_sql = pgbench_select(
        args,
        server,
        bins,
        &format!(
            "\\set n random(1, {})\nSELECT id AS cursor FROM bench_cursors WHERE n = :n \\gset\n\
             {columns} WHERE m.organization_id = '{org}' AND m.status = 'active' \
             AND m.id < :cursor ORDER BY m.id DESC LIMIT {};\n",
            cursors.len(),
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
pub(crate) async fn http_pages(
    args: &Bench,
    key: &str,
    urls: Vec<String>,
) -> Result<f64, BenchError> {
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

pub(crate) fn pgbench_select(
    args: &Bench,
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
    crate::tps(&output)
}
