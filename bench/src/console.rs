//! The console's members page against the JSON API's page of the same members: with 100,000
//! members in one organization, unfiltered and filtered by an attribute, at the first page and
//! deep, each rendered server-side for a signed-in session; p95 latency of each, one request at a
//! time (what a person waits for), the API's measured in the same run.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use crate::{http, reads, Bench, BenchError, Row};

/// Members in the benchmark organization.
const MEMBERS: i64 = 100_000;
/// Requests per case for each side.
const REQUESTS: usize = 400;
const PAGE: u32 = 100;
/// The attribute filter: one team in fifty.
const TEAM: &str = "team-7";

/// The p95 of `durations`.
fn p95(mut durations: Vec<Duration>) -> f64 {
    durations.sort();
    crate::quantile(&durations, 0.95).as_secs_f64() * 1000.0
}

/// Sends `urls` in turn (`REQUESTS` in all), one at a time; each answer must be a 200 of some
/// size. Their latencies.
async fn latencies(client: &reqwest::Client, urls: &[String]) -> Result<Vec<Duration>, BenchError> {
    let mut out = Vec::with_capacity(REQUESTS);
    for i in 0..REQUESTS {
        let url = &urls[(i * 7) % urls.len()];
        let started = Instant::now();
        let res = client
            .get(url)
            .send()
            .await
            .map_err(|e| BenchError::Task(e.to_string()))?;
        let status = res.status();
        let body = res
            .bytes()
            .await
            .map_err(|e| BenchError::Task(e.to_string()))?;
        out.push(started.elapsed());
        if !status.is_success() || body.len() < 1000 {
            return Err(BenchError::Task(format!(
                "{url}: HTTP {status}, {} bytes",
                body.len()
            )));
        }
    }
    Ok(out)
}

/// Membership ids deep in the list of the members of `TEAM`.
async fn deep_in_team(pool: &PgPool, org: &str) -> Result<Vec<String>, BenchError> {
    Ok(sqlx::query_scalar(
        "SELECT id FROM rm_memberships
          WHERE organization_id = $1 AND status = 'active' AND attributes @> $2
          ORDER BY id DESC OFFSET 200 LIMIT 800",
    )
    .bind(org)
    .bind(serde_json::json!({ "team": TEAM }))
    .fetch_all(pool)
    .await?)
}

pub async fn measure(args: &Bench, url: &str, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    eprintln!("console: importing {MEMBERS} memberships …");
    let org = reads::seed(args, pool, MEMBERS).await?;
    let deep = reads::deep_cursors(pool, &org, 200).await?;
    let deep_team = deep_in_team(pool, &org).await?;
    let (base, handle) = http::serve(args, url, true)?;
    let key = http::key(pool, true).await?;

    // The API with the key; the console with a session the key was exchanged for.
    let mut auth = reqwest::header::HeaderMap::new();
    let bearer = format!("Bearer {key}")
        .parse()
        .map_err(|_| BenchError::Task("unusable key".into()))?;
    auth.insert(reqwest::header::AUTHORIZATION, bearer);
    let task = |e: reqwest::Error| BenchError::Task(e.to_string());
    let api = reqwest::Client::builder()
        .default_headers(auth)
        .build()
        .map_err(task)?;
    let signed = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(task)?
        .post(format!("{base}/console/sign-in"))
        .form(&[("key", key.as_str())])
        .send()
        .await
        .map_err(task)?;
    let cookie = signed
        .headers()
        .get(reqwest::header::SET_COOKIE)
        .and_then(|c| c.to_str().ok())
        .and_then(|c| c.split(';').next())
        .ok_or_else(|| BenchError::Task("the console gave no session".into()))?
        .to_owned();
    let mut session = reqwest::header::HeaderMap::new();
    session.insert(
        reqwest::header::COOKIE,
        cookie
            .parse()
            .map_err(|_| BenchError::Task("unusable cookie".into()))?,
    );
    let console = reqwest::Client::builder()
        .default_headers(session)
        .build()
        .map_err(task)?;

    let secret = paging::cursor_secret(pool).await?;
    let scope = format!("memberships:{org}");
    let after = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| format!("&after={}", paging::cursor::encode(&secret, &scope, id)))
            .collect()
    };
    let api_list = format!("{base}/v1/organizations/{org}/memberships?limit={PAGE}");
    let console_list = format!("{base}/console/organizations/{org}/members?limit={PAGE}");
    let cases: [(&'static str, &'static str, Vec<String>); 4] = [
        (
            "members page 1, console vs API (p95)",
            "",
            vec![String::new()],
        ),
        (
            "members page deep in 100k, console vs API (p95)",
            "",
            after(&deep),
        ),
        (
            "members filtered, page 1, console vs API (p95)",
            "team",
            vec![String::new()],
        ),
        (
            "members filtered, deep, console vs API (p95)",
            "team",
            after(&deep_team),
        ),
    ];
    let mut rows = Vec::new();
    for (name, filter, suffixes) in cases {
        let (api_filter, console_filter) = match filter {
            "team" => (
                format!("&attr.team={TEAM}"),
                format!("&attribute=team%3D{TEAM}"),
            ),
            _ => (String::new(), String::new()),
        };
        let api_urls: Vec<String> = suffixes
            .iter()
            .map(|s| format!("{api_list}{api_filter}{s}"))
            .collect();
        let console_urls: Vec<String> = suffixes
            .iter()
            .map(|s| format!("{console_list}{console_filter}{s}"))
            .collect();
        eprintln!("console: {name} …");
        // Warm both (plans, caches), then measure each.
        latencies(&api, &api_urls[..1]).await?;
        latencies(&console, &console_urls[..1]).await?;
        let api_p95 = p95(latencies(&api, &api_urls).await?);
        let console_p95 = p95(latencies(&console, &console_urls).await?);
        rows.push(Row {
            name,
            roster: console_p95,
            baseline_name: "JSON API p95, same page",
            baseline: api_p95,
            unit: "ms",
            note: Some(format!(
                "console {console_p95:.1} ms vs API {api_p95:.1} ms at p95 ({REQUESTS} requests \
                 one at a time); the target is a ratio of at most 3"
            )),
        });
    }
    handle.stop(true).await;
    Ok(rows)
}
