//! The invitation aggregate: an email invited into an organization with roles, accepted once with
//! a secret token (stored only as a hash), or resent, revoked, or expired.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use cqrs_es::DomainEvent;
use serde::{Deserialize, Serialize};

use crate::claims::{self, ClaimChange, Claims};
use crate::ids::{InvitationId, MembershipId, OrganizationId};
use crate::values::{Email, RoleSlug, SubjectId};

/// Fields of invitation events that never leave the event store (not in the public envelope).
pub const PRIVATE_FIELDS: &[&str] = &["accept_token_sha256"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationState {
    Pending,
    Accepted,
    Revoked,
    Expired,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InvitationData {
    pub id: InvitationId,
    pub organization_id: OrganizationId,
    pub email: Email,
    pub roles: BTreeSet<RoleSlug>,
    pub state: InvitationState,
    pub expires_at: DateTime<Utc>,
    pub inviter_user_id: Option<SubjectId>,
    pub accepted_user_id: Option<SubjectId>,
    pub membership_id: Option<MembershipId>,
    /// Hex SHA-256 of the current accept token; private (see `PRIVATE_FIELDS`).
    #[schemars(skip)]
    pub accept_token_sha256: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "data")]
pub enum InvitationEvent {
    #[serde(rename = "invitation.created")]
    Created(InvitationData),
    #[serde(rename = "invitation.resent")]
    Resent(InvitationData),
    #[serde(rename = "invitation.accepted")]
    Accepted(InvitationData),
    #[serde(rename = "invitation.revoked")]
    Revoked(InvitationData),
    #[serde(rename = "invitation.expired")]
    Expired(InvitationData),
}

impl InvitationEvent {
    /// The invitation as the event leaves it.
    pub fn invitation(&self) -> &InvitationData {
        match self {
            Self::Created(i)
            | Self::Resent(i)
            | Self::Accepted(i)
            | Self::Revoked(i)
            | Self::Expired(i) => i,
        }
    }
}

impl Claims for InvitationEvent {
    fn claim_changes(&self) -> Vec<ClaimChange> {
        let pending = |i: &InvitationData| {
            claims::pending_invitation(&i.organization_id, &i.email.normalized())
        };
        match self {
            Self::Created(i) => vec![
                ClaimChange::Require(claims::organization_alive(&i.organization_id)),
                ClaimChange::Acquire(pending(i)),
            ],
            Self::Resent(_) => Vec::new(),
            Self::Accepted(i) | Self::Revoked(i) | Self::Expired(i) => {
                vec![ClaimChange::Release(pending(i))]
            }
        }
    }
}

impl DomainEvent for InvitationEvent {
    fn event_type(&self) -> String {
        match self {
            Self::Created(_) => "invitation.created",
            Self::Resent(_) => "invitation.resent",
            Self::Accepted(_) => "invitation.accepted",
            Self::Revoked(_) => "invitation.revoked",
            Self::Expired(_) => "invitation.expired",
        }
        .to_owned()
    }

    fn event_version(&self) -> String {
        "1".to_owned()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum InvitationCommand {
    Create {
        id: InvitationId,
        organization_id: OrganizationId,
        email: Email,
        roles: BTreeSet<RoleSlug>,
        expires_at: DateTime<Utc>,
        inviter_user_id: Option<SubjectId>,
        accept_token_sha256: String,
        at: DateTime<Utc>,
    },
    /// A new token and expiry; the old token stops working.
    Resend {
        accept_token_sha256: String,
        expires_at: DateTime<Utc>,
        at: DateTime<Utc>,
    },
    Revoke {
        at: DateTime<Utc>,
    },
    Accept {
        user_id: SubjectId,
        /// SHA-256 (hex) of the token the caller presented.
        presented_token_sha256: String,
        membership_id: MembershipId,
        at: DateTime<Utc>,
    },
    /// From the sweeper: the invitation passed its expiry.
    Expire {
        at: DateTime<Utc>,
    },
}

impl crate::Named for InvitationCommand {
    fn name(&self) -> &'static str {
        match self {
            Self::Create { .. } => "invitation.create",
            Self::Resend { .. } => "invitation.resend",
            Self::Revoke { .. } => "invitation.revoke",
            Self::Accept { .. } => "invitation.accept",
            Self::Expire { .. } => "invitation.expire",
        }
    }

    fn creates(&self) -> bool {
        matches!(self, Self::Create { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvitationError {
    #[error("the invitation already exists")]
    AlreadyExists,
    #[error("the invitation does not exist")]
    NotFound,
    #[error("the invitation is {0:?}, not pending")]
    NotPending(InvitationState),
    #[error("the invitation has expired")]
    Expired,
    #[error("the accept token is not valid")]
    InvalidToken,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Invitation {
    pub state: Option<InvitationData>,
}

crate::aggregate!(
    Invitation,
    "invitation",
    InvitationCommand,
    InvitationEvent,
    InvitationError
);

impl Invitation {
    /// How each event changes the state.
    fn evolve(&mut self, event: InvitationEvent) {
        match event {
            InvitationEvent::Created(i)
            | InvitationEvent::Resent(i)
            | InvitationEvent::Accepted(i)
            | InvitationEvent::Revoked(i)
            | InvitationEvent::Expired(i) => self.state = Some(i),
        }
    }
}

/// Constant-time comparison, so response timing does not reveal how much of a token matched.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Invitation {
    pub fn decide(
        &self,
        command: InvitationCommand,
    ) -> Result<Vec<InvitationEvent>, InvitationError> {
        if let InvitationCommand::Create {
            id,
            organization_id,
            email,
            roles,
            expires_at,
            inviter_user_id,
            accept_token_sha256,
            at,
        } = command
        {
            if self.state.is_some() {
                return Err(InvitationError::AlreadyExists);
            }
            return Ok(vec![InvitationEvent::Created(InvitationData {
                id,
                organization_id,
                email,
                roles,
                state: InvitationState::Pending,
                expires_at,
                inviter_user_id,
                accepted_user_id: None,
                membership_id: None,
                accept_token_sha256,
                created_at: at,
                updated_at: at,
            })]);
        }
        let current = self.state.as_ref().ok_or(InvitationError::NotFound)?;
        if current.state != InvitationState::Pending {
            return Err(InvitationError::NotPending(current.state));
        }
        let mut next = current.clone();
        Ok(match command {
            InvitationCommand::Create { .. } => unreachable!("handled above"),
            InvitationCommand::Resend {
                accept_token_sha256,
                expires_at,
                at,
            } => {
                next.accept_token_sha256 = accept_token_sha256;
                next.expires_at = expires_at;
                next.updated_at = at;
                vec![InvitationEvent::Resent(next)]
            }
            InvitationCommand::Revoke { at } => {
                next.state = InvitationState::Revoked;
                next.updated_at = at;
                vec![InvitationEvent::Revoked(next)]
            }
            InvitationCommand::Accept {
                user_id,
                presented_token_sha256,
                membership_id,
                at,
            } => {
                if !same(&presented_token_sha256, &current.accept_token_sha256) {
                    return Err(InvitationError::InvalidToken);
                }
                if at >= current.expires_at {
                    return Err(InvitationError::Expired);
                }
                next.state = InvitationState::Accepted;
                next.accepted_user_id = Some(user_id);
                next.membership_id = Some(membership_id);
                next.updated_at = at;
                vec![InvitationEvent::Accepted(next)]
            }
            InvitationCommand::Expire { at } => {
                if at < current.expires_at {
                    return Ok(Vec::new());
                }
                next.state = InvitationState::Expired;
                next.updated_at = at;
                vec![InvitationEvent::Expired(next)]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{Duration, TimeZone};
    use cqrs_es::test::TestFramework;

    use super::*;

    type Given = TestFramework<Invitation>;

    fn pending() -> InvitationData {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        InvitationData {
            id: InvitationId::parse("inv_01JD0000000000000000000000").unwrap(),
            organization_id: OrganizationId::parse("org_01JD0000000000000000000000").unwrap(),
            email: Email::parse("ann@example.com").unwrap(),
            roles: BTreeSet::from([RoleSlug::member()]),
            state: InvitationState::Pending,
            expires_at: at + Duration::days(7),
            inviter_user_id: None,
            accepted_user_id: None,
            membership_id: None,
            accept_token_sha256: "aa".repeat(32),
            created_at: at,
            updated_at: at,
        }
    }

    fn accept(token: &str, at: DateTime<Utc>) -> InvitationCommand {
        InvitationCommand::Accept {
            user_id: SubjectId::parse("user_ann").unwrap(),
            presented_token_sha256: token.to_owned(),
            membership_id: MembershipId::parse("om_01JD0000000000000000000000").unwrap(),
            at,
        }
    }

    #[test]
    fn accept_needs_the_current_token_before_expiry() {
        let i = pending();
        let good = "aa".repeat(32);
        Given::with(())
            .given(vec![InvitationEvent::Created(i.clone())])
            .when(accept(&"bb".repeat(32), i.created_at))
            .then_expect_error(InvitationError::InvalidToken);
        Given::with(())
            .given(vec![InvitationEvent::Created(i.clone())])
            .when(accept(&good, i.expires_at))
            .then_expect_error(InvitationError::Expired);
        let mut resent = i.clone();
        resent.accept_token_sha256 = "cc".repeat(32);
        Given::with(())
            .given(vec![
                InvitationEvent::Created(i.clone()),
                InvitationEvent::Resent(resent),
            ])
            .when(accept(&good, i.created_at))
            .then_expect_error(InvitationError::InvalidToken);
    }

    #[test]
    fn only_pending_invitations_change_and_expiry_waits_for_its_time() {
        let i = pending();
        let mut revoked = i.clone();
        revoked.state = InvitationState::Revoked;
        Given::with(())
            .given(vec![
                InvitationEvent::Created(i.clone()),
                InvitationEvent::Revoked(revoked),
            ])
            .when(InvitationCommand::Revoke { at: i.created_at })
            .then_expect_error(InvitationError::NotPending(InvitationState::Revoked));
        Given::with(())
            .given(vec![InvitationEvent::Created(i.clone())])
            .when(InvitationCommand::Expire { at: i.created_at })
            .then_expect_events(vec![]);
        let mut expired = i.clone();
        expired.state = InvitationState::Expired;
        expired.updated_at = i.expires_at;
        Given::with(())
            .given(vec![InvitationEvent::Created(i.clone())])
            .when(InvitationCommand::Expire { at: i.expires_at })
            .then_expect_events(vec![InvitationEvent::Expired(expired.clone())]);
        assert_eq!(
            InvitationEvent::Expired(expired).claim_changes(),
            vec![ClaimChange::Release(format!(
                "organization/{}/invitation/ann@example.com",
                i.organization_id
            ))]
        );
    }
}
