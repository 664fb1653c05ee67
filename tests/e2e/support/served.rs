//! The real `roster` binary as a child process: started with a command line and environment,
//! its log and standard output read as they come, waited for, signalled, and killed if a test
//! fails while it runs.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

pub const BIN: &str = env!("CARGO_BIN_EXE_roster");

/// Lets roster pick a free port itself: tests read the bound address from its log, so no other
/// process (its own Postgres included) can take the port in between.
pub const ANY_PORT: &str = "127.0.0.1:0";

pub fn is_root() -> bool {
    // SAFETY: no preconditions.
    unsafe { libc::geteuid() == 0 }
}

/// A temp dir; when `for_postgres_user`, owned by the `postgres` user so it can run roster there.
pub fn temp_dir(for_postgres_user: bool) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("roster-cli-{}", ulid::Ulid::new()));
    std::fs::create_dir_all(&dir).unwrap();
    if for_postgres_user {
        let status = Command::new("chown")
            .args(["postgres:postgres"])
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success());
    }
    dir
}

pub fn roster(args: &[&str]) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.args(args)
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "info");
    cmd
}

/// `roster serve` on the embedded Postgres in `data_dir`.
pub fn serve_on(data_dir: &Path) -> Command {
    let mut cmd = roster(&["serve"]);
    cmd.env("ROSTER_DATA_DIR", data_dir);
    cmd
}

pub struct Served {
    pub child: Child,
    /// `http://127.0.0.1:<port>`, known once roster logged where it listens (see `ready`).
    pub base: String,
    /// roster's log lines, read from its stderr as they come.
    pub log: std::sync::mpsc::Receiver<String>,
    /// The lines read so far.
    pub seen: Vec<String>,
    /// roster's standard output (where a first start prints its admin key), as it comes.
    pub out: std::sync::mpsc::Receiver<String>,
    pub out_seen: Vec<String>,
    /// The API key requests are made with.
    pub key: Option<String>,
}

impl Served {
    pub fn start(mut cmd: Command) -> Self {
        let child = cmd
            .env("ROSTER_LISTEN", ANY_PORT)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut child = child;
        let log = lines_of(child.stderr.take().unwrap());
        let out = lines_of(child.stdout.take().unwrap());
        Self {
            child,
            base: String::new(),
            log,
            seen: Vec::new(),
            out,
            out_seen: Vec::new(),
            key: None,
        }
    }

    /// The admin key a first start on a fresh embedded database prints (and keeps it for
    /// `create`).
    pub fn printed_key(&mut self) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(line) = self
                .out_seen
                .iter()
                .find(|l| l.trim().starts_with("rk_live_"))
            {
                let key = line.trim().to_owned();
                self.key = Some(key.clone());
                return key;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => self.out_seen.push(line),
                Err(_) => panic!(
                    "roster printed no key; its output:\n{}\nits log:\n{}",
                    self.out_seen.join("\n"),
                    self.drain_log()
                ),
            }
        }
    }

    /// Waits (bounded) until roster has printed a line containing `words` on standard output,
    /// and returns that line: the reader thread may still be behind the printed key.
    pub fn await_out(&mut self, words: &str, within: Duration) -> String {
        let deadline = Instant::now() + within;
        loop {
            if let Some(line) = self.out_seen.iter().find(|l| l.contains(words)) {
                return line.clone();
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self.out.recv_timeout(left) {
                Ok(line) => self.out_seen.push(line),
                Err(_) => panic!(
                    "roster never printed {words:?}; its output:\n{}",
                    self.out_seen.join("\n")
                ),
            }
        }
    }

    /// Everything roster printed on standard output so far.
    pub fn drain_out(&mut self) -> String {
        self.out_seen.extend(self.out.try_iter());
        self.out_seen.join("\n")
    }

    /// Kills roster if a failed assertion left it running, so no test leaves a server behind.
    pub fn kill_if_running(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }

    /// Everything roster logged so far.
    pub fn drain_log(&mut self) -> String {
        self.seen.extend(self.log.try_iter());
        self.seen.join("\n")
    }

    /// Waits (bounded) for a log line containing every one of `words`, and returns it.
    pub fn await_log(&mut self, words: &[&str], within: Duration) -> String {
        let matches = |line: &String| words.iter().all(|w| line.contains(w));
        if let Some(line) = self.seen.iter().find(|l| matches(l)) {
            return line.clone();
        }
        let deadline = Instant::now() + within;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.log.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if matches(&line) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "roster never logged {words:?} (exit: {:?}); it said:\n{}",
                    self.child.try_wait(),
                    self.seen.join("\n")
                ),
            }
        }
    }

    /// Waits for /readyz to answer 200 (the first run includes initdb).
    pub async fn ready(&mut self) {
        if self.base.is_empty() {
            let line = self.await_log(&["listening", "http://"], Duration::from_secs(90));
            let at = line.find("http://").unwrap();
            let url: String = line[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || ".:/".contains(*c))
                .collect();
            self.base = url;
        }
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("roster exited early with {status}: {}", self.drain_log());
            }
            if let Ok(res) = client.get(format!("{}/readyz", self.base)).send().await {
                if res.status() == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "roster did not become ready");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    pub async fn create(&self, external_id: &str) -> u16 {
        reqwest::Client::new()
            .post(format!("{}/v1/organizations", self.base))
            .bearer_auth(self.key.as_deref().unwrap_or_default())
            .json(&json!({"name": "Acme", "external_id": external_id}))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    pub fn signal(&self, signal: i32) {
        // SAFETY: signalling our own child.
        unsafe { libc::kill(self.child.id() as i32, signal) };
    }

    /// Waits for exit (bounded) and returns whether it succeeded.
    pub fn wait(mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(Instant::now() < deadline, "roster did not stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits for roster to exit; whether it succeeded, and all it printed on standard output
    /// (read to the end of the pipe).
    pub fn finish(mut self) -> (bool, String) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "roster did not stop");
            std::thread::sleep(Duration::from_millis(50));
        };
        // The reader thread ends (and the channel closes) at the end of the pipe.
        while let Ok(line) = self
            .out
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.out_seen.push(line);
        }
        (status.success(), self.out_seen.join("\n"))
    }
}

