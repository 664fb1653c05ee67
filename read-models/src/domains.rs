//! Organizations' domains, and which organizations an email's domain leads to (a login flow's
//! question).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sqlx::{PgPool, QueryBuilder};

use store::page::{Page, PageRequest};
use store::StoreError;

#[derive(Debug, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "Domain")]
pub struct DomainRow {
    /// The kind of object, as in command responses.
    pub object: String,
    pub organization_id: String,
    #[schemars(with = "domain::values::DomainName")]
    pub domain: String,
    #[schemars(with = "domain::organization::DomainState")]
    pub state: String,
    #[schemars(with = "domain::organization::DomainPolicy")]
    pub policy: String,
    #[schemars(with = "std::collections::BTreeSet<domain::values::RoleSlug>")]
    pub default_roles: Vec<String>,
    /// The TXT record to publish: `name` and `value`.
    #[schemars(with = "domain::organization::DomainVerification")]
    pub verification: Value,
    pub verified_at: Option<DateTime<Utc>>,
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "'organization_domain' AS object, organization_id, domain, state, policy,
    ARRAY(SELECT unnest(default_roles) ORDER BY 1) AS default_roles,
    jsonb_build_object('name', verification_name, 'value', verification_value) AS verification,
    verified_at, expires_at, created_at, updated_at";

/// An organization's domains, by name.
pub async fn of_organization(
    pool: &PgPool,
    organization_id: &str,
    page: &PageRequest,
) -> Result<Page<DomainRow>, StoreError> {
    let mut qb = QueryBuilder::new(format!(
        "SELECT {COLUMNS} FROM rm_domains WHERE organization_id = "
    ));
    qb.push_bind(organization_id.to_owned());
    page.fetch(pool, qb, "domain", |r: &DomainRow| r.domain.clone())
        .await
}

pub async fn get(
    pool: &PgPool,
    organization_id: &str,
    domain: &str,
) -> Result<Option<DomainRow>, StoreError> {
    let row = sqlx::query_as::<_, DomainRow>(&format!(
        "SELECT {COLUMNS} FROM rm_domains WHERE organization_id = $1 AND domain = $2"
    ))
    .bind(organization_id)
    .bind(domain)
    .fetch_optional(pool)
    .await?;
    Ok(row)
}

/// An organization a person with an email under the domain may find (`suggest`) or join
/// (`auto_join`).
#[derive(Debug, Serialize, sqlx::FromRow, schemars::JsonSchema)]
#[schemars(rename = "DomainOrganization")]
pub struct DomainOrganizationRow {
    /// The kind of object.
    pub object: String,
    pub organization_id: String,
    pub organization_name: String,
    #[schemars(with = "domain::values::DomainName")]
    pub domain: String,
    /// `suggest` (joining takes an admin) or `auto_join` (`POST …/memberships` with the email).
    #[schemars(with = "domain::organization::DomainPolicy")]
    pub policy: String,
    /// The roles a member joining through the domain gets.
    #[schemars(with = "std::collections::BTreeSet<domain::values::RoleSlug>")]
    pub default_roles: Vec<String>,
}

/// The organizations that verified `domain` with a policy other than `off` (one at most: a
/// domain is verified by one organization at a time); `only` keeps that organization's.
pub async fn organizations_for(
    pool: &PgPool,
    domain: &str,
    only: Option<&str>,
    page: &PageRequest,
) -> Result<Page<DomainOrganizationRow>, StoreError> {
    let mut qb = QueryBuilder::new(
        "SELECT * FROM (SELECT 'domain_organization' AS object, d.organization_id, o.name AS organization_name,
                d.domain, d.policy, ARRAY(SELECT unnest(d.default_roles) ORDER BY 1) AS default_roles
           FROM rm_domains d JOIN rm_organizations o ON o.id = d.organization_id
          WHERE d.state = 'verified' AND d.policy <> 'off' AND d.domain = ",
    );
    qb.push_bind(domain.to_owned());
    if let Some(only) = only {
        qb.push(" AND d.organization_id = ")
            .push_bind(only.to_owned());
    }
    qb.push(") AS found WHERE true");
    page.fetch(pool, qb, "organization_id", |r: &DomainOrganizationRow| {
        r.organization_id.clone()
    })
    .await
}
