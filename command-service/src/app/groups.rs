//! Groups: create, update, delete (members removed first), and adding or removing a member —
//! an active membership of the group's own organization.

use chrono::Utc;
use domain::group::GroupError;
use domain::group::{Group, GroupCommand, GroupData, GroupEvent, GroupMember};
use domain::membership::{Membership, MembershipStatus};
use domain::organization::Organization;
use std::collections::BTreeSet;

use domain::values::{Description, GroupName, RoleSlug};
use domain::RequestContext;
use domain::{GroupId, MembershipId, OrganizationId};
use store::{StoreError, UnitOfWork};

use super::error::explain;
use super::{execute, load, reach, with_retries, AppError, Kind, Try, Written};
use crate::CommandState;

/// The group is read from its own events, not its members' (a delete removes members first).
fn group_event(event: &GroupEvent) -> Option<&GroupData> {
    event.group()
}

fn current(g: &Group) -> Option<GroupData> {
    g.current().cloned()
}

/// A live group (not deleted) the caller reaches.
async fn live(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
) -> Result<GroupData, AppError> {
    let id = id.to_string();
    let group: Group = load(&state.groups, &id).await?;
    let current = group
        .current()
        .cloned()
        .ok_or_else(|| AppError::NotFound(Kind::Group, id.clone()))?;
    reach(ctx, &current.organization_id, Kind::Group, &id)?;
    Ok(current)
}

pub async fn create(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    name: GroupName,
    description: Option<Description>,
) -> Result<Written<GroupData>, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    let org_str = org.to_string();
    let organization: Organization = load(&state.organizations, &org_str).await?;
    if organization.current().is_none() {
        return Err(AppError::NotFound(Kind::Organization, org_str));
    }
    let id = GroupId::new();
    let command = GroupCommand::Create {
        id,
        organization_id: *org,
        name,
        description,
        at: Utc::now(),
    };
    let id = id.to_string();
    execute(
        &state.groups,
        ctx,
        (&id, &org_str),
        command,
        group_event,
        current,
    )
    .await
}

/// Runs `command` on a live group.
async fn change(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    command: GroupCommand,
) -> Result<Written<GroupData>, AppError> {
    let group = live(state, ctx, id).await?;
    let org = group.organization_id.to_string();
    let id = id.to_string();
    execute(
        &state.groups,
        ctx,
        (&id, &org),
        command,
        group_event,
        current,
    )
    .await
}

pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    name: Option<GroupName>,
    description: Option<Option<Description>>,
) -> Result<Written<GroupData>, AppError> {
    let command = GroupCommand::Update {
        name,
        description,
        at: Utc::now(),
    };
    change(state, ctx, id, command).await
}

/// Sets the roles the group grants its members (`group.roles_updated`; the same set: nothing).
/// Each must be in the organization's catalogue, and stay there until the change commits (it
/// requires them, like a membership's roles).
pub async fn set_roles(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    roles: BTreeSet<RoleSlug>,
) -> Result<Written<GroupData>, AppError> {
    let group = live(state, ctx, id).await?;
    super::roles::check(state, &group.organization_id, &roles).await?;
    let command = GroupCommand::SetRoles {
        roles,
        at: Utc::now(),
    };
    change(state, ctx, id, command).await
}

/// Removes every member (`group.member_removed` each), then deletes the group, in one unit.
pub async fn delete(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
) -> Result<Written<GroupData>, AppError> {
    change(state, ctx, id, GroupCommand::Delete { at: Utc::now() }).await
}

/// The member after an add, and whether it was added now (else it was a member already).
#[derive(Debug)]
pub struct Added {
    pub member: Written<GroupMember>,
    pub added: bool,
}

