//! The embedded server kept running. A roster that starts its own database also brings it back
//! when it stops by itself (killed, crashed, out of memory): with back-off, on the same data
//! directory and port, saying so in the log and in `/metrics`. Every pool, listener and consumer
//! lock of roster then reconnects to it as to any restarted server.

use backon::{BackoffBuilder, ExponentialBuilder};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::{Binaries, EmbeddedError, Options, PostgresServer};

/// How often the watcher looks whether the server still runs.
const WATCH_EVERY: Duration = Duration::from_millis(250);
/// Back-off between restart attempts: from the first to the last, doubling.
const FIRST_RETRY: Duration = Duration::from_millis(200);
const LAST_RETRY: Duration = Duration::from_secs(5);

/// A server and the thread that restarts it.
pub struct Supervised {
    current: Mutex<Arc<PostgresServer>>,
    /// Set by `stop`, which wakes the watcher so that it ends at once.
    stopping: Mutex<bool>,
    wake: Condvar,
    watcher: Mutex<Option<JoinHandle<()>>>,
}

impl Supervised {
    /// Starts the server (`PostgresServer::start`) and its watcher. Blocking.
    pub fn start(bins: &Binaries, options: &Options) -> Result<Arc<Self>, EmbeddedError> {
        let server = PostgresServer::start(bins, options)?;
        // Restarts take the same port: every URL handed out stays right.
        let mut options = options.clone();
        options.port = Some(server.port());
        let supervised = Arc::new(Self {
            current: Mutex::new(Arc::new(server)),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
            watcher: Mutex::new(None),
        });
        meters::meters().embedded_postgres_up.set(1);
        let watcher = std::thread::Builder::new()
            .name("postgres-watcher".into())
            .spawn({
                let supervised = Arc::downgrade(&supervised);
                let bins = bins.clone();
                move || {
                    while let Some(s) = supervised.upgrade() {
                        if !s.watch_once(&bins, &options) {
                            return;
                        }
                    }
                }
            })
            .map_err(super::io_err("starting the postgres watcher thread"))?;
        *supervised.watcher.lock().unwrap_or_else(|e| e.into_inner()) = Some(watcher);
        Ok(supervised)
    }

    /// The server running now.
    pub fn server(&self) -> Arc<PostgresServer> {
        self.current
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn stopping(&self) -> std::sync::MutexGuard<'_, bool> {
        self.stopping.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits up to `limit`; false if `stop` was called.
    fn pause(&self, limit: Duration) -> bool {
        let stopping = self.stopping();
        let (stopping, _) = self
            .wake
            .wait_timeout_while(stopping, limit, |stopping| !*stopping)
            .unwrap_or_else(|e| e.into_inner());
        !*stopping
    }

    /// One look (and a restart if the server is gone); false when it is time to end.
    fn watch_once(&self, bins: &Binaries, options: &Options) -> bool {
        if !self.pause(WATCH_EVERY) {
            return false;
        }
        let server = self.server();
        let Some(status) = server.try_exit_status() else {
            return true;
        };
        let m = meters::meters();
        m.embedded_postgres_up.set(0);
        tracing::warn!(
            status = %status,
            log = %server.log_path().display(),
            "the embedded Postgres stopped by itself; restarting it"
        );
        let mut pauses = ExponentialBuilder::default()
            .with_min_delay(FIRST_RETRY)
            .with_max_delay(LAST_RETRY)
            .without_max_times()
            .build();
        loop {
            match PostgresServer::start(bins, options) {
                Ok(restarted) => {
                    *self.current.lock().unwrap_or_else(|e| e.into_inner()) = Arc::new(restarted);
                    m.embedded_postgres_restarts.inc();
                    m.embedded_postgres_up.set(1);
                    tracing::info!(port = server.port(), "the embedded Postgres is back");
                    // Stopped meanwhile: the new server goes too.
                    if *self.stopping() {
                        self.server().stop();
                        return false;
                    }
                    return true;
                }
                Err(e) => {
                    let delay = pauses.next().unwrap_or(LAST_RETRY);
                    tracing::warn!(error = %e, retry_in = ?delay, "cannot restart the embedded Postgres yet");
                    if !self.pause(delay) {
                        return false;
                    }
                }
            }
        }
    }

    /// Ends the watcher, then stops the server cleanly. Idempotent. Blocking.
    pub fn stop(&self) {
        *self.stopping() = true;
        self.wake.notify_all();
        let watcher = self
            .watcher
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(watcher) = watcher {
            // The watcher itself may hold the last reference and end up here: never join oneself.
            if watcher.thread().id() != std::thread::current().id() {
                let _ = watcher.join();
            }
        }
        self.server().stop();
        meters::meters().embedded_postgres_up.set(0);
    }
}

impl Drop for Supervised {
    fn drop(&mut self) {
        self.stop();
    }
}
