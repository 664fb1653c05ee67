//! One attempt of one delivery: wait for its rate-limit slot, sign, POST, keep what the receiver
//! answered, and say what follows (done, retry at, or failed for good).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::queue::{Attempt, Due, Next, Target};
use bytes::Bytes;
use chrono::Utc;
use reqwest::header::{HeaderMap, HeaderValue, CONTENT_TYPE, RETRY_AFTER, USER_AGENT};
use store::FeedEvent;
use url::Url;

use crate::config::DispatcherConfig;
use crate::{schedule, signing, ssrf};

/// How much of a response body an attempt keeps.
pub const EXCERPT_BYTES: usize = 4096;

/// A delivery's request body, the event's envelope as JSON (or why it cannot be encoded): encoded
/// once per event, however many endpoints receive it, and shared by their requests without a
/// copy. None: the event is not in the log.
pub(crate) type Body = Option<Arc<Result<Bytes, String>>>;

pub(crate) fn body(event: Option<&FeedEvent>) -> Body {
    event.map(|e| {
        Arc::new(
            serde_json::to_vec(&e.envelope())
                .map(Bytes::from)
                .map_err(|e| e.to_string()),
        )
    })
}

/// A delivery to send, with its body.
#[derive(Debug)]
pub(crate) struct Work {
    pub due: Due,
    pub body: Body,
}

/// What one attempt came to.
#[derive(Debug)]
struct Outcome {
    status_code: Option<u16>,
    error_kind: Option<&'static str>,
    error: Option<String>,
    /// The first bytes of the answer, as they came (stored as bytes, shown as text or base64).
    excerpt: Option<Vec<u8>>,
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

/// Sends one delivery: signs it, POSTs it through the SSRF guard, and judges the answer.
pub(crate) struct Sender {
    pub(crate) client: reqwest::Client,
    pub(crate) config: Arc<DispatcherConfig>,
}

impl Sender {
    /// One attempt of one delivery: send it at its slot, and say what it came to and what follows.
    /// `url`: the target's URL as checked against the address policy.
    pub(crate) async fn attempt(
        &self,
        secrets: &Result<Vec<String>, String>,
        url: &Result<Url, ssrf::UrlProblem>,
        work: &Work,
        rate: Option<(&Mutex<Instant>, Duration)>,
    ) -> Attempt {
        let due = &work.due;
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
        let outcome = match (url, work.body.as_deref()) {
            (_, None) => Outcome::failed("event_missing", "the event is not in the log".into()),
            (_, Some(Err(e))) => Outcome::failed("encode", e.clone()),
            (Err(ssrf::UrlProblem::Disallowed(m)), _) => {
                Outcome::failed("blocked_address", m.clone())
            }
            (Err(ssrf::UrlProblem::Invalid(m)), _) => Outcome::failed("invalid_url", m.clone()),
            (Ok(url), Some(Ok(body))) => match secrets {
                Ok(secrets) => self.send(secrets, url, &due.event_id, body).await,
                Err(e) => Outcome::failed("secret", e.clone()),
            },
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

    /// The target's secrets, opened: the current one, and the previous one during its grace
    /// (or why they do not open: every attempt then fails, and is retried, as `secret`).
    pub(crate) fn signing_secrets(
        &self,
        endpoint_id: &str,
        target: &Target,
    ) -> Result<Vec<String>, String> {
        let keyring = &self.config.keyring;
        let open = |stored: &str| keyring.open(endpoint_id, stored).map_err(|e| e.to_string());
        let mut secrets = vec![open(&target.secret)?];
        if let Some(previous) = &target.previous_secret {
            secrets.push(open(previous)?);
        }
        Ok(secrets)
    }

    async fn send(&self, secrets: &[String], url: &Url, webhook_id: &str, body: &Bytes) -> Outcome {
        let timestamp = Utc::now().timestamp();
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let signature = signing::header(&secrets, webhook_id, timestamp, body);
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
        let request = self
            .client
            .post(url.clone())
            .headers(headers)
            .body(body.clone())
            .send();
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
        let excerpt = Some(excerpt);
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
