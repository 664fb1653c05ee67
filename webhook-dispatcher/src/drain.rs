//! One endpoint's drain: holds the endpoint's drain lease (one dispatcher at a time) and sends its
//! due deliveries, oldest position first, at most `max_in_flight` at a time and within the rate
//! limit, logging the attempts in batches while the next ones go out.
//!
//! Where the work comes from: the queue in the database, read when the drain starts, whenever it
//! may have missed something (a full batch, an overflowing mailbox, a notification from another
//! process) and every `RECHECK` for retries and replays; in between, the deliveries this
//! process's fan-out hands over. Every read starts from a settled log (nothing sent is still
//! pending in the table) and an empty mailbox (everything handed over so far was committed
//! before the read, so the read has it); what is handed over afterwards is new unless the read
//! already returned it, which its position tells, since the fan-out queues in position order.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::queue::{self as webhooks, Attempt, Target};
use chrono::{DateTime, Utc};
use domain::webhook_endpoint::DisabledReason;
use futures::future::BoxFuture;
use futures::{stream, StreamExt};
use sqlx::PgPool;
use store::StoreError;
use tokio::sync::{mpsc, watch};

use crate::sender::{self, Sender, Work};

/// Due deliveries a drain reads at a time.
const CHUNK: i64 = 200;

/// How often a drain that is fed by hand-overs reads the queue anyway: retries that came due,
/// requeued deliveries, a replay's lane.
const RECHECK: Duration = Duration::from_millis(500);

/// How long a drain with nothing to send keeps its lease, waiting for more.
const LINGER: Duration = Duration::from_secs(1);

/// Attempts are logged in batches of up to this many, and no later than `FLUSH_AFTER` after the
/// first of a batch finished: one statement per batch instead of a transaction per attempt.
/// Sending goes on meanwhile.
const FLUSH_MAX: usize = 100;
const FLUSH_AFTER: Duration = Duration::from_millis(100);

/// A delivery the fan-out of this process queued, handed to the endpoint's drain.
#[derive(Debug)]
pub(crate) struct Queued {
    pub work: Work,
    /// When the endpoint's settings last changed, as the fan-out saw them.
    pub settings_at: DateTime<Utc>,
}

/// The receiving side, owned by the drain.
pub(crate) struct Inbox {
    pub rx: mpsc::Receiver<Vec<Queued>>,
    pub missed: Arc<AtomicBool>,
}

/// Room in a drain lease beyond one attempt's timeout.
const LEASE_MARGIN: Duration = Duration::from_secs(5);

/// What every drain of one dispatcher shares: the database, the sender, this dispatcher's name
/// on the leases it holds, and the supervisor's signals.
pub(crate) struct Lanes {
    pub(crate) pool: PgPool,
    pub(crate) sender: Sender,
    /// This dispatcher's name on the drain leases it holds, and on its queue notifications.
    pub(crate) owner: String,
    /// Counts notifications that work was queued elsewhere or an endpoint changed: drains read
    /// the queue and their settings again.
    pub(crate) poked: watch::Sender<u64>,
    /// Set by `stop`: drains log what they sent and let their endpoints go.
    pub(crate) stopping: watch::Sender<bool>,
}

impl Lanes {
    /// How long a drain lease lasts; it is renewed halfway, which leaves a whole timeout (the
    /// longest the drain can be busy with one attempt) plus a margin before it runs out.
    pub(crate) fn lease(&self) -> Duration {
        2 * (self.sender.config.timeout + LEASE_MARGIN)
    }

    /// Records a sent batch and says whether draining goes on: not when the endpoint was deleted
    /// or disabled meanwhile, the lease was lost, or it has now failed for too long.
    pub(crate) async fn flush(
        &self,
        endpoint_id: &str,
        batch: Vec<Attempt>,
    ) -> Result<bool, StoreError> {
        if batch.is_empty() {
            return Ok(true);
        }
        let Some(recorded) = self.record(endpoint_id, &batch).await? else {
            return Ok(false);
        };
        if let Some(since) = recorded.failing_since {
            if self.disable_if_failing_too_long(endpoint_id, since).await? {
                return Ok(false);
            }
        }
        Ok(recorded.held)
    }

