//! The group aggregate: a named set of an organization's active memberships (like WorkOS
//! groups and Melody Auth org groups).

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::claims::{self, ClaimChange, Claims};
use crate::ids::{GroupId, MembershipId, OrganizationId};
use crate::values::{Description, GroupName, RoleSlug};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupData {
    pub id: GroupId,
    pub organization_id: OrganizationId,
    pub name: GroupName,
    pub description: Option<Description>,
    /// Roles every member of the group has through it (its effective roles), besides its own.
    /// Events written before groups carried roles read as none.
    #[serde(default)]
    pub roles: BTreeSet<RoleSlug>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousGroupAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<GroupName>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::values::nullable"
    )]
    pub description: Option<Option<Description>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupUpdated {
    #[serde(flatten)]
    pub group: GroupData,
    pub previous_attributes: PreviousGroupAttributes,
}

/// The group after its roles changed, and the roles it had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupRolesUpdated {
    #[serde(flatten)]
    pub group: GroupData,
    pub previous_roles: BTreeSet<RoleSlug>,
}

/// A membership's place in a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct GroupMember {
    pub group_id: GroupId,
    pub organization_id: OrganizationId,
    pub membership_id: MembershipId,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum GroupEvent {
    #[serde(rename = "group.created")]
    Created(GroupData),
    #[serde(rename = "group.updated")]
    Updated(GroupUpdated),
    #[serde(rename = "group.deleted")]
    Deleted(GroupData),
    #[serde(rename = "group.member_added")]
    MemberAdded(GroupMember),
    #[serde(rename = "group.member_removed")]
    MemberRemoved(GroupMember),
    /// The roles the group grants its members changed (`PUT /v1/groups/{id}/roles`, or a role
    /// taken from it when the role left the catalogue).
    #[serde(rename = "group.roles_updated")]
    RolesUpdated(GroupRolesUpdated),
}

impl GroupEvent {
    /// The group as a `group.*` event about the group itself leaves it.
    pub fn group(&self) -> Option<&GroupData> {
        match self {
            Self::Created(g) | Self::Deleted(g) => Some(g),
            Self::Updated(u) => Some(&u.group),
            Self::RolesUpdated(u) => Some(&u.group),
            Self::MemberAdded(_) | Self::MemberRemoved(_) => None,
        }
    }

    /// The member a `group.member_*` event adds or removes.
    pub fn member(&self) -> Option<&GroupMember> {
        match self {
            Self::MemberAdded(m) | Self::MemberRemoved(m) => Some(m),
            _ => None,
        }
    }
}

impl Claims for GroupEvent {
    /// Names are unique per organization; a member must hold its membership's "active" key when
    /// added (so a racing deactivation either waits for the add or makes it fail), and is indexed
    /// so that deactivating or deleting the membership finds its groups.
    fn claim_changes(&self) -> Vec<ClaimChange> {
        match self {
            // Nothing new in an organization that is being deleted (or gone).
            Self::Created(g) => vec![
                ClaimChange::Require(claims::organization_alive(&g.organization_id)),
                ClaimChange::Acquire(claims::group_name(&g.organization_id, g.name.as_str())),
            ],
            Self::Updated(u) => match &u.previous_attributes.name {
                Some(old) => vec![
                    ClaimChange::Release(claims::group_name(
                        &u.group.organization_id,
                        old.as_str(),
                    )),
                    ClaimChange::Acquire(claims::group_name(
                        &u.group.organization_id,
                        u.group.name.as_str(),
                    )),
                ],
                None => Vec::new(),
            },
            Self::Deleted(g) => std::iter::once(ClaimChange::Release(claims::group_name(
                &g.organization_id,
                g.name.as_str(),
            )))
            .chain(role_changes(g, &g.roles, &BTreeSet::new()))
            .collect(),
            Self::RolesUpdated(u) => role_changes(&u.group, &u.previous_roles, &u.group.roles),
            Self::MemberAdded(m) => vec![
                ClaimChange::Require(claims::organization_alive(&m.organization_id)),
                ClaimChange::Require(claims::membership_active(&m.membership_id)),
                ClaimChange::Acquire(claims::membership_in_group(&m.membership_id, &m.group_id)),
            ],
            Self::MemberRemoved(m) => vec![ClaimChange::Release(claims::membership_in_group(
                &m.membership_id,
                &m.group_id,
            ))],
        }
    }
}

