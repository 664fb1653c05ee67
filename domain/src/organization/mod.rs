//! The organization aggregate: a customer tenant of the SaaS product that uses roster.

mod aggregate;
mod commands;
mod events;

pub use aggregate::{Organization, OrganizationError};
pub use commands::{CreateOrganization, OrganizationCommand, UpdateOrganization};
pub use events::{
    OrganizationData, OrganizationEvent, OrganizationUpdated, PreviousOrganizationAttributes,
};
