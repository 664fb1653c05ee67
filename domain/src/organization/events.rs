use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use super::domains::{DomainPolicy, DomainState, DomainUpdated, OrganizationDomain};
use crate::claims::{self, ClaimChange, Claims};
use crate::ids::OrganizationId;
use crate::values::{
    Description, ExternalId, MaxMembers, Metadata, OrganizationName, Permissions, RoleName,
    RoleSlug, TemplateRoleSet,
};

/// The organization as consumers see it; every event carries the whole object after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationData {
    pub id: OrganizationId,
    pub name: OrganizationName,
    pub description: Option<Description>,
    pub external_id: Option<ExternalId>,
    pub metadata: Metadata,
    /// The seat limit: active members at most (null: unlimited). Events written before it
    /// existed read as unlimited.
    #[serde(default)]
    pub max_members: Option<MaxMembers>,
    /// The organization template's roles it offers besides its own: null for all of them (also
    /// those added later), or only these. Events written before it existed read as all.
    #[serde(default)]
    pub template_roles: Option<TemplateRoleSet>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The old values of the fields an update changed (as Stripe's `previous_attributes`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousOrganizationAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<OrganizationName>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub description: Option<Option<Description>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub external_id: Option<Option<ExternalId>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub max_members: Option<Option<MaxMembers>>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub template_roles: Option<Option<TemplateRoleSet>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationUpdated {
    #[serde(flatten)]
    pub organization: OrganizationData,
    pub previous_attributes: PreviousOrganizationAttributes,
}

/// A role of an organization's catalogue, as consumers see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoleData {
    pub organization_id: OrganizationId,
    pub slug: RoleSlug,
    pub name: RoleName,
    pub description: Option<Description>,
    pub permissions: Permissions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousRoleAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<RoleName>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub description: Option<Option<Description>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<Permissions>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RoleUpdated {
    #[serde(flatten)]
    pub role: RoleData,
    pub previous_attributes: PreviousRoleAttributes,
}

/// Stored as `{"type": "organization.created", "data": {…}}`; `data` is the envelope's `data`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum OrganizationEvent {
    #[serde(rename = "organization.created")]
    Created(OrganizationData),
    #[serde(rename = "organization.updated")]
    Updated(OrganizationUpdated),
    /// The organization is closed (nothing new can be created in it) and its contents are being
    /// deleted by the process manager, which ends with `organization.deleted`.
    #[serde(rename = "organization.deletion_requested")]
    DeletionRequested(OrganizationData),
    #[serde(rename = "organization.deleted")]
    Deleted(OrganizationData),
    #[serde(rename = "organization_role.created")]
    RoleCreated(RoleData),
    #[serde(rename = "organization_role.updated")]
    RoleUpdated(RoleUpdated),
    #[serde(rename = "organization_role.deleted")]
    RoleDeleted(RoleData),
    /// A domain to verify: `pending`, with the TXT record to publish.
    #[serde(rename = "organization_domain.added")]
    DomainAdded(OrganizationDomain),
    /// Its TXT record was seen; no other organization may verify the domain while it holds it.
    #[serde(rename = "organization_domain.verified")]
    DomainVerified(OrganizationDomain),
    /// Nobody published the record before `expires_at`.
    #[serde(rename = "organization_domain.expired")]
    DomainExpired(OrganizationDomain),
    /// Its policy or default roles changed.
    #[serde(rename = "organization_domain.updated")]
    DomainUpdated(DomainUpdated),
    #[serde(rename = "organization_domain.removed")]
    DomainRemoved(OrganizationDomain),
}

impl OrganizationEvent {
    /// The organization as an `organization.*` event leaves it.
    pub fn organization(&self) -> Option<&OrganizationData> {
        match self {
            Self::Created(o) | Self::DeletionRequested(o) | Self::Deleted(o) => Some(o),
            Self::Updated(u) => Some(&u.organization),
            _ => None,
        }
    }

