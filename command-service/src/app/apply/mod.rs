//! Declarative documents against the store: `plan` reads the organizations a document names, as
//! they stand at one log position, and decides every change ([`plan::plan`]); applying carries a
//! plan out (next to come). The same code serves `roster plan`, `POST /v1/apply` and the console.

pub mod execute;
pub mod plan;

use declarative::Document;
use serde::{Deserialize, Serialize};
use sqlx::PgPool;

use super::role_assignment::Refusal;
use super::AppError;
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
    pub organizations: Vec<OrganizationPlan>,
}

impl Plan {
    /// Whether applying it would change nothing.
    pub fn is_empty(&self) -> bool {
        self.organizations.iter().all(|o| o.changes.is_empty())
    }

    /// How many objects it creates and updates.
    pub fn counts(&self) -> (usize, usize) {
        let changes = self.organizations.iter().flat_map(|o| &o.changes);
        changes.fold((0, 0), |(c, u), change| match change.action {
            Action::Create => (c + 1, u),
            Action::Update => (c, u + 1),
        })
    }
}

/// Plans `document` against the organizations as the projector (`consumer`) has them: every
/// problem (unknown roles, group members that are not members) is refused together.
pub async fn plan(
    pool: &PgPool,
    consumer: &str,
    document: &Document,
    document_sha256: String,
    options: &Options,
) -> Result<Plan, AppError> {
    let external_ids: Vec<String> = (document.organizations.iter())
        .map(|o| o.external_id.as_str().to_owned())
        .collect();
    let selection = read_models::state::Selection::ExternalIds(&external_ids);
    let (position, live) = read_models::state::organizations(pool, consumer, selection).await?;
    let organizations = plan::plan(document, &live, options).map_err(|problems| {
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
    Ok(Plan {
        object: "plan".into(),
        position,
        source: document
            .source
            .clone()
            .unwrap_or_default()
            .as_str()
            .to_owned(),
        document_sha256,
        organizations,
    })
}
