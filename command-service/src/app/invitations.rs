//! Invitations: create and resend (each with a fresh one-time token, of which only the hash is
//! kept), revoke, expiry by the sweeper, and accept — the invitation and the membership it grants
//! as one unit of work.

use std::collections::BTreeSet;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use domain::invitation::{Invitation, InvitationCommand, InvitationData, InvitationEvent};
use domain::membership::{
    MembershipCommand, MembershipData, MembershipSource, MembershipStatus, Subject,
};
use domain::organization::Organization;
use domain::values::{Email, RoleSlug, SubjectId};
use domain::RequestContext;
use domain::{claims, InvitationId, MembershipId, OrganizationId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use store::{StoreError, UnitOfWork};

use crate::bus::CommandError;

use super::error::explain;
use super::{commit, execute, load, reach, roles, with_retries, AppError, Kind, Try, Written};
use crate::CommandState;

/// A fresh one-time token (256 random bits) and the hash that is all we keep of it.
pub(crate) fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!(
        "it_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    let hash = token_hash(&token);
    (token, hash)
}

/// What is stored of a token, and what a presented one is compared by.
fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// An invitation with its one-time accept token, shown to the caller once.
#[derive(Debug)]
pub struct Issued {
    pub invitation: Written<InvitationData>,
    pub token: String,
}

/// Whom to invite, with which roles, for how long.
#[derive(Debug, Clone)]
pub struct NewInvitation {
    pub email: Email,
    pub roles: BTreeSet<RoleSlug>,
    pub lifetime: Duration,
    pub inviter_user_id: Option<SubjectId>,
}

fn carried(event: &InvitationEvent) -> Option<&InvitationData> {
    Some(event.invitation())
}

fn current(i: &Invitation) -> Option<InvitationData> {
    i.state.clone()
}

/// Invites `email` to `org`; one pending invitation per email and organization (in any case).
pub async fn create(
    state: &CommandState,
    ctx: &RequestContext,
    org: &OrganizationId,
    input: NewInvitation,
) -> Result<Issued, AppError> {
    reach(ctx, org, Kind::Organization, &org.to_string())?;
    roles::check(state, org, &input.roles).await?;
    let (token, hash) = new_token();
    let now = Utc::now();
    let id = InvitationId::new();
    let command = InvitationCommand::Create {
        id,
        organization_id: *org,
        email: input.email,
        roles: input.roles,
        expires_at: now + input.lifetime,
        inviter_user_id: input.inviter_user_id,
        accept_token_sha256: hash,
        at: now,
    };
    let (id, org) = (id.to_string(), org.to_string());
    let invitation = execute(
        &state.invitations,
        ctx,
        (&id, &org),
        command,
        carried,
        current,
    )
    .await?;
    Ok(Issued { invitation, token })
}

/// An invitation that exists (in any state) and the caller reaches.
async fn existing(
    state: &CommandState,
    ctx: &RequestContext,
    id: &InvitationId,
) -> Result<InvitationData, AppError> {
    let id = id.to_string();
    let invitation: Invitation = load(&state.invitations, &id).await?;
    let data = invitation
        .state
        .ok_or_else(|| AppError::NotFound(Kind::Invitation, id.clone()))?;
    reach(ctx, &data.organization_id, Kind::Invitation, &id)?;
    Ok(data)
}

/// A new token for a pending invitation, and the same lifetime as granted, counted from now (a
/// pending invitation's `updated_at` is when its expiry was last set). The old token stops working.
pub async fn resend(
    state: &CommandState,
    ctx: &RequestContext,
    id: &InvitationId,
) -> Result<Issued, AppError> {
    let before = existing(state, ctx, id).await?;
    let (token, hash) = new_token();
    let now = Utc::now();
    let command = InvitationCommand::Resend {
        accept_token_sha256: hash,
        expires_at: now + (before.expires_at - before.updated_at),
        at: now,
    };
    let (id, org) = (id.to_string(), before.organization_id.to_string());
    let invitation = execute(
        &state.invitations,
        ctx,
        (&id, &org),
        command,
        carried,
        current,
    )
    .await?;
    Ok(Issued { invitation, token })
}

pub async fn revoke(
    state: &CommandState,
    ctx: &RequestContext,
    id: &InvitationId,
) -> Result<Written<InvitationData>, AppError> {
    let before = existing(state, ctx, id).await?;
    let command = InvitationCommand::Revoke { at: Utc::now() };
    let (id, org) = (id.to_string(), before.organization_id.to_string());
    execute(
        &state.invitations,
        ctx,
        (&id, &org),
        command,
        carried,
        current,
    )
    .await
}

/// Emits `invitation.expired` for every pending invitation past its expiry at `now`; returns how
/// many. Pending invitations are exactly those holding a claim, so this reads no read model.
pub async fn sweep_expired(state: &CommandState, now: DateTime<Utc>) -> Result<usize, StoreError> {
    let ctx = RequestContext::system("invitation-sweeper");
    let mut expired = 0;
    for id in store::claims::holders_of_type(&state.pool, "invitation").await? {
        let Ok(invitation) = state.invitations.load(&id).await else {
            continue;
        };
        let Some(data) = invitation.state.filter(|d| d.expires_at <= now) else {
            continue;
        };
        let org = data.organization_id.to_string();
        match state
            .invitations
            .execute(&id, Some(&org), InvitationCommand::Expire { at: now }, &ctx)
            .await
        {
            Ok(executed) if !executed.events.is_empty() => expired += 1,
            Ok(_) | Err(CommandError::Rejected(_)) => {}
            Err(e) => tracing::warn!(error = %e, invitation = id, "could not expire invitation"),
        }
    }
    Ok(expired)
}

/// The membership command that accepting `invitation` gives `who` (the membership id it has or
/// gets, and the invited user), given the membership as it is: created with the invited roles;
/// reactivated with them; or, when active, the invited roles added to its own. Roles deleted from
/// the organization's catalogue since the invitation was made are left out.
fn joining(
    current: Option<&MembershipData>,
    (id, subject): (MembershipId, Subject),
    invitation: &InvitationData,
    catalogue: &BTreeSet<RoleSlug>,
    at: DateTime<Utc>,
) -> MembershipCommand {
    let roles: BTreeSet<RoleSlug> = invitation
        .roles
        .iter()
        .filter(|r| catalogue.contains(*r))
        .cloned()
        .collect();
    match current {
        None => MembershipCommand::Create {
            id,
            organization_id: invitation.organization_id,
            subject,
            roles,
            attributes: Default::default(),
            source: MembershipSource::Invitation,
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
            source: MembershipSource::Invitation,
            at,
        },
    }
}

/// What accepting gave: the accepted invitation, the membership, and the last position.
pub struct Accepted {
    pub invitation: InvitationData,
    pub membership: MembershipData,
    pub position: i64,
}

/// Accepts invitation `id` for `user_id` with the presented one-time token: `invitation.accepted`
/// and the membership's own event (created; or reactivated; or the invited roles added to an
/// active one) commit together or not at all. Roles deleted from the catalogue since the invitation
/// was made are left out.
pub async fn accept(
    state: &CommandState,
    ctx: &RequestContext,
    id: &InvitationId,
    user_id: &SubjectId,
    presented_token: &str,
) -> Result<Accepted, AppError> {
    let id_str = id.to_string();
    let presented_token_sha256 = token_hash(presented_token);
    with_retries(|| async {
        let invitation = state
            .invitations
            .load_for_change(&id_str)
            .await
            .map_err(explain(&id_str))?;
        let Some(pending) = invitation.state.state.clone() else {
            return Err(AppError::NotFound(Kind::Invitation, id_str.clone()).into());
        };
        let org = pending.organization_id;
        reach(ctx, &org, Kind::Invitation, &id_str)?;
        let org_str = org.to_string();
        let subject = Subject::User(user_id.clone());
        let subject_key = claims::membership_subject(&org, &subject);
        let existing = store::claims::owner(&state.pool, &subject_key).await?;
        let membership_id = match &existing {
            Some((_, id)) => MembershipId::parse(id)
                .map_err(|e| AppError::Internal(format!("index holds {id}: {e}")))?,
            None => MembershipId::new(),
        };
        let m_str = membership_id.to_string();

        let mut unit = UnitOfWork::new();
        let command = InvitationCommand::Accept {
            user_id: user_id.clone(),
            presented_token_sha256: presented_token_sha256.clone(),
            membership_id,
            at: Utc::now(),
        };
        let accepted = state
            .invitations
            .decide(invitation, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(explain(&id_str))?;
        let invitation = match accepted.events.last() {
            Some(event) => event.invitation().clone(),
            None => accepted
                .state
                .state
                .ok_or_else(|| AppError::Internal("an accepted invitation has no state".into()))?,
        };

        let organization: Organization = load(&state.organizations, &org_str).await?;
        let catalogue = roles::catalogue(state, &organization).await?;
        let membership = state
            .memberships
            .load_for_change(&m_str)
            .await
            .map_err(explain(&m_str))?;
        let command = joining(
            membership.state.current(),
            (membership_id, subject),
            &invitation,
            &catalogue,
            Utc::now(),
        );
        let after = state
            .memberships
            .decide(membership, Some(&org_str), command, ctx, &mut unit)
            .await
            .map_err(explain(&m_str))?;

        let committed = commit(&state.pool, unit, |e| match e {
            // The organization is being deleted.
            StoreError::RequirementFailed { key } if key.ends_with("/alive") => {
                AppError::NotFound(Kind::Organization, org_str.clone()).into()
            }
            // Someone else created the subject's membership, or a role left the catalogue,
            // since we looked: decide again.
            _ => Try::Again,
        })
        .await?;
        let position = committed.last().map(|e| e.position).unwrap_or(0);
        let membership =
            match after.events.last() {
                Some(event) => event.membership().clone(),
                None => after.state.current().cloned().ok_or_else(|| {
                    AppError::Internal("an accepted membership has no state".into())
                })?,
            };
        Ok(Accepted {
            invitation,
            membership,
            position,
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::super::given::{self, deactivated, user};
    use super::*;

    fn accepting(current: Option<&MembershipData>, invited: &[&str]) -> MembershipCommand {
        let org = OrganizationId::new();
        let catalogue = given::organization(org, &["billing"]);
        let invitation = given::invitation(org, invited);
        joining(
            current,
            (MembershipId::new(), user("ada")),
            &invitation,
            // Its own roles and the template's built-ins.
            &(catalogue.roles.keys().cloned())
                .chain(given::slugs(&["admin", "member"]))
                .collect(),
            Utc::now(),
        )
    }

    #[test]
    fn given_no_membership_when_accepted_then_one_is_created_with_the_invited_roles() {
        let command = accepting(None, &["billing", "member"]);
        assert!(matches!(
            command,
            MembershipCommand::Create { roles, subject, .. }
                if roles == given::slugs(&["billing", "member"]) && subject == user("ada")
        ));
    }

    #[test]
    fn given_an_active_membership_when_accepted_then_the_invited_roles_are_added_to_its_own() {
        let m = given::membership(OrganizationId::new(), user("ada"), &["admin"], vec![]);
        let command = accepting(m.current(), &["billing"]);
        assert!(matches!(
            command,
            MembershipCommand::Update { roles: Some(r), attributes: None, .. }
                if r == given::slugs(&["admin", "billing"])
        ));
    }

    #[test]
    fn given_an_inactive_membership_when_accepted_then_it_is_reactivated_with_the_invited_roles_only(
    ) {
        let m = given::membership(
            OrganizationId::new(),
            user("ada"),
            &["admin"],
            vec![deactivated()],
        );
        let command = accepting(m.current(), &["member"]);
        assert!(matches!(
            command,
            MembershipCommand::Reactivate { roles: Some(r), .. } if r == given::slugs(&["member"])
        ));
    }

    #[test]
    fn given_a_role_deleted_since_the_invitation_when_accepted_then_it_is_left_out() {
        let command = accepting(None, &["billing", "auditor"]);
        assert!(matches!(
            command,
            MembershipCommand::Create { roles, .. } if roles == given::slugs(&["billing"])
        ));
    }
}
