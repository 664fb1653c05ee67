//! Organizations: create, update, and deletion — accepted at once, carried out by the process
//! manager.

use chrono::Utc;
use domain::group::{GroupCommand, GroupError};
use domain::invitation::InvitationCommand;
use domain::organization::{
    CreateOrganization, Organization, OrganizationCommand, OrganizationData, OrganizationEvent,
    UpdateOrganization,
};
use domain::RequestContext;
use domain::{claims, MembershipId, OrganizationId};
use store::UnitOfWork;

use crate::bus::CommandError;

use super::error::explain;
use super::memberships::{leave, Leave};
use super::{commit, execute, holders, reach, with_retries, AppError, Kind, Try, Written};
use crate::CommandState;

/// Creating also seeds the built-in roles: the organization is read from its own event, at the
/// position of the last role event.
fn organization(event: &OrganizationEvent) -> Option<&OrganizationData> {
    event.organization()
}

pub async fn create(
    state: &CommandState,
    ctx: &RequestContext,
    input: CreateOrganization,
) -> Result<Written<OrganizationData>, AppError> {
    if ctx.limited_to.is_some() {
        return Err(AppError::Forbidden(
            "an organization key cannot create organizations".into(),
        ));
    }
    let id = input.id.to_string();
    let command = OrganizationCommand::Create(input);
    execute(
        &state.organizations,
        ctx,
        (&id, &id),
        command,
        organization,
        |o| o.current().cloned(),
    )
    .await
}

pub async fn update(
    state: &CommandState,
    ctx: &RequestContext,
    id: &OrganizationId,
    input: UpdateOrganization,
) -> Result<Written<OrganizationData>, AppError> {
    reach(ctx, id, Kind::Organization, &id.to_string())?;
    let id = id.to_string();
    let command = OrganizationCommand::Update(input);
    execute(
        &state.organizations,
        ctx,
        (&id, &id),
        command,
        organization,
        |o| o.current().cloned(),
    )
    .await
}

/// Accepts the organization's deletion: from this commit on it is closed (every command on it and
/// every create in it is refused as not found), and the process manager deletes its contents and
/// then the organization ([`delete_contents`]). Returns the organization and the position of
/// `organization.deletion_requested`; asked again while it runs, the same.
pub async fn request_deletion(
    state: &CommandState,
    ctx: &RequestContext,
    id: &OrganizationId,
) -> Result<Written<OrganizationData>, AppError> {
    reach(ctx, id, Kind::Organization, &id.to_string())?;
    let id = id.to_string();
    let command = OrganizationCommand::Delete { at: Utc::now() };
    execute(
        &state.organizations,
        ctx,
        (&id, &id),
        command,
        organization,
        |o: &Organization| o.state.clone().filter(|_| o.deleting),
    )
    .await
}

/// Deletes the organization's groups (members removed first), memberships and pending
/// invitations, each with its own events, then its roles and the organization itself, whose
/// `organization.deleted` is its last event. Idempotent: run again after a crash, it finishes what
/// is left (and does nothing once the organization is gone).
///
/// The organization is closed since `organization.deletion_requested` (nothing new can be created
/// in it); the last unit also checks that none of its contents is left, and sweeps again if one is.
pub async fn delete_contents(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
) -> Result<(), AppError> {
    let org_str = org.to_string();
    let prefixes = [
        claims::group_names_prefix(org),
        claims::memberships_prefix(org),
        claims::pending_invitations_prefix(org),
    ];
    with_retries(|| async {
        for group_id in holders(state, &prefixes[0]).await? {
            let command = GroupCommand::Delete { at: Utc::now() };
            match state
                .groups
                .execute(&group_id, Some(&org_str), command, ctx)
                .await
            {
                Ok(_) | Err(CommandError::Rejected(GroupError::NotFound)) => {}
                Err(e) => return Err(explain(&group_id)(e).into()),
            }
        }
        for membership_id in holders(state, &prefixes[1]).await? {
            let id = MembershipId::parse(&membership_id)
                .map_err(|e| AppError::Internal(format!("index holds {membership_id}: {e}")))?;
            match leave(state, ctx, &id, Leave::Delete).await {
                Ok(_) | Err(AppError::NotFound(Kind::Membership, _)) => {}
                Err(e) => return Err(e.into()),
            }
            // Tests abort here, between two steps, to show a later run finishes the deletion.
            store::faults::check("workflows::between_steps", &org_str)?;
        }
        for invitation_id in holders(state, &prefixes[2]).await? {
            let command = InvitationCommand::Revoke { at: Utc::now() };
            match state
                .invitations
                .execute(&invitation_id, Some(&org_str), command, ctx)
                .await
            {
                Ok(_) | Err(CommandError::Rejected(_)) => {}
                Err(e) => return Err(explain(&invitation_id)(e).into()),
            }
        }
        // The roles, then the organization: only if nothing of it is left by now.
        let organization = state
            .organizations
            .load_for_change(&org_str)
            .await
            .map_err(explain(&org_str))?;
        let mut unit = UnitOfWork::new();
        state
            .organizations
            .decide(
                organization,
                Some(&org_str),
                OrganizationCommand::CompleteDeletion { at: Utc::now() },
                ctx,
                &mut unit,
            )
            .await
            .map_err(explain(&org_str))?;
        for prefix in &prefixes {
            unit.expect_no_claims_under(prefix);
        }
        commit(&state.pool, unit, |_| Try::Again).await?;
        Ok(())
    })
    .await
}
