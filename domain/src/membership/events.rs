use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::claims::{self, ClaimChange, Claims};
use crate::ids::{MembershipId, OrganizationId};
use crate::values::{Attributes, RoleSlug, SubjectId};

/// Who the membership is for: a user or a machine application of the caller's identity system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    User(SubjectId),
    Application(SubjectId),
}

impl Subject {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User(_) => "user",
            Self::Application(_) => "application",
        }
    }

    pub fn id(&self) -> &SubjectId {
        match self {
            Self::User(id) | Self::Application(id) => id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipStatus {
    Active,
    Inactive,
}

/// How a membership (last) joined its organization: Keycloak's users asked to see who joined by
/// themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum MembershipSource {
    /// `POST /v1/organizations/{id}/memberships` (or a reactivation).
    Api,
    /// An accepted invitation.
    Invitation,
    /// Automatically, by the email's verified domain (`auto_join`).
    Domain,
    /// A declarative document (`roster apply`).
    Apply,
    /// An item of a bulk import.
    Bulk,
}

impl MembershipSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Api => "api",
            Self::Invitation => "invitation",
            Self::Domain => "domain",
            Self::Apply => "apply",
            Self::Bulk => "bulk",
        }
    }
}

/// The membership as consumers see it; every event carries the whole object after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MembershipData {
    pub id: MembershipId,
    pub organization_id: OrganizationId,
    pub user_id: Option<SubjectId>,
    pub application_id: Option<SubjectId>,
    pub status: MembershipStatus,
    pub roles: BTreeSet<RoleSlug>,
    pub attributes: Attributes,
    /// How it joined (created or last reactivated); null for memberships that joined before
    /// roster recorded it.
    #[serde(default)]
    pub source: Option<MembershipSource>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MembershipData {
    pub fn subject(&self) -> Option<Subject> {
        match (&self.user_id, &self.application_id) {
            (Some(u), None) => Some(Subject::User(u.clone())),
            (None, Some(a)) => Some(Subject::Application(a.clone())),
            _ => None,
        }
    }

    fn subject_claim(&self) -> Option<String> {
        self.subject()
            .map(|s| claims::membership_subject(&self.organization_id, &s))
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousMembershipAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<BTreeSet<RoleSlug>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attributes: Option<Attributes>,
}

/// `membership.updated`, version 2: version 1 plus `roles_added` and `roles_removed`, so an audit
/// ("who gave X the admin role?") reads the grant off the event instead of diffing two role
/// sets. Version 1 events are upcast on read (`crate::upcast`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct MembershipUpdated {
    #[serde(flatten)]
    pub membership: MembershipData,
    pub previous_attributes: PreviousMembershipAttributes,
    /// Roles the membership holds after the change and did not before (since version 2).
    pub roles_added: BTreeSet<RoleSlug>,
    /// Roles the membership held before the change and no longer does (since version 2).
    pub roles_removed: BTreeSet<RoleSlug>,
}

