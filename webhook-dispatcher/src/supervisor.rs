//! Delivery: a supervisor finds endpoints with due deliveries that no dispatcher drains, and gives
//! each its own drain task (`drain.rs`). A slow or dead endpoint only ever occupies its own drain,
//! so it never delays the others.
//!
//! The queue in the database is the truth; what this module adds is how fast a drain hears of
//! new work. The fan-out of this process hands what it queued straight to the endpoint's drain
//! (its mailbox) once the batch commits, so a drain that is caught up sends without reading the
//! queue again. Other processes' fan-outs and replays notify `roster_webhooks`, which sends this
//! process's drains back to the queue.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::queue::{self as webhooks, Due, NewDelivery};
use chrono::{DateTime, Utc};
use sqlx::postgres::PgListener;
use sqlx::PgPool;
use store::{FeedEvent, StoreError};
use tokio::sync::{mpsc, watch, Notify};
use tokio::task::JoinSet;

use crate::config::DispatcherConfig;
use crate::drain::{Drain, Inbox, Lanes, Queued};
use crate::sender::{self, Sender, Work};
use crate::ssrf;

/// How long `stop` waits for the drains to log what they sent.
const STOP_WAIT: Duration = Duration::from_secs(5);

/// Handed-over batches a drain's mailbox holds; beyond that the drain reads the queue instead.
const MAILBOX: usize = 256;

/// The sending side of a drain's mailbox.
struct Mailbox {
    tx: mpsc::Sender<Vec<Queued>>,
    /// Set when a hand-over did not fit: the drain must read the queue.
    missed: Arc<AtomicBool>,
}

pub struct Deliverer {
    /// What its drains share: the database, the sender, the lease owner name, the signals.
    pub(crate) lanes: Lanes,
    /// The drain tasks, so that `stop` can end them.
    drains: Mutex<JoinSet<()>>,
    /// The endpoints this process drains, with their mailboxes.
    mailboxes: Mutex<HashMap<String, Mailbox>>,
    /// Wakes the supervisor: a drain ended, or work came for an endpoint with no drain here.
    wake: Notify,
}

