//! An organization's domains (WorkOS, Clerk and Logto "verified domains"): added `pending` with a
//! verification record, `verified` once its DNS TXT record is seen (by one organization at a
//! time: a claim), `expired` when nobody published the record within the verification window.
//! A verified domain's policy lets people with an email address under it find the organization
//! (`suggest`) or join it without an invitation (`auto_join`, with the domain's default roles).
//!
//! The DNS look-up is the command side's; the aggregate only records what it found.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::aggregate::{Organization, OrganizationError};
use super::events::OrganizationEvent;
use crate::ids::OrganizationId;
use crate::values::{DomainName, RoleSlug};

/// The TXT record's name is `_roster-challenge.<domain>`.
pub const CHALLENGE_LABEL: &str = "_roster-challenge";

/// Domains one organization may hold (any state): a bound on its state and its events.
pub const MAX_DOMAINS: usize = 100;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DomainPolicy {
    /// The domain is only verified: nobody finds or joins the organization through it.
    #[default]
    Off,
    /// Listed for people whose email is under the domain; joining still takes an admin.
    Suggest,
    /// People whose email is under the domain join without an invitation, with its default roles.
    AutoJoin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DomainState {
    /// Waiting for its TXT record; checked again and again until `expires_at`.
    Pending,
    Verified,
    /// Nobody published the record before `expires_at`; a check that finds it still verifies it.
    Expired,
}

/// What to publish: a TXT record named `name` whose value is `value`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DomainVerification {
    pub name: String,
    pub value: String,
}

