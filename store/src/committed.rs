//! Hands the positions and ids of just-committed events back to the command that wrote them.
//!
//! cqrs-es's `execute` returns `()`, yet every command response must carry the position of its
//! last event. The repository's `persist` runs inside the command's own task, so it reports what
//! it committed through a task-local slot that `capture` sets up around the command.

use std::sync::{Arc, Mutex};

use serde_json::Value;

/// One event as it was committed.
#[derive(Debug, Clone, PartialEq)]
pub struct Committed {
    pub position: i64,
    pub event_id: String,
    pub aggregate_type: String,
    pub aggregate_id: String,
    pub sequence: i64,
    pub event_type: String,
    pub payload: Value,
}

tokio::task_local! {
    static SLOT: Arc<Mutex<Vec<Committed>>>;
}

/// Runs `fut` and returns its output with every event committed inside it, in order.
pub async fn capture<F: std::future::Future>(fut: F) -> (F::Output, Vec<Committed>) {
    let slot = Arc::new(Mutex::new(Vec::new()));
    let out = SLOT.scope(slot.clone(), fut).await;
    let committed = std::mem::take(&mut *slot.lock().unwrap_or_else(|p| p.into_inner()));
    (out, committed)
}

/// Called by the repository after a commit; a no-op outside `capture`.
pub(crate) fn record(events: Vec<Committed>) {
    let _ = SLOT.try_with(|slot| {
        slot.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(events)
    });
}
