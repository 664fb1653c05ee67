//! Organizations and their role catalogues.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};

use store::page::{Page, PageRequest};
use store::StoreError;

#[derive(Debug, Serialize, serde::Deserialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Organization")]
pub struct OrganizationRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub external_id: Option<String>,
    #[schemars(with = "domain::values::Metadata")]
    pub metadata: Value,
    /// The seat limit: active members at most (null: unlimited).
    #[schemars(with = "Option<domain::values::MaxMembers>")]
    pub max_members: Option<i64>,
    /// The organization template's roles it offers besides its own: null for all of them (also
    /// those added later), or only these (`member` always among them).
    pub template_roles: Option<Vec<String>>,
    /// Active memberships (the seats taken); only on the single-object read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members_count: Option<i64>,
    /// The same as `members_count`, under its first name; kept for existing clients.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
    pub member_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_count: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
}

#[derive(Debug, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Role")]
pub struct RoleRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub organization_id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
    /// Whether it is a role of the organization template (the same in every organization; an
    /// admin key changes it at `/v1/role-templates/{slug}`) rather than the organization's own.
    pub template: bool,
}

/// A role of the organization template.
#[derive(Debug, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "RoleTemplate")]
pub struct TemplateRoleRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const TEMPLATE_COLUMNS: &str =
    "'role_template' AS object, slug, name, description, permissions, created_at, updated_at";

/// The template's roles, by slug.
pub async fn role_templates(
    pool: &PgPool,
    page: &PageRequest,
) -> Result<Page<TemplateRoleRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(TEMPLATE_COLUMNS)
        .push(" FROM rm_role_templates WHERE true");
    page.fetch(pool, qb, "slug", |r: &TemplateRoleRow| r.slug.clone())
        .await
}

pub async fn role_template(
    pool: &PgPool,
    slug: &str,
) -> Result<Option<TemplateRoleRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(TEMPLATE_COLUMNS)
        .push(" FROM rm_role_templates WHERE slug = ")
        .push_bind(slug.to_owned());
    Ok(qb.build_query_as().fetch_optional(pool).await?)
}

const ORGANIZATION_COLUMNS: &str =
    "'organization' AS object, id, name, description, external_id, metadata, max_members, template_roles, created_at, updated_at, managed_by";

/// Filters of the organization list; every one given must hold.
#[derive(Debug, Default, Clone)]
pub struct OrganizationFilter {
    pub external_id: Option<String>,
    /// Part of the name, in any case.
    pub name: Option<String>,
    /// The one organization a caller reaches (an organization key), if so limited.
    pub only: Option<String>,
}

pub async fn list(
    pool: &PgPool,
    filter: &OrganizationFilter,
    page: &PageRequest,
) -> Result<Page<OrganizationRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(ORGANIZATION_COLUMNS)
        .push(", NULL::bigint AS members_count, NULL::bigint AS member_count, NULL::bigint AS group_count FROM rm_organizations WHERE true");
    if let Some(only) = &filter.only {
        qb.push(" AND id = ").push_bind(only.clone());
    }
    if let Some(external_id) = &filter.external_id {
        qb.push(" AND external_id = ")
            .push_bind(external_id.clone());
    }
    if let Some(name) = &filter.name {
        qb.push(" AND name ILIKE ")
            .push_bind(store::page::like_containing(name));
    }
    page.fetch(pool, qb, "id", |o: &OrganizationRow| o.id.clone())
        .await
}

/// The organization with its active-member and group counts, read in one snapshot.
pub async fn get(pool: &PgPool, id: &str) -> Result<Option<OrganizationRow>, StoreError> {
    let row = sqlx::query_as::<_, OrganizationRow>(
        "SELECT 'organization' AS object, o.id, o.name, o.description, o.external_id, o.metadata, o.max_members, o.template_roles, o.created_at, o.updated_at, o.managed_by,
                c.n AS members_count, c.n AS member_count,
                (SELECT count(*) FROM rm_groups g WHERE g.organization_id = o.id) AS group_count
           FROM rm_organizations o
           CROSS JOIN LATERAL (SELECT count(*) AS n FROM rm_memberships m
                                WHERE m.organization_id = o.id AND m.status = 'active') AS c
          WHERE o.id = $1",
    )
    .bind(id)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

/// The organization without its counts (a page that only names it need not count its members).
pub async fn get_uncounted(pool: &PgPool, id: &str) -> Result<Option<OrganizationRow>, StoreError> {
    let mut qb = QueryBuilder::new("SELECT ");
    qb.push(ORGANIZATION_COLUMNS)
        .push(", NULL::bigint AS members_count, NULL::bigint AS member_count, NULL::bigint AS group_count FROM rm_organizations WHERE id = ")
        .push_bind(id.to_owned());
    Ok(qb.build_query_as().fetch_optional(pool).await?)
}

pub async fn exists(pool: &PgPool, id: &str) -> Result<bool, StoreError> {
    let found: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM rm_organizations WHERE id = $1)")
            .bind(id)
            .fetch_one(pool)
            .await?;
    Ok(found)
}

pub async fn roles(
    pool: &PgPool,
    organization_id: &str,
    page: &PageRequest,
) -> Result<Page<RoleRow>, StoreError> {
    // Its own roles, and the template's it offers and has no own role of the slug of.
    let mut qb = QueryBuilder::new(
        "SELECT * FROM (
           SELECT 'organization_role' AS object, organization_id, slug, name, description, permissions,
                  created_at, updated_at, managed_by, false AS template
             FROM rm_roles WHERE organization_id = ",
    );
    qb.push_bind(organization_id.to_owned())
        .push(
            " UNION ALL
           SELECT 'organization_role', o.id, t.slug, t.name, t.description, t.permissions,
                  t.created_at, t.updated_at, NULL, true
             FROM rm_organizations o, rm_role_templates t
            WHERE o.id = ",
        )
        .push_bind(organization_id.to_owned())
        .push(
            " AND (o.template_roles IS NULL OR t.slug = ANY (o.template_roles))
              AND NOT EXISTS (SELECT 1 FROM rm_roles r WHERE r.organization_id = o.id AND r.slug = t.slug)
         ) AS r WHERE true",
        );
    page.fetch(pool, qb, "slug", |r: &RoleRow| r.slug.clone())
        .await
}
