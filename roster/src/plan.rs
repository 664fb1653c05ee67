//! `roster plan -f org.yaml`: what a document would change, read against the store as the
//! projector has it (caught up first), printed as a readable list or as JSON, optionally saved
//! for `roster apply`. Changes nothing.

use std::io::{IsTerminal, Read, Write};
use std::path::Path;
use std::time::Duration;

use command_service::app::apply::execute::{Applied, PartStatus};
use command_service::app::apply::{self, Action, Plan};
use command_service::app::AppError;
use declarative::{Format, ReadError};
use domain::RequestContext;
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
    let options = args.planning.options();
    let plan = crate::database::tool(&args.database, |pool| async move {
        planned(&pool, &cli_context(), (&name, &document, sha256), &options).await
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
    let helper = tokio::spawn(projector::Projector::new(pool.clone()).run());
    let reached = apply::read_models_at_head(pool, projector::CONSUMER, CATCH_UP).await;
    drop(helper); // detached: it stops when the pool closes
    reached.map_err(|e| PlanError::Document(e.to_string()))
}

/// The plan of a document file (its name, what it says, its SHA-256), once the read models have
/// caught up; its problems each on a line naming the file.
async fn planned(
    pool: &PgPool,
    ctx: &RequestContext,
    (name, document, sha256): (&str, &declarative::Document, String),
    options: &apply::Options,
) -> Result<Plan, PlanError> {
    caught_up(pool).await?;
    apply::plan(pool, projector::CONSUMER, ctx, document, sha256, options)
        .await
        .map_err(|e| refused(name, e))
}

/// Who the CLI acts as without a key: `system:apply`, reaching every organization.
fn cli_context() -> RequestContext {
    RequestContext {
        actor: domain::Actor {
            kind: "system".into(),
            id: Some("apply".into()),
        },
        request_id: format!("apply_{}", ulid::Ulid::new()),
        limited_to: None,
        document: None,
    }
}

/// ANSI colours for create / update / remove, when standard output is a terminal and NO_COLOR
/// is unset.
fn colours() -> Option<Colours> {
    let wanted = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    wanted.then_some(Colours {
        create: "\x1b[32m",
        update: "\x1b[33m",
        remove: "\x1b[31m",
        reset: "\x1b[0m",
    })
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Colours {
    create: &'static str,
    update: &'static str,
    remove: &'static str,
    reset: &'static str,
}

/// The plan as a diff-like list: per organization, `-` remove (first), `+` create and `~` update,
/// each field with its old and new value; a summary line last.
pub fn readable(plan: &Plan, colours: Option<Colours>) -> String {
    let c = colours.unwrap_or_default();
    let reset = c.reset;
    let mut out = format!(
        "Plan at log position {} (source `{}`, document sha256 {})\n",
        plan.position,
        plan.source,
        &plan.document_sha256[..12.min(plan.document_sha256.len())]
    );
    let template = (!plan.role_templates.is_empty())
        .then(|| ("organization template".to_owned(), &plan.role_templates));
    let organizations = (plan.organizations.iter()).map(|org| {
        let id = org.id.as_deref().unwrap_or("new");
        (
            format!("organization {} ({id})", org.external_id),
            &org.changes,
        )
    });
    for (heading, changes) in template.into_iter().chain(organizations) {
        out.push_str(&format!("\n{heading}\n"));
        if changes.is_empty() {
            out.push_str("  no changes\n");
        }
        for change in changes {
            let (sign, colour) = match change.action {
                Action::Create => ("+", c.create),
                Action::Update => ("~", c.update),
                Action::Remove => ("-", c.remove),
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
                    Action::Remove => format!("{}: {}", field.field, field.old),
                };
                out.push_str(&format!("      {line}\n"));
            }
        }
    }
    let (create, update, remove) = plan.counts();
    out.push_str(&match create + update + remove {
        0 => "\nNo changes: the store already matches the document.".to_owned(),
        _ => format!("\n{create} to create, {update} to update, {remove} to remove."),
    });
    out
}

/// `roster apply`: a saved plan, or a document planned here, carried out organization by
/// organization (a progress bar on a terminal), then what was done.
pub async fn apply(args: crate::cli::ApplyArgs) -> Result<(), PlanError> {
    let (document, saved) = match (&args.file, &args.plan) {
        (Some(file), _) => (Some(read_document(file)?), None),
        (None, Some(plan)) => {
            let p = &args.planning;
            if p.create_missing_roles || p.prune || p.prune_organizations {
                return Err(PlanError::Document(
                    "a saved plan was planned already: --create-missing-roles, --prune and --prune-organizations go with -f".into(),
                ));
            }
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
            saved
                .within(args.planning.max_deletions)
                .map_err(|e| refused(&name, e))?;
            (None, Some(saved))
        }
        (None, None) => {
            return Err(PlanError::Document(
                "give a plan file or -f <document>".into(),
            ))
        }
    };
    let options = args.planning.options();
    let started = std::time::Instant::now();
    let applied = crate::database::tool(&args.database, |pool| async move {
        let ctx = cli_context();
        let plan = match (saved, document) {
            (Some(plan), _) => plan,
            (None, Some((name, document, sha256))) => {
                planned(&pool, &ctx, (&name, &document, sha256), &options).await?
            }
            (None, None) => return Err(PlanError::Document("nothing to apply".into())),
        };
        let state = command_service::CommandState::new(store::EventRepository::new(pool.clone()));
        let progress = crate::progress::Progress::counting("applying", "organization");
        let total = plan.organizations.len() as i64;
        let (mut parts, mut events) = (0, 0);
        let outcomes = apply::execute::apply_reporting(&state, &ctx, &plan, |outcome| {
            parts += 1;
            if let Ok(done) = &outcome.result {
                events += done.events as u64;
            }
            progress.update(events, parts, total);
        })
        .await;
        progress.finish();
        let applied = Applied::of(&plan, outcomes);
        if let Some(position) = background_work(&applied) {
            carried_out(state, position).await?;
        }
        Ok::<_, PlanError>(applied)
    })
    .await?;
    let text = match args.output {
        PlanOutput::Json => {
            serde_json::to_string_pretty(&applied).map_err(|e| PlanError::Output(e.to_string()))?
        }
        PlanOutput::Text => report(&applied, started.elapsed()),
    };
    let _ = writeln!(std::io::stdout().lock(), "{text}");
    let template_refused = (applied.role_templates.iter())
        .filter(|t| t.status == PartStatus::Refused)
        .map(|_| "the organization template");
    let refused_parts: Vec<&str> = template_refused
        .chain(
            (applied.organizations.iter())
                .filter(|o| o.status == PartStatus::Refused)
                .map(|o| o.external_id.as_str()),
        )
        .collect();
    if refused_parts.is_empty() {
        Ok(())
    } else {
        Err(PlanError::Document(format!(
            "refused: {} (plan again and apply the new plan)",
            refused_parts.join(", ")
        )))
    }
}

/// The position of the last applied removal of a role or an organization, if any: those finish
/// in the background (the process manager takes the role from its holders, empties the
/// organization).
fn background_work(applied: &Applied) -> Option<i64> {
    let finishing = |c: &apply::Change| {
        c.action == Action::Remove
            && matches!(c.object, apply::Object::Role | apply::Object::Organization)
    };
    let mut changes = applied.organizations.iter().flat_map(|o| &o.changes);
    changes.any(finishing).then_some(applied.position?)
}

/// How long apply waits for the process manager to finish the removals it started.
const CARRY_OUT: Duration = Duration::from_secs(300);

/// Waits until the process manager has handled the log up to `position`, helping it along as
/// `caught_up` helps the projector (a running `roster serve`'s instance may be the one that
/// does it).
async fn carried_out(
    state: std::sync::Arc<command_service::CommandState>,
    position: i64,
) -> Result<(), PlanError> {
    use command_service::workflows::{Workflows, CONSUMER};
    let pool = state.pool.clone();
    let role = tokio::sync::watch::channel(store::consumer::Role::Starting).0;
    let helper = tokio::spawn(Workflows::new(state).run(role));
    let done = store::checkpoints::reached(&pool, CONSUMER, position, CARRY_OUT).await;
    helper.abort();
    if done {
        return Ok(());
    }
    Err(PlanError::Document(format!(
        "applied, but the removals of roles or organizations were not finished within {}s: a running `roster serve` finishes them",
        CARRY_OUT.as_secs()
    )))
}

/// What was applied, per organization (with any one-time invitation tokens), then totals.
fn report(applied: &Applied, took: Duration) -> String {
    let mut out = String::new();
    if let Some(template) = &applied.role_templates {
        match template.status {
            PartStatus::Refused => {
                let reasons: Vec<String> =
                    template.problems.iter().map(ToString::to_string).collect();
                out.push_str(&format!(
                    "organization template: refused: {}\n",
                    reasons.join("; ")
                ));
            }
            _ => out.push_str(&format!(
                "organization template: {} events\n",
                template.events
            )),
        }
    }
    for part in &applied.organizations {
        let id = part.id.as_deref().unwrap_or("new");
        match part.status {
            PartStatus::Refused => {
                let reasons: Vec<String> = part.problems.iter().map(ToString::to_string).collect();
                out.push_str(&format!(
                    "organization {} ({id}): refused, nothing applied: {}\n",
                    part.external_id,
                    reasons.join("; ")
                ));
            }
            _ => {
                out.push_str(&format!(
                    "organization {} ({id}): {} events\n",
                    part.external_id, part.events
                ));
                for invitation in &part.invitations {
                    out.push_str(&format!(
                        "  invitation {}: accept token {} (shown this once)\n",
                        invitation.email, invitation.accept_token
                    ));
                }
            }
        }
    }
    let applied_parts: Vec<&command_service::app::apply::execute::Part> =
        (applied.organizations.iter())
            .filter(|o| o.status != PartStatus::Refused)
            .collect();
    out.push_str(&format!(
        "{} of {} organizations applied, {} events appended in {:.1}s.\n",
        applied_parts.len(),
        applied.organizations.len(),
        applied.events,
        took.as_secs_f64()
    ));
    let template = (applied.role_templates.iter())
        .filter(|t| t.status != PartStatus::Refused)
        .flat_map(|t| &t.changes);
    let changes = template.chain(applied_parts.iter().flat_map(|o| &o.changes));
    out.push_str(&summary(changes));
    out
}

/// Created, updated and removed objects per kind, e.g. `created: 1 organization, 12 members;
/// updated: 2 roles; removed: nothing`.
fn summary<'a>(changes: impl Iterator<Item = &'a apply::Change>) -> String {
    let mut counts: Vec<(Action, &'static str, usize)> = Vec::new();
    for change in changes {
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
        "created: {}; updated: {}; removed: {}",
        list(Action::Create),
        list(Action::Update),
        list(Action::Remove)
    )
}