    /// Logs the batch's attempts; the same statement renews the drain lease (so a lease is only
    /// ever held by a drain that is recording). None when the endpoint was deleted meanwhile.
    async fn record(
        &self,
        endpoint_id: &str,
        batch: &[Attempt],
    ) -> Result<Option<webhooks::Recorded>, StoreError> {
        let recorded =
            webhooks::record_attempts(&self.pool, endpoint_id, &self.owner, self.lease(), batch)
                .await;
        match recorded {
            Err(StoreError::Database(sqlx::Error::Database(e))) if e.is_foreign_key_violation() => {
                Ok(None)
            }
            other => other,
        }
    }

    /// Disables the endpoint (with its event) once it has failed for the whole failure window;
    /// true when it did.
    async fn disable_if_failing_too_long(
        &self,
        endpoint_id: &str,
        since: chrono::DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let window = chrono::Duration::from_std(self.sender.config.failure_window)
            .unwrap_or(chrono::Duration::MAX);
        if Utc::now() - since < window {
            return Ok(false);
        }
        if webhooks::disable_with_event(&self.pool, endpoint_id, DisabledReason::Failing).await? {
            tracing::warn!(endpoint = endpoint_id, since = %since, "endpoint failing for too long: disabled");
        }
        Ok(true)
    }
}

/// How a round of sending ended.
enum Sent {
    All,
    /// Everything was sent, and something changed meanwhile: read the queue and settings again.
    Poked,
    /// The endpoint is gone or disabled, the lease lost, or the dispatcher stopping.
    Lost,
}

/// What interrupts sending.
struct Signals<'s> {
    poked: &'s mut watch::Receiver<u64>,
    stopping: &'s mut watch::Receiver<bool>,
}

/// Why a drain let go of its endpoint.
enum Stop {
    /// Nothing to send for a while.
    Idle,
    /// The endpoint is gone or disabled, or another dispatcher drains it.
    Lost,
}

pub(crate) struct Drain<'a> {
    lanes: &'a Lanes,
    endpoint_id: &'a str,
    inbox: Inbox,
    /// A hand-over taken from the mailbox while waiting, not looked at yet.
    received: Option<Vec<Queued>>,
    /// When the rate limit lets the next delivery go; kept across rounds, and across drains (and
    /// dispatchers) by the hold on the released lease.
    next_slot: Mutex<Instant>,
    /// The highest live position taken so far: a hand-over at or below it was read already.
    taken_through: i64,
}

impl<'a> Drain<'a> {
    pub(crate) fn new(lanes: &'a Lanes, endpoint_id: &'a str, inbox: Inbox) -> Self {
        Self {
            lanes,
            endpoint_id,
            inbox,
            received: None,
            next_slot: Mutex::new(Instant::now()),
            taken_through: 0,
        }
    }

    /// Drains the endpoint until it is idle or lost, then gives the lease up. Deliveries that
    /// became due just before the release are not left waiting for the next poll: the drain
    /// looks again once the lease is free.
    pub(crate) async fn run(&mut self) -> Result<(), StoreError> {
        let d = self.lanes;
        loop {
            let stop = self.hold().await;
            let next = *self.next_slot.lock().unwrap_or_else(|e| e.into_inner());
            let hold = next.saturating_duration_since(Instant::now());
            webhooks::release_drain(&d.pool, self.endpoint_id, &d.owner, hold).await?;
            match stop? {
                Stop::Idle if webhooks::is_due(&d.pool, self.endpoint_id).await? => continue,
                _ => return Ok(()),
            }
        }
    }