    /// The domain as an `organization_domain.*` event leaves it.
    pub fn domain(&self) -> Option<&OrganizationDomain> {
        match self {
            Self::DomainAdded(d)
            | Self::DomainVerified(d)
            | Self::DomainExpired(d)
            | Self::DomainRemoved(d) => Some(d),
            Self::DomainUpdated(u) => Some(&u.domain),
            _ => None,
        }
    }

    /// The role as an `organization_role.*` event leaves it.
    pub fn role(&self) -> Option<&RoleData> {
        match self {
            Self::RoleCreated(r) | Self::RoleDeleted(r) => Some(r),
            Self::RoleUpdated(u) => Some(&u.role),
            _ => None,
        }
    }
}

impl Claims for OrganizationEvent {
    fn claim_changes(&self) -> Vec<ClaimChange> {
        match self {
            Self::Created(org) => org
                .external_id
                .iter()
                .map(|e| ClaimChange::Acquire(claims::organization_external_id(e.as_str())))
                .chain([ClaimChange::Acquire(claims::organization_alive(&org.id))])
                .chain(org.max_members.map(|_| seat_limit(org)))
                .chain(offered(org, None, org.template_roles.as_ref()))
                .collect(),
            Self::DeletionRequested(org) => {
                vec![ClaimChange::Release(claims::organization_alive(&org.id))]
            }
            Self::Deleted(org) => org
                .external_id
                .iter()
                .map(|e| ClaimChange::Release(claims::organization_external_id(e.as_str())))
                .chain([ClaimChange::Release(claims::organization_alive(&org.id))])
                .chain(org.max_members.map(|_| ClaimChange::Limit {
                    key: claims::max_members(&org.id),
                    max: None,
                }))
                .chain(withdrawn(org, org.template_roles.as_ref()))
                .collect(),
            Self::Updated(u) => {
                let org = &u.organization;
                let previous = &u.previous_attributes;
                let limit = previous.max_members.map(|_| seat_limit(org));
                let template: Vec<ClaimChange> = match &previous.template_roles {
                    Some(before) => withdrawn(org, before.as_ref())
                        .chain(offered(org, before.as_ref(), org.template_roles.as_ref()))
                        .collect(),
                    None => Vec::new(),
                };
                let external_id = previous.external_id.iter().flat_map(|old| {
                    let release = old.iter().map(|e| {
                        ClaimChange::Release(claims::organization_external_id(e.as_str()))
                    });
                    let acquire = org.external_id.iter().map(|e| {
                        ClaimChange::Acquire(claims::organization_external_id(e.as_str()))
                    });
                    release.chain(acquire)
                });
                external_id.chain(limit).chain(template).collect()
            }
            // A custom role may not take a template role's slug; the slug index is what a
            // template role's creation looks under.
            Self::RoleCreated(r) => vec![
                ClaimChange::Acquire(claims::organization_role(
                    &r.organization_id,
                    r.slug.as_str(),
                )),
                ClaimChange::Acquire(claims::role_slug(r.slug.as_str(), &r.organization_id)),
                ClaimChange::Forbid(claims::role_template(r.slug.as_str())),
            ],
            Self::RoleDeleted(r) => vec![
                ClaimChange::Release(claims::organization_role(
                    &r.organization_id,
                    r.slug.as_str(),
                )),
                ClaimChange::Release(claims::role_slug(r.slug.as_str(), &r.organization_id)),
            ],
            Self::RoleUpdated(_) => Vec::new(),
            // Pending domains are indexed for the background check; a verified one is the
            // organization's alone; one letting people join holds the key their joins require.
            Self::DomainAdded(d) => vec![ClaimChange::Acquire(claims::domain_pending(d))],
            Self::DomainVerified(d) => [
                ClaimChange::Release(claims::domain_pending(d)),
                ClaimChange::Acquire(claims::domain_verified(&d.domain)),
            ]
            .into_iter()
            .chain(auto_join(d, false, d.auto_joins()))
            .collect(),
            Self::DomainUpdated(u) => {
                let d = &u.domain;
                let before = d.state == DomainState::Verified
                    && u.previous_attributes.policy.unwrap_or(d.policy) == DomainPolicy::AutoJoin;
                auto_join(d, before, d.auto_joins()).into_iter().collect()
            }
            Self::DomainExpired(d) => vec![ClaimChange::Release(claims::domain_pending(d))],
            Self::DomainRemoved(d) => match d.state {
                DomainState::Verified => [ClaimChange::Release(claims::domain_verified(&d.domain))]
                    .into_iter()
                    .chain(auto_join(d, d.auto_joins(), false))
                    .collect(),
                DomainState::Pending | DomainState::Expired => {
                    vec![ClaimChange::Release(claims::domain_pending(d))]
                }
            },
        }
    }
}

