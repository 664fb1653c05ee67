//! `docker-compose.yml` runs what the binary accepts: every `serve` service's command, with its
//! environment, passes `--check` (flags and environment parsed, the Kafka relay's settings
//! validated, nothing connected); every other command (`migrate`) runs for real with its
//! environment against a fresh database; and every environment variable a service sets is one
//! roster reads.

use std::collections::BTreeSet;
use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

const BIN: &str = env!("CARGO_BIN_EXE_roster");

/// Variables roster reads outside its flags.
const OTHER_ENV: [&str; 1] = ["RUST_LOG"];

fn text(y: &Yaml) -> String {
    match y {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(i) => i.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

/// What `docker compose` makes of `${NAME:?message}` (a variable the operator must set): the
/// values this test sets for them, as an operator would.
fn interpolated(value: &str) -> String {
    let Some(name) = value
        .strip_prefix("${")
        .and_then(|v| v.split_once(":?"))
        .map(|(name, _)| name)
    else {
        return value.to_owned();
    };
    match name {
        "ROSTER_SECRET_KEY" => crate::support::SECRET_KEY.to_owned(),
        other => panic!("docker-compose.yml asks for {other}, which this test does not set"),
    }
}

#[tokio::test]
async fn every_compose_service_runs_a_command_the_binary_accepts() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docker-compose.yml");
    let compose = YamlLoader::load_from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let services = compose[0]["services"].as_hash().expect("services");
    let mut checked = BTreeSet::new();
    for (name, service) in services {
        let name = text(name);
        if service["build"].is_badvalue() {
            continue; // postgres, kafka: not ours
        }
        let command: Vec<String> = match service["command"].as_vec() {
            Some(words) => words.iter().map(text).collect(),
            None => vec!["serve".into()],
        };
        let env: Vec<(String, String)> = service["environment"]
            .as_hash()
            .map(|h| {
                h.iter()
                    .map(|(k, v)| (text(k), interpolated(&text(v))))
                    .collect()
            })
            .unwrap_or_default();

        // Every variable it sets is read: a flag's `[env: …]`, or one of OTHER_ENV.
        let subcommand = &command[0];
        let help = Command::new(BIN)
            .args([subcommand, "--help"])
            .output()
            .unwrap();
        let help = String::from_utf8_lossy(&help.stdout).into_owned();
        for (key, _) in &env {
            assert!(
                help.contains(&format!("[env: {key}")) || OTHER_ENV.contains(&key.as_str()),
                "{name}: roster {subcommand} does not read {key}"
            );
        }

        // The command with that environment parses and checks out (serve has --check); any
        // other runs for real, on a fresh database in place of the compose file's server.
        let mut run = Command::new(BIN);
        run.args(&command).env_clear().envs(env.iter().cloned());
        if subcommand == "serve" {
            run.arg("--check");
        } else {
            assert!(
                env.iter().any(|(k, _)| k == "DATABASE_URL"),
                "{name}: no DATABASE_URL"
            );
            run.env("DATABASE_URL", roster_testkit::fresh_db().await.url);
        }
        let out = run.output().unwrap();
        assert!(
            out.status.success(),
            "{name}: {command:?} is refused: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked.insert(name);
    }
    for expected in [
        "migrate",
        "command",
        "query",
        "projector",
        "workflows",
        "webhooks",
        "kafka-relay",
    ] {
        assert!(
            checked.contains(expected),
            "no {expected} service in docker-compose.yml"
        );
    }
}
