//! The organization aggregate: a customer tenant of the SaaS product that uses roster.

mod aggregate;
mod commands;
mod domains;
mod events;

pub use aggregate::{Organization, OrganizationError};
pub use commands::{
    CreateOrganization, CreateRole, OrganizationCommand, UpdateOrganization, UpdateRole,
};
pub use domains::{
    AddDomain, DomainPolicy, DomainState, DomainUpdated, DomainVerification, OrganizationDomain,
    PreviousDomainAttributes, UpdateDomain, CHALLENGE_LABEL, MAX_DOMAINS,
};
pub use events::{
    OrganizationData, OrganizationEvent, OrganizationUpdated, PreviousOrganizationAttributes,
    PreviousRoleAttributes, RoleData, RoleUpdated,
};