    /// Claims the lease and sends until idle or lost; what was sent is logged before it returns.
    async fn hold(&mut self) -> Result<Stop, StoreError> {
        let d = self.lanes;
        let lease = d.lease();
        let Some(mut target) =
            webhooks::claim_drain(&d.pool, self.endpoint_id, &d.owner, lease).await?
        else {
            return Ok(Stop::Lost);
        };
        let mut log = Log::new(d, self.endpoint_id);
        let mut poked = d.poked.subscribe();
        poked.borrow_and_update();
        let mut stopping = d.stopping.subscribe();
        // Poked: something changed elsewhere (work queued, the endpoint's settings): read the
        // queue and the settings again.
        let mut refresh = false;
        let mut read_at = Instant::now();
        let mut caught_up = false;
        let mut idle_since: Option<Instant> = None;
        let stop = loop {
            if log.renewed + lease / 2 <= Instant::now() {
                match self.renew(&mut log).await? {
                    Some(t) => target = t,
                    None => break Stop::Lost,
                }
            }
            let missed = self.inbox.missed.swap(false, Ordering::AcqRel);
            if *stopping.borrow() {
                break Stop::Lost;
            }
            let work = if !caught_up || missed || Instant::now() >= read_at {
                if std::mem::take(&mut refresh) {
                    match self.renew(&mut log).await? {
                        Some(t) => target = t,
                        None => break Stop::Lost,
                    }
                }
                // Whatever was sent must be logged first, or the read returns it as pending.
                if !log.settle().await? {
                    break Stop::Lost;
                }
                // Everything handed over so far was committed before this read: it has them.
                self.received = None;
                while self.inbox.rx.try_recv().is_ok() {}
                let batch = webhooks::due(&d.pool, self.endpoint_id, CHUNK).await?;
                caught_up = !batch.more;
                read_at = Instant::now() + RECHECK;
                for due in batch.deliveries.iter().filter(|d| !d.replayed) {
                    self.taken_through = self.taken_through.max(due.position);
                }
                batch
                    .deliveries
                    .into_iter()
                    .map(|mut due| Work {
                        body: sender::body(due.event.take().as_deref()),
                        due,
                    })
                    .collect()
            } else {
                let (work, stale) = self.handed_over(&target);
                if stale {
                    // The endpoint's settings changed since the lease was renewed.
                    match self.renew(&mut log).await? {
                        Some(t) => target = t,
                        None => break Stop::Lost,
                    }
                }
                work
            };
            if work.is_empty() {
                let give_up = *idle_since.get_or_insert_with(Instant::now) + LINGER;
                tokio::select! {
                    held = log.step() => if !held? { break Stop::Lost },
                    got = self.inbox.rx.recv() => self.received = got,
                    () = tokio::time::sleep_until(read_at.into()), if caught_up => {}
                    changed = poked.changed() => if changed.is_ok() {
                        read_at = Instant::now();
                        refresh = true;
                    },
                    () = stopped(&mut stopping) => break Stop::Lost,
                    () = tokio::time::sleep_until(give_up.into()) => break Stop::Idle,
                }
                continue;
            }
            idle_since = None;
            let signals = Signals {
                poked: &mut poked,
                stopping: &mut stopping,
            };
            match self.send(&target, &work, &mut log, signals).await? {
                Sent::All => {}
                Sent::Poked => {
                    read_at = Instant::now();
                    refresh = true;
                }
                Sent::Lost => break Stop::Lost,
            }
        };
        // What was sent is logged before the lease goes (unless the endpoint is gone).
        log.settle().await?;
        Ok(stop)
    }

    /// Renews the lease: the endpoint's settings now, or None if it is gone or disabled, or the
    /// lease was lost.
    async fn renew(&self, log: &mut Log<'a>) -> Result<Option<Target>, StoreError> {
        let d = self.lanes;
        let target = webhooks::renew_drain(&d.pool, self.endpoint_id, &d.owner, d.lease()).await?;
        if target.is_some() {
            log.renewed = Instant::now();
        }
        Ok(target)
    }

    /// The deliveries handed over since the drain last looked, not read already, in position
    /// order; and whether any came with newer settings than `target`.
    fn handed_over(&mut self, target: &Target) -> (Vec<Work>, bool) {
        let mut work = Vec::new();
        let mut stale = false;
        if let Some(queued) = self.received.take() {
            stale |= take_new(queued, &mut self.taken_through, target, &mut work);
        }
        while let Ok(queued) = self.inbox.rx.try_recv() {
            stale |= take_new(queued, &mut self.taken_through, target, &mut work);
        }
        (work, stale)
    }

