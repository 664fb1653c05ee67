//! Reads from a hot standby, for real: a primary and a standby (`pg_basebackup -R`, streaming
//! replication) on loopback; commands go to a `roster serve` on the primary, reads to a
//! `roster serve --only query` on the standby, and `min_position` makes such a read wait until
//! the standby has replayed the write instead of answering from before it.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use embedded_postgres::{self as embedded, Binaries, Options, PostgresServer};
use roster_testkit::eventually;
use serde_json::{json, Value};

const WAIT: Duration = Duration::from_secs(60);

/// A `roster serve` child, killed when dropped.
struct Served(Child);

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `roster serve` with `args` on `database_url`; its base URL.
fn serve(args: &[&str], database_url: &str) -> (Served, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("serve")
        .args(args)
        .env("DATABASE_URL", database_url)
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = crate::support::listening_url(child.stderr.take().unwrap());
    (Served(child), base)
}

/// The JSON answer of a command.
async fn answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

async fn ready(client: &reqwest::Client, base: &str, what: &str) {
    eventually(WAIT, what, || async {
        let res = client.get(format!("{base}/readyz")).send().await.ok()?;
        (res.status() == 200).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_on_a_standby_wait_until_it_has_replayed_the_write_they_name() {
    let root = std::env::temp_dir().join(format!("roster-replica-{}", ulid::Ulid::new()));
    let bins = Binaries::locate().unwrap();
    let primary = {
        let (bins, mut options) = (bins.clone(), Options::new(root.join("primary")));
        options.durable = false;
        tokio::task::spawn_blocking(move || PostgresServer::start(&bins, &options))
            .await
            .unwrap()
            .unwrap()
    };
    embedded::ensure_database(&primary.url("postgres"), "roster")
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let (_writer, writes) = serve(
        &["--only", "command,query,projector"],
        &primary.url("roster"),
    );
    ready(&client, &writes, "the primary is migrated").await;
    let pool = sqlx::PgPool::connect(&primary.url("roster")).await.unwrap();
    let key = crate::support::make_key(&pool, None, false).await;

    // The standby: a base backup of the migrated primary, following it from then on; a
    // `roster serve --only query` on it finds the schema current (replicated) and is ready.
    let standby = {
        let mut options = Options::new(root.join("standby"));
        options.durable = false;
        let primary = &primary;
        std::thread::scope(|s| {
            s.spawn(|| PostgresServer::start_standby(&bins, primary, &options))
                .join()
                .unwrap()
        })
        .unwrap()
    };
    let (_reader, reads) = serve(
        &["--only", "query", "--read-wait-ms", "30000"],
        &standby.url("roster"),
    );
    ready(&client, &reads, "the standby serves reads").await;
    let replica = sqlx::PgPool::connect(&standby.url("roster")).await.unwrap();
    let in_recovery: bool = sqlx::query_scalar("SELECT pg_is_in_recovery()")
        .fetch_one(&replica)
        .await
        .unwrap();
    assert!(in_recovery, "the reader's database is a standby");

    // A write on the primary, read on the standby with its position: the answer has it.
    let created = answer(
        client
            .post(format!("{writes}/v1/organizations"))
            .bearer_auth(&key)
            .json(&json!({ "name": "Replicated" })),
    )
    .await;
    let (id, position) = (
        created["id"].as_str().unwrap().to_owned(),
        created["position"].as_i64().unwrap(),
    );
    let read = |id: String, position: i64| {
        let (client, key, reads) = (client.clone(), key.clone(), reads.clone());
        async move {
            let res = client
                .get(format!(
                    "{reads}/v1/organizations/{id}?min_position={position}"
                ))
                .bearer_auth(&key)
                .send()
                .await
                .unwrap();
            (res.status().as_u16(), res.json::<Value>().await.unwrap())
        }
    };
    let (status, body) = read(id.clone(), position).await;
    assert_eq!((status, body["name"].as_str()), (200, Some("Replicated")));

    // Replay paused: the standby keeps the log as it is, and the next write cannot reach it.
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&replica)
        .await
        .unwrap();
    eventually(WAIT, "the standby's replay pauses", || async {
        let state: String = sqlx::query_scalar("SELECT pg_get_wal_replay_pause_state()")
            .fetch_one(&replica)
            .await
            .ok()?;
        (state == "paused").then_some(())
    })
    .await;
    let renamed = answer(
        client
            .patch(format!("{writes}/v1/organizations/{id}"))
            .bearer_auth(&key)
            .json(&json!({ "name": "Renamed" })),
    )
    .await;
    let position = renamed["position"].as_i64().unwrap();
    // What the standby holds now is the old name: a read that did not wait would return it.
    let stale: String = sqlx::query_scalar("SELECT name FROM rm_organizations WHERE id = $1")
        .bind(&id)
        .fetch_one(&replica)
        .await
        .unwrap();
    assert_eq!(stale, "Replicated");
    let mut waiting = tokio::spawn(read(id.clone(), position));
    // Nothing can bring the write while replay is paused, so an answer now would be stale.
    let early = tokio::time::timeout(Duration::from_millis(700), &mut waiting).await;
    assert!(
        early.is_err(),
        "the standby answered before it had the write: {early:?}"
    );
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&replica)
        .await
        .unwrap();
    let (status, body) = waiting.await.unwrap();
    assert_eq!(
        (status, body["name"].as_str()),
        (200, Some("Renamed")),
        "{body}"
    );

    // The reader takes no commands: they go to the primary.
    let refused = client
        .post(format!("{reads}/v1/organizations"))
        .bearer_auth(&key)
        .json(&json!({ "name": "Nope" }))
        .send()
        .await
        .unwrap();
    assert!(refused.status().is_client_error(), "{}", refused.status());

    drop((pool, replica));
    standby.stop();
    primary.stop();
    let _ = std::fs::remove_dir_all(&root);
}
