//! A database that goes away mid-load and comes back: the embedded Postgres killed (roster
//! restarts it by itself), and an external one restarted with an immediate shutdown (roster
//! reconnects). Either way, under 16 clients: commands succeed again with no client action,
//! nothing acknowledged is lost, every consumer catches up, and a rebuild matches the read models.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use embedded_postgres::{Binaries, Options, PostgresServer};
use serde_json::{json, Value};

use crate::support::eventually;
use crate::support::served::*;

const CLIENTS: usize = 16;

/// Organizations created by `CLIENTS` clients until stopped: every acknowledged one (201) with
/// its position. Failed requests (503s while the database is away, refused connections) are
/// tried again by the client, as a real one would.
struct Load {
    acknowledged: Arc<Mutex<Vec<(String, i64)>>>,
    stop: Arc<AtomicBool>,
    clients: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    fn start(base: &str, key: &str) -> Self {
        let acknowledged = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let clients = (0..CLIENTS)
            .map(|c| {
                let (acknowledged, stop) = (acknowledged.clone(), stop.clone());
                let (url, key) = (format!("{base}/v1/organizations"), key.to_owned());
                tokio::spawn(async move {
                    let client = reqwest::Client::builder()
                        .timeout(Duration::from_secs(10))
                        .build()
                        .unwrap();
                    let mut n = 0;
                    while !stop.load(Ordering::SeqCst) {
                        n += 1;
                        let res = client
                            .post(&url)
                            .bearer_auth(&key)
                            .json(&json!({"name": format!("Org {c}-{n}")}))
                            .send()
                            .await;
                        match res {
                            Ok(r) if r.status() == 201 => {
                                let body: Value = r.json().await.unwrap();
                                acknowledged.lock().unwrap().push((
                                    body["id"].as_str().unwrap().to_owned(),
                                    body["position"].as_i64().unwrap(),
                                ));
                            }
                            Ok(r) => {
                                let status = r.status().as_u16();
                                assert!(
                                    status == 503 || status == 500,
                                    "a create answered {status}"
                                );
                                tokio::time::sleep(Duration::from_millis(20)).await;
                            }
                            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
                        }
                    }
                })
            })
            .collect();
        Self {
            acknowledged,
            stop,
            clients,
        }
    }

    fn count(&self) -> usize {
        self.acknowledged.lock().unwrap().len()
    }

    /// Waits until `more` creates beyond what was acknowledged so far succeed.
    async fn until_more(&self, more: usize, within: Duration, what: &str) {
        let target = self.count() + more;
        eventually(within, what, || async {
            (self.count() >= target).then_some(())
        })
        .await;
    }

    async fn finish(self) -> Vec<(String, i64)> {
        self.stop.store(true, Ordering::SeqCst);
        for c in self.clients {
            c.await.unwrap();
        }
        Arc::try_unwrap(self.acknowledged)
            .unwrap()
            .into_inner()
            .unwrap()
    }
}

