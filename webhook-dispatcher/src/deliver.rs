//! Delivery: a supervisor finds endpoints with due deliveries that no dispatcher drains, and gives
//! each its own drain task. The drain takes the endpoint's drain lease (one dispatcher at a time,
//! renewed while it works), sends the due deliveries oldest position first (at most
//! `max_in_flight` at a time, within the rate limit), and logs the attempts in batches. A slow or
//! dead endpoint only ever occupies its own drain, so it never delays the others.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use domain::webhook_endpoint::DisabledReason;
use futures::{stream, StreamExt};
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use sqlx::PgPool;
use store::webhooks::{self, Attempt, Due, Next, Target};
use store::{Feed, FeedEvent, StoreError};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;

use crate::config::DispatcherConfig;
use crate::{schedule, signing, ssrf};

/// Room in a drain lease beyond one attempt's timeout.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// Due deliveries a drain reads at a time.
const CHUNK: i64 = 200;

/// How long a drain with nothing due keeps its lease, waiting for the fan-out to queue more.
/// Well under the lease, which it does not renew meanwhile.
const LINGER: Duration = Duration::from_millis(500);

/// Attempts are logged in batches of up to this many, and no later than `FLUSH_AFTER` after the
/// first of a batch finished: one statement per batch instead of a transaction per attempt.
const FLUSH_MAX: usize = 100;
const FLUSH_AFTER: Duration = Duration::from_millis(20);

/// How much of a response body an attempt keeps.
pub const EXCERPT_BYTES: usize = 4096;

/// What one attempt came to.
#[derive(Debug)]
struct Outcome {
    status_code: Option<u16>,
    error_kind: Option<&'static str>,
    error: Option<String>,
    excerpt: Option<String>,
    retry_after: Option<Duration>,
}

impl Outcome {
    fn failed(kind: &'static str, error: String) -> Self {
        Self {
            status_code: None,
            error_kind: Some(kind),
            error: Some(error),
            excerpt: None,
            retry_after: None,
        }
    }

    fn succeeded(&self) -> bool {
        self.error_kind.is_none()
    }

    fn gone(&self) -> bool {
        self.status_code == Some(410)
    }
}

pub struct Deliverer {
    pool: PgPool,
    feed: Feed,
    client: reqwest::Client,
    config: Arc<DispatcherConfig>,
    /// This dispatcher's name on the drain leases it holds.
    owner: String,
    /// The drain tasks, so that `stop` can end them.
    drains: Mutex<JoinSet<()>>,
    busy: Mutex<HashSet<String>>,
    drained: Notify,
    /// Counts the fan-out's wake-ups: a lingering drain goes on when it moves past what the
    /// drain had seen before it last looked at the queue (so none is missed in between).
    queued: watch::Sender<u64>,
}

/// Why a drain round stopped.
enum Stop {
    /// Nothing is due any more.
    Exhausted,
    /// The endpoint is gone or disabled, or another dispatcher drains it.
    Lost,
}