    /// Sends `work`: started in order (at most `max_in_flight` at once), each at the next
    /// rate-limit slot when it starts, logged as they finish. False if the endpoint was lost.
    async fn send(
        &self,
        target: &Target,
        work: &[Work],
        log: &mut Log<'a>,
        signals: Signals<'_>,
    ) -> Result<Sent, StoreError> {
        let d = self.lanes;
        // Checked once for the whole batch; the addresses it resolves to are checked on connect.
        let url = d.sender.config.addresses.check_url(&target.url);
        // Opened once for the batch too.
        let secrets = d.sender.signing_secrets(self.endpoint_id, target);
        let spacing = target
            .rate_limit_per_s
            .filter(|r| *r > 0)
            .map(|r| Duration::from_secs_f64(1.0 / f64::from(r)));
        let attempts: Vec<_> = work
            .iter()
            .map(|w| {
                d.sender
                    .attempt(&secrets, &url, w, spacing.map(|s| (&self.next_slot, s)))
            })
            .collect();
        let mut sends =
            stream::iter(attempts).buffer_unordered(d.sender.config.max_in_flight.max(1));
        let mut changed_ok = true;
        let mut poked = false;
        loop {
            let renew_at = log.renewed + d.lease() / 2;
            tokio::select! {
                done = sends.next() => match done {
                    Some(attempt) => {
                        let gone = attempt.status_code == Some(410);
                        log.push(attempt);
                        if gone {
                            log.settle().await?;
                            if webhooks::disable_with_event(&d.pool, self.endpoint_id, DisabledReason::Gone).await? {
                                tracing::warn!(endpoint = self.endpoint_id, "endpoint answered 410 Gone: disabled");
                            }
                            return Ok(Sent::Lost);
                        }
                    }
                    None => return Ok(if poked { Sent::Poked } else { Sent::All }),
                },
                held = log.step() => if !held? { return Ok(Sent::Lost) },
                changed = signals.poked.changed(), if changed_ok => {
                    changed_ok = changed.is_ok();
                    // The endpoint may have been disabled or deleted: the next log write says
                    // so; with nothing to write, a renewal does.
                    if log.batch.is_empty() && log.flushing.is_none() {
                        if self.renew(log).await?.is_none() {
                            return Ok(Sent::Lost);
                        }
                    } else {
                        log.flush_at = Some(Instant::now());
                    }
                    poked = true;
                },
                // Attempts under way are cut short (sent again, with the same `webhook-id`, by
                // whoever drains next); the finished ones are logged before the lease goes.
                () = stopped(signals.stopping) => return Ok(Sent::Lost),
                () = tokio::time::sleep_until(renew_at.into()) => {
                    // Disabled or deleted meanwhile (or the lease was lost): what is not logged
                    // yet stays pending, and is sent again by whoever drains next.
                    if self.renew(log).await?.is_none() {
                        return Ok(Sent::Lost);
                    }
                }
            }
        }
    }
}

/// Moves the hand-overs past `taken_through` into `work` (a hand-over at or below it was in the
/// queue the drain read last, and is sent from there); true if any came with newer settings than
/// `target`.
fn take_new(
    queued: Vec<Queued>,
    taken_through: &mut i64,
    target: &Target,
    work: &mut Vec<Work>,
) -> bool {
    let mut stale = false;
    for q in queued {
        if q.work.due.position <= *taken_through {
            continue;
        }
        *taken_through = q.work.due.position;
        stale |= q.settings_at > target.updated_at;
        work.push(q.work);
    }
    stale
}

/// Returns once the dispatcher is stopping.
async fn stopped(stopping: &mut watch::Receiver<bool>) {
    // The sender lives as long as the lanes, which outlives its drains.
    let _ = stopping.wait_for(|s| *s).await;
}

/// The attempt log of one drain: attempts wait in a batch, and one batch at a time is written
/// while sending goes on.
struct Log<'a> {
    lanes: &'a Lanes,
    endpoint_id: &'a str,
    batch: Vec<Attempt>,
    flush_at: Option<Instant>,
    flushing: Option<BoxFuture<'a, Result<bool, StoreError>>>,
    /// When the lease was last renewed (claimed, renewed, or by a flush).
    renewed: Instant,
}