/// Every acknowledged organization is there, and every consumer has caught up with the log.
async fn nothing_lost(base: &str, key: &str, acknowledged: &[(String, i64)]) {
    let client = reqwest::Client::new();
    let last = acknowledged.iter().map(|(_, p)| *p).max().unwrap();
    for (id, _) in acknowledged {
        let res = client
            .get(format!("{base}/v1/organizations/{id}?min_position={last}"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged {id} is lost");
    }
    eventually(
        Duration::from_secs(60),
        "every consumer catches up",
        || async {
            let ready: Value = client
                .get(format!("{base}/readyz"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            ["projector", "webhook_fanout", "workflows"]
                .iter()
                .all(|c| ready[c]["lag"] == 0)
                .then_some(())
        },
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_embedded_postgres_is_restarted_and_nothing_is_lost() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut cmd = serve_on(&data_dir);
    cmd.env("ROSTER_RATE_LIMIT", "0");
    let mut served = Served::start(cmd);
    served.ready().await;
    let key = served.printed_key();
    let load = Load::start(&served.base, &key);
    load.until_more(100, Duration::from_secs(60), "the load runs")
        .await;

    let postmaster = postmaster_pid(&data_dir).unwrap();
    // SAFETY: a process of our own child's.
    unsafe { libc::kill(postmaster, libc::SIGKILL) };
    served.await_log(&["stopped by itself"], Duration::from_secs(30));
    // The bound: commands succeed again within 30 s, nothing done by the clients.
    load.until_more(100, Duration::from_secs(30), "creates succeed again")
        .await;
    served.await_log(&["is back"], Duration::from_secs(1));
    let acknowledged = load.finish().await;
    nothing_lost(&served.base, &key, &acknowledged).await;
    let metrics = reqwest::get(format!("{}/metrics", served.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("roster_embedded_postgres_restarts_total 1")
            && metrics.contains("roster_embedded_postgres_up 1"),
        "{metrics}"
    );
    succeeded(
        roster(&["rebuild", "--verify"])
            .env("ROSTER_DATA_DIR", &data_dir)
            .env("RUST_LOG", "warn"),
    );
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_external_postgres_restarted_immediately_is_reconnected_and_nothing_is_lost() {
    let dir = temp_dir(false);
    let bins = Binaries::locate().unwrap();
    // Durable, as a real server: an acknowledged commit survives an immediate shutdown.
    let mut options = Options::new(dir.join("data"));
    let start = {
        let (bins, options) = (bins.clone(), options.clone());
        move || PostgresServer::start(&bins, &options)
    };
    let server = tokio::task::spawn_blocking(start.clone())
        .await
        .unwrap()
        .unwrap();
    options.port = Some(server.port());
    embedded_postgres::ensure_database(&server.url("postgres"), "external")
        .await
        .unwrap();
    let url = server.url("external");
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    store::migrate::run(&pool).await.unwrap();
    let key = crate::support::make_key(&pool, None, false).await;
    pool.close().await;

    let mut cmd = serve_with_url(&url, &[]);
    cmd.env("ROSTER_RATE_LIMIT", "0");
    let mut served = Served::start(cmd);
    served.ready().await;
    let load = Load::start(&served.base, &key);
    load.until_more(100, Duration::from_secs(60), "the load runs")
        .await;

    let restart = {
        let (bins, options) = (bins.clone(), options.clone());
        move || {
            server.stop_immediately();
            drop(server);
            // The same server again on its port, as a restart or a failover brings it back.
            loop {
                match PostgresServer::start(&bins, &options) {
                    Ok(s) => return s,
                    Err(_) => std::thread::sleep(Duration::from_millis(100)),
                }
            }
        }
    };
    let server = tokio::task::spawn_blocking(restart).await.unwrap();
    load.until_more(100, Duration::from_secs(30), "creates succeed again")
        .await;
    let acknowledged = load.finish().await;
    nothing_lost(&served.base, &key, &acknowledged).await;
    succeeded(
        roster(&["rebuild", "--verify"])
            .env("DATABASE_URL", &url)
            .env("RUST_LOG", "warn"),
    );
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    tokio::task::spawn_blocking(move || server.stop())
        .await
        .unwrap();
    let _ = std::fs::remove_dir_all(dir);
}

/// Connections end with the protocol's goodbye: after a loaded run (16 clients, webhooks
/// delivered), the server's log shows no connection dropped by roster mid-answer ("could not
/// receive data from client: Connection reset by peer"), and no connection attempt while it
/// shut down.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_loaded_run_drops_no_connection_without_a_goodbye() {
    let dir = temp_dir(false);
    let data_dir = dir.join("pg");
    let mut cmd = serve_on(&data_dir);
    cmd.env("ROSTER_RATE_LIMIT", "0")
        .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8");
    let mut served = Served::start(cmd);
    served.ready().await;
    let key = served.printed_key();
    let receiver = crate::support::receiver::Receiver::start().await;
    let client = reqwest::Client::new();
    for _ in 0..3 {
        let res = client
            .post(format!("{}/v1/webhook-endpoints", served.base))
            .bearer_auth(&key)
            .json(&json!({"url": receiver.url, "event_types": ["organization.created"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
    let load = Load::start(&served.base, &key);
    load.until_more(1500, Duration::from_secs(120), "the load runs")
        .await;
    let acknowledged = load.finish().await;
    receiver
        .until_count(3 * acknowledged.len(), Duration::from_secs(120))
        .await;
    served.signal(libc::SIGTERM);
    assert!(served.wait());
    let log = std::fs::read_to_string(data_dir.with_extension("log")).unwrap();
    let (running, shutdown) = log
        .split_once("received fast shutdown request")
        .expect("a clean shutdown");
    let resets: Vec<&str> = running
        .lines()
        .filter(|l| l.contains("Connection reset by peer"))
        .collect();
    assert!(resets.is_empty(), "{}", resets.join("\n"));
    assert!(
        !shutdown.contains("the database system is shutting down"),
        "a connection was attempted while the server shut down:\n{shutdown}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
