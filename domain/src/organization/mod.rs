//! The organization aggregate: a customer tenant of the SaaS product that uses roster.

mod aggregate;
mod commands;
mod events;

pub use aggregate::{Organization, OrganizationError};
pub use commands::{
    CreateOrganization, CreateRole, OrganizationCommand, UpdateOrganization, UpdateRole,
};
pub use events::{
    OrganizationData, OrganizationEvent, OrganizationUpdated, PreviousOrganizationAttributes,
    PreviousRoleAttributes, RoleData, RoleUpdated,
};
