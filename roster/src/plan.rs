//! `roster plan -f org.yaml`: what a document would change, read against the store as the
//! projector has it (caught up first), printed as a readable list or as JSON, optionally saved
//! for `roster apply`. Changes nothing.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

use command_service::app::apply::{self, Action, Plan};
use command_service::app::AppError;
use declarative::{Format, ReadError};
use sqlx::PgPool;

use crate::cli::{PlanArgs, PlanOutput};

/// Why `roster plan` could not answer, or what it found.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    Database(#[from] crate::database::DatabaseError),
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error("{file}: {reason}")]
    File { file: String, reason: String },
    /// The document, or what it asks of the store, has problems: each on its own line.
    #[error("{0}")]
    Document(String),
    #[error("{0}")]
    Output(String),
    /// The plan would change something (exit code 2).
    #[error("changes to make")]
    Changes,
}

/// How long planning waits for the read models to reach the end of the log.
const CATCH_UP: Duration = Duration::from_secs(120);

pub async fn run(args: PlanArgs) -> Result<(), PlanError> {
    let (name, document, sha256) = read_document(&args.file)?;
    let options = apply::Options {
        create_missing_roles: args.create_missing_roles,
    };
    let plan = crate::database::tool(&args.database, |pool| async move {
        caught_up(&pool).await?;
        apply::plan(&pool, projector::CONSUMER, &document, sha256, &options)
            .await
            .map_err(|e| refused(&name, e))
    })
    .await?;
    if let Some(out) = &args.out {
        let json =
            serde_json::to_vec_pretty(&plan).map_err(|e| PlanError::Output(e.to_string()))?;
        std::fs::write(out, json).map_err(|e| PlanError::File {
            file: out.display().to_string(),
            reason: e.to_string(),
        })?;
    }
    let text = match args.output {
        PlanOutput::Json => {
            serde_json::to_string_pretty(&plan).map_err(|e| PlanError::Output(e.to_string()))?
        }
        PlanOutput::Text => readable(&plan, colours()),
    };
    let mut stdout = std::io::stdout().lock();
    // A reader that went away (`| head`) is not an error of the plan's.
    let _ = writeln!(stdout, "{text}");
    if plan.is_empty() {
        Ok(())
    } else {
        Err(PlanError::Changes)
    }
}

