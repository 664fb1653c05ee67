//! Organizations as they stand, whole — catalogue, members (active or not), groups with their
//! members, pending invitations, domains — and the organization template's role slugs, for a plan to compare a document with, or an export to write.
//! Read in one snapshot together with the projector's checkpoint, so all of it is the state at
//! that one position of the log; a few queries for any number of organizations, never one per
//! object.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Utc};
use serde_json::Value;
use sqlx::PgPool;

use store::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct OrganizationState {
    pub id: String,
    pub external_id: Option<String>,
    pub name: String,
    pub description: Option<String>,
    pub metadata: Value,
    pub max_members: Option<i64>,
    /// The template's roles it offers (sorted); `None`: all of them.
    pub template_roles: Option<Vec<String>>,
    pub roles: Vec<RoleState>,
    pub members: Vec<MemberState>,
    pub groups: Vec<GroupState>,
    pub invitations: Vec<InvitationState>,
    pub domains: Vec<DomainState>,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DomainState {
    pub organization_id: String,
    pub domain: String,
    pub policy: String,
    /// Sorted.
    pub default_roles: Vec<String>,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RoleState {
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct MemberState {
    pub id: String,
    pub organization_id: String,
    pub user_id: Option<String>,
    pub application_id: Option<String>,
    /// `active` or `inactive`.
    pub status: String,
    pub roles: Vec<String>,
    pub attributes: Value,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GroupState {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub description: Option<String>,
    /// The roles it grants its members, sorted.
    pub roles: Vec<String>,
    /// Its members, in membership-id order.
    #[sqlx(skip)]
    pub members: Vec<InGroup>,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

/// A membership in a group, and the source that added it (if a document did).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InGroup {
    pub membership_id: String,
    pub managed_by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct InvitationState {
    pub id: String,
    pub organization_id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub expires_at: DateTime<Utc>,
    /// The source of the document that manages it (`roster apply`), if any.
    pub managed_by: Option<String>,
}

#[derive(sqlx::FromRow)]
struct OrganizationRow {
    id: String,
    external_id: Option<String>,
    name: String,
    description: Option<String>,
    metadata: Value,
    max_members: Option<i64>,
    template_roles: Option<Vec<String>>,
    managed_by: Option<String>,
}

fn by_organization<T>(rows: Vec<T>, of: impl Fn(&T) -> &String) -> HashMap<String, Vec<T>> {
    let mut map: HashMap<String, Vec<T>> = HashMap::new();
    for row in rows {
        map.entry(of(&row).clone()).or_default().push(row);
    }
    map
}

/// Which organizations to read.
#[derive(Debug, Clone, Copy)]
pub enum Selection<'a> {
    /// Those with these external ids (a plan's), and, if given, every one this source manages
    /// (a plan that prunes organizations).
    ExternalIds(&'a [String], Option<&'a str>),
    /// Every organization (an export).
    All,
    /// The one with this id (an organization key's export).
    Id(&'a str),
}

/// The organizations as of one position of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    /// The position the projector (`consumer`) had applied.
    pub position: i64,
    /// Those `selection` named that exist, in external-id order (those without one last, by id).
    pub organizations: Vec<OrganizationState>,
    /// The organization template's roles, by slug: every organization offers them besides its
    /// own `roles`.
    pub template: Vec<TemplateRoleState>,
}

impl Snapshot {
    /// The template's slugs.
    pub fn template_slugs(&self) -> BTreeSet<String> {
        self.template.iter().map(|t| t.slug.clone()).collect()
    }
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TemplateRoleState {
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
}

/// The organizations `selection` names, and the organization template, in one snapshot.
pub async fn organizations(
    pool: &PgPool,
    consumer: &str,
    selection: Selection<'_>,
) -> Result<Snapshot, StoreError> {
    let (external_ids, managed_by, id) = match selection {
        Selection::ExternalIds(ids, managed_by) => (Some(ids), managed_by, None),
        Selection::All => (None, None, None),
        Selection::Id(id) => (None, None, Some(id)),
    };
    let mut tx = pool.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let position = store::checkpoints::load_in(&mut tx, consumer).await?;
    let rows: Vec<OrganizationRow> = sqlx::query_as(
        "SELECT id, external_id, name, description, metadata, max_members,
                CASE WHEN template_roles IS NOT NULL
                     THEN ARRAY(SELECT r FROM unnest(template_roles) r ORDER BY r COLLATE \"C\")
                END AS template_roles,
                managed_by FROM rm_organizations
          WHERE ($1::text[] IS NULL OR external_id = ANY ($1) OR managed_by = $3)
            AND ($2::text IS NULL OR id = $2)
          ORDER BY external_id NULLS LAST, id",
    )
    .bind(external_ids)
    .bind(id)
    .bind(managed_by)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<String> = rows.iter().map(|o| o.id.clone()).collect();
    let roles: Vec<RoleState> = sqlx::query_as(
        "SELECT organization_id, slug, name, description, permissions, managed_by FROM rm_roles
          WHERE organization_id = ANY ($1) ORDER BY organization_id, slug",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let members: Vec<MemberState> = sqlx::query_as(
        "SELECT id, organization_id, user_id, application_id, status, roles, attributes, managed_by
           FROM rm_memberships WHERE organization_id = ANY ($1) ORDER BY organization_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut groups: Vec<GroupState> = sqlx::query_as(
        "SELECT id, organization_id, name, description, ARRAY(SELECT unnest(roles) ORDER BY 1) AS roles, managed_by FROM rm_groups
          WHERE organization_id = ANY ($1) ORDER BY organization_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let mut in_group: HashMap<String, Vec<InGroup>> = HashMap::new();
    for (group_id, membership_id, managed_by) in
        sqlx::query_as::<_, (String, String, Option<String>)>(
            "SELECT group_id, membership_id, managed_by FROM rm_group_members
          WHERE organization_id = ANY ($1) ORDER BY group_id, membership_id",
        )
        .bind(&ids)
        .fetch_all(&mut *tx)
        .await?
    {
        in_group.entry(group_id).or_default().push(InGroup {
            membership_id,
            managed_by,
        });
    }
    for group in &mut groups {
        group.members = in_group.remove(&group.id).unwrap_or_default();
    }
    let invitations: Vec<InvitationState> = sqlx::query_as(
        "SELECT id, organization_id, email, roles, expires_at, managed_by FROM rm_invitations
          WHERE organization_id = ANY ($1) AND state = 'pending' ORDER BY organization_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let domains: Vec<DomainState> = sqlx::query_as(
        "SELECT organization_id, domain, policy, ARRAY(SELECT unnest(default_roles) ORDER BY 1) AS default_roles,
                managed_by
           FROM rm_domains WHERE organization_id = ANY ($1) ORDER BY organization_id, domain",
    )
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    let template: Vec<TemplateRoleState> = sqlx::query_as(
        "SELECT slug, name, description, permissions FROM rm_role_templates ORDER BY slug",
    )
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;

    let mut roles = by_organization(roles, |r| &r.organization_id);
    let mut members = by_organization(members, |m| &m.organization_id);
    let mut groups = by_organization(groups, |g| &g.organization_id);
    let mut invitations = by_organization(invitations, |i| &i.organization_id);
    let mut domains = by_organization(domains, |d| &d.organization_id);
    let organizations = rows
        .into_iter()
        .map(|o| OrganizationState {
            roles: roles.remove(&o.id).unwrap_or_default(),
            members: members.remove(&o.id).unwrap_or_default(),
            groups: groups.remove(&o.id).unwrap_or_default(),
            invitations: invitations.remove(&o.id).unwrap_or_default(),
            domains: domains.remove(&o.id).unwrap_or_default(),
            id: o.id,
            external_id: o.external_id,
            name: o.name,
            description: o.description,
            metadata: o.metadata,
            max_members: o.max_members,
            template_roles: o.template_roles,
            managed_by: o.managed_by,
        })
        .collect();
    Ok(Snapshot {
        position,
        organizations,
        template,
    })
}