/// A group's roles must be in the catalogue while it grants them (added and kept alike, as for a
/// membership's), and are indexed so that deleting a role finds the groups granting it.
fn role_changes(
    g: &GroupData,
    old: &BTreeSet<RoleSlug>,
    new: &BTreeSet<RoleSlug>,
) -> Vec<ClaimChange> {
    let org = &g.organization_id;
    claims::roles_held(org, old, new, |r| claims::role_group(org, r, &g.id))
}

impl DomainEvent for GroupEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "group.created",
            Self::Updated(_) => "group.updated",
            Self::Deleted(_) => "group.deleted",
            Self::MemberAdded(_) => "group.member_added",
            Self::MemberRemoved(_) => "group.member_removed",
            Self::RolesUpdated(_) => "group.roles_updated",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum GroupCommand {
    Create {
        id: GroupId,
        organization_id: OrganizationId,
        name: GroupName,
        description: Option<Description>,
        at: DateTime<Utc>,
    },
    Update {
        name: Option<GroupName>,
        description: Option<Option<Description>>,
        at: DateTime<Utc>,
    },
    /// Removes every member (each an explicit event), then deletes the group.
    Delete { at: DateTime<Utc> },
    /// Idempotent: adding a member again changes nothing.
    AddMember {
        membership_id: MembershipId,
        at: DateTime<Utc>,
    },
    RemoveMember {
        membership_id: MembershipId,
        at: DateTime<Utc>,
    },
    /// The roles the group grants, replacing what it granted; the same set changes nothing.
    SetRoles {
        roles: BTreeSet<RoleSlug>,
        at: DateTime<Utc>,
    },
    /// Takes roles that left the catalogue (issued by the process manager); none held: nothing.
    RemoveRoles {
        slugs: BTreeSet<RoleSlug>,
        at: DateTime<Utc>,
    },
}

