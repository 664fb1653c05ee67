use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::commands::{
    CreateOrganization, CreateRole, OrganizationCommand, UpdateOrganization, UpdateRole,
};
use super::domains::OrganizationDomain;
use super::events::{
    OrganizationData, OrganizationEvent, OrganizationUpdated, PreviousOrganizationAttributes,
    RoleData, RoleUpdated,
};
use crate::values::{DomainName, RoleSlug};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrganizationError {
    #[error("the organization already exists")]
    AlreadyExists,
    #[error("the organization does not exist")]
    NotFound,
    #[error("role `{0}` already exists")]
    RoleExists(String),
    #[error("role `{0}` does not exist")]
    RoleNotFound(String),
    #[error("role `{0}` is built in and cannot be deleted")]
    BuiltInRole(String),
    #[error("domain `{0}` is already the organization's")]
    DomainExists(String),
    #[error("domain `{0}` is not the organization's")]
    DomainNotFound(String),
    #[error("an organization holds at most {0} domains")]
    TooManyDomains(usize),
}

/// State needed to decide commands; `None` until created.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organization {
    pub state: Option<OrganizationData>,
    #[serde(default)]
    pub deleted: bool,
    /// Deletion requested: closed to every command but the deletion's own.
    #[serde(default)]
    pub deleting: bool,
    /// The role catalogue, by slug.
    #[serde(default)]
    pub roles: BTreeMap<RoleSlug, RoleData>,
    /// Its domains, by name.
    #[serde(default)]
    pub domains: BTreeMap<DomainName, OrganizationDomain>,
}

crate::aggregate!(
    Organization,
    "organization",
    OrganizationCommand,
    OrganizationEvent,
    OrganizationError
);

impl Organization {
    /// How each event changes the state.
    fn evolve(&mut self, event: OrganizationEvent) {
        match event {
            OrganizationEvent::Created(org) => self.state = Some(org),
            OrganizationEvent::Updated(u) => self.state = Some(u.organization),
            OrganizationEvent::DeletionRequested(org) => {
                self.state = Some(org);
                self.deleting = true;
            }
            OrganizationEvent::Deleted(org) => {
                self.state = Some(org);
                self.deleted = true;
                self.deleting = false;
            }
            OrganizationEvent::RoleCreated(r) => {
                self.roles.insert(r.slug.clone(), r);
            }
            OrganizationEvent::RoleUpdated(u) => {
                self.roles.insert(u.role.slug.clone(), u.role);
            }
            OrganizationEvent::RoleDeleted(r) => {
                self.roles.remove(&r.slug);
            }
            OrganizationEvent::DomainAdded(d)
            | OrganizationEvent::DomainVerified(d)
            | OrganizationEvent::DomainExpired(d) => {
                self.domains.insert(d.domain.clone(), d);
            }
            OrganizationEvent::DomainUpdated(u) => {
                self.domains.insert(u.domain.domain.clone(), u.domain);
            }
            OrganizationEvent::DomainRemoved(d) => {
                self.domains.remove(&d.domain);
            }
        }
    }
}

impl Organization {
    /// The decision, separate from cqrs-es's sink so it reads (and tests) as a plain function.
    pub fn decide(
        &self,
        command: OrganizationCommand,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        match command {
            OrganizationCommand::Create(c) => self.create(c),
            OrganizationCommand::Update(u) => self.update(u),
            OrganizationCommand::Delete { at } => self.request_deletion(at),
            OrganizationCommand::CompleteDeletion { at } => self.complete_deletion(at),
            OrganizationCommand::CreateRole(c) => self.create_role(c),
            OrganizationCommand::UpdateRole(u) => self.update_role(u),
            OrganizationCommand::DeleteRole { slug, at } => self.delete_role(slug, at),
            OrganizationCommand::AddDomain(c) => self.add_domain(c),
            OrganizationCommand::VerifyDomain { domain, at } => self.verify_domain(domain, at),
            OrganizationCommand::ExpireDomain { domain, at } => self.expire_domain(domain, at),
            OrganizationCommand::UpdateDomain(u) => self.update_domain(u),
            OrganizationCommand::RemoveDomain { domain, at } => self.remove_domain(domain, at),
        }
    }

