//! A real Kafka-protocol broker for tests: tansu (`scripts/ensure-tansu.sh` installs it, and the
//! test command passes its path in `ROSTER_TANSU`) on a free loopback port, with in-memory
//! storage. A broker started again on the same port is a broker that lost its data; one paused
//! with SIGSTOP and resumed is the same broker back.

use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where the test command put tansu (else it is looked up on the PATH).
const PROGRAM_ENV: &str = "ROSTER_TANSU";

pub struct Broker {
    child: Child,
    port: u16,
}

impl Broker {
    /// A broker on a free loopback port.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        Self::start_on(port)
    }

    /// A broker on `port` (a fresh one: in-memory storage starts empty).
    pub fn start_on(port: u16) -> Self {
        let program = std::env::var(PROGRAM_ENV).unwrap_or_else(|_| "tansu".into());
        let url = format!("tcp://127.0.0.1:{port}");
        let child = Command::new(&program)
            .args(["broker", "--listener-url", &url])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", "memory://tansu/"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {program} ({e}): run the suite with scripts/test.sh, which \
                     installs tansu, or set {PROGRAM_ENV}"
                )
            });
        let mut broker = Self { child, port };
        broker.wait_listening();
        broker
    }

    fn wait_listening(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("tansu exited at start: {status}");
            }
            assert!(
                Instant::now() < deadline,
                "tansu did not listen within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `127.0.0.1:<port>`, for `bootstrap.servers`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Freezes the broker (SIGSTOP): it keeps its data, and answers nothing until resumed.
    pub fn pause(&self) {
        self.signal(libc::SIGSTOP);
    }

    pub fn resume(&self) {
        self.signal(libc::SIGCONT);
    }

    fn signal(&self, signal: i32) {
        // SAFETY: kill(2) on our own child's pid.
        let done = unsafe { libc::kill(self.child.id() as i32, signal) };
        assert_eq!(done, 0, "cannot signal tansu");
    }

    /// Stops the broker for good (its data is gone with it).
    pub fn stop(self) {
        drop(self);
    }

    fn kill(&mut self) {
        // A paused process is killed all the same; a resumed one dies at once.
        // SAFETY: kill(2) on our own child's pid, not yet reaped.
        let _ = unsafe { libc::kill(self.child.id() as i32, libc::SIGCONT) };
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            self.kill();
        }
    }
}
