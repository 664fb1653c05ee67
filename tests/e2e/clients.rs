//! The typed clients in `clients/` (docs/clients.md): regenerated from this build's OpenAPI
//! document, they are what is committed (the document and the clients never drift); and each
//! runs its scenario against a live `roster serve`.

use std::process::{Command, Stdio};

use crate::support::{listening_url, TestApp};

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// Where `scripts/test.sh` put the client's virtualenv python (`scripts/ensure-clients.sh`).
const PYTHON_ENV: &str = "ROSTER_CLIENT_PYTHON";

/// `roster serve`, the whole system, on the test's database.
struct Served {
    child: std::process::Child,
    url: String,
}

impl Served {
    fn start(app: &TestApp) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_roster"))
            .arg("serve")
            .env("DATABASE_URL", &app.db.url)
            .env("ROSTER_SECRET_KEY", crate::support::SECRET_KEY)
            .env("ROSTER_LISTEN", "127.0.0.1:0")
            .env("RUST_LOG", "info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let url = listening_url(child.stderr.take().unwrap());
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(command: &mut Command) -> String {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{command:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn the_committed_clients_are_what_the_document_generates() {
    run(Command::new("bash")
        .arg(format!("{ROOT}/scripts/generate-clients.sh"))
        .arg("--check")
        .env("ROSTER_BIN", env!("CARGO_BIN_EXE_roster")));
}

#[tokio::test]
async fn the_python_client_runs_its_scenario_against_roster_serve() {
    let app = TestApp::spawn().await;
    let python = std::env::var(PYTHON_ENV).unwrap_or_else(|_| {
        panic!("run the suite with scripts/test.sh, which makes the client's virtualenv, or set {PYTHON_ENV}")
    });
    let served = Served::start(&app);
    let out = run(Command::new(python)
        .arg(format!("{ROOT}/clients/python/tests/scenario.py"))
        .args([&served.url, &app.admin_key]));
    assert!(
        out.contains("python client: 3 group members over 2 pages"),
        "{out}"
    );
}
