//! Declarative documents against the store: `plan` reads the organizations a document names, as
//! they stand at one log position, and decides every change ([`plan::plan`]); [`execute`] carries
//! a plan out. The same code serves `roster plan`/`apply`, `POST /v1/apply` and the console.

pub mod execute;
pub mod plan;

use declarative::Document;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use domain::RequestContext;

use super::role_assignment::Refusal;
use super::{AppError, Kind};
pub use plan::{Action, Change, Field, Object, Options, OrganizationPlan};

/// A plan: the changes, the log position the state was read at, and what they came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Plan {
    /// `plan`.
    pub object: String,
    /// The projector's position the organizations were read at: applying refuses an organization
    /// that changed after it.
    pub position: i64,
    /// What the changes are marked with (`managed_by`).
    pub source: String,
    /// The SHA-256 of the document's bytes, recorded with every change it makes.
    pub document_sha256: String,
    /// The organization template's roles it creates or updates (admin keys only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub role_templates: Vec<Change>,
    pub organizations: Vec<OrganizationPlan>,
}

impl Plan {
    /// Whether applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.role_templates.is_empty() && self.organizations.iter().all(|o| o.changes.is_empty())
    }

    /// How many objects it creates, updates and removes.
    pub fn counts(&self) -> (usize, usize, usize) {
        let organizations = self.organizations.iter().flat_map(|o| &o.changes);
        let changes = self.role_templates.iter().chain(organizations);
        changes.fold((0, 0, 0), |(c, u, r), change| match change.action {
            Action::Create => (c + 1, u, r),
            Action::Update => (c, u + 1, r),
            Action::Remove => (c, u, r + 1),
        })
    }

    /// Refuses a plan that removes more than `max` objects (a prune that would empty more than
    /// meant: a list gone missing from the file, a source name mistyped).
    pub fn within(&self, max: usize) -> Result<(), AppError> {
        let (_, _, removals) = self.counts();
        if removals <= max {
            return Ok(());
        }
        Err(AppError::Refused(vec![Refusal {
            field: "max_deletions".into(),
            reason: format!(
                "the plan removes {removals} objects, more than the {max} allowed (raise --max-deletions if that is meant)"
            ),
        }]))
    }
}

/// Returns once the read models (`consumer`'s checkpoint) include the whole log as it was when
/// called, or `Unavailable` after `wait`: a plan is read from them, and one read behind the log
/// would only be refused when applied.
pub async fn read_models_at_head(
    pool: &PgPool,
    consumer: &'static str,
    wait: std::time::Duration,
) -> Result<(), AppError> {
    let head = store::Feed::new(pool.clone()).head().await?;
    if store::checkpoints::reached(pool, consumer, head, wait).await {
        return Ok(());
    }
    Err(AppError::Unavailable(format!(
        "the read models did not reach the end of the log (position {head}) within {}s",
        wait.as_secs()
    )))
}

/// How many objects a prune may remove unless told otherwise.
pub const MAX_DELETIONS: usize = 100;

/// Plans `document` against the organizations as the projector (`consumer`) has them: every
/// problem (unknown roles, group members that are not members) is refused together. An
/// organization key reaches only its organization: any other the document names is, to it, not
/// there (404, naming it), and it creates or prunes none.
pub async fn plan(
    pool: &PgPool,
    consumer: &str,
    ctx: &RequestContext,
    document: &Document,
    document_sha256: String,
    options: &Options,
) -> Result<Plan, AppError> {
    let external_ids: Vec<String> = (document.organizations.iter())
        .map(|o| o.external_id.as_str().to_owned())
        .collect();
    let source = document.source.clone().unwrap_or_default();
    let managed = (options.prune_organizations).then_some(source.as_str());
    let selection = read_models::state::Selection::ExternalIds(&external_ids, managed);
    let snapshot = read_models::state::organizations(pool, consumer, selection).await?;
    let position = snapshot.position;
    // The template's roles, as they will be: the document's may be new.
    let role_templates = plan::template_changes(document, &snapshot.template);
    let mut template_roles = snapshot.template_slugs();
    template_roles.extend(
        document
            .role_templates
            .iter()
            .map(|r| r.slug.as_str().to_owned()),
    );
    if ctx.limited_to.is_some() && !role_templates.is_empty() {
        return Err(AppError::Forbidden(
            "the organization template is the deployment's: only an admin key may change it".into(),
        ));
    }
    let mut live = snapshot.organizations;
    if let Some(own) = ctx.limited_to {
        let own = own.to_string();
        for external_id in &external_ids {
            let reached =
                (live.iter()).any(|o| o.id == own && o.external_id.as_ref() == Some(external_id));
            if !reached {
                return Err(AppError::NotFound(Kind::Organization, external_id.clone()));
            }
        }
        live.retain(|o| o.id == own);
    }
    let organizations =
        plan::plan(document, &live, &template_roles, options).map_err(|problems| {
            AppError::Refused(
                problems
                    .into_iter()
                    .map(|p| Refusal {
                        field: p.path,
                        reason: p.reason,
                    })
                    .collect(),
            )
        })?;
    let plan = Plan {
        object: "plan".into(),
        position,
        source: source.as_str().to_owned(),
        document_sha256,
        role_templates,
        organizations,
    };
    plan.within(options.max_deletions)?;
    Ok(plan)
}
