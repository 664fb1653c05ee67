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
    /// Its own roles (assigned to it directly).
    pub roles: Vec<String>,
    /// Its own roles and those its groups grant, sorted: what it holds (claims' `roles`). Not on
    /// `as_of` reads, which fold the membership's own events only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_roles: Option<Vec<String>>,
    #[schemars(with = "domain::values::Attributes")]
    pub attributes: Value,
    /// How it joined (created or last reactivated): `api`, `invitation`, `domain`, `apply`,
    /// `bulk`; null when it joined before roster recorded it.
    #[schemars(with = "Option<domain::membership::MembershipSource>")]
    pub source: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The source of the declarative document (`roster apply`) that manages it, if any: only
    /// that document's `--prune` may remove it.
    pub managed_by: Option<String>,
}

/// A membership's effective roles: its own and its groups', distinct and sorted (resolved when
/// read, in the statement that reads the membership: a group's roles changing is one row). Its
/// own roles are stored sorted (byte order, as the events hold them; the union sorts the same way), so a member no group grants a role to reads them as they are: the
/// union and its sort, which cost a list page about 40 %, are paid only where a group adds roles.
macro_rules! effective_roles {
    () => {
        "CASE WHEN EXISTS (SELECT 1 FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id
                            WHERE gm.membership_id = m.id AND g.roles <> '{}')
              THEN ARRAY(SELECT u.r FROM (SELECT r FROM unnest(m.roles) r
                                          UNION SELECT r FROM rm_group_members gm
                                                JOIN rm_groups g ON g.id = gm.group_id,
                                                     unnest(g.roles) r
                                          WHERE gm.membership_id = m.id) AS u
                         ORDER BY u.r COLLATE \"C\")
              ELSE m.roles END"
    };
}

/// A membership row's columns (`m` is the membership), for every read that returns memberships.
pub const COLUMNS: &str = concat!(
    "'organization_membership' AS object, m.id, m.organization_id, m.user_id, m.application_id, m.status, m.roles, ",
    effective_roles!(),
    " AS effective_roles, m.attributes, m.source, m.created_at, m.updated_at, m.managed_by"
);

/// Which of a membership's roles a role filter reads.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub enum RoleSource {
    /// Its own and its groups' (the default: what its claims say).
    #[default]
    Effective,
    /// Its own only.
    Direct,
}

/// Filters of a membership list; every one given must hold.
#[derive(Debug, Default, Clone)]
pub struct MembershipFilter {
    /// `None`: every status.
    pub status: Option<String>,
    /// The membership has each of these roles (`role_source` says which of its roles count).
    pub roles: Vec<String>,
    pub role_source: RoleSource,
    pub group_id: Option<String>,
    /// How it joined (`api`, `invitation`, `domain`, `apply`, `bulk`).
    pub source: Option<String>,
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
            match self.role_source {
                RoleSource::Direct => qb.push(" AND m.roles @> "),
                RoleSource::Effective => qb.push(concat!(" AND ", effective_roles!(), " @> ")),
            };
            qb.push_bind(self.roles.clone());
        }
        if let Some(group_id) = &self.group_id {
            qb.push(
                " AND EXISTS (SELECT 1 FROM rm_group_members gm
                               WHERE gm.membership_id = m.id AND gm.group_id = ",
            )
            .push_bind(group_id.clone())
            .push(")");
        }
        if let Some(source) = &self.source {
            qb.push(" AND m.source = ").push_bind(source.clone());
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
    /// Its effective roles: its own and those its groups grant, sorted.
    pub roles: Vec<String>,
    /// Where each role comes from: `direct` (its own) and/or `group:<id>` for each group
    /// granting it.
    #[schemars(with = "std::collections::BTreeMap<String, Vec<String>>")]
    pub role_sources: Value,
    /// The union of the roles' permissions, sorted.
    pub permissions: Vec<String>,
    /// Where each permission comes from: the sources of the roles that carry it.
    #[schemars(with = "std::collections::BTreeMap<String, Vec<String>>")]
    pub permission_sources: Value,
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
pub const CLAIMS: &str = "SELECT m.organization_id, m.id AS membership_id, m.status,
                e.roles, e.role_sources, q.permissions, q.permission_sources,
                coalesce((SELECT jsonb_agg(jsonb_build_object('id', g.id, 'name', g.name) ORDER BY g.id)
                            FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id
                           WHERE gm.membership_id = m.id), '[]'::jsonb) AS groups
           FROM rm_memberships m
          CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(x.role ORDER BY x.role COLLATE \"C\"), '{}') AS roles,
                       coalesce(jsonb_object_agg(x.role, x.sources), '{}') AS role_sources
                  FROM (SELECT s.role, jsonb_agg(DISTINCT s.source ORDER BY s.source) AS sources
                          FROM (SELECT r AS role, 'direct' AS source FROM unnest(m.roles) r
                                UNION ALL
                                SELECT r, 'group:' || g.id
                                  FROM rm_group_members gm JOIN rm_groups g ON g.id = gm.group_id,
                                       unnest(g.roles) r
                                 WHERE gm.membership_id = m.id) AS s
                         GROUP BY s.role) AS x) AS e
          CROSS JOIN LATERAL (
                SELECT coalesce(array_agg(y.permission ORDER BY y.permission), '{}') AS permissions,
                       coalesce(jsonb_object_agg(y.permission, y.sources), '{}') AS permission_sources
                  FROM (SELECT p AS permission, jsonb_agg(DISTINCT src ORDER BY src) AS sources
                          FROM jsonb_each(e.role_sources) AS rs
                          -- The organization's own role, else the template's where the
                          -- organization offers it (read now: a template change reaches every
                          -- holder at once, a role withdrawn grants nothing from that moment).
                          CROSS JOIN LATERAL (
                                SELECT o.permissions FROM rm_roles o
                                 WHERE o.organization_id = m.organization_id AND o.slug = rs.key
                                UNION ALL
                                SELECT t.permissions
                                  FROM rm_role_templates t, rm_organizations og
                                 WHERE t.slug = rs.key AND og.id = m.organization_id
                                   AND (og.template_roles IS NULL
                                        OR t.slug = ANY (og.template_roles))
                                   AND NOT EXISTS (SELECT 1 FROM rm_roles o
                                                    WHERE o.organization_id = m.organization_id
                                                      AND o.slug = rs.key)) AS r,
                               unnest(r.permissions) AS p,
                               jsonb_array_elements_text(rs.value) AS src
                         GROUP BY p) AS y) AS q
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