/// Adds an active membership of the group's organization; adding it again changes nothing. The
/// add requires the membership active when it commits, so a racing deactivation wins or loses
/// cleanly. The group is loaded once per try: the checks and the decision see the same state.
pub async fn add_member(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    membership_id: &MembershipId,
) -> Result<Added, AppError> {
    let (id_str, m_str) = (id.to_string(), membership_id.to_string());
    let decided = with_retries(|| async {
        let group = state
            .groups
            .load_for_change(&id_str)
            .await
            .map_err(explain(&id_str))?;
        let Some(org) = group.state.current().map(|g| g.organization_id) else {
            return Err(AppError::NotFound(Kind::Group, id_str.clone()).into());
        };
        reach(ctx, &org, Kind::Group, &id_str)?;
        let membership: Membership = load(&state.memberships, &m_str).await?;
        may_join(ctx, &org, (&m_str, &membership))?;
        let command = GroupCommand::AddMember {
            membership_id: *membership_id,
            at: Utc::now(),
        };
        let mut unit = UnitOfWork::new();
        let decided = state
            .groups
            .decide(group, Some(&org.to_string()), command, ctx, &mut unit)
            .await
            .map_err(explain(&id_str))?;
        let committed = match unit.commit(&state.pool).await {
            Err(StoreError::Conflict) => return Err(Try::Again),
            other => other.map_err(|e| explain::<GroupError>(&id_str)(e.into()))?,
        };
        Ok((decided.events, committed.last().map(|c| c.position)))
    })
    .await?;
    if let (Some(member), Some(position)) =
        (decided.0.last().and_then(GroupEvent::member), decided.1)
    {
        return Ok(Added {
            member: Written {
                object: member.clone(),
                position,
            },
            added: true,
        });
    }
    // Already a member: nothing appended.
    let position = state
        .groups
        .last_position(&id_str)
        .await
        .map_err(explain(&id_str))?
        .unwrap_or(0);
    // The member as it was added: `at` says when it joined, not when it was asked again.
    let object = store::log::group_member_added(&state.pool, &id_str, &m_str)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!("{m_str} is a member of {id_str} without an add"))
        })?;
    Ok(Added {
        member: Written { object, position },
        added: false,
    })
}

/// A membership may join a group of `org` when the caller reaches it, it belongs to `org` and it
/// is active.
fn may_join(
    ctx: &RequestContext,
    org: &OrganizationId,
    (id, membership): (&str, &Membership),
) -> Result<(), AppError> {
    let Some(m) = membership.current() else {
        return Err(AppError::NotFound(Kind::Membership, id.to_owned()));
    };
    reach(ctx, &m.organization_id, Kind::Membership, id)?;
    if m.organization_id != *org {
        return Err(AppError::WrongOrganization(id.to_owned()));
    }
    if m.status != MembershipStatus::Active {
        return Err(AppError::MembershipNotActive(id.to_owned()));
    }
    Ok(())
}

/// Removes a member (404 when it is not one).
pub async fn remove_member(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    membership_id: &MembershipId,
) -> Result<Written<GroupMember>, AppError> {
    let group = live(state, ctx, id).await?;
    let (id_str, org) = (id.to_string(), group.organization_id.to_string());
    let command = GroupCommand::RemoveMember {
        membership_id: *membership_id,
        at: Utc::now(),
    };
    let executed = state
        .groups
        .execute(&id_str, Some(&org), command, ctx)
        .await
        .map_err(explain(&id_str))?;
    let removed = executed.events.last();
    match removed.and_then(|r| Some((r.event.member()?, r.position))) {
        Some((member, position)) => Ok(Written {
            object: member.clone(),
            position,
        }),
        None => Err(AppError::Internal(
            "a member was removed without an event".into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::given::{self, caller, deactivated, user};
    use super::*;

    #[test]
    fn given_an_active_membership_of_the_groups_organization_then_it_may_join() {
        let org = OrganizationId::new();
        let m = given::membership(org, user("ada"), &[], vec![]);
        assert!(may_join(&caller(None), &org, ("om_1", &m)).is_ok());
        assert!(may_join(&caller(Some(org)), &org, ("om_1", &m)).is_ok());
    }

    #[test]
    fn given_an_inactive_membership_then_it_may_not_join() {
        let org = OrganizationId::new();
        let m = given::membership(org, user("ada"), &[], vec![deactivated()]);
        assert!(matches!(
            may_join(&caller(None), &org, ("om_1", &m)),
            Err(AppError::MembershipNotActive(id)) if id == "om_1"
        ));
    }

    #[test]
    fn given_a_membership_of_another_organization_then_it_may_not_join_and_a_scoped_key_does_not_see_it(
    ) {
        let (org, other) = (OrganizationId::new(), OrganizationId::new());
        let m = given::membership(other, user("ada"), &[], vec![]);
        assert!(matches!(
            may_join(&caller(None), &org, ("om_1", &m)),
            Err(AppError::WrongOrganization(_))
        ));
        assert!(matches!(
            may_join(&caller(Some(org)), &org, ("om_1", &m)),
            Err(AppError::NotFound(Kind::Membership, _))
        ));
    }

    #[test]
    fn given_no_membership_then_it_is_not_found() {
        let org = OrganizationId::new();
        assert!(matches!(
            may_join(&caller(None), &org, ("om_1", &Membership::default())),
            Err(AppError::NotFound(Kind::Membership, _))
        ));
    }
}
