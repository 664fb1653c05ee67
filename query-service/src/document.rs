//! The organizations as a declarative document (`roster export`, `GET /v1/export`): what
//! `roster plan` of the same document finds nothing to change in. A whole export (an admin's)
//! starts with the organization template's roles. Active members only (a document
//! cannot say "inactive", and applying one never deactivates), pending invitations without their
//! expiry (a document gives a duration, not a date), every role with its permissions, every
//! domain with its policy and default roles (not its state: DNS verifies, never a document).
//! Organizations without an external id cannot be named by a document: they are left out, and
//! counted.

use std::collections::HashMap;

use declarative::{
    Collection, Document, Domain, Group, Invitation, Member, MemberRef, Organization, Role,
};
use domain::values::{
    Attributes, Description, DomainName, Email, ExternalId, GroupName, MaxMembers, Metadata,
    OrganizationName, Permissions, RoleName, RoleSlug, SubjectId, TemplateRoleSet, ValueError,
};
use read_models::state::{MemberState, OrganizationState, Selection};
use sqlx::PgPool;
use store::StoreError;

/// An export: the document, the position it is of, and how many organizations it leaves out
/// for want of an external id.
#[derive(Debug)]
pub struct Exported {
    pub document: Document,
    pub position: i64,
    pub without_external_id: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored value the document's types refuse (which the API would never have stored).
    #[error("organization {0}: {1}")]
    Stored(String, ValueError),
}

/// The organizations `selection` names, as the projector (`consumer`) has them.
pub async fn export(
    pool: &PgPool,
    consumer: &str,
    selection: Selection<'_>,
) -> Result<Exported, ExportError> {
    let read_models::state::Snapshot {
        position,
        organizations,
        template,
    } = read_models::state::organizations(pool, consumer, selection).await?;
    let mut document = Document::default();
    // The whole deployment's: its template too (an organization key's export is its
    // organization only).
    if matches!(selection, Selection::All) {
        document.role_templates = (template.iter())
            .map(|t| role(&t.slug, &t.name, t.description.as_deref(), &t.permissions))
            .collect::<Result<_, _>>()
            .map_err(|e| ExportError::Stored("the organization template".into(), e))?;
    }
    let mut without_external_id = 0;
    for org in &organizations {
        match organization(org).map_err(|e| ExportError::Stored(org.id.clone(), e))? {
            Some(org) => document.organizations.push(org),
            None => without_external_id += 1,
        }
    }
    Ok(Exported {
        document,
        position,
        without_external_id,
    })
}

fn role(
    slug: &str,
    name: &str,
    description: Option<&str>,
    permissions: &[String],
) -> Result<Role, ValueError> {
    Ok(Role {
        slug: RoleSlug::parse(slug)?,
        name: RoleName::parse(name)?,
        description: description.map(Description::parse).transpose()?,
        permissions: Some(Permissions::parse(permissions.to_vec())?),
    })
}

