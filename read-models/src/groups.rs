//! Groups: of an organization (by name prefix), of a membership, one by id, and their members.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::{PgPool, QueryBuilder};

use crate::memberships::MembershipRow;
use store::page::{like_prefix, Page, PageRequest};
use store::StoreError;

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Group")]
pub struct GroupRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: Option<String>,
    /// Roles every member has through the group (in its effective roles and claims).
    pub roles: Vec<String>,
    /// On the read of one group and the list of an organization's groups.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_count: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
}

const COLUMNS: &str = "'group' AS object, g.id, g.organization_id, g.name, g.description, g.roles, NULL::bigint AS member_count, \
                       g.created_at, g.updated_at, g.managed_by";

const MEMBER_COUNT: &str =
    "(SELECT count(*) FROM rm_group_members gm WHERE gm.group_id = g.id) AS member_count";

/// `name_prefix` matches case-insensitively.
pub async fn of_organization(
    pool: &PgPool,
    organization_id: &str,
    name_prefix: Option<&str>,
    page: &PageRequest,
) -> Result<Page<GroupRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(COLUMNS.replace("NULL::bigint AS member_count", MEMBER_COUNT))
        .push(" FROM rm_groups g WHERE g.organization_id = ")
        .push_bind(organization_id.to_owned());
    if let Some(prefix) = name_prefix {
        qb.push(" AND lower(g.name) LIKE ")
            .push_bind(like_prefix(&prefix.to_lowercase()));
    }
    page.fetch(pool, qb, "g.id", |g: &GroupRow| g.id.clone())
        .await
}

/// The groups a membership belongs to.
pub async fn of_membership(
    pool: &PgPool,
    membership_id: &str,
    page: &PageRequest,
) -> Result<Page<GroupRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(COLUMNS)
        .push(
            " FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id
               WHERE gm.membership_id = ",
        )
        .push_bind(membership_id.to_owned());
    page.fetch(pool, qb, "gm.group_id", |g: &GroupRow| g.id.clone())
        .await
}

/// The group with its member count, read in one snapshot.
pub async fn get(pool: &PgPool, id: &str) -> Result<Option<GroupRow>, StoreError> {
    let row = sqlx::query_as::<_, GroupRow>(&format!(
        "SELECT {} FROM rm_groups g WHERE g.id = $1",
        COLUMNS.replace("NULL::bigint AS member_count", MEMBER_COUNT)
    ))
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

/// The memberships in a group.
pub async fn members(
    pool: &PgPool,
    group_id: &str,
    page: &PageRequest,
) -> Result<Page<MembershipRow>, StoreError> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {} FROM rm_group_members gm JOIN rm_memberships m ON m.id = gm.membership_id
          WHERE gm.group_id = ",
        crate::memberships::COLUMNS
    ));
    qb.push_bind(group_id.to_owned());
    page.fetch(pool, qb, "gm.membership_id", |m: &MembershipRow| {
        m.id.clone()
    })
    .await
}

/// A group as shown beside a member: its id and name.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct GroupBadge {
    pub id: String,
    pub name: String,
}

/// The groups of each of `memberships`, by membership id (in name order).
pub async fn of_memberships(
    pool: &PgPool,
    memberships: &[String],
) -> Result<std::collections::HashMap<String, Vec<GroupBadge>>, StoreError> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT gm.membership_id, g.id, g.name
           FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id
          WHERE gm.membership_id = ANY($1)
          ORDER BY gm.membership_id, lower(g.name)",
    )
    .bind(memberships)
    .fetch_all(pool)
    .await?;
    let mut by_member = std::collections::HashMap::<String, Vec<GroupBadge>>::new();
    for (membership, id, name) in rows {
        by_member
            .entry(membership)
            .or_default()
            .push(GroupBadge { id, name });
    }
    Ok(by_member)
}
