//! Declarative apply: a document of 10,000 members in 100 organizations with 500 groups, planned
//! and applied as `roster apply -f` does, against the bulk import creating the same members in
//! the same run; then the same document again (nothing to change), which must cost a small part
//! of the first; and how long a plan takes, with the memory it took, on the log as it stands
//! (a million events after the export section).

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use command_service::app::apply::{self, execute, Options};
use command_service::app::memberships::{self, NewMembership};
use command_service::app::organizations;
use command_service::CommandState;
use domain::membership::Subject;
use domain::organization::CreateOrganization;
use domain::values::{Attributes, OrganizationName, RoleSlug, SubjectId};
use domain::{OrganizationId, RequestContext};
use projector::Projector;
use sqlx::PgPool;
use store::EventRepository;

use crate::memory::Peak;
use crate::{Bench, BenchError, Row};

const ORGANIZATIONS: usize = 100;
const MEMBERS: usize = 100;
const GROUPS: usize = 5;
/// Members of each group.
const GROUP_SIZE: usize = 10;

fn task(e: impl ToString) -> BenchError {
    BenchError::Task(e.to_string())
}

/// The document: per organization, `MEMBERS` users with a role and an attribute, `GROUPS`
/// groups of `GROUP_SIZE` of them.
fn document(run: &str) -> String {
    let mut yaml = format!("source: bench-{run}\norganizations:\n");
    for o in 0..ORGANIZATIONS {
        yaml.push_str(&format!(
            "  - external_id: apply-{run}-{o}\n    name: Apply {o}\n    members:\n"
        ));
        for m in 0..MEMBERS {
            yaml.push_str(&format!(
                "      - {{user_id: user-{m}, roles: [member], attributes: {{team: t{}}}}}\n",
                m % GROUPS
            ));
        }
        yaml.push_str("    groups:\n");
        for g in 0..GROUPS {
            let members: Vec<String> = (0..GROUP_SIZE)
                .map(|k| format!("{{user_id: user-{}}}", g * GROUP_SIZE + k))
                .collect();
            yaml.push_str(&format!(
                "      - {{name: group-{g}, members: [{}]}}\n",
                members.join(", ")
            ));
        }
    }
    yaml
}

/// Plans `yaml` once the projector has caught up (as `roster plan` does); the plan and how long
/// planning took, catching up excluded.
async fn plan(pool: &PgPool, yaml: &str) -> Result<(apply::Plan, f64), BenchError> {
    apply::read_models_at_head(pool, projector::CONSUMER, Duration::from_secs(1800))
        .await
        .map_err(task)?;
    let document = declarative::read(yaml.as_bytes(), declarative::Format::Yaml).map_err(task)?;
    let started = Instant::now();
    let ctx = RequestContext::system("bench");
    let plan = apply::plan(
        pool,
        projector::CONSUMER,
        &ctx,
        &document,
        declarative::sha256(yaml.as_bytes()),
        &Options::default(),
    )
    .await
    .map_err(task)?;
    Ok((plan, started.elapsed().as_secs_f64()))
}

/// The same members through the bulk import: each organization created, its members imported
/// in one call.
async fn import(state: &CommandState) -> Result<f64, BenchError> {
    let ctx = RequestContext::system("bench");
    let member = RoleSlug::parse("member").map_err(task)?;
    let started = Instant::now();
    for o in 0..ORGANIZATIONS {
        let org = OrganizationId::new();
        let input = CreateOrganization {
            id: org,
            name: OrganizationName::parse(&format!("Import {o}")).map_err(task)?,
            description: None,
            external_id: None,
            metadata: Default::default(),
            max_members: None,
            template_roles: None,
            at: chrono::Utc::now(),
        };
        organizations::create(state, &ctx, input)
            .await
            .map_err(task)?;
        let items = (0..MEMBERS)
            .map(|m| {
                let mut team = serde_json::Map::new();
                team.insert("team".into(), format!("t{}", m % GROUPS).into());
                Ok(NewMembership {
                    subject: Subject::User(SubjectId::parse(&format!("user-{m}")).map_err(task)?),
                    roles: BTreeSet::from([member.clone()]),
                    attributes: Attributes::parse(team).map_err(task)?,
                })
            })
            .collect::<Result<Vec<_>, BenchError>>()?;
        for result in memberships::import(state, &ctx, &org, items)
            .await
            .map_err(task)?
        {
            result.map_err(task)?;
        }
    }
    Ok(started.elapsed().as_secs_f64())
}

pub async fn measure(_args: &Bench, pool: &PgPool) -> Result<Vec<Row>, BenchError> {
    let state = CommandState::new(EventRepository::new(pool.clone()));
    let projector = tokio::spawn(Projector::new(pool.clone()).run());
    let members = (ORGANIZATIONS * MEMBERS) as f64;

    // Each timed part starts with the read models caught up (the log may have just grown by a
    // million events), as a user's run would.
    let caught_up = || async {
        apply::read_models_at_head(pool, projector::CONSUMER, Duration::from_secs(1800))
            .await
            .map_err(task)
    };
    caught_up().await?;
    eprintln!("apply: bulk import of {members} members in {ORGANIZATIONS} organizations …");
    let import_s = import(&state).await?;
    caught_up().await?;

    let run = ulid::Ulid::new().to_string().to_lowercase();
    let yaml = document(&run);
    eprintln!(
        "apply: a document of {members} members, {} groups ({} KiB) …",
        ORGANIZATIONS * GROUPS,
        yaml.len() / 1024
    );
    let started = Instant::now();
    let (first, _) = plan(pool, &yaml).await?;
    let ctx = RequestContext::system("bench");
    let outcomes = execute::apply(&state, &ctx, &first).await;
    let applied = execute::Applied::of(&first, outcomes);
    if !applied.complete {
        return Err(task("the benchmark's apply was refused"));
    }
    let apply_s = started.elapsed().as_secs_f64();

    eprintln!("apply: the same document again …");
    caught_up().await?;
    let started = Instant::now();
    let (again, _) = plan(pool, &yaml).await?;
    if !again.is_empty() {
        return Err(task(
            "applying the same document again would change something",
        ));
    }
    let outcomes = execute::apply(&state, &ctx, &again).await;
    let reapply_s = started.elapsed().as_secs_f64();
    drop(outcomes);

    let events: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(pool)
        .await?;
    // The plan's peak: the kernel's high-water mark of resident memory while it runs.
    caught_up().await?;
    let memory = Peak::start();
    let (_, plan_s) = plan(pool, &yaml).await?;
    let grown_mib = memory.grown_mib();
    projector.abort();

    Ok(vec![
        Row {
            name: "apply -f (10,000 members, 100 organizations, 500 groups)",
            roster: members / apply_s,
            baseline_name: "bulk import of the same members",
            baseline: members / import_s,
            unit: "members/s",
            note: Some(format!(
                "apply {apply_s:.2} s (plan included; it also makes 500 groups and 5,000 group \
                 members), import {import_s:.2} s"
            )),
        },
        Row {
            name: "re-apply of the same document (nothing to change)",
            roster: 60.0 / reapply_s,
            baseline_name: "the first apply",
            baseline: 60.0 / apply_s,
            unit: "runs/min",
            note: Some(format!(
                "re-apply {reapply_s:.2} s = {:.1} % of the first; a plan on a log of {events} \
                 events took {plan_s:.2} s, its peak resident memory {grown_mib:.1} MiB above the start",
                100.0 * reapply_s / apply_s
            )),
        },
    ])
}
