//! Per-key rate limits (a token bucket per API key, governor's GCRA): a key that spends its burst
//! gets 429 with `Retry-After`; every answer says how much is left (`RateLimit-*` headers, IETF
//! draft `RateLimit` fields). Limits are per process: with N processes behind a balancer a key
//! gets up to N times the rate.

use std::num::NonZeroU32;

use actix_web::http::header::{HeaderMap, HeaderName, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};
use http_edge::Problem;

use domain::ApiKeyId;

type Limiter = RateLimiter<
    ApiKeyId,
    governor::state::keyed::DefaultKeyedStateStore<ApiKeyId>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// How many requests a key may make: `per_second` on average, `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    pub per_second: NonZeroU32,
    pub burst: NonZeroU32,
}

impl Rate {
    /// `per_second` (0: no limit) with bursts of `burst` (default: twice the rate).
    pub fn new(per_second: u32, burst: Option<u32>) -> Option<Self> {
        let per_second = NonZeroU32::new(per_second)?;
        let burst = burst
            .and_then(NonZeroU32::new)
            .unwrap_or(per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1)));
        Some(Self { per_second, burst })
    }
}

pub struct KeyLimits {
    limiter: Limiter,
    rate: Rate,
    clock: DefaultClock,
}

/// The headers every limited answer carries.
pub struct Headers {
    limit: u32,
    remaining: u32,
    reset_seconds: u64,
}

impl Headers {
    pub fn apply(&self, h: &mut HeaderMap) {
        for (name, value) in [
            ("ratelimit-limit", self.limit.to_string()),
            ("ratelimit-remaining", self.remaining.to_string()),
            ("ratelimit-reset", self.reset_seconds.to_string()),
        ] {
            if let Ok(v) = HeaderValue::from_str(&value) {
                h.insert(HeaderName::from_static(name), v);
            }
        }
    }
}

impl KeyLimits {
    pub fn new(rate: Rate) -> Self {
        let quota = Quota::per_second(rate.per_second).allow_burst(rate.burst);
        Self {
            limiter: RateLimiter::dashmap(quota).with_middleware::<StateInformationMiddleware>(),
            rate,
            clock: DefaultClock::default(),
        }
    }

    /// Takes one request from `key`'s bucket: the headers to answer with, or the 429 to answer.
    pub fn take(&self, key: &ApiKeyId) -> Result<Headers, Box<HttpResponse>> {
        match self.limiter.check_key(key) {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                // Seconds until the bucket is full again.
                let used = self.rate.burst.get().saturating_sub(remaining);
                let reset = (u64::from(used)).div_ceil(u64::from(self.rate.per_second.get()));
                Ok(Headers {
                    limit: self.rate.burst.get(),
                    remaining,
                    reset_seconds: reset,
                })
            }
            Err(not_until) => {
                let wait = not_until.wait_time_from(self.clock.now());
                let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
                let mut res = Problem::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate-limited",
                    "Too many requests",
                    format!(
                        "this API key may make {} requests per second (bursts of {}); retry in {seconds} s",
                        self.rate.per_second, self.rate.burst
                    ),
                )
                .error_response();
                Headers {
                    limit: self.rate.burst.get(),
                    remaining: 0,
                    reset_seconds: seconds,
                }
                .apply(res.headers_mut());
                if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
                    res.headers_mut()
                        .insert(actix_web::http::header::RETRY_AFTER, v);
                }
                Err(Box::new(res))
            }
        }
    }
}
