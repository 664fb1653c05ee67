//! What an operator can tune about delivery.

use std::sync::Arc;
use std::time::Duration;

use crate::schedule::Schedule;
use crate::sealing::Keyring;
use crate::ssrf::AddressPolicy;

#[derive(Debug, Clone)]
pub struct DispatcherConfig {
    /// A 2xx within this is a success (connect, headers; the body excerpt shares the budget).
    pub timeout: Duration,
    pub schedule: Schedule,
    /// Concurrent attempts per endpoint (one dispatcher drains an endpoint at a time). 1 keeps
    /// first attempts in position order at the receiver; more trades that for throughput.
    pub max_in_flight: usize,
    /// An endpoint that has only failed for this long is disabled.
    pub failure_window: Duration,
    /// How long a rotated-out secret keeps signing.
    pub secret_grace: Duration,
    /// Which addresses webhook URLs may reach.
    pub addresses: Arc<AddressPolicy>,
    /// Upper bound on the wait between queue checks when nothing wakes the deliverer.
    pub poll_interval: Duration,
    /// Seals signing secrets at rest and opens them to sign (`sealing.rs`).
    pub keyring: Arc<Keyring>,
}

impl Default for DispatcherConfig {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(15),
            schedule: Schedule::default(),
            max_in_flight: 1,
            failure_window: Duration::from_secs(5 * 24 * 3600),
            secret_grace: Duration::from_secs(24 * 3600),
            addresses: Arc::new(AddressPolicy::default()),
            poll_interval: Duration::from_secs(1),
            // A key kept nowhere: `roster serve` always sets the configured one.
            keyring: Arc::new(Keyring::ephemeral()),
        }
    }
}
