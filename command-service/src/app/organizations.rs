//! Deleting an organization, as the process manager carries it out.

use chrono::Utc;
use domain::group::{GroupCommand, GroupError};
use domain::invitation::InvitationCommand;
use domain::organization::OrganizationCommand;
use domain::{claims, MembershipId, OrganizationId};
use store::{CommandError, RequestContext, UnitOfWork};

use super::memberships::{leave, Leave};
use super::{commit, holders, with_retries, Try};
use crate::problem::Problem;
use crate::request::{infrastructure, rejected};
use crate::routes::groups::group_problem;
use crate::CommandState;

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
) -> Result<(), Problem> {
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
                Err(e) => return Err(group_problem(&group_id)(e).into()),
            }
        }
        for membership_id in holders(state, &prefixes[1]).await? {
            let id = MembershipId::parse(&membership_id).map_err(|_| Problem::internal())?;
            match leave(state, ctx, &id, Leave::Delete).await {
                Ok(_) => {}
                Err(p) if p.status == 404 => {}
                Err(p) => return Err(p.into()),
            }
            // Tests abort here, between two steps, to show a later run finishes the deletion.
            store::faults::check("workflows::between_steps", &org_str)
                .map_err(crate::request::store_problem)?;
        }
        for invitation_id in holders(state, &prefixes[2]).await? {
            let command = InvitationCommand::Revoke { at: Utc::now() };
            match state
                .invitations
                .execute(&invitation_id, Some(&org_str), command, ctx)
                .await
            {
                Ok(_) | Err(CommandError::Rejected(_)) => {}
                Err(e) => {
                    return Err(
                        crate::routes::invitations::invitation_problem(&invitation_id)(e).into(),
                    )
                }
            }
        }
        // The roles, then the organization: only if nothing of it is left by now.
        let organization = state
            .organizations
            .load_for_change(&org_str)
            .await
            .map_err(|e| infrastructure(e, rejected(&org_str)))?;
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
            .map_err(|e| infrastructure(e, rejected(&org_str)))?;
        for prefix in &prefixes {
            unit.expect_no_claims_under(prefix);
        }
        commit(&state.pool, unit, |_| Try::Again).await?;
        Ok(())
    })
    .await
}
