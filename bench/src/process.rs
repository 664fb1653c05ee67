//! `roster serve` as a process of its own: the binary running the benchmarks, started with
//! `serve` on a database of the run. What the sections that measure the server apart from the
//! bench's clients start: its memory is its own, and several can share one database.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::task;
use crate::BenchError;

/// A running `roster serve`, killed when dropped.
pub(crate) struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Server {
    /// Starts `roster serve --only <only>` (everything when empty) on `database_url`, with
    /// `env` on top of the settings every bench server has (no rate limit in the way of the
    /// clients, loopback receivers allowed, the run's key for webhook secrets in `dir`), and
    /// waits until it is ready. Its log goes to `<dir>/<name>.log`.
    pub async fn start(
        dir: &Path,
        name: &str,
        database_url: &str,
        only: &[&str],
        env: &[(&str, String)],
    ) -> Result<Self, BenchError> {
        let key_file = dir.join("secret-key");
        webhook_dispatcher::sealing::Keyring::from_file_or_new(&key_file).map_err(task)?;
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(task)?
            .port();
        let log = dir.join(format!("{name}.log"));
        let out = std::fs::File::create(&log).map_err(task)?;
        let mut command = Command::new(std::env::current_exe().map_err(task)?);
        command.arg("serve");
        if !only.is_empty() {
            command.args(["--only", &only.join(",")]);
        }
        // Only what this start names: nothing inherited from the bench's own environment.
        for inherited in [
            "KAFKA_BROKERS",
            "ROSTER_ONLY",
            "ROSTER_SECRET_KEY",
            "ROSTER_LISTEN",
        ] {
            command.env_remove(inherited);
        }
        command
            .env("DATABASE_URL", database_url)
            .env("ROSTER_LISTEN", format!("127.0.0.1:{port}"))
            .env("ROSTER_SECRET_KEY_FILE", &key_file)
            .env("ROSTER_RATE_LIMIT", "1000000")
            .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8")
            .env("ROSTER_LOG_FORMAT", "json")
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(out.try_clone().map_err(task)?)
            .stderr(out);
        let child = command.spawn().map_err(task)?;
        let mut server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            log,
        };
        server.ready().await?;
        Ok(server)
    }

    /// Waits for `/readyz` to answer 200 (migrations done, the database reachable).
    async fn ready(&mut self) -> Result<(), BenchError> {
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(self.failed(&format!("exited ({status})")));
            }
            let ready = client
                .get(format!("{}/readyz", self.base))
                .timeout(Duration::from_secs(5))
                .send()
                .await;
            if matches!(&ready, Ok(r) if r.status().is_success()) {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(self.failed("not ready within 2 min"));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    fn failed(&self, what: &str) -> BenchError {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        task(format!(
            "roster serve {what}; {}:\n{}",
            self.log.display(),
            tail.join("\n")
        ))
    }

    /// Its process id, as `/proc` names it.
    pub fn pid(&self) -> String {
        self.child.id().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