/// The auto-join key's change when a domain goes from letting people join (`before`) or not to
/// `after`.
fn auto_join(d: &OrganizationDomain, before: bool, after: bool) -> Option<ClaimChange> {
    let key = || claims::domain_auto_join(&d.organization_id, &d.domain);
    match (before, after) {
        (false, true) => Some(ClaimChange::Acquire(key())),
        (true, false) => Some(ClaimChange::Release(key())),
        _ => None,
    }
}

/// The keys saying which template roles the organization offers (`None`: all of them), taken
/// when it goes to `after` from `before`: each slug newly offered is required in the template.
/// Within one stream the last change of a key wins, so after [`withdrawn`] a key kept is taken
/// again rather than given up.
fn offered<'a>(
    org: &'a OrganizationData,
    before: Option<&'a TemplateRoleSet>,
    after: Option<&'a TemplateRoleSet>,
) -> impl Iterator<Item = ClaimChange> + 'a {
    let all = after
        .is_none()
        .then(|| ClaimChange::Acquire(claims::template_offered_all(&org.id)));
    let some = after
        .into_iter()
        .flat_map(|set| set.iter())
        .flat_map(move |s| {
            let new = !before.is_some_and(|b| b.contains(s));
            [ClaimChange::Acquire(claims::template_offered(
                &org.id,
                s.as_str(),
            ))]
            .into_iter()
            .chain(new.then(|| ClaimChange::Require(claims::role_template(s.as_str()))))
        });
    all.into_iter().chain(some)
}

/// The keys of `set` (what the organization offered of the template) given up.
fn withdrawn<'a>(
    org: &'a OrganizationData,
    set: Option<&'a TemplateRoleSet>,
) -> impl Iterator<Item = ClaimChange> + 'a {
    let all = set
        .is_none()
        .then(|| ClaimChange::Release(claims::template_offered_all(&org.id)));
    let some = set
        .into_iter()
        .flat_map(|set| set.iter())
        .map(|s| ClaimChange::Release(claims::template_offered(&org.id, s.as_str())));
    all.into_iter().chain(some)
}

/// The organization's seat limit as the store enforces it (memberships count against it).
fn seat_limit(org: &OrganizationData) -> ClaimChange {
    ClaimChange::Limit {
        key: claims::max_members(&org.id),
        max: org.max_members.map(MaxMembers::get),
    }
}

impl DomainEvent for OrganizationEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "organization.created",
            Self::Updated(_) => "organization.updated",
            Self::DeletionRequested(_) => "organization.deletion_requested",
            Self::Deleted(_) => "organization.deleted",
            Self::RoleCreated(_) => "organization_role.created",
            Self::RoleUpdated(_) => "organization_role.updated",
            Self::RoleDeleted(_) => "organization_role.deleted",
            Self::DomainAdded(_) => "organization_domain.added",
            Self::DomainVerified(_) => "organization_domain.verified",
            Self::DomainExpired(_) => "organization_domain.expired",
            Self::DomainUpdated(_) => "organization_domain.updated",
            Self::DomainRemoved(_) => "organization_domain.removed",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}
