//! Invitations of an organization (by state and email) and one by id. The accept token never
//! reaches the read model, so it cannot leak from here.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, QueryBuilder};

use store::page::{Page, PageRequest};
use store::StoreError;

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Invitation")]
pub struct InvitationRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub state: String,
    pub expires_at: DateTime<Utc>,
    pub inviter_user_id: Option<String>,
    pub accepted_user_id: Option<String>,
    pub membership_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
}

const COLUMNS: &str = "SELECT 'invitation' AS object, id, organization_id, email, roles, state, expires_at, inviter_user_id, \
                       accepted_user_id, membership_id, created_at, updated_at, managed_by FROM rm_invitations";

/// `email` matches case-insensitively.
pub async fn of_organization(
    pool: &PgPool,
    organization_id: &str,
    state: Option<&str>,
    email: Option<&str>,
    page: &PageRequest,
) -> Result<Page<InvitationRow>, StoreError> {
    let mut qb = QueryBuilder::new(COLUMNS);
    qb.push(" WHERE organization_id = ")
        .push_bind(organization_id.to_owned());
    if let Some(state) = state {
        qb.push(" AND state = ").push_bind(state.to_owned());
    }
    if let Some(email) = email {
        qb.push(" AND lower(email) = ")
            .push_bind(email.to_lowercase());
    }
    page.fetch(pool, qb, "id", |i: &InvitationRow| i.id.clone())
        .await
}

pub async fn get(pool: &PgPool, id: &str) -> Result<Option<InvitationRow>, StoreError> {
    let mut qb = QueryBuilder::new(COLUMNS);
    qb.push(" WHERE id = ").push_bind(id.to_owned());
    Ok(qb
        .build_query_as::<InvitationRow>()
        .fetch_optional(pool)
        .await?)
}
