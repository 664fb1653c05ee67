//! Changes that one command causes in other aggregates, each carried out by explicit commands
//! (so every consumer sees every change). The affected aggregates are found through the claims
//! index, after the triggering command released the claim that new links would require: nothing
//! can slip in behind the sweep.

use chrono::Utc;
use domain::group::{GroupCommand, GroupError};
use domain::invitation::InvitationCommand;
use domain::membership::{MembershipCommand, MembershipError};
use domain::values::RoleSlug;
use domain::{claims, OrganizationId};
use store::{CommandError, RequestContext};

use crate::problem::Problem;
use crate::routes::groups::group_problem;
use crate::routes::memberships::membership_rejected;
use crate::CommandState;

async fn holders(state: &CommandState, prefix: &str) -> Result<Vec<String>, Problem> {
    let rows = store::claims::with_prefix(&state.pool, prefix)
        .await
        .map_err(|_| Problem::unavailable("the database is unavailable; retry shortly"))?;
    let mut ids: Vec<String> = rows.into_iter().map(|(_, id)| id).collect();
    ids.dedup();
    Ok(ids)
}

/// Takes a deleted role from every membership holding it (`membership.updated` each). A change
/// requires every role the membership keeps, so when another of its roles was deleted meanwhile,
/// that one is taken too (its own cascade may be waiting on this membership the same way).
pub(crate) async fn remove_role_from_memberships(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
) -> Result<(), Problem> {
    let org_str = org.to_string();
    for membership_id in holders(state, &claims::role_members_prefix(org, slug.as_str())).await? {
        let mut slugs = std::collections::BTreeSet::from([slug.clone()]);
        loop {
            let command = MembershipCommand::RemoveRoles {
                slugs: slugs.clone(),
                at: Utc::now(),
            };
            match state
                .memberships
                .execute(&membership_id, Some(&org_str), command, ctx)
                .await
            {
                Ok(_) | Err(CommandError::Rejected(MembershipError::NotFound)) => break,
                Err(CommandError::RequirementFailed { key }) => match claims::role_of(org, &key) {
                    Some(gone) if slugs.insert(gone.clone()) => {}
                    _ => {
                        return Err(crate::request::infrastructure(
                            CommandError::RequirementFailed { key },
                            membership_rejected(&membership_id),
                        ))
                    }
                },
                Err(e) => {
                    return Err(crate::request::infrastructure(
                        e,
                        membership_rejected(&membership_id),
                    ))
                }
            }
        }
    }
    Ok(())
}

/// Deletes an organization's groups (members removed first) and memberships, and revokes its
/// pending invitations.
pub(crate) async fn delete_organization_contents(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
) -> Result<(), Problem> {
    let org_str = org.to_string();
    for group_id in holders(state, &claims::group_names_prefix(org)).await? {
        let command = GroupCommand::Delete { at: Utc::now() };
        match state
            .groups
            .execute(&group_id, Some(&org_str), command, ctx)
            .await
        {
            Ok(_) | Err(CommandError::Rejected(GroupError::NotFound)) => {}
            Err(e) => return Err(group_problem(&group_id)(e)),
        }
    }
    for membership_id in holders(state, &claims::memberships_prefix(org)).await? {
        let command = MembershipCommand::Delete { at: Utc::now() };
        match state
            .memberships
            .execute(&membership_id, Some(&org_str), command, ctx)
            .await
        {
            Ok(_) | Err(CommandError::Rejected(MembershipError::NotFound)) => {}
            Err(e) => {
                return Err(crate::request::infrastructure(
                    e,
                    membership_rejected(&membership_id),
                ))
            }
        }
    }
    for invitation_id in holders(state, &claims::pending_invitations_prefix(org)).await? {
        let command = InvitationCommand::Revoke { at: Utc::now() };
        match state
            .invitations
            .execute(&invitation_id, Some(&org_str), command, ctx)
            .await
        {
            Ok(_) | Err(CommandError::Rejected(_)) => {}
            Err(_) => {
                return Err(Problem::unavailable(
                    "could not revoke the organization's invitations; retry",
                ))
            }
        }
    }
    Ok(())
}