fn organization(org: &OrganizationState) -> Result<Option<Organization>, ValueError> {
    let Some(external_id) = &org.external_id else {
        return Ok(None);
    };
    let metadata: std::collections::BTreeMap<String, String> =
        serde_json::from_value(org.metadata.clone()).map_err(|e| ValueError(e.to_string()))?;
    let roles = (org.roles.iter())
        .map(|r| role(&r.slug, &r.name, r.description.as_deref(), &r.permissions))
        .collect::<Result<Vec<_>, ValueError>>()?;
    let active: Vec<&MemberState> = org
        .members
        .iter()
        .filter(|m| m.status == "active")
        .collect();
    let mut members = (active.iter())
        .map(|m| {
            let attributes = match &m.attributes {
                serde_json::Value::Object(map) if !map.is_empty() => {
                    Some(Attributes::parse(map.clone())?)
                }
                _ => None,
            };
            let mut roles: Vec<RoleSlug> = m
                .roles
                .iter()
                .map(|r| RoleSlug::parse(r))
                .collect::<Result<_, _>>()?;
            roles.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            let by = reference(m)?;
            Ok(Member {
                user_id: by.user_id,
                application_id: by.application_id,
                roles: Some(roles),
                attributes,
            })
        })
        .collect::<Result<Vec<_>, ValueError>>()?;
    members.sort_by_key(|m| subject_key(&m.user_id, &m.application_id));
    let by_id: HashMap<&str, &MemberState> = active.iter().map(|m| (m.id.as_str(), *m)).collect();
    let mut groups = (org.groups.iter())
        .map(|g| {
            let mut refs = (g.members.iter())
                .filter_map(|m| by_id.get(m.membership_id.as_str()))
                .map(|m| reference(m))
                .collect::<Result<Vec<_>, ValueError>>()?;
            refs.sort_by_key(|r| subject_key(&r.user_id, &r.application_id));
            Ok(Group {
                name: GroupName::parse(&g.name)?,
                description: g
                    .description
                    .as_deref()
                    .map(Description::parse)
                    .transpose()?,
                roles: (!g.roles.is_empty())
                    .then(|| g.roles.iter().map(|r| RoleSlug::parse(r)).collect())
                    .transpose()?,
                members: refs,
            })
        })
        .collect::<Result<Vec<_>, ValueError>>()?;
    groups.sort_by_key(|g| g.name.as_str().to_lowercase());
    let mut invitations = (org.invitations.iter())
        .map(|i| {
            let mut roles: Vec<RoleSlug> = i
                .roles
                .iter()
                .map(|r| RoleSlug::parse(r))
                .collect::<Result<_, _>>()?;
            roles.sort_by(|a, b| a.as_str().cmp(b.as_str()));
            Ok(Invitation {
                email: Email::parse(&i.email)?,
                roles: Some(roles),
                expires_in_days: None,
            })
        })
        .collect::<Result<Vec<_>, ValueError>>()?;
    invitations.sort_by_key(|i| i.email.normalized());
    // In name order (the read's); every domain with its policy and default roles, whatever its
    // state (a document cannot verify one).
    let domains = (org.domains.iter())
        .map(|d| {
            Ok(Domain {
                domain: DomainName::parse(&d.domain)?,
                policy: Some(
                    serde_json::from_value(serde_json::Value::String(d.policy.clone()))
                        .map_err(|e| ValueError(e.to_string()))?,
                ),
                default_roles: Some(
                    (d.default_roles.iter())
                        .map(|r| RoleSlug::parse(r))
                        .collect::<Result<_, _>>()?,
                ),
            })
        })
        .collect::<Result<Vec<_>, ValueError>>()?;
    Ok(Some(Organization {
        external_id: ExternalId::parse(external_id)?,
        name: OrganizationName::parse(&org.name)?,
        description: org
            .description
            .as_deref()
            .map(Description::parse)
            .transpose()?,
        metadata: (!metadata.is_empty())
            .then(|| Metadata::parse(metadata))
            .transpose()?,
        max_members: org
            .max_members
            .map(|n| MaxMembers::parse(u64::try_from(n).unwrap_or(u64::MAX)))
            .transpose()?,
        template_roles: (org.template_roles.as_ref())
            .map(|t| {
                let slugs: Result<_, _> = t.iter().map(|r| RoleSlug::parse(r)).collect();
                TemplateRoleSet::parse(slugs?)
            })
            .transpose()?,
        roles: Collection::merge(roles),
        members: Collection::merge(members),
        groups: Collection::merge(groups),
        invitations: Collection::merge(invitations),
        domains: Collection::merge(domains),
    }))
}

fn reference(m: &MemberState) -> Result<MemberRef, ValueError> {
    Ok(MemberRef {
        user_id: m.user_id.as_deref().map(SubjectId::parse).transpose()?,
        application_id: m
            .application_id
            .as_deref()
            .map(SubjectId::parse)
            .transpose()?,
    })
}

fn subject_key(user: &Option<SubjectId>, app: &Option<SubjectId>) -> (u8, String) {
    match (user, app) {
        (Some(u), _) => (0, u.as_str().to_owned()),
        (None, Some(a)) => (1, a.as_str().to_owned()),
        (None, None) => (2, String::new()),
    }
}