    /// Whether the organization offers role `slug` (`template`: the template's slugs now): its
    /// own role, or the template's where it offers all of them or that one.
    pub fn offers(&self, slug: &RoleSlug, template: &BTreeSet<RoleSlug>) -> bool {
        let offered = |s: &RoleSlug| {
            (self.state.as_ref()).is_some_and(|o| match &o.template_roles {
                None => true,
                Some(set) => set.contains(s),
            })
        };
        self.roles.contains_key(slug) || (template.contains(slug) && offered(slug))
    }

    /// The live organization (created, neither deleted nor being deleted).
    pub fn current(&self) -> Option<&OrganizationData> {
        self.state
            .as_ref()
            .filter(|_| !self.deleted && !self.deleting)
    }

    fn request_deletion(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        if self.deleting {
            return Ok(Vec::new());
        }
        let mut org = self.current().ok_or(OrganizationError::NotFound)?.clone();
        org.updated_at = at;
        Ok(vec![OrganizationEvent::DeletionRequested(org)])
    }

    fn complete_deletion(
        &self,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        if self.deleted {
            return Ok(Vec::new());
        }
        let org = self
            .state
            .as_ref()
            .filter(|_| self.deleting)
            .ok_or(OrganizationError::NotFound)?;
        let mut events = self.domains_removed(at);
        events.extend(self.roles.values().map(|r| {
            OrganizationEvent::RoleDeleted(RoleData {
                updated_at: at,
                ..r.clone()
            })
        }));
        let mut gone = org.clone();
        gone.updated_at = at;
        events.push(OrganizationEvent::Deleted(gone));
        Ok(events)
    }