impl crate::Named for GroupCommand {
    fn name(&self) -> &'static str {
        match self {
            Self::Create { .. } => "group.create",
            Self::Update { .. } => "group.update",
            Self::Delete { .. } => "group.delete",
            Self::AddMember { .. } => "group.add_member",
            Self::RemoveMember { .. } => "group.remove_member",
            Self::SetRoles { .. } => "group.set_roles",
            Self::RemoveRoles { .. } => "group.remove_roles",
        }
    }

    fn creates(&self) -> bool {
        matches!(self, Self::Create { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GroupError {
    #[error("the group already exists")]
    AlreadyExists,
    #[error("the group does not exist")]
    NotFound,
    #[error("{0} is not a member of the group")]
    NotMember(MembershipId),
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Group {
    pub state: Option<GroupData>,
    pub members: BTreeSet<MembershipId>,
    pub deleted: bool,
}

crate::aggregate!(Group, "group", GroupCommand, GroupEvent, GroupError);

impl Group {
    /// How each event changes the state.
    fn evolve(&mut self, event: GroupEvent) {
        match event {
            GroupEvent::Created(g) => self.state = Some(g),
            GroupEvent::Updated(u) => self.state = Some(u.group),
            GroupEvent::RolesUpdated(u) => self.state = Some(u.group),
            GroupEvent::Deleted(g) => {
                self.state = Some(g);
                self.deleted = true;
            }
            GroupEvent::MemberAdded(m) => {
                self.members.insert(m.membership_id);
            }
            GroupEvent::MemberRemoved(m) => {
                self.members.remove(&m.membership_id);
            }
        }
    }
}

/// `group.roles_updated` to `roles`, or nothing when the group grants exactly those.
fn roles_updated(
    current: &GroupData,
    roles: BTreeSet<RoleSlug>,
    at: DateTime<Utc>,
) -> Vec<GroupEvent> {
    if roles == current.roles {
        return Vec::new();
    }
    let mut next = current.clone();
    let previous_roles = std::mem::replace(&mut next.roles, roles);
    next.updated_at = at;
    vec![GroupEvent::RolesUpdated(GroupRolesUpdated {
        group: next,
        previous_roles,
    })]
}

impl Group {
    pub fn current(&self) -> Option<&GroupData> {
        self.state.as_ref().filter(|_| !self.deleted)
    }

    pub fn decide(&self, command: GroupCommand) -> Result<Vec<GroupEvent>, GroupError> {
        if let GroupCommand::Create {
            id,
            organization_id,
            name,
            description,
            at,
        } = command
        {
            if self.state.is_some() {
                return Err(GroupError::AlreadyExists);
            }
            return Ok(vec![GroupEvent::Created(GroupData {
                id,
                organization_id,
                name,
                description,
                roles: BTreeSet::new(),
                created_at: at,
                updated_at: at,
            })]);
        }
        let current = self.current().ok_or(GroupError::NotFound)?;
        let member = |membership_id, at| GroupMember {
            group_id: current.id,
            organization_id: current.organization_id,
            membership_id,
            at,
        };
        Ok(match command {
            GroupCommand::Create { .. } => unreachable!("handled above"),
            GroupCommand::Update {
                name,
                description,
                at,
            } => {
                let mut next = current.clone();
                let mut previous = PreviousGroupAttributes::default();
                if let Some(n) = name.filter(|n| *n != current.name) {
                    previous.name = Some(std::mem::replace(&mut next.name, n));
                }
                if let Some(d) = description.filter(|d| *d != current.description) {
                    previous.description = Some(std::mem::replace(&mut next.description, d));
                }
                if previous == PreviousGroupAttributes::default() {
                    return Ok(Vec::new());
                }
                next.updated_at = at;
                vec![GroupEvent::Updated(GroupUpdated {
                    group: next,
                    previous_attributes: previous,
                })]
            }
            GroupCommand::Delete { at } => {
                let mut events: Vec<_> = self
                    .members
                    .iter()
                    .map(|m| GroupEvent::MemberRemoved(member(*m, at)))
                    .collect();
                let mut gone = current.clone();
                gone.updated_at = at;
                events.push(GroupEvent::Deleted(gone));
                events
            }
            GroupCommand::SetRoles { roles, at } => roles_updated(current, roles, at),
            GroupCommand::RemoveRoles { slugs, at } => {
                let kept = current.roles.difference(&slugs).cloned().collect();
                roles_updated(current, kept, at)
            }
            GroupCommand::AddMember { membership_id, at } => {
                if self.members.contains(&membership_id) {
                    return Ok(Vec::new());
                }
                vec![GroupEvent::MemberAdded(member(membership_id, at))]
            }
            GroupCommand::RemoveMember { membership_id, at } => {
                if !self.members.contains(&membership_id) {
                    return Err(GroupError::NotMember(membership_id));
                }
                vec![GroupEvent::MemberRemoved(member(membership_id, at))]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    use super::*;

    type Given = TestFramework<Group>;

    fn group() -> GroupData {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        GroupData {
            id: GroupId::parse("grp_01JD0000000000000000000000").unwrap(),
            organization_id: OrganizationId::parse("org_01JD0000000000000000000000").unwrap(),
            name: GroupName::parse("Engineering").unwrap(),
            description: None,
            roles: BTreeSet::new(),
            created_at: at,
            updated_at: at,
        }
    }

    fn om(n: u8) -> MembershipId {
        MembershipId::parse(&format!("om_01JD00000000000000000000{n:02}")).unwrap()
    }

    fn added(g: &GroupData, m: MembershipId) -> GroupEvent {
        GroupEvent::MemberAdded(GroupMember {
            group_id: g.id,
            organization_id: g.organization_id,
            membership_id: m,
            at: g.created_at,
        })
    }

    #[test]
    fn adding_is_idempotent_and_removing_a_stranger_fails() {
        let g = group();
        let at = g.created_at;
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone())])
            .when(GroupCommand::AddMember {
                membership_id: om(1),
                at,
            })
            .then_expect_events(vec![added(&g, om(1))]);
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone()), added(&g, om(1))])
            .when(GroupCommand::AddMember {
                membership_id: om(1),
                at,
            })
            .then_expect_events(vec![]);
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone())])
            .when(GroupCommand::RemoveMember {
                membership_id: om(2),
                at,
            })
            .then_expect_error(GroupError::NotMember(om(2)));
    }

    fn slugs(list: &[&str]) -> BTreeSet<RoleSlug> {
        list.iter().map(|s| RoleSlug::parse(s).unwrap()).collect()
    }

    #[test]
    fn roles_are_set_taken_and_required_while_granted() {
        let g = group();
        let at = g.created_at;
        let granting = GroupData {
            roles: slugs(&["billing", "viewer"]),
            ..g.clone()
        };
        let set = GroupEvent::RolesUpdated(GroupRolesUpdated {
            group: granting.clone(),
            previous_roles: BTreeSet::new(),
        });
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone())])
            .when(GroupCommand::SetRoles {
                roles: slugs(&["viewer", "billing"]),
                at,
            })
            .then_expect_events(vec![set.clone()]);
        // The same set again: nothing; a role it does not grant taken: nothing.
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone()), set.clone()])
            .when(GroupCommand::SetRoles {
                roles: slugs(&["billing", "viewer"]),
                at,
            })
            .then_expect_events(vec![]);
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone()), set.clone()])
            .when(GroupCommand::RemoveRoles {
                slugs: slugs(&["admin"]),
                at,
            })
            .then_expect_events(vec![]);
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone()), set.clone()])
            .when(GroupCommand::RemoveRoles {
                slugs: slugs(&["billing"]),
                at,
            })
            .then_expect_events(vec![GroupEvent::RolesUpdated(GroupRolesUpdated {
                group: GroupData {
                    roles: slugs(&["viewer"]),
                    ..g.clone()
                },
                previous_roles: slugs(&["billing", "viewer"]),
            })]);
        let org = g.organization_id;
        let acquired = [
            ClaimChange::Acquire(format!("organization/{org}/role_group/billing/{}", g.id)),
            ClaimChange::Acquire(format!("organization/{org}/role_group/viewer/{}", g.id)),
        ];
        let held = [
            claims::role_available(&org, "billing"),
            claims::role_available(&org, "viewer"),
        ];
        assert_eq!(
            set.claim_changes(),
            acquired
                .into_iter()
                .chain(held.concat())
                .collect::<Vec<_>>()
        );
        assert_eq!(
            GroupEvent::Deleted(granting).claim_changes()[1..],
            [
                ClaimChange::Release(format!("organization/{org}/role_group/billing/{}", g.id)),
                ClaimChange::Release(format!("organization/{org}/role_group/viewer/{}", g.id)),
            ]
        );
    }

    #[test]
    fn delete_removes_every_member_first() {
        let g = group();
        let at = g.created_at;
        let removed = |m| {
            GroupEvent::MemberRemoved(GroupMember {
                group_id: g.id,
                organization_id: g.organization_id,
                membership_id: m,
                at,
            })
        };
        Given::with(())
            .given(vec![
                GroupEvent::Created(g.clone()),
                added(&g, om(1)),
                added(&g, om(2)),
            ])
            .when(GroupCommand::Delete { at })
            .then_expect_events(vec![
                removed(om(1)),
                removed(om(2)),
                GroupEvent::Deleted(g.clone()),
            ]);
        Given::with(())
            .given(vec![GroupEvent::Created(g.clone()), GroupEvent::Deleted(g)])
            .when(GroupCommand::AddMember {
                membership_id: om(1),
                at,
            })
            .then_expect_error(GroupError::NotFound);
    }

    #[test]
    fn claims_make_names_unique_and_members_active() {
        let g = group();
        let renamed = GroupEvent::Updated(GroupUpdated {
            group: GroupData {
                name: GroupName::parse("ENG").unwrap(),
                ..g.clone()
            },
            previous_attributes: PreviousGroupAttributes {
                name: Some(g.name.clone()),
                ..Default::default()
            },
        });
        let org = g.organization_id;
        assert_eq!(
            renamed.claim_changes(),
            vec![
                ClaimChange::Release(format!("organization/{org}/group_name/engineering")),
                ClaimChange::Acquire(format!("organization/{org}/group_name/eng")),
            ]
        );
        assert_eq!(
            added(&g, om(1)).claim_changes(),
            vec![
                ClaimChange::Require(format!("organization/{org}/alive")),
                ClaimChange::Require(format!("membership/{}/active", om(1))),
                ClaimChange::Acquire(format!("membership/{}/group/{}", om(1), g.id)),
            ]
        );
        assert_eq!(
            GroupEvent::Created(g.clone()).claim_changes()[0],
            ClaimChange::Require(format!("organization/{org}/alive")),
            "nothing new in an organization being deleted"
        );
    }
}
