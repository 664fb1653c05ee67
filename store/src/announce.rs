//! Tells the feed's listeners that events were committed, after the commit and outside it.
//!
//! Why not `NOTIFY` in the commit itself: a transaction that notifies takes a database-wide lock
//! at commit and holds it through its WAL flush, so writers that notify commit one at a time.
//! Here one `pg_notify` in its own statement (no xid, no flush) stands for every commit made
//! while the previous one was on its way: under load, a handful a second, not one per command.
//! Listeners also poll, so a lost announcement only delays them.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use sqlx::PgPool;

use crate::feed::CHANNEL;

/// One database's announcer: whether one is on its way, and whether another is due after it.
#[derive(Default)]
struct State {
    sending: AtomicBool,
    due: AtomicBool,
}

/// Announces commits to `pool`'s database; returns at once (the notification is sent by a task).
pub fn announce(pool: &PgPool) {
    let state = state_of(pool);
    state.due.store(true, Ordering::Release);
    if state.sending.swap(true, Ordering::AcqRel) {
        return; // the sender on its way sends once more for this one
    }
    let pool = pool.clone();
    // Made before the task, so that even a task dropped before it ever ran lets go.
    let mut sender = Sender { state, holds: true };
    tokio::spawn(async move {
        loop {
            while sender.state.due.swap(false, Ordering::AcqRel) {
                if let Err(e) = sqlx::query("SELECT pg_notify($1, '')")
                    .bind(CHANNEL)
                    .execute(&pool)
                    .await
                {
                    tracing::debug!(error = %e, "announcing new events failed; listeners will poll");
                }
            }
            sender.release();
            // Due again between the last send and the flag: send, unless another task took over.
            let state = &sender.state;
            if !state.due.load(Ordering::Acquire) || state.sending.swap(true, Ordering::AcqRel) {
                return;
            }
            sender.holds = true;
        }
    });
}

/// The one sender's hold on `sending`, let go however the sender ends: done, or dropped
/// mid-send with the runtime it ran on (an actix worker's, stopped or restarted). A flag left
/// set would silence every later announcement of this process for good.
struct Sender {
    state: Arc<State>,
    /// Whether this task is the one sender (it set `sending`).
    holds: bool,
}

impl Sender {
    fn release(&mut self) {
        if std::mem::take(&mut self.holds) {
            self.state.sending.store(false, Ordering::Release);
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.release();
    }
}

/// The state of the database `pool` connects to (one per host, port and database name).
fn state_of(pool: &PgPool) -> Arc<State> {
    type Database = (String, u16, String);
    static STATES: OnceLock<Mutex<HashMap<Database, Arc<State>>>> = OnceLock::new();
    let options = pool.connect_options();
    let key = (
        options.get_host().to_owned(),
        options.get_port(),
        options.get_database().unwrap_or_default().to_owned(),
    );
    let mut states = STATES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    states.entry(key).or_default().clone()
}