/// The file's bytes, at most what a document may be (a larger file, or a device that never ends,
/// is refused without reading it all).
fn read_file(path: &Path) -> Result<Vec<u8>, PlanError> {
    let failed = |reason: String| PlanError::File {
        file: path.display().to_string(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(|e| failed(e.to_string()))?;
    let mut bytes = Vec::new();
    let limit = declarative::read::MAX_BYTES as u64 + 1;
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| failed(e.to_string()))?;
    if bytes.len() > declarative::read::MAX_BYTES {
        return Err(failed(format!(
            "larger than {} bytes, the most a document may be",
            declarative::read::MAX_BYTES
        )));
    }
    Ok(bytes)
}

/// A document file: its name, what it says, and the SHA-256 of its bytes.
fn read_document(path: &Path) -> Result<(String, declarative::Document, String), PlanError> {
    let name = path.display().to_string();
    let bytes = read_file(path)?;
    let document = declarative::read(&bytes, Format::of(Some(&name), &bytes))
        .map_err(|e| document_error(&name, e))?;
    Ok((name, document, declarative::sha256(&bytes)))
}

fn document_error(file: &str, e: ReadError) -> PlanError {
    match e {
        ReadError::Invalid(problems) => PlanError::Document(
            (problems.iter())
                .map(|p| format!("{file}: {p}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => PlanError::File {
            file: file.to_owned(),
            reason: other.to_string(),
        },
    }
}

fn refused(file: &str, e: AppError) -> PlanError {
    match e {
        AppError::Refused(refusals) => PlanError::Document(
            (refusals.iter())
                .map(|r| format!("{file}: {r}"))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        other => PlanError::Document(other.to_string()),
    }
}

/// Waits until the projector has applied the whole log, helping it along: when no `roster serve`
/// runs one, this process's projector does the work (the one active instance takes it).
pub(crate) async fn caught_up(pool: &PgPool) -> Result<(), PlanError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    let helper = tokio::spawn(projector::Projector::new(pool.clone()).run());
    let mut applied =
        store::checkpoints::watch(pool.clone(), projector::CONSUMER, Duration::from_millis(50));
    let reached = tokio::time::timeout(CATCH_UP, applied.wait_for(|p| *p >= head)).await;
    drop(helper); // detached: it stops when the pool closes
    match reached {
        Ok(Ok(_)) => Ok(()),
        _ => Err(PlanError::Document(format!(
            "the read models did not reach the end of the log (position {head}) within {}s",
            CATCH_UP.as_secs()
        ))),
    }
}

/// ANSI colours for create / update, when standard output is a terminal and NO_COLOR is unset.
fn colours() -> Option<(&'static str, &'static str, &'static str)> {
    let wanted = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    wanted.then_some(("\x1b[32m", "\x1b[33m", "\x1b[0m"))
}

/// The plan as a diff-like list: per organization, `+` create and `~` update, each field with its
/// old and new value; a summary line last.
pub fn readable(plan: &Plan, colours: Option<(&str, &str, &str)>) -> String {
    let (green, yellow, reset) = colours.unwrap_or(("", "", ""));
    let mut out = format!(
        "Plan at log position {} (source `{}`, document sha256 {})\n",
        plan.position,
        plan.source,
        &plan.document_sha256[..12.min(plan.document_sha256.len())]
    );
    for org in &plan.organizations {
        let id = org.id.as_deref().unwrap_or("new");
        out.push_str(&format!("\norganization {} ({id})\n", org.external_id));
        if org.changes.is_empty() {
            out.push_str("  no changes\n");
        }
        for change in &org.changes {
            let (sign, colour) = match change.action {
                Action::Create => ("+", green),
                Action::Update => ("~", yellow),
            };
            let kind = change.object.label();
            let id = change
                .id
                .as_deref()
                .map(|i| format!(" ({i})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {colour}{sign} {kind} {}{id}{reset}\n",
                change.key
            ));
            for field in &change.fields {
                let line = match change.action {
                    Action::Create => format!("{}: {}", field.field, field.new),
                    Action::Update => format!("{}: {} → {}", field.field, field.old, field.new),
                };
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    let (create, update) = plan.counts();
    out.push_str(&match create + update {
        0 => "\nNo changes: the store already matches the document.".to_owned(),
        _ => format!("\n{create} to create, {update} to update."),
    });
    out
}

/// `roster apply`: a saved plan, or a document planned here, carried out organization by
/// organization.
pub async fn apply(args: crate::cli::ApplyArgs) -> Result<(), PlanError> {
    let (document, saved) = match (&args.file, &args.plan) {
        (Some(file), _) => (Some(read_document(file)?), None),
        (None, Some(plan)) => {
            let name = plan.display().to_string();
            let bytes = read_file(plan)?;
            let saved: Plan = serde_json::from_slice(&bytes).map_err(|e| PlanError::File {
                file: name.clone(),
                reason: format!("not a plan: {e}"),
            })?;
            if saved.object != "plan" {
                return Err(PlanError::File {
                    file: name,
                    reason: "not a plan (`object` is not `plan`)".into(),
                });
            }
            (None, Some(saved))
        }
        (None, None) => {
            return Err(PlanError::Document(
                "give a plan file or -f <document>".into(),
            ))
        }
    };
    let options = apply::Options {
        create_missing_roles: args.create_missing_roles,
    };
    let started = std::time::Instant::now();
    let (plan, outcomes) = crate::database::tool(&args.database, |pool| async move {
        let plan = match (saved, document) {
            (Some(plan), _) => plan,
            (None, Some((name, document, sha256))) => {
                caught_up(&pool).await?;
                apply::plan(&pool, projector::CONSUMER, &document, sha256, &options)
                    .await
                    .map_err(|e| refused(&name, e))?
            }
            (None, None) => return Err(PlanError::Document("nothing to apply".into())),
        };
        let state = command_service::CommandState::new(store::EventRepository::new(pool.clone()));
        let ctx = domain::RequestContext {
            actor: domain::Actor {
                kind: "system".into(),
                id: Some("apply".into()),
            },
            request_id: format!("apply_{}", ulid::Ulid::new()),
            limited_to: None,
            document: None,
        };
        let outcomes = apply::execute::apply(&state, &ctx, &plan).await;
        Ok::<_, PlanError>((plan, outcomes))
    })
    .await?;
    let mut out = std::io::stdout().lock();
    let mut refused_parts = Vec::new();
    let mut events = 0;
    for outcome in &outcomes {
        let id = outcome.id.as_deref().unwrap_or("new");
        match &outcome.result {
            Ok(done) => {
                events += done.events;
                let _ = writeln!(
                    out,
                    "organization {} ({id}): {} events",
                    outcome.external_id, done.events
                );
                for (email, token) in &done.tokens {
                    let _ = writeln!(
                        out,
                        "  invitation {email}: accept token {token} (shown this once)"
                    );
                }
            }
            Err(e) => {
                let reasons = match e {
                    AppError::Refused(refusals) => (refusals.iter())
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("; "),
                    other => other.to_string(),
                };
                let _ = writeln!(
                    out,
                    "organization {} ({id}): refused, nothing applied: {reasons}",
                    outcome.external_id
                );
                refused_parts.push(outcome.external_id.clone());
            }
        }
    }
    let _ = writeln!(
        out,
        "{} of {} organizations applied, {events} events appended in {:.1}s.",
        outcomes.len() - refused_parts.len(),
        outcomes.len(),
        started.elapsed().as_secs_f64()
    );
    let applied: Vec<&apply::OrganizationPlan> = (plan.organizations.iter())
        .filter(|o| !refused_parts.contains(&o.external_id))
        .collect();
    let _ = writeln!(out, "{}", summary(&applied));
    if refused_parts.is_empty() {
        Ok(())
    } else {
        Err(PlanError::Document(format!(
            "refused: {} (plan again and apply the new plan)",
            refused_parts.join(", ")
        )))
    }
}

/// Created and updated objects per kind, e.g. `created: 1 organization, 12 members; updated: 2
/// roles`.
fn summary(organizations: &[&apply::OrganizationPlan]) -> String {
    let mut counts: Vec<(Action, &'static str, usize)> = Vec::new();
    for change in organizations.iter().flat_map(|o| &o.changes) {
        let kind = change.object.label();
        match counts
            .iter_mut()
            .find(|(a, k, _)| *a == change.action && *k == kind)
        {
            Some((_, _, n)) => *n += 1,
            None => counts.push((change.action, kind, 1)),
        }
    }
    let list = |action: Action| {
        let parts: Vec<String> = (counts.iter())
            .filter(|(a, _, _)| *a == action)
            .map(|(_, kind, n)| format!("{n} {kind}{}", if *n == 1 { "" } else { "s" }))
            .collect();
        if parts.is_empty() {
            "nothing".to_owned()
        } else {
            parts.join(", ")
        }
    };
    format!(
        "created: {}; updated: {}",
        list(Action::Create),
        list(Action::Update)
    )
}