/// An organization's domain as consumers see it; every `organization_domain.*` event carries it
/// whole after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrganizationDomain {
    pub organization_id: OrganizationId,
    pub domain: DomainName,
    pub state: DomainState,
    pub policy: DomainPolicy,
    /// The roles a member joining through the domain (`auto_join`) gets.
    pub default_roles: BTreeSet<RoleSlug>,
    pub verification: DomainVerification,
    pub verified_at: Option<DateTime<Utc>>,
    /// Until when a pending domain is checked; after it, it expires.
    pub expires_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl OrganizationDomain {
    /// Whether people with an email under it may join without an invitation.
    pub fn auto_joins(&self) -> bool {
        self.state == DomainState::Verified && self.policy == DomainPolicy::AutoJoin
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PreviousDomainAttributes {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<DomainPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_roles: Option<BTreeSet<RoleSlug>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct DomainUpdated {
    #[serde(flatten)]
    pub domain: OrganizationDomain,
    pub previous_attributes: PreviousDomainAttributes,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AddDomain {
    pub domain: DomainName,
    /// The value of the TXT record to publish (made by the command side: a random token).
    pub verification_value: String,
    pub at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A partial update of a domain's policy and default roles.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateDomain {
    pub domain: DomainName,
    pub policy: Option<DomainPolicy>,
    pub default_roles: Option<BTreeSet<RoleSlug>>,
    /// The template's roles when decided: the organization offers them besides its own (which
    /// are all the aggregate knows).
    pub template_roles: BTreeSet<RoleSlug>,
    pub at: DateTime<Utc>,
}

impl Organization {
    /// The live organization's domain `name`, and a copy of it changed `at`, to change further.
    fn domain(
        &self,
        name: &DomainName,
        at: DateTime<Utc>,
    ) -> Result<(&OrganizationDomain, OrganizationDomain), OrganizationError> {
        self.current().ok_or(OrganizationError::NotFound)?;
        let current = self
            .domains
            .get(name)
            .ok_or_else(|| OrganizationError::DomainNotFound(name.as_str().to_owned()))?;
        let mut next = current.clone();
        next.updated_at = at;
        Ok((current, next))
    }

    pub(super) fn add_domain(
        &self,
        c: AddDomain,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let org = self.current().ok_or(OrganizationError::NotFound)?;
        if self.domains.contains_key(&c.domain) {
            return Err(OrganizationError::DomainExists(
                c.domain.as_str().to_owned(),
            ));
        }
        if self.domains.len() >= MAX_DOMAINS {
            return Err(OrganizationError::TooManyDomains(MAX_DOMAINS));
        }
        Ok(vec![OrganizationEvent::DomainAdded(OrganizationDomain {
            organization_id: org.id,
            verification: DomainVerification {
                name: format!("{CHALLENGE_LABEL}.{}", c.domain.as_str()),
                value: c.verification_value,
            },
            domain: c.domain,
            state: DomainState::Pending,
            policy: DomainPolicy::Off,
            default_roles: BTreeSet::from([RoleSlug::member()]),
            verified_at: None,
            expires_at: c.expires_at,
            created_at: c.at,
            updated_at: c.at,
        })])
    }

    /// The command side found the record: pending or expired → verified; verified stays so.
    pub(super) fn verify_domain(
        &self,
        name: DomainName,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let (current, mut next) = self.domain(&name, at)?;
        if current.state == DomainState::Verified {
            return Ok(Vec::new());
        }
        next.state = DomainState::Verified;
        next.verified_at = Some(at);
        Ok(vec![OrganizationEvent::DomainVerified(next)])
    }

    /// A pending domain past its window expires; anything else is left as it is.
    pub(super) fn expire_domain(
        &self,
        name: DomainName,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let (current, mut next) = self.domain(&name, at)?;
        if current.state != DomainState::Pending || at < current.expires_at {
            return Ok(Vec::new());
        }
        next.state = DomainState::Expired;
        Ok(vec![OrganizationEvent::DomainExpired(next)])
    }

    pub(super) fn update_domain(
        &self,
        u: UpdateDomain,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let (current, mut next) = self.domain(&u.domain, u.at)?;
        if let Some(unknown) = u
            .default_roles
            .iter()
            .flatten()
            .find(|r| !self.offers(r, &u.template_roles))
        {
            return Err(OrganizationError::RoleNotFound(unknown.as_str().to_owned()));
        }
        let mut previous = PreviousDomainAttributes::default();
        if let Some(p) = u.policy.filter(|p| *p != current.policy) {
            previous.policy = Some(std::mem::replace(&mut next.policy, p));
        }
        if let Some(r) = u.default_roles.filter(|r| *r != current.default_roles) {
            previous.default_roles = Some(std::mem::replace(&mut next.default_roles, r));
        }
        if previous == PreviousDomainAttributes::default() {
            return Ok(Vec::new());
        }
        Ok(vec![OrganizationEvent::DomainUpdated(DomainUpdated {
            domain: next,
            previous_attributes: previous,
        })])
    }

    pub(super) fn remove_domain(
        &self,
        name: DomainName,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let (_, gone) = self.domain(&name, at)?;
        Ok(vec![OrganizationEvent::DomainRemoved(gone)])
    }

    /// Domains whose default roles hold roles that leave the catalogue (`gone`) lose them, in the
    /// decision that takes them out (the domains live in the organization's stream).
    pub(super) fn domains_without_roles(
        &self,
        gone: impl Fn(&RoleSlug) -> bool,
        at: DateTime<Utc>,
    ) -> Vec<OrganizationEvent> {
        self.domains
            .values()
            .filter(|d| d.default_roles.iter().any(&gone))
            .map(|d| {
                let mut next = d.clone();
                next.default_roles.retain(|r| !gone(r));
                next.updated_at = at;
                OrganizationEvent::DomainUpdated(DomainUpdated {
                    domain: next,
                    previous_attributes: PreviousDomainAttributes {
                        policy: None,
                        default_roles: Some(d.default_roles.clone()),
                    },
                })
            })
            .collect()
    }

    /// Every domain removed (the organization's deletion): their claims go with them.
    pub(super) fn domains_removed(&self, at: DateTime<Utc>) -> Vec<OrganizationEvent> {
        self.domains
            .values()
            .map(|d| {
                let mut gone = d.clone();
                gone.updated_at = at;
                OrganizationEvent::DomainRemoved(gone)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::claims::{ClaimChange, Claims};
    use crate::organization::{CreateOrganization, CreateRole, OrganizationCommand};
    use crate::values::{Metadata, OrganizationName, Permissions, RoleName};

    fn at(day: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, day, 10, 0, 0).unwrap()
    }

    fn name(s: &str) -> DomainName {
        DomainName::parse(s).unwrap()
    }

    /// The organization after `commands`, each decided on the state the ones before left.
    fn given(commands: Vec<OrganizationCommand>) -> Organization {
        let mut org = Organization::default();
        for c in commands {
            for e in org.decide(c).unwrap() {
                cqrs_es::Aggregate::apply(&mut org, e);
            }
        }
        org
    }

    fn created() -> OrganizationCommand {
        OrganizationCommand::Create(CreateOrganization {
            id: OrganizationId::new(),
            name: OrganizationName::parse("Acme").unwrap(),
            description: None,
            external_id: None,
            metadata: Metadata::default(),
            max_members: None,
            template_roles: None,
            at: at(1),
        })
    }

    fn added(d: &str) -> OrganizationCommand {
        OrganizationCommand::AddDomain(AddDomain {
            domain: name(d),
            verification_value: "roster-verification=t".into(),
            at: at(1),
            expires_at: at(8),
        })
    }

    #[test]
    fn names_are_normalised_and_suffixes_and_addresses_refused() {
        assert_eq!(name(" Acme.COM. ").as_str(), "acme.com");
        assert_eq!(name("bücher.de").as_str(), "xn--bcher-kva.de");
        assert_eq!(name("xn--bcher-kva.de").as_str(), "xn--bcher-kva.de");
        assert_eq!(name("eng.acme.co.uk").as_str(), "eng.acme.co.uk");
        for bad in [
            "",
            ".",
            "com",
            "co.uk",
            "github.io",
            "localhost",
            "10.0.0.1",
            "a..b",
            "-a.com",
            "a-.com",
            "a_b.com",
            "a b.com",
            "a.com/x",
            "a\u{0}.com",
        ] {
            assert!(DomainName::parse(bad).is_err(), "{bad:?}");
        }
        let email = crate::values::Email::parse("Ada@Bücher.DE").unwrap();
        assert_eq!(
            DomainName::of_email(&email).unwrap().as_str(),
            "xn--bcher-kva.de"
        );
    }

    #[test]
    fn a_domain_goes_pending_to_verified_or_expired_and_only_past_its_window() {
        let org = given(vec![created(), added("acme.com")]);
        let d = &org.domains[&name("acme.com")];
        assert_eq!(
            (d.state, d.policy),
            (DomainState::Pending, DomainPolicy::Off)
        );
        assert_eq!(d.verification.name, "_roster-challenge.acme.com");
        assert_eq!(
            org.decide(added("ACME.com")),
            Err(OrganizationError::DomainExists("acme.com".into()))
        );
        let early = OrganizationCommand::ExpireDomain {
            domain: name("acme.com"),
            at: at(7),
        };
        assert_eq!(org.decide(early), Ok(vec![]));
        let expire = OrganizationCommand::ExpireDomain {
            domain: name("acme.com"),
            at: at(8),
        };
        let expired = org.decide(expire.clone()).unwrap();
        assert_eq!(
            expired[0].claim_changes(),
            [ClaimChange::Release(crate::claims::domain_pending(d))]
        );
        let org = given(vec![created(), added("acme.com"), expire.clone()]);
        assert_eq!(org.decide(expire), Ok(vec![]));
        // A record seen after expiry still verifies it; the verified claim is taken.
        let verify = OrganizationCommand::VerifyDomain {
            domain: name("acme.com"),
            at: at(9),
        };
        let events = org.decide(verify.clone()).unwrap();
        assert!(events[0]
            .claim_changes()
            .contains(&ClaimChange::Acquire("domain/acme.com/verified".into())));
        let org = given(vec![created(), added("acme.com"), verify.clone()]);
        assert_eq!(org.decide(verify), Ok(vec![]));
    }

    #[test]
    fn a_deleted_role_leaves_default_roles_and_a_deletion_removes_every_domain() {
        let role = OrganizationCommand::CreateRole(CreateRole {
            slug: RoleSlug::parse("eng").unwrap(),
            name: RoleName::parse("Eng").unwrap(),
            description: None,
            permissions: Permissions::default(),
            at: at(1),
        });
        let policy = OrganizationCommand::UpdateDomain(UpdateDomain {
            template_roles: BTreeSet::new(),
            domain: name("acme.com"),
            policy: Some(DomainPolicy::AutoJoin),
            default_roles: Some(BTreeSet::from([RoleSlug::parse("eng").unwrap()])),
            at: at(2),
        });
        let org = given(vec![
            created(),
            role,
            added("acme.com"),
            added("b.example"),
            policy,
        ]);
        let unknown = OrganizationCommand::UpdateDomain(UpdateDomain {
            template_roles: BTreeSet::new(),
            domain: name("acme.com"),
            policy: None,
            default_roles: Some(BTreeSet::from([RoleSlug::parse("ghost").unwrap()])),
            at: at(2),
        });
        assert_eq!(
            org.decide(unknown),
            Err(OrganizationError::RoleNotFound("ghost".into()))
        );
        let events = org
            .decide(OrganizationCommand::DeleteRole {
                slug: RoleSlug::parse("eng").unwrap(),
                at: at(3),
            })
            .unwrap();
        assert_eq!(events.len(), 2);
        assert!(events[1].domain().unwrap().default_roles.is_empty());
        let mut closing = org.clone();
        for e in closing
            .decide(OrganizationCommand::Delete { at: at(4) })
            .unwrap()
        {
            cqrs_es::Aggregate::apply(&mut closing, e);
        }
        let gone = closing
            .decide(OrganizationCommand::CompleteDeletion { at: at(5) })
            .unwrap();
        let removed: Vec<&str> = gone
            .iter()
            .filter_map(|e| match e {
                OrganizationEvent::DomainRemoved(d) => Some(d.domain.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(removed, ["acme.com", "b.example"]);
    }
}
