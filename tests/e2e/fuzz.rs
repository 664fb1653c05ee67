//! An external API fuzzer against the live app: schemathesis (pinned in `scripts/test.sh`) reads
//! `/openapi.json` and sends what it generates from it, with an admin key: examples, boundary
//! values and malformed inputs per operation, random inputs, and chains of calls that reuse the
//! ids earlier answers returned. Every answer must be documented: no 5xx, no status the
//! operation does not list, no body that breaks its schema, no other media type.

use std::io::Write;

use crate::support::TestApp;

/// Where `scripts/test.sh` put the pinned schemathesis (else it is looked up on the PATH).
const PROGRAM_ENV: &str = "ROSTER_SCHEMATHESIS";

/// The fuzzer's configuration: the checks it runs and the exceptions, each with its reason.
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/e2e/fuzz.toml");
/// The rules the API states in words, not in schemas (see the file).
const HOOKS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/e2e/fuzz_hooks.py");

#[tokio::test]
async fn an_api_fuzzer_gets_only_documented_answers() {
    let app = TestApp::with_projector().await;
    let program = std::env::var(PROGRAM_ENV).unwrap_or_else(|_| "schemathesis".into());
    // A fixed seed keeps CI repeatable; set ROSTER_FUZZ_SEED to explore elsewhere.
    let seed = std::env::var("ROSTER_FUZZ_SEED").unwrap_or_else(|_| "20261130".into());
    let examples = std::env::var("ROSTER_FUZZ_EXAMPLES").unwrap_or_else(|_| "25".into());
    let output = tokio::process::Command::new(&program)
        // Every check is on; tests/e2e/fuzz.toml names each exception and why.
        .args([
            "--no-color",
            "--config-file",
            CONFIG,
            "run",
            &app.url("/openapi.json"),
        ])
        .args([
            "--header",
            &format!("Authorization: Bearer {}", app.admin_key),
        ])
        // Revoking keys is covered by the access tests; here it could revoke the fuzzer's own.
        .args(["--exclude-operation-id", "deleteApiKeysId"])
        .args(["--max-examples", &examples, "--seed", &seed])
        // One worker: CPython 3.11's parser is not safe for hypothesis's threads.
        .args(["--workers", "1"])
        .env("SCHEMATHESIS_HOOKS", HOOKS)
        // Its cache and reports go to cargo's scratch space, not the source tree.
        .current_dir(env!("CARGO_TARGET_TMPDIR"))
        .output()
        .await
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {program} ({e}): run the suite with scripts/test.sh, which installs \
                 the pinned schemathesis, or set {PROGRAM_ENV}"
            )
        });
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The last 20,000 bytes, from the first character boundary in them (a byte offset into
    // lossily decoded text may fall inside a character).
    let tail = |s: &str| {
        let limit = std::env::var("ROSTER_FUZZ_TAIL")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20_000);
        let mut start = s.len().saturating_sub(limit);
        while !s.is_char_boundary(start) {
            start += 1;
        }
        s[start..].to_owned()
    };
    assert!(
        output.status.success(),
        "schemathesis found problems (seed {seed}):\n{}\n{}",
        tail(&stdout),
        tail(&String::from_utf8_lossy(&output.stderr))
    );
    // "Test cases: N generated, N passed": how much it tried, shown even when the test passes.
    let cases = stdout
        .lines()
        .find(|l| l.contains(" generated, "))
        .unwrap_or_else(|| panic!("no case count in:\n{}", tail(&stdout)))
        .trim()
        .to_owned();
    assert!(
        !cases.starts_with("0 generated"),
        "schemathesis generated nothing:\n{stdout}"
    );
    let _ = writeln!(std::io::stderr(), "schemathesis (seed {seed}): {cases}");
}
