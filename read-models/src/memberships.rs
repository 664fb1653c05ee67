//! Memberships: of an organization (filtered), of a user, of a group, one by id, and the token
//! claims of a subject in an organization.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};

use store::page::{Page, PageRequest};
use store::StoreError;

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Membership")]
pub struct MembershipRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub id: String,
    pub organization_id: String,
    pub user_id: Option<String>,
    pub application_id: Option<String>,
    pub status: String,
    pub roles: Vec<String>,
    #[schemars(with = "domain::values::Attributes")]
    pub attributes: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
}

const COLUMNS: &str = "'organization_membership' AS object, m.id, m.organization_id, m.user_id, m.application_id, m.status, m.roles, \
                       m.attributes, m.created_at, m.updated_at, m.managed_by";

/// Filters of a membership list; every one given must hold.
#[derive(Debug, Default, Clone)]
pub struct MembershipFilter {
    /// `None`: every status.
    pub status: Option<String>,
    /// The membership has each of these roles.
    pub roles: Vec<String>,
    pub group_id: Option<String>,
    pub user_id: Option<String>,
    pub application_id: Option<String>,
    /// Each entry: the attributes contain one of these objects (e.g. `{"seats": "10"}` or
    /// `{"seats": 10}`, as a query string cannot say which type was meant).
    pub attributes: Vec<Vec<Value>>,
}

impl MembershipFilter {
    fn push(&self, qb: &mut QueryBuilder<'_, sqlx::Postgres>) {
        if let Some(status) = &self.status {
            qb.push(" AND m.status = ").push_bind(status.clone());
        }
        if !self.roles.is_empty() {
            qb.push(" AND m.roles @> ").push_bind(self.roles.clone());
        }
        if let Some(group_id) = &self.group_id {
            qb.push(
                " AND EXISTS (SELECT 1 FROM rm_group_members gm
                               WHERE gm.membership_id = m.id AND gm.group_id = ",
            )
            .push_bind(group_id.clone())
            .push(")");
        }
        if let Some(user_id) = &self.user_id {
            qb.push(" AND m.user_id = ").push_bind(user_id.clone());
        }
        if let Some(application_id) = &self.application_id {
            qb.push(" AND m.application_id = ")
                .push_bind(application_id.clone());
        }
        for alternatives in &self.attributes {
            qb.push(" AND (false");
            for object in alternatives {
                qb.push(" OR m.attributes @> ").push_bind(object.clone());
            }
            qb.push(")");
        }
    }
}

pub async fn of_organization(
    pool: &PgPool,
    organization_id: &str,
    filter: &MembershipFilter,
    page: &PageRequest,
) -> Result<Page<MembershipRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(COLUMNS)
        .push(" FROM rm_memberships m WHERE m.organization_id = ")
        .push_bind(organization_id.to_owned());
    filter.push(&mut qb);
    page.fetch(pool, qb, "m.id", |m: &MembershipRow| m.id.clone())
        .await
}

/// A user's memberships across organizations.
/// `only`: the one organization a caller reaches (an organization key), if so limited.
pub async fn of_user(
    pool: &PgPool,
    user_id: &str,
    status: Option<&str>,
    only: Option<&str>,
    page: &PageRequest,
) -> Result<Page<MembershipRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(COLUMNS)
        .push(" FROM rm_memberships m WHERE m.user_id = ")
        .push_bind(user_id.to_owned());
    if let Some(only) = only {
        qb.push(" AND m.organization_id = ")
            .push_bind(only.to_owned());
    }
    if let Some(status) = status {
        qb.push(" AND m.status = ").push_bind(status.to_owned());
    }
    page.fetch(pool, qb, "m.id", |m: &MembershipRow| m.id.clone())
        .await
}

pub async fn get(pool: &PgPool, id: &str) -> Result<Option<MembershipRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(COLUMNS)
        .push(" FROM rm_memberships m WHERE m.id = ")
        .push_bind(id.to_owned());
    Ok(qb
        .build_query_as::<MembershipRow>()
        .fetch_optional(pool)
        .await?)
}

/// Whose claims to read.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    User(&'a str),
    Application(&'a str),
}

/// What an identity provider embeds in an access token for one organization.
#[derive(Debug, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Claims")]
pub struct ClaimsRow {
    pub organization_id: String,
    pub membership_id: String,
    pub status: String,
    pub roles: Vec<String>,
    /// The union of the roles' permissions, sorted.
    pub permissions: Vec<String>,
    /// The groups it belongs to, sorted by id.
    #[schemars(with = "Vec<ClaimGroup>")]
    pub groups: Value,
}

/// A group the member belongs to.
// The claims query builds the list as JSON; this declares its shape for the document.
#[derive(schemars::JsonSchema)]
#[allow(dead_code)]
pub struct ClaimGroup {
    id: domain::GroupId,
    name: String,
}

/// The claims query up to the organization id it is completed with (and then the subject).
pub const CLAIMS: &str = "SELECT m.organization_id, m.id AS membership_id, m.status, m.roles,
                ARRAY(SELECT DISTINCT p FROM rm_roles r, unnest(r.permissions) p
                       WHERE r.organization_id = m.organization_id AND r.slug = ANY (m.roles)
                       ORDER BY p) AS permissions,
                coalesce((SELECT jsonb_agg(jsonb_build_object('id', g.id, 'name', g.name) ORDER BY g.id)
                            FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id
                           WHERE gm.membership_id = m.id), '[]'::jsonb) AS groups
           FROM rm_memberships m
          WHERE m.status = 'active' AND m.organization_id = ";

/// The claims of the subject's active membership in the organization, read in one statement
/// (one snapshot: never half of a projector batch).
pub async fn claims(
    pool: &PgPool,
    organization_id: &str,
    subject: Subject<'_>,
) -> Result<Option<ClaimsRow>, StoreError> {
    let (subject_column, subject_id) = match subject {
        Subject::User(id) => (" AND m.user_id = ", id),
        Subject::Application(id) => (" AND m.application_id = ", id),
    };
    let mut qb = QueryBuilder::new(CLAIMS);
    qb.push_bind(organization_id.to_owned())
        .push(subject_column)
        .push_bind(subject_id.to_owned());
    let row = qb
        .build_query_as::<ClaimsRow>()
        .fetch_optional(pool)
        .await?;
    Ok(row)
}
