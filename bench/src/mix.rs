//! The write side as an application uses it: a mix of commands over HTTP with an API key, 16
//! clients at once, against pgbench's single-row INSERT on the same Postgres. The mix: create a
//! membership 40 %, add a member to a group 30 %, change a membership's roles 20 %, create a
//! group 5 %, invite 5 % — in 16 organizations with 4 groups each to start with.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use embedded_postgres::{Binaries, PostgresServer};
use serde_json::{json, Value};
use sqlx::PgPool;

use crate::{http, quantile, Bench, BenchError, Row};

const ORGANIZATIONS: usize = 16;
const GROUPS: usize = 4;

/// What one client has made so far, to change later.
#[derive(Default)]
struct Client {
    memberships: Vec<String>,
    /// The next (membership, group) pair to add: pairs in order, each once.
    next_pair: usize,
}

/// One request of the mix; its answer must be a success.
async fn send(request: reqwest::RequestBuilder) -> Result<Value, String> {
    let res = request.send().await.map_err(|e| e.to_string())?;
    let status = res.status();
    let body: Value = res.json().await.map_err(|e| e.to_string())?;
    if status.is_success() {
        Ok(body)
    } else {
        Err(format!("HTTP {status}: {body}"))
    }
}

pub async fn measure(
    args: &Bench,
    server: &PostgresServer,
    bins: &Binaries,
    pool: &PgPool,
    url: &str,
) -> Result<Vec<Row>, BenchError> {
    let pgbench_tps = crate::pgbench(args, server, bins, pool).await?;
    let (base, handle) = http::serve(args, url, true)?;
    let key = http::key(pool, false).await?;
    let organizations = organizations(&base, &key).await?;
    let load = drive(args, &base, &key, organizations).await?;
    handle.stop(true).await;
    Ok(vec![Row {
        name: "command mix over HTTP (API key, 16 clients)",
        roster: load.rate,
        baseline_name: "pgbench single-row INSERT",
        baseline: pgbench_tps,
        unit: "tx/s",
        note: Some(load.describe()),
    }])
}

/// The mix's organizations and their groups, made through the API at `base`.
pub(crate) async fn organizations(base: &str, key: &str) -> Result<Organizations, BenchError> {
    let task = |e: String| BenchError::Task(e);
    let client = reqwest::Client::new();
    let mut organizations = Vec::new();
    for o in 0..ORGANIZATIONS {
        let org = send(
            client
                .post(format!("{base}/v1/organizations"))
                .bearer_auth(key)
                .json(&json!({ "name": format!("Mix {o}") })),
        )
        .await
        .map_err(task)?;
        let org = org["id"].as_str().unwrap_or_default().to_owned();
        let mut groups = Vec::new();
        for g in 0..GROUPS {
            let group = send(
                client
                    .post(format!("{base}/v1/organizations/{org}/groups"))
                    .bearer_auth(key)
                    .json(&json!({ "name": format!("group {g}") })),
            )
            .await
            .map_err(task)?;
            groups.push(group["id"].as_str().unwrap_or_default().to_owned());
        }
        organizations.push((org, groups));
    }
    Ok(organizations)
}

/// Organizations, each with its groups' ids.
pub(crate) type Organizations = Vec<(String, Vec<String>)>;

/// What a run of the mix did: its rate and each command's latency, sorted.
pub(crate) struct Load {
    pub rate: f64,
    latencies: Vec<Duration>,
}

impl Load {
    pub fn describe(&self) -> String {
        let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1000.0);
        format!(
            "{} commands (create membership 40 %, add to group 30 %, roles 20 %, group 5 %, \
             invitation 5 %): latency p50 {}, p99 {}, max {}",
            self.latencies.len(),
            ms(quantile(&self.latencies, 0.5)),
            ms(quantile(&self.latencies, 0.99)),
            ms(quantile(&self.latencies, 1.0)),
        )
    }
}

/// The mix against the app at `base` in `organizations`, `args.clients` clients for
/// `args.seconds`.
pub(crate) async fn drive(
    args: &Bench,
    base: &str,
    key: &str,
    organizations: Organizations,
) -> Result<Load, BenchError> {
    let organizations = Arc::new(organizations);
    let clients: Arc<Vec<Mutex<Client>>> =
        Arc::new((0..args.clients).map(|_| Default::default()).collect());
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let (base, recorded) = (Arc::new(base.to_owned()), latencies.clone());
    let rate = http::rate(args, key, move |http, n| {
        let c = n % crate::STRIDE;
        let (org, groups) = &organizations[c % ORGANIZATIONS];
        // A fixed pseudo-random draw per step: the same mix on every run.
        let draw = (n.wrapping_mul(2_654_435_761) >> 7) % 100;
        let request = {
            let mut me = clients[c].lock().unwrap_or_else(|e| e.into_inner());
            let pair = me.next_pair;
            let (m, g) = (pair / GROUPS, pair % GROUPS);
            if draw < 40 || me.memberships.is_empty() {
                Step::Create(
                    http.post(format!("{base}/v1/organizations/{org}/memberships"))
                        .json(&json!({ "user_id": format!("user-{c}-{n}"), "roles": ["member"] })),
                )
            } else if draw < 70 && m < me.memberships.len() {
                me.next_pair += 1;
                Step::Other(
                    http.post(format!("{base}/v1/groups/{}/members", groups[g]))
                        .json(&json!({ "membership_id": me.memberships[m] })),
                )
            } else if draw < 90 {
                // (also a 40–70 draw when every pair of this client's members and groups is made)
                let id = &me.memberships[n % me.memberships.len()];
                let roles = if n % 2 == 0 {
                    json!(["member", "admin"])
                } else {
                    json!(["member"])
                };
                Step::Other(
                    http.patch(format!("{base}/v1/memberships/{id}"))
                        .json(&json!({ "roles": roles })),
                )
            } else if draw < 95 {
                Step::Other(
                    http.post(format!("{base}/v1/organizations/{org}/groups"))
                        .json(&json!({ "name": format!("group {c}-{n}") })),
                )
            } else {
                Step::Other(
                    http.post(format!("{base}/v1/organizations/{org}/invitations"))
                        .json(&json!({ "email": format!("invitee-{c}-{n}@example.com") })),
                )
            }
        };
        let (clients, recorded) = (clients.clone(), recorded.clone());
        async move {
            let started = Instant::now();
            match request {
                Step::Create(r) => {
                    let made = send(r).await?;
                    let id = made["id"].as_str().unwrap_or_default().to_owned();
                    clients[c]
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .memberships
                        .push(id);
                }
                Step::Other(r) => {
                    send(r).await?;
                }
            }
            recorded
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(started.elapsed());
            Ok(())
        }
    })
    .await?;
    let mut latencies = std::mem::take(&mut *latencies.lock().unwrap_or_else(|e| e.into_inner()));
    latencies.sort();
    Ok(Load { rate, latencies })
}

enum Step {
    /// A membership create: the client keeps its id.
    Create(reqwest::RequestBuilder),
    Other(reqwest::RequestBuilder),
}
