//! SIGKILL `roster serve` in the middle of deleting an organization with 2,000 memberships in 50
//! groups, restart it, and with no client action the deletion completes: nothing of the
//! organization is left, every removal has its explicit event, no event of it follows
//! `organization.deleted`, and `roster rebuild --verify` is clean. Meanwhile 20 clients keep
//! creating in the organization: from the moment the deletion is accepted every create is refused.

use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::{json, Value};

use crate::support::eventually;

const MEMBERSHIPS: usize = 2000;
const GROUPS: usize = 50;
const CLIENTS: usize = 20;

/// `roster serve` (every component) on the test database; its base URL once it listens.
fn serve(db_url: &str) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
        .arg("serve")
        .env("DATABASE_URL", db_url)
        .env("ROSTER_SECRET_KEY", crate::support::SECRET_KEY)
        .env("ROSTER_LISTEN", "127.0.0.1:0")
        // Not a test of the rate limit: the set-up and 20 racing clients use one key.
        .env("ROSTER_RATE_LIMIT", "0")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let base = crate::support::listening_url(child.stderr.take().unwrap());
    (child, base)
}

async fn count(pool: &sqlx::PgPool, sql: &str, org: &str) -> i64 {
    sqlx::query_scalar(sql)
        .bind(org)
        .fetch_one(pool)
        .await
        .unwrap()
}