    fn create_role(&self, c: CreateRole) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let org = self.current().ok_or(OrganizationError::NotFound)?;
        if self.roles.contains_key(&c.slug) {
            return Err(OrganizationError::RoleExists(c.slug.as_str().to_owned()));
        }
        Ok(vec![OrganizationEvent::RoleCreated(RoleData {
            organization_id: org.id,
            slug: c.slug,
            name: c.name,
            description: c.description,
            permissions: c.permissions,
            created_at: c.at,
            updated_at: c.at,
        })])
    }

    fn update_role(&self, u: UpdateRole) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        self.current().ok_or(OrganizationError::NotFound)?;
        let current = self
            .roles
            .get(&u.slug)
            .ok_or_else(|| OrganizationError::RoleNotFound(u.slug.as_str().to_owned()))?;
        let mut next = current.clone();
        let at = u.at;
        let Some(previous) = u.change(&mut next.name, &mut next.description, &mut next.permissions)
        else {
            return Ok(Vec::new());
        };
        next.updated_at = at;
        Ok(vec![OrganizationEvent::RoleUpdated(RoleUpdated {
            role: next,
            previous_attributes: previous,
        })])
    }

    /// Memberships holding the role lose it through their own `membership.updated` events,
    /// issued by the service that owns memberships.
    fn delete_role(
        &self,
        slug: RoleSlug,
        at: DateTime<Utc>,
    ) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        self.current().ok_or(OrganizationError::NotFound)?;
        if slug == RoleSlug::member() {
            return Err(OrganizationError::BuiltInRole(slug.as_str().to_owned()));
        }
        let mut role = self
            .roles
            .get(&slug)
            .cloned()
            .ok_or_else(|| OrganizationError::RoleNotFound(slug.as_str().to_owned()))?;
        role.updated_at = at;
        let domains = self.domains_without_roles(|r| *r == slug, at);
        Ok(std::iter::once(OrganizationEvent::RoleDeleted(role))
            .chain(domains)
            .collect())
    }

    fn create(&self, c: CreateOrganization) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        if self.state.is_some() {
            return Err(OrganizationError::AlreadyExists);
        }
        let org = OrganizationData {
            id: c.id,
            name: c.name,
            description: c.description,
            external_id: c.external_id,
            metadata: c.metadata,
            max_members: c.max_members,
            template_roles: c.template_roles,
            created_at: c.at,
            updated_at: c.at,
        };
        // Its roles are the organization template's (`admin` and `member` built in) until it
        // makes its own; organizations created before the template have their own copies.
        Ok(vec![OrganizationEvent::Created(org)])
    }

    fn update(&self, u: UpdateOrganization) -> Result<Vec<OrganizationEvent>, OrganizationError> {
        let current = self.current().ok_or(OrganizationError::NotFound)?;
        let mut next = current.clone();
        let mut previous = PreviousOrganizationAttributes::default();
        if let Some(name) = u.name.filter(|n| *n != current.name) {
            previous.name = Some(std::mem::replace(&mut next.name, name));
        }
        if let Some(d) = u.description.filter(|d| *d != current.description) {
            previous.description = Some(std::mem::replace(&mut next.description, d));
        }
        if let Some(e) = u.external_id.filter(|e| *e != current.external_id) {
            previous.external_id = Some(std::mem::replace(&mut next.external_id, e));
        }
        if let Some(m) = u.metadata.filter(|m| *m != current.metadata) {
            previous.metadata = Some(std::mem::replace(&mut next.metadata, m));
        }
        if let Some(m) = u.max_members.filter(|m| *m != current.max_members) {
            previous.max_members = Some(std::mem::replace(&mut next.max_members, m));
        }
        if let Some(t) = u.template_roles.filter(|t| *t != current.template_roles) {
            previous.template_roles = Some(std::mem::replace(&mut next.template_roles, t));
        }
        if previous == PreviousOrganizationAttributes::default() {
            // Nothing changed: no event, so consumers are not woken for nothing.
            return Ok(Vec::new());
        }
        next.updated_at = u.at;
        // Template roles it no longer offers leave its domains' default roles with it.
        let domains = match (&previous.template_roles, &next.template_roles) {
            (Some(_), Some(set)) => self
                .domains_without_roles(|r| !self.roles.contains_key(r) && !set.contains(r), u.at),
            _ => Vec::new(),
        };
        Ok(
            std::iter::once(OrganizationEvent::Updated(OrganizationUpdated {
                organization: next,
                previous_attributes: previous,
            }))
            .chain(domains)
            .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use cqrs_es::test::TestFramework;

    use super::*;
    use crate::claims::{ClaimChange, Claims};
    use crate::ids::OrganizationId;
    use crate::organization::{CreateRole, PreviousRoleAttributes, UpdateRole};
    use crate::values::{
        ExternalId, Metadata, OrganizationName, Permissions, RoleName, RoleSlug, TemplateRoleSet,
    };
    use std::collections::BTreeSet;

    type Given = TestFramework<Organization>;

    fn created(external_id: Option<&str>) -> OrganizationData {
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        OrganizationData {
            id: OrganizationId::parse("org_01JD0000000000000000000000").unwrap(),
            name: OrganizationName::parse("Acme").unwrap(),
            description: None,
            external_id: external_id.map(|e| ExternalId::parse(e).unwrap()),
            metadata: Metadata::default(),
            max_members: None,
            template_roles: None,
            created_at: at,
            updated_at: at,
        }
    }

    fn create_command(org: &OrganizationData) -> OrganizationCommand {
        OrganizationCommand::Create(CreateOrganization {
            id: org.id,
            name: org.name.clone(),
            description: None,
            external_id: org.external_id.clone(),
            metadata: Metadata::default(),
            max_members: None,
            template_roles: None,
            at: org.created_at,
        })
    }

    fn role(org: &OrganizationData, slug: &str, name: &str) -> RoleData {
        RoleData {
            organization_id: org.id,
            slug: RoleSlug::parse(slug).unwrap(),
            name: RoleName::parse(name).unwrap(),
            description: None,
            permissions: Permissions::default(),
            created_at: org.created_at,
            updated_at: org.created_at,
        }
    }

    #[test]
    fn create_emits_created_only_the_template_giving_its_roles() {
        let org = created(Some("acme-1"));
        Given::with(())
            .given_no_previous_events()
            .when(create_command(&org))
            .then_expect_events(vec![OrganizationEvent::Created(org.clone())]);
    }

    /// An organization as one created before the template was: its own `admin` and `member`.
    fn seeded(org: &OrganizationData) -> Vec<OrganizationEvent> {
        vec![
            OrganizationEvent::Created(org.clone()),
            OrganizationEvent::RoleCreated(role(org, "admin", "Admin")),
            OrganizationEvent::RoleCreated(role(org, "member", "Member")),
        ]
    }

    #[test]
    fn roles_are_created_updated_and_deleted() {
        let org = created(None);
        let at = org.created_at;
        let billing = RoleData {
            permissions: Permissions::parse(vec!["billing:read".into()]).unwrap(),
            ..role(&org, "billing", "Billing")
        };
        Given::with(())
            .given(seeded(&org))
            .when(OrganizationCommand::CreateRole(CreateRole {
                slug: billing.slug.clone(),
                name: billing.name.clone(),
                description: None,
                permissions: billing.permissions.clone(),
                at,
            }))
            .then_expect_events(vec![OrganizationEvent::RoleCreated(billing.clone())]);

        let mut events = seeded(&org);
        events.push(OrganizationEvent::RoleCreated(billing.clone()));
        Given::with(())
            .given(events.clone())
            .when(OrganizationCommand::CreateRole(CreateRole {
                slug: billing.slug.clone(),
                name: billing.name.clone(),
                description: None,
                permissions: Permissions::default(),
                at,
            }))
            .then_expect_error(OrganizationError::RoleExists("billing".into()));

        let widened =
            Permissions::parse(vec!["billing:read".into(), "billing:write".into()]).unwrap();
        Given::with(())
            .given(events.clone())
            .when(OrganizationCommand::UpdateRole(UpdateRole {
                slug: billing.slug.clone(),
                name: None,
                description: None,
                permissions: Some(widened.clone()),
                at,
            }))
            .then_expect_events(vec![OrganizationEvent::RoleUpdated(RoleUpdated {
                role: RoleData {
                    permissions: widened,
                    ..billing.clone()
                },
                previous_attributes: PreviousRoleAttributes {
                    permissions: Some(billing.permissions.clone()),
                    ..Default::default()
                },
            })]);

        Given::with(())
            .given(events.clone())
            .when(OrganizationCommand::DeleteRole {
                slug: billing.slug.clone(),
                at,
            })
            .then_expect_events(vec![OrganizationEvent::RoleDeleted(billing.clone())]);
        Given::with(())
            .given(events.clone())
            .when(OrganizationCommand::DeleteRole {
                slug: RoleSlug::member(),
                at,
            })
            .then_expect_error(OrganizationError::BuiltInRole("member".into()));
        Given::with(())
            .given(events)
            .when(OrganizationCommand::DeleteRole {
                slug: RoleSlug::parse("nope").unwrap(),
                at,
            })
            .then_expect_error(OrganizationError::RoleNotFound("nope".into()));
    }

    #[test]
    fn deletion_closes_the_organization_then_removes_roles_and_ends_it() {
        let org = created(Some("x"));
        let at = org.created_at;
        Given::with(())
            .given(seeded(&org))
            .when(OrganizationCommand::Delete { at })
            .then_expect_events(vec![OrganizationEvent::DeletionRequested(org.clone())]);
        assert_eq!(
            OrganizationEvent::DeletionRequested(org.clone()).claim_changes(),
            vec![ClaimChange::Release(format!(
                "organization/{}/alive",
                org.id
            ))]
        );

        let mut deleting = seeded(&org);
        deleting.push(OrganizationEvent::DeletionRequested(org.clone()));
        // Closed: nothing but the deletion itself, which is idempotent.
        for command in [
            OrganizationCommand::Update(UpdateOrganization::default()),
            OrganizationCommand::DeleteRole {
                slug: RoleSlug::admin(),
                at,
            },
        ] {
            Given::with(())
                .given(deleting.clone())
                .when(command)
                .then_expect_error(OrganizationError::NotFound);
        }
        Given::with(())
            .given(deleting.clone())
            .when(OrganizationCommand::Delete { at })
            .then_expect_events(vec![]);
        Given::with(())
            .given(seeded(&org))
            .when(OrganizationCommand::CompleteDeletion { at })
            .then_expect_error(OrganizationError::NotFound);
        Given::with(())
            .given(deleting.clone())
            .when(OrganizationCommand::CompleteDeletion { at })
            .then_expect_events(vec![
                OrganizationEvent::RoleDeleted(role(&org, "admin", "Admin")),
                OrganizationEvent::RoleDeleted(role(&org, "member", "Member")),
                OrganizationEvent::Deleted(org.clone()),
            ]);

        let mut events = deleting;
        events.push(OrganizationEvent::Deleted(org.clone()));
        Given::with(())
            .given(events.clone())
            .when(OrganizationCommand::Update(UpdateOrganization::default()))
            .then_expect_error(OrganizationError::NotFound);
        Given::with(())
            .given(events)
            .when(OrganizationCommand::CompleteDeletion { at })
            .then_expect_events(vec![]);
        assert_eq!(
            OrganizationEvent::Deleted(org.clone()).claim_changes(),
            vec![
                ClaimChange::Release("organization/external_id/x".into()),
                ClaimChange::Release(format!("organization/{}/alive", org.id)),
                ClaimChange::Release(format!("organization/{}/template/all", org.id)),
            ]
        );
    }

    #[test]
    fn role_commands_need_an_organization() {
        let at = Utc::now();
        Given::with(())
            .given_no_previous_events()
            .when(OrganizationCommand::DeleteRole {
                slug: RoleSlug::admin(),
                at,
            })
            .then_expect_error(OrganizationError::NotFound);
    }

    #[test]
    fn create_twice_is_refused() {
        let org = created(None);
        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(create_command(&org))
            .then_expect_error(OrganizationError::AlreadyExists);
    }

    #[test]
    fn update_of_missing_organization_is_not_found() {
        Given::with(())
            .given_no_previous_events()
            .when(OrganizationCommand::Update(UpdateOrganization::default()))
            .then_expect_error(OrganizationError::NotFound);
    }

    #[test]
    fn update_records_previous_attributes_and_skips_no_ops() {
        let org = created(Some("old"));
        let later = org.created_at + chrono::Duration::seconds(5);
        let mut after = org.clone();
        after.external_id = Some(ExternalId::parse("new").unwrap());
        after.updated_at = later;
        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(OrganizationCommand::Update(UpdateOrganization {
                name: Some(org.name.clone()),
                external_id: Some(Some(ExternalId::parse("new").unwrap())),
                at: later,
                ..Default::default()
            }))
            .then_expect_events(vec![OrganizationEvent::Updated(OrganizationUpdated {
                organization: after,
                previous_attributes: PreviousOrganizationAttributes {
                    external_id: Some(Some(ExternalId::parse("old").unwrap())),
                    ..Default::default()
                },
            })]);

        Given::with(())
            .given(vec![OrganizationEvent::Created(org.clone())])
            .when(OrganizationCommand::Update(UpdateOrganization {
                name: Some(org.name.clone()),
                at: later,
                ..Default::default()
            }))
            .then_expect_events(vec![]);
    }

    #[test]
    fn external_id_claims_follow_the_events() {
        let org = created(Some("a"));
        assert_eq!(
            OrganizationEvent::Created(org.clone()).claim_changes(),
            vec![
                ClaimChange::Acquire("organization/external_id/a".into()),
                ClaimChange::Acquire(format!("organization/{}/alive", org.id)),
                ClaimChange::Acquire(format!("organization/{}/template/all", org.id)),
            ]
        );
        let mut renamed = org.clone();
        renamed.external_id = None;
        let cleared = OrganizationEvent::Updated(OrganizationUpdated {
            organization: renamed,
            previous_attributes: PreviousOrganizationAttributes {
                external_id: Some(Some(ExternalId::parse("a").unwrap())),
                ..Default::default()
            },
        });
        assert_eq!(
            cleared.claim_changes(),
            vec![ClaimChange::Release("organization/external_id/a".into())]
        );
        let payload = serde_json::to_value(&cleared).unwrap();
        assert_eq!(payload["type"], "organization.updated");
    }

    fn set(slugs: &[&str]) -> TemplateRoleSet {
        TemplateRoleSet::parse(slugs.iter().map(|s| RoleSlug::parse(s).unwrap()).collect()).unwrap()
    }

    /// Offering all of the template holds one key; offering some holds one per role, each
    /// required in the template when it is newly offered; going back gives them up.
    #[test]
    fn template_role_claims_follow_what_the_organization_offers() {
        let org = created(None);
        let id = org.id;
        let later = org.created_at + chrono::Duration::seconds(5);
        let update = |from: &OrganizationData, to: Option<TemplateRoleSet>| {
            let mut org = Organization::default();
            cqrs_es::Aggregate::apply(&mut org, OrganizationEvent::Created(from.clone()));
            let events = org
                .decide(OrganizationCommand::Update(UpdateOrganization {
                    template_roles: Some(to),
                    at: later,
                    ..Default::default()
                }))
                .unwrap();
            let [event] = events.try_into().unwrap();
            event
        };
        let some = update(&org, Some(set(&["member", "viewer"])));
        assert_eq!(
            some.claim_changes(),
            vec![
                ClaimChange::Release(format!("organization/{id}/template/all")),
                ClaimChange::Acquire(format!("organization/{id}/template/role/member")),
                ClaimChange::Require("role_template/member".into()),
                ClaimChange::Acquire(format!("organization/{id}/template/role/viewer")),
                ClaimChange::Require("role_template/viewer".into()),
            ]
        );
        let narrowing = OrganizationData {
            template_roles: Some(set(&["member", "viewer"])),
            ..org.clone()
        };
        let fewer = update(&narrowing, Some(set(&["admin", "member"])));
        assert_eq!(
            fewer.claim_changes(),
            vec![
                ClaimChange::Release(format!("organization/{id}/template/role/member")),
                ClaimChange::Release(format!("organization/{id}/template/role/viewer")),
                ClaimChange::Acquire(format!("organization/{id}/template/role/admin")),
                ClaimChange::Require("role_template/admin".into()),
                // Released above, taken again: the last change of a key wins in its stream.
                ClaimChange::Acquire(format!("organization/{id}/template/role/member")),
            ]
        );
        let all = update(&narrowing, None);
        assert_eq!(
            all.claim_changes(),
            vec![
                ClaimChange::Release(format!("organization/{id}/template/role/member")),
                ClaimChange::Release(format!("organization/{id}/template/role/viewer")),
                ClaimChange::Acquire(format!("organization/{id}/template/all")),
            ]
        );
        assert_eq!(
            OrganizationEvent::Deleted(narrowing).claim_changes()[1..],
            [
                ClaimChange::Release(format!("organization/{id}/template/role/member")),
                ClaimChange::Release(format!("organization/{id}/template/role/viewer")),
            ]
        );
        // Without `member`, a set is refused when it is parsed.
        let without = BTreeSet::from([RoleSlug::admin()]);
        assert!(TemplateRoleSet::parse(without).is_err());
    }
}