/// A test that cannot run here (it needs root). A skip is a failure unless the run allows it
/// (`ROSTER_ALLOW_SKIPS=1`, which `scripts/test.sh` sets only when it is not run as root and
/// then names the skipped tests at the end), so a green run as root never hides one.
pub fn skipped(test: &str, why: &str) {
    use std::io::Write;
    if std::env::var("ROSTER_ALLOW_SKIPS").as_deref() != Ok("1") {
        panic!("{test} cannot run here ({why}); set ROSTER_ALLOW_SKIPS=1 to allow the skip");
    }
    let _ = writeln!(std::io::stderr(), "SKIPPED {test}: {why}");
}

/// The lines a child writes to `pipe`, as they come (read on a thread of their own, so the child
/// never blocks on a full pipe).
pub fn lines_of(pipe: impl std::io::Read + Send + 'static) -> std::sync::mpsc::Receiver<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(pipe).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill_if_running();
    }
}

pub fn postgres_user() -> (u32, u32) {
    // SAFETY: getpwnam returns null or a pointer to a static record, read at once.
    let pw = unsafe { libc::getpwnam(c"postgres".as_ptr()) };
    assert!(!pw.is_null(), "the postgres system user exists");
    unsafe { ((*pw).pw_uid, (*pw).pw_gid) }
}

pub fn postmaster_pid(data_dir: &Path) -> Option<i32> {
    let s = std::fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    s.lines().next()?.trim().parse().ok()
}

/// The state letter of `/proc/<pid>/stat` (`R`, `S`, `T` for stopped, `Z` …).
pub fn process_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit_once(") ")?.1.chars().next()
}

pub fn alive(pid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    unsafe { libc::kill(pid, 0) == 0 }
}

pub fn wait_gone(pid: i32) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while alive(pid) {
        if Instant::now() > deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    true
}

/// `roster serve` (with `args`) on the database at `url`, loopback receivers allowed.
pub fn serve_with_url(url: &str, args: &[&str]) -> Command {
    let mut cmd = roster(&[&["serve"], args].concat());
    cmd.env("DATABASE_URL", url)
        .env("ROSTER_LISTEN", ANY_PORT)
        .env("ROSTER_SECRET_KEY", super::SECRET_KEY)
        .env("ROSTER_WEBHOOK_ALLOW_CIDRS", "127.0.0.0/8");
    cmd
}

/// Runs `cmd` to its end and returns what it printed on standard output, failing the test (with
/// both its outputs) unless it exited 0.
pub fn succeeded(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{cmd:?} failed ({}):\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}
