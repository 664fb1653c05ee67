use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::events::{
    MembershipData, MembershipEvent, MembershipSource, MembershipStatus, MembershipUpdated,
    PreviousMembershipAttributes, Subject,
};
use crate::ids::{MembershipId, OrganizationId};
use crate::values::{Attributes, RoleSlug};

#[derive(Debug, Clone, PartialEq)]
pub enum MembershipCommand {
    Create {
        id: MembershipId,
        organization_id: OrganizationId,
        subject: Subject,
        roles: BTreeSet<RoleSlug>,
        attributes: Attributes,
        source: MembershipSource,
        at: DateTime<Utc>,
    },
    /// `None` leaves a field alone.
    Update {
        roles: Option<BTreeSet<RoleSlug>>,
        attributes: Option<Attributes>,
        at: DateTime<Utc>,
    },
    Deactivate {
        at: DateTime<Utc>,
    },
    /// Optionally with new roles/attributes (re-inviting someone who left); `source` is how it
    /// joins again (kept when it was active already).
    Reactivate {
        roles: Option<BTreeSet<RoleSlug>>,
        attributes: Option<Attributes>,
        source: MembershipSource,
        at: DateTime<Utc>,
    },
    Delete {
        at: DateTime<Utc>,
    },
    /// The roles left the organization's catalogue.
    RemoveRoles {
        slugs: BTreeSet<RoleSlug>,
        at: DateTime<Utc>,
    },
}

impl crate::Named for MembershipCommand {
    fn name(&self) -> &'static str {
        match self {
            Self::Create { .. } => "membership.create",
            Self::Update { .. } => "membership.update",
            Self::Deactivate { .. } => "membership.deactivate",
            Self::Reactivate { .. } => "membership.reactivate",
            Self::Delete { .. } => "membership.delete",
            Self::RemoveRoles { .. } => "membership.remove_roles",
        }
    }

    fn creates(&self) -> bool {
        matches!(self, Self::Create { .. })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MembershipError {
    #[error("the membership already exists")]
    AlreadyExists,
    #[error("the membership does not exist")]
    NotFound,
}

#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    pub state: Option<MembershipData>,
    pub deleted: bool,
}

crate::aggregate!(
    Membership,
    "membership",
    MembershipCommand,
    MembershipEvent,
    MembershipError
);

impl Membership {
    /// How each event changes the state.
    fn evolve(&mut self, event: MembershipEvent) {
        match event {
            MembershipEvent::Created(m)
            | MembershipEvent::Deactivated(m)
            | MembershipEvent::Reactivated(m) => self.state = Some(m),
            MembershipEvent::Updated(u) => self.state = Some(u.membership),
            MembershipEvent::Deleted(m) => {
                self.state = Some(m);
                self.deleted = true;
            }
        }
    }
}

impl Membership {
    /// The live membership (not deleted), if any.
    pub fn current(&self) -> Option<&MembershipData> {
        self.state.as_ref().filter(|_| !self.deleted)
    }

