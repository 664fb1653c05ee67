//! Aggregates in a given state for the application layer's given/when/then tests, each built by
//! deciding and applying its own commands (never by setting fields the domain would not).

use std::collections::BTreeSet;

use chrono::{Duration, Utc};
use cqrs_es::Aggregate;
use domain::invitation::{InvitationData, InvitationState};
use domain::membership::{Membership, MembershipCommand, Subject};
use domain::organization::{CreateOrganization, CreateRole, Organization, OrganizationCommand};
use domain::values::{
    Email, Metadata, OrganizationName, Permissions, RoleName, RoleSlug, SubjectId,
};
use domain::{InvitationId, MembershipId, OrganizationId, RequestContext};

/// Runs `commands` on a new aggregate, applying every event.
pub fn after<A: Aggregate>(
    decide: impl Fn(&A, A::Command) -> Vec<A::Event>,
    commands: Vec<A::Command>,
) -> A {
    let mut aggregate = A::default();
    for command in commands {
        for event in decide(&aggregate, command) {
            aggregate.apply(event);
        }
    }
    aggregate
}

pub fn slugs(list: &[&str]) -> BTreeSet<RoleSlug> {
    list.iter().map(|s| RoleSlug::parse(s).unwrap()).collect()
}

pub fn user(id: &str) -> Subject {
    Subject::User(SubjectId::parse(id).unwrap())
}

/// A live organization with the custom `roles` (the built-in ones are the template's).
pub fn organization(id: OrganizationId, roles: &[&str]) -> Organization {
    let at = Utc::now();
    let mut commands = vec![OrganizationCommand::Create(CreateOrganization {
        id,
        name: OrganizationName::parse("Acme").unwrap(),
        description: None,
        external_id: None,
        metadata: Metadata::default(),
        max_members: None,
        template_roles: None,
        at,
    })];
    commands.extend(slugs(roles).into_iter().map(|slug| {
        OrganizationCommand::CreateRole(CreateRole {
            slug,
            name: RoleName::parse("A role").unwrap(),
            description: None,
            permissions: Permissions::default(),
            at,
        })
    }));
    after(|o: &Organization, c| o.decide(c).unwrap(), commands)
}

/// A membership of `subject` in `org` with `roles`, after `then` (deactivate, delete…).
pub fn membership(
    org: OrganizationId,
    subject: Subject,
    roles: &[&str],
    then: Vec<MembershipCommand>,
) -> Membership {
    let mut commands = vec![MembershipCommand::Create {
        id: MembershipId::new(),
        organization_id: org,
        subject,
        roles: slugs(roles),
        attributes: Default::default(),
        source: domain::membership::MembershipSource::Api,
        at: Utc::now(),
    }];
    commands.extend(then);
    after(|m: &Membership, c| m.decide(c).unwrap(), commands)
}

pub fn deactivated() -> MembershipCommand {
    MembershipCommand::Deactivate { at: Utc::now() }
}

/// A pending invitation to `org` with `roles`.
pub fn invitation(org: OrganizationId, roles: &[&str]) -> InvitationData {
    let at = Utc::now();
    InvitationData {
        id: InvitationId::new(),
        organization_id: org,
        email: Email::parse("ada@example.com").unwrap(),
        roles: slugs(roles),
        state: InvitationState::Pending,
        expires_at: at + Duration::days(7),
        inviter_user_id: None,
        accepted_user_id: None,
        membership_id: None,
        accept_token_sha256: String::new(),
        created_at: at,
        updated_at: at,
    }
}

/// A key of `org` only, or (None) an admin key.
pub fn caller(org: Option<OrganizationId>) -> RequestContext {
    RequestContext {
        limited_to: org,
        ..RequestContext::system("test")
    }
}
