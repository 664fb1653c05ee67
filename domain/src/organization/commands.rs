use chrono::{DateTime, Utc};

use super::domains::{AddDomain, UpdateDomain};
use crate::ids::OrganizationId;
use crate::values::{
    Description, DomainName, ExternalId, MaxMembers, Metadata, OrganizationName, Permissions,
    RoleName, RoleSlug, TemplateRoleSet,
};

#[derive(Debug, Clone, PartialEq)]
pub enum OrganizationCommand {
    Create(CreateOrganization),
    Update(UpdateOrganization),
    /// Closes the organization and records the intent to delete it (`deletion_requested`);
    /// again while it is being deleted: nothing (idempotent).
    Delete {
        at: DateTime<Utc>,
    },
    /// Deletes the roles (explicit events) and then the organization; issued by the process
    /// manager once the memberships, groups and invitations are gone. Nothing once deleted.
    CompleteDeletion {
        at: DateTime<Utc>,
    },
    CreateRole(CreateRole),
    UpdateRole(UpdateRole),
    DeleteRole {
        slug: RoleSlug,
        at: DateTime<Utc>,
    },
    AddDomain(AddDomain),
    /// The command side saw the domain's TXT record.
    VerifyDomain {
        domain: DomainName,
        at: DateTime<Utc>,
    },
    /// A pending domain past its window expires (the background check's last word).
    ExpireDomain {
        domain: DomainName,
        at: DateTime<Utc>,
    },
    UpdateDomain(UpdateDomain),
    RemoveDomain {
        domain: DomainName,
        at: DateTime<Utc>,
    },
}

impl crate::Named for OrganizationCommand {
    fn name(&self) -> &'static str {
        match self {
            Self::Create(_) => "organization.create",
            Self::Update(_) => "organization.update",
            Self::Delete { .. } => "organization.delete",
            Self::CompleteDeletion { .. } => "organization.complete_deletion",
            Self::CreateRole(_) => "organization_role.create",
            Self::UpdateRole(_) => "organization_role.update",
            Self::DeleteRole { .. } => "organization_role.delete",
            Self::AddDomain(_) => "organization_domain.add",
            Self::VerifyDomain { .. } => "organization_domain.verify",
            Self::ExpireDomain { .. } => "organization_domain.expire",
            Self::UpdateDomain(_) => "organization_domain.update",
            Self::RemoveDomain { .. } => "organization_domain.remove",
        }
    }

    fn creates(&self) -> bool {
        matches!(self, Self::Create(_))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateRole {
    pub slug: RoleSlug,
    pub name: RoleName,
    pub description: Option<Description>,
    pub permissions: Permissions,
    pub at: DateTime<Utc>,
}

/// A partial update of role `slug`; `Some(None)` clears the description.
#[derive(Debug, Clone, PartialEq)]
pub struct UpdateRole {
    pub slug: RoleSlug,
    pub name: Option<RoleName>,
    pub description: Option<Option<Description>>,
    pub permissions: Option<Permissions>,
    pub at: DateTime<Utc>,
}

impl UpdateRole {
    /// Sets what it changes on a role's attributes, and answers what they were (`None`: it
    /// changes nothing). One rule for an organization's roles and the template's.
    pub(crate) fn change(
        self,
        name: &mut RoleName,
        description: &mut Option<Description>,
        permissions: &mut Permissions,
    ) -> Option<super::PreviousRoleAttributes> {
        let mut previous = super::PreviousRoleAttributes::default();
        if let Some(n) = self.name.filter(|n| n != name) {
            previous.name = Some(std::mem::replace(name, n));
        }
        if let Some(d) = self.description.filter(|d| d != description) {
            previous.description = Some(std::mem::replace(description, d));
        }
        if let Some(p) = self.permissions.filter(|p| p != permissions) {
            previous.permissions = Some(std::mem::replace(permissions, p));
        }
        (previous != super::PreviousRoleAttributes::default()).then_some(previous)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateOrganization {
    pub id: OrganizationId,
    pub name: OrganizationName,
    pub description: Option<Description>,
    pub external_id: Option<ExternalId>,
    pub metadata: Metadata,
    pub max_members: Option<MaxMembers>,
    pub template_roles: Option<TemplateRoleSet>,
    pub at: DateTime<Utc>,
}

/// A partial update: `None` leaves a field alone; `Some(None)` clears an optional field.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UpdateOrganization {
    pub name: Option<OrganizationName>,
    pub description: Option<Option<Description>>,
    pub external_id: Option<Option<ExternalId>>,
    pub metadata: Option<Metadata>,
    pub max_members: Option<Option<MaxMembers>>,
    pub template_roles: Option<Option<TemplateRoleSet>>,
    pub at: DateTime<Utc>,
}