impl Deliverer {
    pub fn new(pool: PgPool, config: Arc<DispatcherConfig>) -> Result<Arc<Self>, reqwest::Error> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // No proxy, whatever the environment says: through a proxy the guarded resolver
            // below would never see the target's addresses, and private ones would be reached.
            .no_proxy()
            .dns_resolver(Arc::new(ssrf::GuardedResolver(config.addresses.clone())))
            .connect_timeout(config.timeout)
            // Keep-alive for every drain: endpoints often share a host (one receiver behind
            // many endpoints), and an idle pool sized for one endpoint's sends made every other
            // drain open a new connection for each delivery.
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_nodelay(true)
            .build()?;
        Ok(Arc::new(Self {
            lanes: Lanes {
                pool,
                sender: Sender { client, config },
                owner: format!("drn_{}", ulid::Ulid::new()),
                poked: watch::channel(0).0,
                stopping: watch::channel(false).0,
            },
            drains: Mutex::new(JoinSet::new()),
            mailboxes: Mutex::new(HashMap::new()),
            wake: Notify::new(),
        }))
    }

    fn mailboxes(&self) -> std::sync::MutexGuard<'_, HashMap<String, Mailbox>> {
        self.mailboxes.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn drains(&self) -> std::sync::MutexGuard<'_, JoinSet<()>> {
        self.drains.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The supervisor and the queue listener; runs until the task is dropped.
    pub async fn run(self: Arc<Self>) {
        tokio::join!(self.clone().listen(), self.supervise());
    }

    async fn supervise(self: &Arc<Self>) {
        loop {
            if let Err(e) = self.start_drains().await {
                tracing::warn!(error = %e, "webhook delivery cannot read the queue; retrying");
            }
            let pause = match webhooks::next_due(&self.lanes.pool).await {
                Ok(Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().clamp(
                    Duration::from_millis(5),
                    self.lanes.sender.config.poll_interval,
                ),
                _ => self.lanes.sender.config.poll_interval,
            };
            tokio::select! {
                () = self.wake.notified() => {}
                () = tokio::time::sleep(pause) => {}
            }
        }
    }

    /// Follows `roster_webhooks` until the task is dropped: what another process queued sends
    /// the drains back to the queue (what this one's fan-out queued came through the mailboxes).
    async fn listen(self: Arc<Self>) {
        let mut backoff = store::Backoff::new(Duration::from_millis(100), Duration::from_secs(5));
        loop {
            match PgListener::connect_with(&self.lanes.pool).await {
                Ok(mut listener) => {
                    if listener.listen(webhooks::CHANNEL).await.is_ok() {
                        backoff.reset();
                        // Anything queued while nobody listened is read now.
                        self.poke();
                        // `try_recv`, not `recv`: a lost connection ends the loop (None), and
                        // the next connection reads the queue again, since notifications sent
                        // meanwhile are gone.
                        while let Ok(Some(n)) = listener.try_recv().await {
                            if n.payload() != self.lanes.owner {
                                self.poke();
                            }
                        }
                    }
                }
                Err(e) => tracing::warn!(error = %e, "cannot listen for queued webhook deliveries"),
            }
            backoff.wait().await;
        }
    }

    fn poke(&self) {
        self.lanes.poked.send_modify(|n| *n += 1);
        self.wake.notify_one();
    }

    /// Hands what the fan-out of this process just committed to the endpoints' drains, and
    /// wakes the supervisor for endpoints that have none here.
    pub(crate) fn handoff(
        &self,
        deliveries: Vec<NewDelivery>,
        settings_at: &HashMap<String, DateTime<Utc>>,
        events: &[FeedEvent],
    ) {
        if deliveries.is_empty() {
            return;
        }
        let events: HashMap<i64, &FeedEvent> = events.iter().map(|e| (e.position, e)).collect();
        // Each delivered event's body once, for every endpoint that receives it (events no
        // endpoint takes are not encoded).
        let mut bodies: HashMap<i64, sender::Body> = HashMap::new();
        let mut by_endpoint: HashMap<String, Vec<Queued>> = HashMap::new();
        for d in deliveries {
            let Some(settings_at) = settings_at.get(&d.endpoint_id).copied() else {
                continue;
            };
            by_endpoint.entry(d.endpoint_id).or_default().push(Queued {
                work: Work {
                    body: bodies
                        .entry(d.position)
                        .or_insert_with(|| sender::body(events.get(&d.position).copied()))
                        .clone(),
                    due: Due {
                        id: d.id,
                        event_id: d.event_id,
                        position: d.position,
                        attempts: 0,
                        replayed: false,
                        event: None,
                    },
                },
                settings_at,
            });
        }
        let mut undrained = false;
        {
            let mailboxes = self.mailboxes();
            for (endpoint, queued) in by_endpoint {
                match mailboxes.get(&endpoint) {
                    Some(mailbox) => {
                        if mailbox.tx.try_send(queued).is_err() {
                            mailbox.missed.store(true, Ordering::Release);
                        }
                    }
                    None => undrained = true,
                }
            }
        }
        if undrained {
            self.wake.notify_one();
        }
    }

    /// Ends every drain (the supervisor must be stopped first) and releases this dispatcher's
    /// drain leases. Drains log the attempts they finished first (within `STOP_WAIT`), so that
    /// a rolling restart sends again only what was cut short.
    pub async fn stop(&self) -> Result<(), StoreError> {
        self.lanes.stopping.send_replace(true);
        let mut drains = std::mem::take(&mut *self.drains());
        let _ = tokio::time::timeout(STOP_WAIT, async {
            while drains.join_next().await.is_some() {}
        })
        .await;
        drains.abort_all();
        while drains.join_next().await.is_some() {}
        webhooks::release_drains(&self.lanes.pool, &self.lanes.owner).await
    }

    async fn start_drains(self: &Arc<Self>) -> Result<(), StoreError> {
        // Forget the drains that have finished.
        while self.drains().try_join_next().is_some() {}
        for endpoint in webhooks::due_endpoints(&self.lanes.pool, 10_000).await? {
            let inbox = {
                let mut mailboxes = self.mailboxes();
                if mailboxes.contains_key(&endpoint) {
                    continue;
                }
                let (tx, rx) = mpsc::channel(MAILBOX);
                let missed = Arc::new(AtomicBool::new(false));
                mailboxes.insert(
                    endpoint.clone(),
                    Mailbox {
                        tx,
                        missed: missed.clone(),
                    },
                );
                Inbox { rx, missed }
            };
            let this = self.clone();
            self.drains().spawn(async move {
                let mut drain = Drain::new(&this.lanes, &endpoint, inbox);
                if let Err(e) = drain.run().await {
                    tracing::warn!(endpoint = %endpoint, error = %e, "webhook drain failed");
                }
                drop(drain);
                // From now on hand-overs for the endpoint wake the supervisor, which also looks
                // for work that came as the drain ended.
                this.mailboxes().remove(&endpoint);
                this.wake.notify_one();
            });
        }
        Ok(())
    }
}
