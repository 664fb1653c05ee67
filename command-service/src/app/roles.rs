//! Taking a deleted role from its holders, as the process manager carries it out.

use std::collections::BTreeSet;

use chrono::Utc;
use domain::membership::{MembershipCommand, MembershipError};
use domain::values::RoleSlug;
use domain::{claims, OrganizationId};
use store::{CommandError, RequestContext};

use super::holders;
use crate::problem::Problem;
use crate::request::infrastructure;
use crate::routes::memberships::membership_rejected;
use crate::CommandState;

/// Takes a deleted role from every membership holding it (`membership.updated` each). Its claim
/// was released with `organization_role.deleted`, so no one can be given it any more and the set
/// of holders only shrinks. A change requires every role the membership keeps, so when another of
/// its roles was deleted meanwhile, that one is taken too.
pub async fn take_from_holders(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    slug: &RoleSlug,
) -> Result<(), Problem> {
    let org_str = org.to_string();
    for membership_id in holders(state, &claims::role_members_prefix(org, slug.as_str())).await? {
        let mut slugs = BTreeSet::from([slug.clone()]);
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
                        return Err(infrastructure(
                            CommandError::RequirementFailed { key },
                            membership_rejected(&membership_id),
                        ))
                    }
                },
                Err(e) => return Err(infrastructure(e, membership_rejected(&membership_id))),
            }
        }
    }
    Ok(())
}