/// Polls the database (a condition, not a timer) until `sql` counts at least `n`.
async fn until_count(pool: &sqlx::PgPool, sql: &str, org: &str, n: i64, within: Duration) -> i64 {
    eventually(within, format!("{n} for: {sql}"), || async {
        let c = count(pool, sql, org).await;
        (c >= n).then_some(c)
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deletion_interrupted_by_sigkill_is_finished_after_restart_with_no_client_action() {
    let db = roster_testkit::fresh_db().await;
    let pool = db.pool.clone();
    let key = crate::support::make_key(&pool, None, false).await;
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::AUTHORIZATION,
        format!("Bearer {key}").parse().unwrap(),
    );
    let client = reqwest::Client::builder()
        .default_headers(headers)
        .build()
        .unwrap();
    let (mut first, base) = serve(&db.url);
    let post = |path: String, body: Value| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            client
                .post(format!("{base}{path}"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let json_of = |res: reqwest::Response| async move {
        let status = res.status().as_u16();
        (status, res.json::<Value>().await.unwrap_or(Value::Null))
    };

    // An organization with 2,000 memberships in 50 groups (40 each) and a few invitations.
    let (status, org) =
        json_of(post("/v1/organizations".into(), json!({"name": "Doomed"})).await).await;
    assert_eq!(status, 201, "{org}");
    let org = org["id"].as_str().unwrap().to_owned();
    let mut memberships = Vec::new();
    for chunk in 0..MEMBERSHIPS / 1000 {
        let items: Vec<Value> = (0..1000)
            .map(|i| json!({"user_id": format!("u{chunk}-{i}")}))
            .collect();
        let (status, bulk) = json_of(
            post(
                format!("/v1/organizations/{org}/memberships/bulk"),
                json!({ "items": items }),
            )
            .await,
        )
        .await;
        assert_eq!((status, bulk["failed"].as_i64()), (200, Some(0)), "{bulk}");
        for item in bulk["data"].as_array().unwrap() {
            memberships.push(item["membership"]["id"].as_str().unwrap().to_owned());
        }
    }
    let mut groups = Vec::new();
    for g in 0..GROUPS {
        let (status, group) = json_of(
            post(
                format!("/v1/organizations/{org}/groups"),
                json!({ "name": format!("g{g}") }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 201, "{group}");
        groups.push(group["id"].as_str().unwrap().to_owned());
    }
    let adds: Vec<(String, String)> = memberships
        .iter()
        .enumerate()
        .map(|(i, m)| (groups[i % GROUPS].clone(), m.clone()))
        .collect();
    let statuses: Vec<u16> = futures::stream::iter(adds)
        .map(|(g, m)| {
            let post = &post;
            async move {
                post(
                    format!("/v1/groups/{g}/members"),
                    json!({ "membership_id": m }),
                )
                .await
                .status()
                .as_u16()
            }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(statuses.iter().all(|s| *s == 201), "every add succeeds");
    for i in 0..10 {
        let res = post(
            format!("/v1/organizations/{org}/invitations"),
            json!({ "email": format!("i{i}@example.com") }),
        )
        .await;
        assert_eq!(res.status(), 201);
    }

    // 20 clients create in the organization before, during and after the DELETE is accepted.
    let accepted = Arc::new(AtomicBool::new(false));
    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, base, org) = (client.clone(), base.clone(), org.clone());
            let (accepted, stop) = (accepted.clone(), stop.clone());
            tokio::spawn(async move {
                let mut after_accept = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let (path, body) = match n % 3 {
                        0 => ("memberships", json!({"user_id": format!("late-{c}-{n}")})),
                        1 => ("groups", json!({"name": format!("late-{c}-{n}")})),
                        _ => (
                            "invitations",
                            json!({"email": format!("late-{c}-{n}@example.com")}),
                        ),
                    };
                    // Read before sending: a request sent after the 202 must be refused.
                    let sent_after_accept = accepted.load(Ordering::SeqCst);
                    let Ok(res) = client
                        .post(format!("{base}/v1/organizations/{org}/{path}"))
                        .json(&body)
                        .send()
                        .await
                    else {
                        break; // the server was killed
                    };
                    if sent_after_accept {
                        after_accept.push(res.status().as_u16());
                    }
                }
                after_accept
            })
        })
        .collect();
    // The clients are under way: some of their groups exist.
    let groups_created = "SELECT count(*) FROM events
        WHERE organization_id = $1 AND event_type = 'group.created'";
    until_count(
        &pool,
        groups_created,
        &org,
        GROUPS as i64 + 5,
        Duration::from_secs(60),
    )
    .await;
    let res = client
        .delete(format!("{base}/v1/organizations/{org}"))
        .send()
        .await
        .unwrap();
    accepted.store(true, Ordering::SeqCst);
    assert_eq!(res.status(), 202);
    let intent: Value = res.json().await.unwrap();
    let intent_position = intent["position"].as_i64().unwrap();

    // Kill it mid-way: some memberships deleted, the organization not.
    let deleted_memberships = "SELECT count(*) FROM events
        WHERE organization_id = $1 AND event_type = 'membership.deleted'";
    let org_deleted = "SELECT count(*) FROM events
        WHERE organization_id = $1 AND event_type = 'organization.deleted'";
    until_count(
        &pool,
        deleted_memberships,
        &org,
        100,
        Duration::from_secs(120),
    )
    .await;
    first.kill().unwrap(); // SIGKILL
    let at_kill = count(&pool, deleted_memberships, &org).await;
    first.wait().unwrap();
    stop.store(true, Ordering::SeqCst);
    let mut refused = Vec::new();
    for c in clients {
        refused.extend(c.await.unwrap());
    }
    assert_eq!(
        count(&pool, org_deleted, &org).await,
        0,
        "the deletion finished before the kill; the test proves nothing"
    );
    assert!(
        refused.len() >= CLIENTS,
        "the clients kept creating: {}",
        refused.len()
    );
    assert!(
        refused.iter().all(|s| *s == 404),
        "every create sent after the 202 is refused (404): {refused:?}"
    );

    // Restarted, with no client action, it finishes.
    let restarted = Instant::now();
    let (mut second, base) = serve(&db.url);
    until_count(&pool, org_deleted, &org, 1, Duration::from_secs(180)).await;
    eprintln!(
        "killed after {at_kill} of {MEMBERSHIPS} memberships deleted; {} creates refused after \
         the 202; the restarted roster finished the deletion {:?} after its start",
        refused.len(),
        restarted.elapsed()
    );

    // Nothing of it is left, and every removal has its explicit event.
    let left = "SELECT count(*) FROM claims
        WHERE organization_id = $1 OR key LIKE 'organization/' || $1 || '/%'";
    assert_eq!(
        count(&pool, left, &org).await,
        0,
        "claims of the organization remain"
    );
    let created: Vec<(String, String)> = sqlx::query_as(
        "SELECT aggregate_type, aggregate_id FROM events
          WHERE organization_id = $1 AND event_type LIKE '%.created' AND aggregate_type <> 'organization'",
    )
    .bind(&org)
    .fetch_all(&pool)
    .await
    .unwrap();
    for (kind, id) in &created {
        let last: String = sqlx::query_scalar(
            "SELECT event_type FROM events WHERE aggregate_id = $1 ORDER BY sequence DESC LIMIT 1",
        )
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
        let done = match kind.as_str() {
            "membership" => last == "membership.deleted",
            "group" => last == "group.deleted",
            "invitation" => ["invitation.revoked", "invitation.expired"].contains(&last.as_str()),
            _ => true,
        };
        assert!(done, "{kind} {id} ends with {last}");
    }
    let adds: i64 = count(&pool, "SELECT count(*) FROM events WHERE organization_id = $1 AND event_type = 'group.member_added'", &org).await;
    let removals: i64 = count(&pool, "SELECT count(*) FROM events WHERE organization_id = $1 AND event_type = 'group.member_removed'", &org).await;
    assert_eq!(adds, MEMBERSHIPS as i64);
    assert_eq!(
        removals, adds,
        "every member left its group by an explicit event"
    );

    // Nothing was created after the intent, and `organization.deleted` is the last event.
    let late_creates = count(
        &pool,
        &format!(
            "SELECT count(*) FROM events WHERE organization_id = $1
              AND event_type IN ('membership.created', 'membership.reactivated', 'group.created',
                                 'group.member_added', 'invitation.created')
              AND position > {intent_position}"
        ),
        &org,
    )
    .await;
    assert_eq!(
        late_creates, 0,
        "creates committed after the deletion was accepted"
    );
    let (last_type,): (String,) = sqlx::query_as(
        "SELECT event_type FROM events WHERE organization_id = $1 ORDER BY position DESC LIMIT 1",
    )
    .bind(&org)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(last_type, "organization.deleted");

    // The read side agrees: gone, and a rebuild from the log equals what the projector built.
    let head: i64 = sqlx::query_scalar("SELECT max(position) FROM events")
        .fetch_one(&pool)
        .await
        .unwrap();
    let mut projected =
        store::checkpoints::watch(pool.clone(), "projector", Duration::from_millis(50));
    tokio::time::timeout(Duration::from_secs(60), projected.wait_for(|p| *p >= head))
        .await
        .expect("the projector never caught up")
        .unwrap();
    let res = client
        .get(format!("{base}/v1/organizations/{org}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // SAFETY: signalling our own child.
    unsafe { libc::kill(second.id() as i32, libc::SIGTERM) };
    assert!(second.wait().unwrap().success());
    let out = Command::new(env!("CARGO_BIN_EXE_roster"))
        .args(["rebuild", "--verify"])
        .env("DATABASE_URL", &db.url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rebuild --verify: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}
