//! Membership changes that reach into groups.

use chrono::Utc;
use domain::group::{GroupCommand, GroupError};
use domain::membership::{MembershipCommand, MembershipData};
use domain::{claims, MembershipId};
use store::{CommandError, RequestContext, UnitOfWork};

use super::{commit, with_retries, Try};
use crate::problem::Problem;
use crate::request::infrastructure;
use crate::routes::groups::group_problem;
use crate::routes::memberships::membership_rejected;
use crate::CommandState;

/// Ways a membership leaves its organization's groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    Deactivate,
    Delete,
}

/// Deactivates or deletes a membership and takes it out of every group it is in
/// (`group.member_removed` each, before the membership's own event), in one unit of work: all of
/// it commits or none of it. An add to a group that races it either commits first (and the unit is
/// decided again, now removing that one too) or fails because the membership is no longer active.
///
/// Returns the membership after the change and the position of the unit's last event (or of the
/// membership's last event when nothing changed: deactivating an inactive membership).
pub async fn leave(
    state: &CommandState,
    ctx: &RequestContext,
    id: &MembershipId,
    how: Leave,
) -> Result<(MembershipData, i64), Problem> {
    let id_str = id.to_string();
    with_retries(|| async {
        let membership = state
            .memberships
            .load_for_change(&id_str)
            .await
            .map_err(|e| infrastructure(e, membership_rejected(&id_str)))?;
        let Some(current) = membership.state.current().cloned() else {
            return Err(Problem::not_found(format!("membership {id_str} does not exist")).into());
        };
        let org = current.organization_id.to_string();
        let mut unit = UnitOfWork::new();
        let groups_prefix = claims::membership_groups_prefix(id);
        let groups = store::claims::with_prefix(&state.pool, &groups_prefix)
            .await
            .map_err(crate::request::store_problem)?;
        for (_, group_id) in groups {
            let group = state
                .groups
                .load_for_change(&group_id)
                .await
                .map_err(group_problem(&group_id))?;
            let command = GroupCommand::RemoveMember {
                membership_id: *id,
                at: Utc::now(),
            };
            match state
                .groups
                .decide(group, Some(&org), command, ctx, &mut unit)
                .await
            {
                Ok(_)
                | Err(CommandError::Rejected(GroupError::NotMember(_) | GroupError::NotFound)) => {}
                Err(e) => return Err(group_problem(&group_id)(e).into()),
            }
        }
        unit.expect_no_claims_under(&groups_prefix);
        let command = match how {
            Leave::Deactivate => MembershipCommand::Deactivate { at: Utc::now() },
            Leave::Delete => MembershipCommand::Delete { at: Utc::now() },
        };
        let after = state
            .memberships
            .decide(membership, Some(&org), command, ctx, &mut unit)
            .await
            .map_err(|e| infrastructure(e, membership_rejected(&id_str)))?;
        let committed = commit(&state.pool, unit, |_| Try::Again).await?;
        let position = match committed.last() {
            Some(last) => last.position,
            None => state
                .memberships
                .last_position(&id_str)
                .await
                .map_err(|e| infrastructure(e, membership_rejected(&id_str)))?
                .unwrap_or(0),
        };
        // A deleted membership's last state is in its `membership.deleted` event.
        let data = match committed.iter().rev().find(|e| e.aggregate_id == id_str) {
            Some(event) => crate::request::event_data(event)?,
            None => after.current().cloned().unwrap_or(current),
        };
        Ok((data, position))
    })
    .await
}
