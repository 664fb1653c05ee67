//! Accepting an invitation: the invitation and the membership it grants, as one unit of work.

use std::collections::BTreeSet;

use chrono::Utc;
use domain::invitation::{InvitationCommand, InvitationData};
use domain::membership::{MembershipCommand, MembershipData, MembershipStatus, Subject};
use domain::values::{RoleSlug, SubjectId};
use domain::{claims, InvitationId, MembershipId};
use store::{RequestContext, StoreError, UnitOfWork};

use super::{commit, with_retries, Try};
use crate::problem::Problem;
use crate::request::{event_data, infrastructure, rejected, store_problem};
use crate::routes::invitations::invitation_problem;
use crate::routes::memberships::membership_rejected;
use crate::CommandState;

/// What accepting gave: the accepted invitation, the membership, and the last position.
pub struct Accepted {
    pub invitation: InvitationData,
    pub membership: MembershipData,
    pub position: i64,
}

/// Accepts invitation `id` for `user_id` with the presented token's hash: `invitation.accepted`
/// and the membership's own event (created; or reactivated; or the invited roles added to an
/// active one) commit together or not at all. Roles deleted from the catalogue since the invitation
/// was made are left out.
pub async fn accept(
    state: &CommandState,
    ctx: &RequestContext,
    id: &InvitationId,
    user_id: &SubjectId,
    presented_token_sha256: &str,
) -> Result<Accepted, Problem> {
    let id_str = id.to_string();
    with_retries(|| async {
        let invitation = state
            .invitations
            .load_for_change(&id_str)
            .await
            .map_err(invitation_problem(&id_str))?;
        let Some(pending) = invitation.state.state.clone() else {
            return Err(Problem::not_found(format!("invitation {id_str} does not exist")).into());
        };
        let org = pending.organization_id;
        let org_str = org.to_string();
        let subject = Subject::User(user_id.clone());
        let subject_key = claims::membership_subject(&org, &subject);
        let existing = store::claims::owner(&state.pool, &subject_key)
            .await
            .map_err(store_problem)?;
        let membership_id = match &existing {
            Some((_, id)) => MembershipId::parse(id).map_err(|_| Problem::internal())?,
            None => MembershipId::new(),
        };
        let m_str = membership_id.to_string();

        let mut unit = UnitOfWork::new();
        let command = InvitationCommand::Accept {
            user_id: user_id.clone(),
            presented_token_sha256: presented_token_sha256.to_owned(),
            membership_id,
            at: Utc::now(),
        };
        let accepted = state
            .invitations
            .decide(invitation, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(invitation_problem(&id_str))?
            .state
            .ok_or_else(Problem::internal)?;

        let organization = state
            .organizations
            .load(&org_str)
            .await
            .map_err(|e| infrastructure(e, rejected(&org_str)))?;
        let roles: BTreeSet<RoleSlug> = accepted
            .roles
            .iter()
            .filter(|r| organization.roles.contains_key(*r))
            .cloned()
            .collect();
        let membership = state
            .memberships
            .load_for_change(&m_str)
            .await
            .map_err(|e| infrastructure(e, membership_rejected(&m_str)))?;
        let at = Utc::now();
        let command = match membership.state.current() {
            None => MembershipCommand::Create {
                id: membership_id,
                organization_id: org,
                subject,
                roles,
                attributes: Default::default(),
                at,
            },
            Some(m) if m.status == MembershipStatus::Active => MembershipCommand::Update {
                roles: Some(m.roles.union(&roles).cloned().collect()),
                attributes: None,
                at,
            },
            Some(_) => MembershipCommand::Reactivate {
                roles: Some(roles),
                attributes: None,
                at,
            },
        };
        let after = state
            .memberships
            .decide(membership, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(|e| infrastructure(e, membership_rejected(&m_str)))?;

        let committed = commit(&state.pool, unit, |e| match e {
            // The organization is being deleted.
            StoreError::RequirementFailed { key } if key.ends_with("/alive") => {
                Problem::not_found(format!("organization {org_str} does not exist")).into()
            }
            // Someone else created the subject's membership, or a role left the catalogue,
            // since we looked: decide again.
            _ => Try::Again,
        })
        .await?;
        let position = committed.last().map(|e| e.position).unwrap_or(0);
        let membership = match committed.iter().find(|e| e.aggregate_id == m_str) {
            Some(event) => event_data(event)?,
            None => after.current().cloned().ok_or_else(Problem::internal)?,
        };
        let invitation = match committed.iter().find(|e| e.aggregate_id == id_str) {
            Some(event) => event_data(event)?,
            None => accepted,
        };
        Ok(Accepted {
            invitation,
            membership,
            position,
        })
    })
    .await
}