impl Deliverer {
    pub fn new(pool: PgPool, config: Arc<DispatcherConfig>) -> Result<Arc<Self>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(ssrf::GuardedResolver(config.addresses.clone())))
            .connect_timeout(config.timeout)
            // Keep-alive for every drain: endpoints often share a host (one receiver behind
            // many endpoints), and an idle pool sized for one endpoint's sends made every other
            // drain open a new connection for each delivery.
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()?;
        Ok(Arc::new(Self {
            feed: Feed::new(pool.clone()),
            pool,
            client,
            config,
            owner: format!("drn_{}", ulid::Ulid::new()),
            drains: Mutex::new(JoinSet::new()),
            busy: Mutex::new(HashSet::new()),
            drained: Notify::new(),
            queued: watch::channel(0).0,
        }))
    }

    fn busy(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.busy.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Runs until the task is dropped. `wake` is poked by the fan-out when it queued something.
    pub async fn run(self: Arc<Self>, mut wake: mpsc::Receiver<()>) {
        loop {
            if let Err(e) = self.start_drains().await {
                tracing::warn!(error = %e, "webhook delivery cannot read the queue; retrying");
            }
            let pause = match webhooks::next_due(&self.pool).await {
                Ok(Some(at)) => (at - Utc::now())
                    .to_std()
                    .unwrap_or_default()
                    .clamp(Duration::from_millis(5), self.config.poll_interval),
                _ => self.config.poll_interval,
            };
            tokio::select! {
                _ = wake.recv() => self.queued.send_modify(|n| *n += 1),
                () = self.drained.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    fn drains(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.drains.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Ends every drain (the supervisor must be stopped first) and releases this dispatcher's
    /// drain leases.
    pub async fn stop(&self) -> Result<(), StoreError> {
        let mut drains = std::mem::take(&mut *self.drains());
        drains.abort_all();
        while drains.join_next().await.is_some() {}
        webhooks::release_drains(&self.pool, &self.owner).await
    }

    async fn start_drains(self: &Arc<Self>) -> Result<(), StoreError> {
        // Forget the drains that have finished.
        while self.drains().try_join_next().is_some() {}
        for endpoint in webhooks::due_endpoints(&self.pool, 10_000).await? {
            if self.busy().insert(endpoint.clone()) {
                let this = self.clone();
                self.drains().spawn(async move {
                    if let Err(e) = this.drain(&endpoint).await {
                        tracing::warn!(endpoint = %endpoint, error = %e, "webhook drain failed");
                    }
                    this.busy().remove(&endpoint);
                    this.drained.notify_one();
                });
            }
        }
        Ok(())
    }

    /// How long a drain lease lasts; it is renewed halfway, which leaves a whole timeout (the
    /// longest the drain can be busy with one attempt) plus a margin before it runs out.
    fn lease(&self) -> Duration {
        2 * (self.config.timeout + LEASE_MARGIN)
    }

    /// Sends the endpoint's due deliveries until none are left, holding its drain lease. With
    /// nothing due it lingers a moment, still holding the lease, and goes on at once when the
    /// fan-out queues more (no new claim, no supervisor round); then gives the lease up.
    /// Deliveries that became due just before the release are not left waiting for the next
    /// poll: the drain looks again once the lease is free.
    async fn drain(&self, endpoint_id: &str) -> Result<(), StoreError> {
        // When the rate limit lets the next delivery go; kept across chunks, and across drains
        // (and dispatchers) by the hold on the released lease.
        let next_slot = Mutex::new(Instant::now());
        let mut held = false;
        let mut queued = self.queued.subscribe();
        loop {
            queued.borrow_and_update();
            let stop = self.drain_held(endpoint_id, &next_slot, held).await;
            if matches!(stop, Ok(Stop::Exhausted)) {
                let woken = tokio::time::timeout(LINGER, queued.changed()).await;
                if matches!(woken, Ok(Ok(()))) {
                    held = true;
                    continue;
                }
            }
            held = false;
            let next = *next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let hold = next.saturating_duration_since(Instant::now());
            webhooks::release_drain(&self.pool, endpoint_id, &self.owner, hold).await?;
            match stop? {
                Stop::Exhausted if webhooks::is_due(&self.pool, endpoint_id).await? => continue,
                _ => return Ok(()),
            }
        }
    }

    /// `held`: this drain still holds the endpoint's lease (it lingered): renew, do not claim.
    async fn drain_held(
        &self,
        endpoint_id: &str,
        next_slot: &Mutex<Instant>,
        held: bool,
    ) -> Result<Stop, StoreError> {
        let lease = self.lease();
        let mut claimed = held;
        loop {
            let target = if claimed {
                webhooks::renew_drain(&self.pool, endpoint_id, &self.owner, lease).await?
            } else {
                webhooks::claim_drain(&self.pool, endpoint_id, &self.owner, lease).await?
            };
            let Some(target) = target else {
                return Ok(Stop::Lost);
            };
            claimed = true;
            let mut renew_at = Instant::now() + lease / 2;
            let due = webhooks::due(&self.pool, endpoint_id, CHUNK).await?;
            if due.is_empty() {
                return Ok(Stop::Exhausted);
            }
            let positions: Vec<i64> = due.iter().map(|d| d.position).collect();
            let events = self.feed.read_positions(&positions).await?;
            let spacing = target
                .rate_limit_per_s
                .filter(|r| *r > 0)
                .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
            // Started in position order (at most max_in_flight at once), each at the next
            // rate-limit slot when it starts; logged as they finish.
            let attempts: Vec<_> = due
                .iter()
                .map(|d| {
                    let event = events.iter().find(|e| e.position == d.position);
                    self.attempt(&target, d, event, spacing.map(|s| (next_slot, s)))
                })
                .collect();
            let mut sends =
                stream::iter(attempts).buffer_unordered(self.config.max_in_flight.max(1));
            let mut batch: Vec<Attempt> = Vec::new();
            let mut flush_at: Option<Instant> = None;
            loop {
                tokio::select! {
                    done = sends.next() => match done {
                        Some(attempt) => {
                            let gone = attempt.status_code == Some(410);
                            batch.push(attempt);
                            if gone {
                                self.flush(endpoint_id, &mut batch).await?;
                                if webhooks::disable_with_event(&self.pool, endpoint_id, DisabledReason::Gone).await? {
                                    tracing::warn!(endpoint = endpoint_id, "endpoint answered 410 Gone: disabled");
                                }
                                return Ok(Stop::Lost);
                            }
                            if batch.len() >= FLUSH_MAX {
                                flush_at = Some(Instant::now());
                            } else {
                                flush_at.get_or_insert(Instant::now() + FLUSH_AFTER);
                            }
                        }
                        None => break,
                    },
                    () = sleep_until(flush_at), if flush_at.is_some() => {
                        flush_at = None;
                        if !self.flush(endpoint_id, &mut batch).await? {
                            return Ok(Stop::Lost);
                        }
                        renew_at = Instant::now() + lease / 2;
                    }
                    () = tokio::time::sleep_until(renew_at.into()) => {
                        if webhooks::renew_drain(&self.pool, endpoint_id, &self.owner, lease)
                            .await?
                            .is_none()
                        {
                            // Disabled or deleted meanwhile (or the lease was lost): what is not
                            // logged yet stays pending, and is sent again by whoever drains next.
                            self.flush(endpoint_id, &mut batch).await?;
                            return Ok(Stop::Lost);
                        }
                        renew_at = Instant::now() + lease / 2;
                    }
                }
            }
            if !self.flush(endpoint_id, &mut batch).await? {
                return Ok(Stop::Lost);
            }
        }
    }

    /// Logs the batch's attempts and renews the drain lease; false if the endpoint should no
    /// longer be drained here (deleted or disabled meanwhile, the lease lost, or disabled now
    /// for failing too long).
    async fn flush(&self, endpoint_id: &str, batch: &mut Vec<Attempt>) -> Result<bool, StoreError> {
        if batch.is_empty() {
            return Ok(true);
        }
        let recorded =
            webhooks::record_attempts(&self.pool, endpoint_id, &self.owner, self.lease(), batch)
                .await;
        let recorded = match recorded {
            Ok(Some(r)) => r,
            // The endpoint (and so its deliveries) was deleted meanwhile.
            Ok(None) => return Ok(false),
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                return Ok(false)
            }
            Err(e) => return Err(e),
        };
        batch.clear();
        if let Some(since) = recorded.failing_since {
            let window = chrono::Duration::from_std(self.config.failure_window)
                .unwrap_or(chrono::Duration::MAX);
            if Utc::now() - since >= window {
                if webhooks::disable_with_event(&self.pool, endpoint_id, DisabledReason::Failing)
                    .await?
                {
                    tracing::warn!(endpoint = endpoint_id, since = %since, "endpoint failing for too long: disabled");
                }
                return Ok(false);
            }
        }
        Ok(recorded.held)
    }

    /// One attempt of one delivery: send it at its slot, and say what it came to and what follows.
    async fn attempt(
        &self,
        target: &Target,
        due: &Due,
        event: Option<&FeedEvent>,
        rate: Option<(&Mutex<Instant>, Duration)>,
    ) -> Attempt {
        if let Some((next_slot, spacing)) = rate {
            // Reserved when the attempt starts, not when it was queued: a slow stretch of the
            // receiver's never turns into a burst of overdue slots afterwards.
            let slot = {
                let mut next = next_slot.lock().unwrap_or_else(|e| e.into_inner());
                let slot = (*next).max(Instant::now());
                *next = slot + spacing;
                slot
            };
            tokio::time::sleep_until(slot.into()).await;
        }
        let attempted_at = Utc::now();
        let started = Instant::now();
        let outcome = match event {
            Some(event) => self.send(target, &due.event_id, event).await,
            None => Outcome::failed("event_missing", "the event is not in the log".into()),
        };
        let latency_ms = started.elapsed().as_millis().min(i32::MAX as u128) as i32;
        let next = if outcome.succeeded() {
            Next::Succeeded
        } else if outcome.gone() {
            Next::Failed
        } else {
            match self
                .config
                .schedule
                .next_delay(due.attempts as usize + 1, outcome.retry_after)
            {
                Some(delay) => Next::RetryAt(
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
                ),
                None => Next::Failed,
            }
        };
        tracing::debug!(
            delivery = %due.id, status = ?outcome.status_code, error = ?outcome.error_kind,
            latency_ms, "webhook attempt"
        );
        let counted = match &next {
            Next::Succeeded => "succeeded",
            Next::Failed if outcome.gone() => "gone",
            Next::Failed => "exhausted",
            Next::RetryAt(_) => "failed",
        };
        meters::meters().delivery(counted, started.elapsed());
        Attempt {
            id: domain::AttemptId::new().to_string(),
            delivery_id: due.id.clone(),
            attempted_at,
            status_code: outcome.status_code.map(i32::from),
            latency_ms,
            error_kind: outcome.error_kind.map(str::to_owned),
            error: outcome.error,
            response_excerpt: outcome.excerpt,
            next,
        }
    }

    async fn send(&self, target: &Target, webhook_id: &str, event: &FeedEvent) -> Outcome {
        let url = match self.config.addresses.check_url(&target.url) {
            Ok(url) => url,
            Err(ssrf::UrlProblem::Disallowed(m)) => return Outcome::failed("blocked_address", m),
            Err(ssrf::UrlProblem::Invalid(m)) => return Outcome::failed("invalid_url", m),
        };
        let body = match serde_json::to_vec(&event.envelope()) {
            Ok(b) => b,
            Err(e) => return Outcome::failed("encode", e.to_string()),
        };
        let timestamp = Utc::now().timestamp();
        let mut secrets = vec![target.secret.as_str()];
        secrets.extend(target.previous_secret.as_deref());
        let signature = signing::header(&secrets, webhook_id, timestamp, &body);
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(crate::USER_AGENT));
        for (name, value) in [
            ("webhook-id", webhook_id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        let started = Instant::now();
        let request = self.client.post(url).headers(headers).body(body).send();
        let mut response = match tokio::time::timeout(self.config.timeout, request).await {
            Err(_) => {
                return Outcome::failed(
                    "timeout",
                    format!("no response within {} ms", self.config.timeout.as_millis()),
                )
            }
            Ok(Err(e)) => return classify(&e),
            Ok(Ok(r)) => r,
        };
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| schedule::retry_after(v, Utc::now()));
        // Keep the first 4 KiB of the body, read within what is left of the timeout; a huge or
        // slow-drip body is cut off, never waited for or buffered whole.
        let remaining = self.config.timeout.saturating_sub(started.elapsed());
        let mut excerpt = Vec::new();
        let _ = tokio::time::timeout(remaining, async {
            while excerpt.len() < EXCERPT_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    _ => break,
                }
            }
        })
        .await;
        excerpt.truncate(EXCERPT_BYTES);
        let excerpt = Some(String::from_utf8_lossy(&excerpt).into_owned());
        let (error_kind, error) = if status.is_success() {
            (None, None)
        } else if status.is_redirection() {
            (
                Some("redirect"),
                Some(format!("{status}: redirects are not followed")),
            )
        } else {
            (Some("http_status"), Some(status.to_string()))
        };
        Outcome {
            status_code: Some(status.as_u16()),
            error_kind,
            error,
            excerpt,
            retry_after,
        }
    }
}

fn classify(e: &reqwest::Error) -> Outcome {
    let text = error_chain(e);
    let kind = if e.is_timeout() {
        "timeout"
    } else if text.contains("no permitted address") {
        "blocked_address"
    } else if e.is_connect() {
        "connect"
    } else {
        "request"
    };
    Outcome::failed(kind, text)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Sleeps until the deadline (a `select!` branch guarded by `deadline.is_some()`).
async fn sleep_until(deadline: Option<Instant>) {
    if let Some(at) = deadline {
        tokio::time::sleep_until(at.into()).await;
    }
}
