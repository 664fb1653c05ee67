//! Delivery: a supervisor finds endpoints with due deliveries and gives each its own drain task,
//! which claims that endpoint's due deliveries (oldest position first, at most `max_in_flight`
//! at a time), signs and POSTs them, and records every attempt. A slow or dead endpoint only
//! ever occupies its own drain, so it never delays the others.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use futures::future::join_all;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use sqlx::PgPool;
use store::webhooks::{self, Attempt, Claimed, Next, Target};
use store::{Feed, FeedEvent, StoreError};
use tokio::sync::{mpsc, Notify};

use crate::config::DispatcherConfig;
use crate::{schedule, signing, ssrf};

/// A drain claims at most what its rate limit lets start within this.
const RATE_WINDOW: Duration = Duration::from_secs(4);

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
    busy: Mutex<HashSet<String>>,
    drained: Notify,
}

impl Deliverer {
    pub fn new(pool: PgPool, config: Arc<DispatcherConfig>) -> Result<Arc<Self>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .dns_resolver(Arc::new(ssrf::GuardedResolver(config.addresses.clone())))
            .connect_timeout(config.timeout)
            .pool_max_idle_per_host(config.max_in_flight)
            .build()?;
        Ok(Arc::new(Self {
            feed: Feed::new(pool.clone()),
            pool,
            client,
            config,
            busy: Mutex::new(HashSet::new()),
            drained: Notify::new(),
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
                _ = wake.recv() => {}
                () = self.drained.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    async fn start_drains(self: &Arc<Self>) -> Result<(), StoreError> {
        for endpoint in webhooks::due_endpoints(&self.pool, 10_000).await? {
            if self.busy().insert(endpoint.clone()) {
                let this = self.clone();
                tokio::spawn(async move {
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

    /// Sends the endpoint's due deliveries until none are left.
    async fn drain(&self, endpoint_id: &str) -> Result<(), StoreError> {
        // Covers the wait for a rate-limit slot (≤ RATE_WINDOW) and the attempt itself.
        let lease = self.config.timeout + RATE_WINDOW + Duration::from_secs(5);
        let mut next_slot = Instant::now();
        loop {
            let Some(target) = webhooks::target(&self.pool, endpoint_id).await? else {
                return Ok(()); // deleted: its deliveries went with it
            };
            if !target.enabled {
                return Ok(()); // disabled meanwhile: its deliveries wait
            }
            let spacing = target
                .rate_limit_per_s
                .filter(|r| *r > 0)
                .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
            // Never claim more than the rate limit lets start within a few seconds: a claimed
            // delivery waiting for its slot must not outlive its lease.
            let limit = match spacing {
                Some(s) => (RATE_WINDOW.as_secs_f64() / s.as_secs_f64())
                    .floor()
                    .max(1.0) as usize,
                None => usize::MAX,
            }
            .min(self.config.max_in_flight);
            let claimed = webhooks::claim(&self.pool, endpoint_id, limit as i64, lease).await?;
            if claimed.is_empty() {
                return Ok(());
            }
            let positions: Vec<i64> = claimed.iter().map(|c| c.position).collect();
            let events = self.feed.read_positions(&positions).await?;
            let sends = claimed.iter().map(|c| {
                let slot = next_slot;
                if let Some(s) = spacing {
                    next_slot = next_slot.max(Instant::now()) + s;
                }
                let event = events.iter().find(|e| e.position == c.position);
                self.attempt(endpoint_id, &target, c, event, slot)
            });
            for result in join_all(sends).await {
                result?;
            }
        }
    }

    /// One attempt of one delivery: send, log, schedule what follows.
    async fn attempt(
        &self,
        endpoint_id: &str,
        target: &Target,
        claimed: &Claimed,
        event: Option<&FeedEvent>,
        slot: Instant,
    ) -> Result<(), StoreError> {
        tokio::time::sleep_until(slot.into()).await;
        let attempted_at = Utc::now();
        let started = Instant::now();
        let outcome = match event {
            Some(event) => self.send(target, &claimed.event_id, event).await,
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
                .next_delay(claimed.attempts as usize + 1, outcome.retry_after)
            {
                Some(delay) => Next::RetryAt(
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
                ),
                None => Next::Failed,
            }
        };
        let attempt = Attempt {
            id: crate::new_id("att"),
            delivery_id: claimed.id.clone(),
            attempted_at,
            status_code: outcome.status_code.map(i32::from),
            latency_ms,
            error_kind: outcome.error_kind.map(str::to_owned),
            error: outcome.error.clone(),
            response_excerpt: outcome.excerpt.clone(),
        };
        tracing::debug!(
            endpoint = endpoint_id, delivery = %claimed.id, status = ?outcome.status_code,
            error = ?outcome.error_kind, latency_ms, "webhook attempt"
        );
        let failing_since = match webhooks::record_attempt(&self.pool, endpoint_id, &attempt, next)
            .await
        {
            Ok(f) => f,
            // The endpoint (and so the delivery) was deleted meanwhile.
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                return Ok(())
            }
            Err(e) => return Err(e),
        };
        if outcome.gone() {
            if webhooks::disable_with_event(&self.pool, endpoint_id, "gone").await? {
                tracing::warn!(
                    endpoint = endpoint_id,
                    "endpoint answered 410 Gone: disabled"
                );
            }
        } else if let Some(since) = failing_since {
            let window = chrono::Duration::from_std(self.config.failure_window)
                .unwrap_or(chrono::Duration::MAX);
            if Utc::now() - since >= window
                && webhooks::disable_with_event(&self.pool, endpoint_id, "failing").await?
            {
                tracing::warn!(endpoint = endpoint_id, since = %since, "endpoint failing for too long: disabled");
            }
        }
        Ok(())
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