    pub fn decide(
        &self,
        command: MembershipCommand,
    ) -> Result<Vec<MembershipEvent>, MembershipError> {
        if let MembershipCommand::Create {
            id,
            organization_id,
            subject,
            roles,
            attributes,
            source,
            at,
        } = command
        {
            if self.state.is_some() {
                return Err(MembershipError::AlreadyExists);
            }
            let (user_id, application_id) = match subject {
                Subject::User(u) => (Some(u), None),
                Subject::Application(a) => (None, Some(a)),
            };
            return Ok(vec![MembershipEvent::Created(MembershipData {
                id,
                organization_id,
                user_id,
                application_id,
                status: MembershipStatus::Active,
                roles,
                attributes,
                source: Some(source),
                created_at: at,
                updated_at: at,
            })]);
        }
        let current = self.current().ok_or(MembershipError::NotFound)?;
        let mut next = current.clone();
        Ok(match command {
            MembershipCommand::Create { .. } => unreachable!("handled above"),
            MembershipCommand::Update {
                roles,
                attributes,
                at,
            } => {
                let mut previous = PreviousMembershipAttributes::default();
                if let Some(r) = roles.filter(|r| *r != current.roles) {
                    previous.roles = Some(std::mem::replace(&mut next.roles, r));
                }
                if let Some(a) = attributes.filter(|a| *a != current.attributes) {
                    previous.attributes = Some(std::mem::replace(&mut next.attributes, a));
                }
                if previous == PreviousMembershipAttributes::default() {
                    return Ok(Vec::new());
                }
                next.updated_at = at;
                vec![MembershipEvent::Updated(MembershipUpdated::new(
                    next, previous,
                ))]
            }
            MembershipCommand::Deactivate { at } => {
                if current.status == MembershipStatus::Inactive {
                    return Ok(Vec::new());
                }
                next.status = MembershipStatus::Inactive;
                next.updated_at = at;
                vec![MembershipEvent::Deactivated(next)]
            }
            MembershipCommand::Reactivate {
                roles,
                attributes,
                source,
                at,
            } => {
                let update = MembershipCommand::Update {
                    roles,
                    attributes,
                    at,
                };
                if current.status == MembershipStatus::Active {
                    // Already active: apply the given roles/attributes as an update, if any.
                    return self.decide(update);
                }
                next.status = MembershipStatus::Active;
                next.source = Some(source);
                next.updated_at = at;
                // New roles or attributes follow as their own `membership.updated`.
                let reactivated = Membership {
                    state: Some(next.clone()),
                    deleted: false,
                };
                let mut events = vec![MembershipEvent::Reactivated(next)];
                events.extend(reactivated.decide(update)?);
                events
            }
            MembershipCommand::RemoveRoles { slugs, at } => {
                let roles: BTreeSet<RoleSlug> = current.roles.difference(&slugs).cloned().collect();
                return self.decide(MembershipCommand::Update {
                    roles: Some(roles),
                    attributes: None,
                    at,
                });
            }
            MembershipCommand::Delete { at } => {
                next.updated_at = at;
                vec![MembershipEvent::Deleted(next)]
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::claims::{ClaimChange, Claims};
    use crate::values::SubjectId;

    type Given = TestFramework<Membership>;

    fn member() -> MembershipData {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        MembershipData {
            id: MembershipId::parse("om_01JD0000000000000000000000").unwrap(),
            organization_id: OrganizationId::parse("org_01JD0000000000000000000000").unwrap(),
            user_id: Some(SubjectId::parse("user_1").unwrap()),
            application_id: None,
            status: MembershipStatus::Active,
            roles: BTreeSet::from([RoleSlug::member()]),
            attributes: Attributes::default(),
            source: Some(MembershipSource::Api),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn an_update_requires_every_role_it_keeps() {
        let m = member();
        let mut kept = m.clone();
        kept.attributes = Attributes::parse(
            serde_json::json!({"team": "x"})
                .as_object()
                .unwrap()
                .clone(),
        )
        .unwrap();
        let event = MembershipEvent::Updated(MembershipUpdated::new(
            kept,
            PreviousMembershipAttributes {
                roles: None,
                attributes: Some(Attributes::default()),
            },
        ));
        assert_eq!(
            event.claim_changes(),
            crate::claims::role_available(&m.organization_id, "member").to_vec()
        );
    }

    #[test]
    fn create_claims_the_subject_and_the_active_key() {
        let m = member();
        Given::with(())
            .given_no_previous_events()
            .when(MembershipCommand::Create {
                id: m.id,
                organization_id: m.organization_id,
                subject: Subject::User(SubjectId::parse("user_1").unwrap()),
                roles: m.roles.clone(),
                attributes: Attributes::default(),
                source: MembershipSource::Api,
                at: m.created_at,
            })
            .then_expect_events(vec![MembershipEvent::Created(m.clone())]);
        assert_eq!(
            MembershipEvent::Created(m.clone()).claim_changes(),
            vec![
                ClaimChange::Acquire(format!(
                    "organization/{}/membership/user/user_1",
                    m.organization_id
                )),
                ClaimChange::Require(format!("organization/{}/alive", m.organization_id)),
                ClaimChange::Acquire(format!("membership/{}/active", m.id)),
                ClaimChange::Acquire(format!("organization/{}/seat/{}", m.organization_id, m.id)),
                ClaimChange::Within {
                    prefix: format!("organization/{}/seat/", m.organization_id),
                    limit: format!("organization/{}/max_members", m.organization_id),
                },
                ClaimChange::Acquire(format!(
                    "organization/{}/role_member/member/{}",
                    m.organization_id, m.id
                )),
                ClaimChange::RequireAny(vec![
                    format!("organization/{}/role/member", m.organization_id),
                    "role_template/member".to_owned(),
                ]),
                ClaimChange::RequireAny(vec![
                    format!("organization/{}/role/member", m.organization_id),
                    format!("organization/{}/template/all", m.organization_id),
                    format!("organization/{}/template/role/member", m.organization_id),
                ]),
            ]
        );
    }

    #[test]
    fn deactivate_and_reactivate_are_idempotent() {
        let m = member();
        let at = m.created_at;
        let inactive = MembershipData {
            status: MembershipStatus::Inactive,
            ..m.clone()
        };
        Given::with(())
            .given(vec![MembershipEvent::Created(m.clone())])
            .when(MembershipCommand::Deactivate { at })
            .then_expect_events(vec![MembershipEvent::Deactivated(inactive.clone())]);
        Given::with(())
            .given(vec![
                MembershipEvent::Created(m.clone()),
                MembershipEvent::Deactivated(inactive.clone()),
            ])
            .when(MembershipCommand::Deactivate { at })
            .then_expect_events(vec![]);
        let admin = BTreeSet::from([RoleSlug::admin()]);
        Given::with(())
            .given(vec![
                MembershipEvent::Created(m.clone()),
                MembershipEvent::Deactivated(inactive),
            ])
            .when(MembershipCommand::Reactivate {
                roles: Some(admin.clone()),
                attributes: None,
                source: MembershipSource::Invitation,
                at,
            })
            .then_expect_events(vec![
                // Joined again, through an invitation this time.
                MembershipEvent::Reactivated(MembershipData {
                    source: Some(MembershipSource::Invitation),
                    ..m.clone()
                }),
                MembershipEvent::Updated(MembershipUpdated::new(
                    MembershipData {
                        roles: admin,
                        source: Some(MembershipSource::Invitation),
                        ..m.clone()
                    },
                    PreviousMembershipAttributes {
                        roles: Some(m.roles.clone()),
                        ..Default::default()
                    },
                )),
            ]);
        Given::with(())
            .given(vec![MembershipEvent::Created(m)])
            .when(MembershipCommand::Reactivate {
                roles: None,
                attributes: None,
                source: MembershipSource::Bulk,
                at,
            })
            .then_expect_events(vec![]);
    }

    #[test]
    fn deleted_memberships_are_gone() {
        let m = member();
        let at = m.created_at;
        Given::with(())
            .given(vec![
                MembershipEvent::Created(m.clone()),
                MembershipEvent::Deleted(m.clone()),
            ])
            .when(MembershipCommand::Update {
                roles: None,
                attributes: None,
                at,
            })
            .then_expect_error(MembershipError::NotFound);
        assert_eq!(MembershipEvent::Deleted(m.clone()).claim_changes().len(), 4);
    }
}