impl<'a> Log<'a> {
    fn new(lanes: &'a Lanes, endpoint_id: &'a str) -> Self {
        Self {
            lanes,
            endpoint_id,
            batch: Vec::new(),
            flush_at: None,
            flushing: None,
            renewed: Instant::now(),
        }
    }

    fn push(&mut self, attempt: Attempt) {
        self.batch.push(attempt);
        if self.batch.len() >= FLUSH_MAX {
            self.flush_at = Some(Instant::now());
        } else {
            self.flush_at.get_or_insert(Instant::now() + FLUSH_AFTER);
        }
    }

    fn start(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.flush_at = None;
        let (d, endpoint_id) = (self.lanes, self.endpoint_id);
        self.flushing = Some(Box::pin(async move { d.flush(endpoint_id, batch).await }));
    }

    /// Writes the log as it comes due; returns when a write finished, with whether the endpoint
    /// is still drained here. Pending forever with nothing to write. Cancel-safe: a write under
    /// way stays in `flushing`.
    async fn step(&mut self) -> Result<bool, StoreError> {
        loop {
            if let Some(flushing) = &mut self.flushing {
                let held = flushing.await;
                self.flushing = None;
                if matches!(held, Ok(true)) {
                    self.renewed = Instant::now();
                }
                return held;
            }
            match self.flush_at {
                Some(at) => {
                    tokio::time::sleep_until(at.into()).await;
                    self.start();
                }
                None => std::future::pending::<()>().await,
            }
        }
    }

    /// Waits until every attempt pushed is written; false if the endpoint is no longer drained
    /// here.
    async fn settle(&mut self) -> Result<bool, StoreError> {
        let mut held = true;
        if let Some(flushing) = self.flushing.take() {
            held &= flushing.await?;
        }
        if !self.batch.is_empty() {
            self.start();
            if let Some(flushing) = self.flushing.take() {
                held &= flushing.await?;
            }
        }
        if held {
            self.renewed = Instant::now();
        }
        Ok(held)
    }
}

#[cfg(test)]
mod tests {
    use crate::queue::Due;
    use chrono::{DateTime, Utc};

    use super::*;

    fn queued(position: i64, settings_at: DateTime<Utc>) -> Queued {
        Queued {
            work: Work {
                due: Due {
                    id: format!("dlv_{position}"),
                    event_id: format!("evt_{position}"),
                    position,
                    attempts: 0,
                    replayed: false,
                    event: None,
                },
                body: None,
            },
            settings_at,
        }
    }

    fn target(updated_at: DateTime<Utc>) -> Target {
        Target {
            url: "http://example.com/hook".into(),
            rate_limit_per_s: None,
            secret: "whsec_x".into(),
            previous_secret: None,
            updated_at,
        }
    }

    #[test]
    fn hand_overs_the_last_read_returned_are_skipped() {
        let at = Utc::now();
        let mut taken_through = 10;
        let mut work = Vec::new();
        // 9 and 10 were committed before the drain's last read, which returned them.
        let stale = take_new(
            vec![
                queued(9, at),
                queued(10, at),
                queued(11, at),
                queued(12, at),
            ],
            &mut taken_through,
            &target(at),
            &mut work,
        );
        let positions: Vec<i64> = work.iter().map(|w| w.due.position).collect();
        assert_eq!(positions, [11, 12]);
        assert_eq!(taken_through, 12);
        assert!(!stale);
        // A later hand-over of the same positions (another batch overlapping) is not sent twice.
        let stale = take_new(
            vec![queued(12, at), queued(13, at)],
            &mut taken_through,
            &target(at),
            &mut work,
        );
        assert_eq!(work.len(), 3);
        assert!(!stale);
    }

    #[test]
    fn a_hand_over_with_newer_settings_says_so() {
        let old = Utc::now() - chrono::Duration::seconds(5);
        let mut taken_through = 0;
        let mut work = Vec::new();
        assert!(take_new(
            vec![queued(1, old), queued(2, Utc::now())],
            &mut taken_through,
            &target(old),
            &mut work,
        ));
        // Newer settings on a hand-over that was read already do not count: it is not sent.
        let mut work = Vec::new();
        assert!(!take_new(
            vec![queued(2, Utc::now())],
            &mut taken_through,
            &target(old),
            &mut work,
        ));
    }
}
