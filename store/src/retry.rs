//! The one retry of the write side: a unit that lost an optimistic-concurrency race (another
//! writer moved one of its streams on first) is decided again, a few times, after a short
//! jittered pause.

use std::time::Duration;

/// How often a change that lost a race is re-run before the caller is told to retry (409).
const CONFLICT_RETRIES: u32 = 5;

/// Runs `attempt` again (a few times, with a short jittered pause) while it fails with an error
/// `is_conflict` recognises: another writer moved one of its streams on first.
pub async fn retry_conflicts<T, X, Fut>(
    is_conflict: impl Fn(&X) -> bool,
    mut attempt: impl FnMut() -> Fut,
) -> Result<T, X>
where
    Fut: std::future::Future<Output = Result<T, X>>,
{
    let mut tries = 0;
    loop {
        match attempt().await {
            Err(e) if is_conflict(&e) && tries < CONFLICT_RETRIES => {
                tries += 1;
                let jitter = u64::from(ulid::Ulid::new().random() as u8 % 8);
                tokio::time::sleep(Duration::from_millis(u64::from(tries) * 2 + jitter)).await;
            }
            other => return other,
        }
    }
}