impl MembershipUpdated {
    /// The event for `membership` after a change whose old values are `previous_attributes`.
    pub fn new(
        membership: MembershipData,
        previous_attributes: PreviousMembershipAttributes,
    ) -> Self {
        let (roles_added, roles_removed) = match &previous_attributes.roles {
            Some(old) => (
                membership.roles.difference(old).cloned().collect(),
                old.difference(&membership.roles).cloned().collect(),
            ),
            None => Default::default(),
        };
        Self {
            membership,
            previous_attributes,
            roles_added,
            roles_removed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum MembershipEvent {
    #[serde(rename = "membership.created")]
    Created(MembershipData),
    #[serde(rename = "membership.updated")]
    Updated(MembershipUpdated),
    #[serde(rename = "membership.deactivated")]
    Deactivated(MembershipData),
    #[serde(rename = "membership.reactivated")]
    Reactivated(MembershipData),
    #[serde(rename = "membership.deleted")]
    Deleted(MembershipData),
}

impl MembershipEvent {
    /// The membership as the event leaves it (a deleted one as it was last).
    pub fn membership(&self) -> &MembershipData {
        match self {
            Self::Created(m) | Self::Deactivated(m) | Self::Reactivated(m) | Self::Deleted(m) => m,
            Self::Updated(u) => &u.membership,
        }
    }
}

impl Claims for MembershipEvent {
    /// One membership per subject and organization (for its whole life, active or not); and an
    /// "active" key held while active, which group membership will require.
    fn claim_changes(&self) -> Vec<ClaimChange> {
        match self {
            Self::Created(m) => {
                let mut changes: Vec<_> = m
                    .subject_claim()
                    .into_iter()
                    .map(ClaimChange::Acquire)
                    .collect();
                changes.push(ClaimChange::Require(claims::organization_alive(
                    &m.organization_id,
                )));
                changes.push(ClaimChange::Acquire(claims::membership_active(&m.id)));
                changes.extend(seat_taken(m));
                changes.extend(role_changes(m, &BTreeSet::new(), &m.roles));
                changes
            }
            // Every role the membership holds after the change must still be in the catalogue
            // when it commits, kept ones too: a role deleted meanwhile makes the change fail
            // instead of showing a membership with a role that no longer exists.
            Self::Updated(u) => {
                let old = u
                    .previous_attributes
                    .roles
                    .as_ref()
                    .unwrap_or(&u.membership.roles);
                role_changes(&u.membership, old, &u.membership.roles)
            }
            Self::Deactivated(m) => vec![
                ClaimChange::Release(claims::membership_active(&m.id)),
                ClaimChange::Release(claims::seat(&m.organization_id, &m.id)),
            ],
            Self::Reactivated(m) => {
                let mut changes = vec![
                    ClaimChange::Acquire(claims::membership_active(&m.id)),
                    ClaimChange::Require(claims::organization_alive(&m.organization_id)),
                ];
                changes.extend(seat_taken(m));
                changes.extend(role_changes(m, &m.roles, &m.roles));
                changes
            }
            Self::Deleted(m) => {
                let mut changes: Vec<_> = m
                    .subject_claim()
                    .into_iter()
                    .map(ClaimChange::Release)
                    .collect();
                changes.push(ClaimChange::Release(claims::membership_active(&m.id)));
                changes.push(ClaimChange::Release(claims::seat(
                    &m.organization_id,
                    &m.id,
                )));
                changes.extend(role_changes(m, &m.roles, &BTreeSet::new()));
                changes
            }
        }
    }
}

/// An active membership holds a seat of its organization, counted against `max_members`: every
/// way of joining (created, reactivated, through an invitation, a domain, a bulk import or an
/// apply) is refused at the limit, by the commit itself.
fn seat_taken(m: &MembershipData) -> [ClaimChange; 2] {
    let org = &m.organization_id;
    [
        ClaimChange::Acquire(claims::seat(org, &m.id)),
        ClaimChange::Within {
            prefix: claims::seats_prefix(org),
            limit: claims::max_members(org),
        },
    ]
}

/// Roles held after the change must exist in the catalogue (required, added and kept alike), and
/// are indexed so that deleting a role finds the memberships holding it.
fn role_changes(
    m: &MembershipData,
    old: &BTreeSet<RoleSlug>,
    new: &BTreeSet<RoleSlug>,
) -> Vec<ClaimChange> {
    let org = &m.organization_id;
    claims::roles_held(org, old, new, |r| claims::role_member(org, r, &m.id))
}

impl DomainEvent for MembershipEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "membership.created",
            Self::Updated(_) => "membership.updated",
            Self::Deactivated(_) => "membership.deactivated",
            Self::Reactivated(_) => "membership.reactivated",
            Self::Deleted(_) => "membership.deleted",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        match self {
            Self::Updated(_) => crate::upcast::MEMBERSHIP_UPDATED_VERSION,
            _ => "1",
        }
        .to_owned()
    }
}
