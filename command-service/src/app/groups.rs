//! Groups: create, update, delete (members removed first), and adding or removing a member —
//! an active membership of the group's own organization.

use chrono::Utc;
use domain::group::{Group, GroupCommand, GroupData, GroupMember};
use domain::membership::{Membership, MembershipStatus};
use domain::organization::Organization;
use domain::values::{Description, GroupName};
use domain::RequestContext;
use domain::{GroupId, MembershipId, OrganizationId};

use super::error::explain;
use super::{event_data, execute, load, reach, AppError, Kind, Written};
use crate::CommandState;

/// The group is read from its own events, not its members' (a delete removes members first).
fn group_event(event_type: &str) -> bool {
    !event_type.starts_with("group.member_")
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
/// cleanly.
pub async fn add_member(
    state: &CommandState,
    ctx: &RequestContext,
    id: &GroupId,
    membership_id: &MembershipId,
) -> Result<Added, AppError> {
    let group = live(state, ctx, id).await?;
    let m_str = membership_id.to_string();
    let membership: Membership = load(&state.memberships, &m_str).await?;
    let Some(m) = membership.current() else {
        return Err(AppError::NotFound(Kind::Membership, m_str));
    };
    reach(ctx, &m.organization_id, Kind::Membership, &m_str)?;
    if m.organization_id != group.organization_id {
        return Err(AppError::WrongOrganization(m_str));
    }
    if m.status != MembershipStatus::Active {
        return Err(AppError::MembershipNotActive(m_str));
    }
    let (id_str, org) = (id.to_string(), group.organization_id.to_string());
    let command = GroupCommand::AddMember {
        membership_id: *membership_id,
        at: Utc::now(),
    };
    let executed = state
        .groups
        .execute(&id_str, Some(&org), command, ctx)
        .await
        .map_err(explain(&id_str))?;
    if let Some(event) = executed.events.last() {
        return Ok(Added {
            member: Written {
                object: event_data(event)?,
                position: event.position,
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
    let added = store::log::group_member_added(&state.pool, &id_str, &m_str)
        .await?
        .ok_or_else(|| {
            AppError::Internal(format!("{m_str} is a member of {id_str} without an add"))
        })?;
    let object: GroupMember = serde_json::from_value(added)
        .map_err(|e| AppError::Internal(format!("group.member_added of {m_str}: {e}")))?;
    Ok(Added {
        member: Written { object, position },
        added: false,
    })
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
    let event = executed
        .events
        .last()
        .ok_or_else(|| AppError::Internal("a member was removed without an event".into()))?;
    Ok(Written {
        object: event_data(event)?,
        position: event.position,
    })
}
